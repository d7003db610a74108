"""The supervisor's call pages: the last week's calls, and a call's REDACTED transcript.

Opening a transcript is recorded in the audit log before it is decrypted (privacy/transcripts.py);
if it cannot be recorded, it is refused. A missing or wrong key for the encrypted store is a 503
notice, never a traceback."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from appliance.ops.console.pages import Console
from appliance.ops.store import OpsCall, aware


class CallPages:
    def __init__(self, console: Console) -> None:
        self.c = console
        self._store_lock = threading.Lock()

    def calls(self, request: Request) -> Response:
        """The last week's calls, each with its redacted transcript where one is stored."""
        c = self.c
        c.need(request, "call-content")
        c.query(request, {})
        rows = last_week_calls(c)
        with_transcript = transcript_calls(c.cfg.sessions, [r.call_id for r in rows])
        items = [
            {
                "when": c.local_time(aware(r.started_at)),
                "intent": r.intent,
                "outcome": r.outcome,
                "handle": _mmss(r.handle_ms),
                "call_id": r.call_id,
                "transcript": r.call_id in with_transcript,
            }
            for r in rows
        ]
        return c.page("calls.html", request, calls=items)

    def transcript(self, request: Request) -> Response:
        """A call's REDACTED transcript; the view is recorded in the audit log before decryption."""
        from appliance.privacy.transcripts import (
            TranscriptDamaged,
            TranscriptNotFound,
            read_redacted_transcript,
            valid_call_id,
        )

        c = self.c
        user = c.need(request, "call-content")
        c.query(request, {})
        call_id = request.path_params["call_id"]
        if not valid_call_id(call_id):
            raise HTTPException(400, "that is not a call id")
        if not transcript_calls(c.cfg.sessions, [call_id]):
            raise HTTPException(404, "no redacted transcript is stored for that call id")
        actor = f"console:{user.name}"

        def audit(entry_type: str, payload: dict) -> None:
            c.audit.record(entry_type, actor, payload, call_id=call_id)

        try:
            lines = read_redacted_transcript(self._store(), call_id, actor=actor, audit=audit)
        except TranscriptNotFound:
            raise HTTPException(404, "no redacted transcript is stored for that call id") from None
        except TranscriptDamaged as exc:
            raise HTTPException(500, str(exc)) from None
        with c.cfg.sessions() as db:
            row = db.get(OpsCall, call_id)
        meta = (
            {"when": c.local_time(aware(row.started_at)), "intent": row.intent, "outcome": row.outcome}
            if row is not None
            else None
        )
        shown = [
            {"at": _mmss(ln.t_ms), "speaker": ln.speaker, "text": ln.text, "interrupted": ln.interrupted}
            for ln in lines
        ]
        return c.page("transcript.html", request, call_id=call_id, meta=meta, lines=shown)

    def _store(self) -> Any:
        """The encrypted store, opened once; a missing or wrong key is a 503, not a traceback."""
        cfg = self.c.cfg
        with self._store_lock:
            if cfg.store is None:
                from appliance.privacy.kek import KekError
                from appliance.privacy.store import open_store

                settings = cfg.settings
                try:
                    cfg.store = open_store(Path(settings.data_dir), database_url=settings.database_url)
                except KekError:
                    raise HTTPException(
                        503,
                        "the encrypted store cannot be opened (its key-encryption key is missing or wrong)",
                    ) from None
            return cfg.store


def last_week_calls(c: Console, *where: Any) -> list[OpsCall]:
    """The last 7 days' calls matching `where`, newest first (at most 200: one page)."""
    since = c.cfg.now() - timedelta(days=7)
    with c.cfg.sessions() as db:
        return list(
            db.scalars(
                select(OpsCall)
                .where(OpsCall.started_at >= since, *where)
                .order_by(OpsCall.started_at.desc())
                .limit(200)
            )
        )


def transcript_calls(sessions: sessionmaker, call_ids: list[str]) -> set[str]:
    """Which of these calls have a redacted transcript stored."""
    from appliance.privacy.transcripts import calls_with_transcripts

    return calls_with_transcripts(sessions, call_ids)


def _mmss(ms: float) -> str:
    return f"{int(ms // 60000)}:{int(ms // 1000) % 60:02d}"
