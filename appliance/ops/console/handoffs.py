"""The supervisor's transfer pages: the last week's transfers, and a handoff summary as the person
who took the call reads it. Opening a summary is audited first, and counted as opened (the
transfer-quality figure reads `ops_handoff_opens`)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from appliance.ops.console.calls import last_week_calls, transcript_calls
from appliance.ops.console.pages import Console
from appliance.ops.store import OpsCall, OpsHandoffOpen, aware
from appliance.privacy.handoffs import BadHandoffId, HandoffNotFound, load_handoff


class HandoffPages:
    def __init__(self, console: Console) -> None:
        self.c = console

    def transfers(self, request: Request) -> Response:
        c = self.c
        c.need(request, "call-content")
        c.query(request, {})
        rows = last_week_calls(c, OpsCall.outcome == "transferred")
        with c.cfg.sessions() as db:
            opened = set(db.scalars(select(OpsHandoffOpen.handoff_id)))
        items = [
            {
                "when": c.local_time(aware(r.started_at)),
                "intent": r.intent,
                "reason": r.transfer_reason or "-",
                "to": r.transfer_to or "-",
                "handoff_id": r.handoff_id,
                "delivered": r.summary_delivered,
                "opened": r.handoff_id in opened,
                "call_id": r.call_id,
            }
            for r in rows
        ]
        with_transcript = transcript_calls(c.cfg.sessions, [r.call_id for r in rows])
        for item in items:
            item["transcript"] = item["call_id"] in with_transcript
        return c.page("transfers.html", request, transfers=items)

    def handoff(self, request: Request) -> Response:
        c = self.c
        user = c.need(request, "call-content")
        c.query(request, {})
        handoff_id = request.path_params["handoff_id"]
        try:
            summary = load_handoff(c.cfg.settings.data_dir, handoff_id)
        except BadHandoffId:
            raise HTTPException(400, "that is not a handoff id") from None
        except HandoffNotFound:
            raise HTTPException(404, "no handoff summary with that id") from None
        c.audit.record("console-view", f"console:{user.name}", {"what": "handoff", "handoff_id": handoff_id})
        record_open(c.cfg.sessions, handoff_id, f"console:{user.name}", c.cfg.now())
        pairs = [(k.replace("_", " "), _text(v)) for k, v in summary.items() if k != "id"]
        return c.page("handoff.html", request, summary=pairs)


def record_open(sessions: sessionmaker, handoff_id: str, by: str, when: datetime) -> None:
    """The receiving side opened a handoff summary (transfer quality counts it)."""
    with sessions.begin() as db:
        db.add(OpsHandoffOpen(handoff_id=handoff_id, opened_at=when.astimezone(UTC), opened_by=by[:64]))


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    return str(value) if value not in (None, "") else "-"
