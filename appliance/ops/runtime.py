"""OpsRuntime: figures, Prometheus, live calls, the post-call survey and automatic fallback,
one per process, held by CallServices (`services.ops`).

Threads: `observer()`'s sink and `intent_gate()` run on a call's event loop and only touch
memory (the tally, prometheus-client) or the switch's cached read. Every database write goes
to one "ops-writer" thread, in order: a live-call row when a call starts, its state changes,
and when it ends the call's figures, then the fallback judgement of its intent. A failing
database costs figures, never a call: the writer logs the error type (no data) and goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import sessionmaker

from appliance.events import EventSink
from appliance.ops.auditing import OpsAudit, drain_pending
from appliance.ops.fallback import FallbackGate, IntentSwitch, evaluate
from appliance.ops.metrics import Metrics
from appliance.ops.recorder import NO_INTENT, CallRecorder, CallSummary, CallTally
from appliance.ops.store import OpsCall, OpsLiveCall, OpsToolCall, OpsTurnLatency
from appliance.ops.survey import PostCallSurvey
from appliance.ops.targets import Targets, load_targets
from appliance.outcomes import CallOutcome, hang_up_outcome
from appliance.privacy.handoffs import handoff_exists

log = logging.getLogger(__name__)
SALT_FILE = "ops-caller-salt"


class OpsRuntime:
    def __init__(
        self,
        *,
        sessions: sessionmaker,
        settings: Any,
        site: Any,
        targets: Targets,
        audit: Any = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        fallback: bool = True,
        survey: bool = True,
        survey_wait_ms: int = 6000,
        box: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.site = site
        self.targets = targets
        self.audit = audit
        self.audit_port = OpsAudit(settings, audit)
        self.now = now
        self.fallback = fallback
        self.survey_on = survey
        self.survey_wait_ms = survey_wait_ms
        self.box = box or socket.gethostname()
        self.metrics = Metrics()
        if audit is not None:
            self.metrics.watch_audit(audit.health)
        self.switch = IntentSwitch(sessions, now)
        self._tallies: dict[str, CallTally] = {}
        self._lock = threading.Lock()
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ops-writer")
        self._salt = _salt(self.data_dir)
        self._submit(self._clear_live)
        self._submit(self._show_switches)
        self._submit(self._drain)

    @classmethod
    def open(
        cls,
        settings: Any,
        sessions: sessionmaker,
        site: Any,
        audit: Any = None,
        now: Callable[[], datetime] | None = None,
    ) -> OpsRuntime:
        ops = settings.ops
        site_dir = Path(settings.site.policy_dir)
        targets = load_targets(site_dir, ops.fallback_window_h, set(site.flows))
        return cls(
            sessions=sessions,
            settings=settings,
            site=site,
            targets=targets,
            audit=audit,
            now=now or (lambda: datetime.now(UTC)),
            fallback=ops.fallback,
            survey=ops.survey,
            survey_wait_ms=ops.survey_wait_ms,
        )

    # -- per call (the call's loop) ---------------------------------------------------------
    def _tally(self, call_id: str) -> CallTally:
        with self._lock:
            tally = self._tallies.get(call_id)
            if tally is None:
                tally = CallTally(call_id, now=self._utcnow, handoff_exists=self._handoff_exists)
                self._tallies[call_id] = tally
            return tally

    def observer(self, call_id: str) -> EventSink:
        return CallRecorder(self, self._tally(call_id))

    def intent_gate(self, call_id: str, caller_id: str | None) -> FallbackGate | None:
        """Notes the caller (as a salted reference) and returns the dialog's fallback gate, or
        None when automatic fallback is off."""
        if caller_id:
            self._tally(call_id).caller_ref = self.caller_ref(caller_id)
        if not self.fallback:
            return None
        return FallbackGate(self.switch, self.targets)

    def caller_ref(self, caller_id: str) -> str:
        digits = "".join(ch for ch in caller_id if ch.isdigit() or ch == "+")
        return hmac.new(self._salt, digits.encode(), hashlib.sha256).hexdigest()[:32]

    def survey(self, call_id: str, hangup_reason: str) -> PostCallSurvey | None:
        """The post-call press after a goodbye, or None (surveys off, or not a goodbye)."""
        if not self.survey_on or hang_up_outcome(hangup_reason) is not CallOutcome.CONTAINED:
            return None
        return PostCallSurvey(call_id, self.satisfaction, wait_ms=self.survey_wait_ms)

    def satisfaction(self, call_id: str, score: int) -> None:
        with self._lock:
            tally = self._tallies.get(call_id)
        if tally is not None:
            tally.satisfaction = score
            return
        self._submit(self._store_satisfaction, call_id, score)

    # -- from the recorder --------------------------------------------------------------------
    def call_started(self, tally: CallTally) -> None:
        self.metrics.call_started()
        started = tally.started_at or self._utcnow()
        self._submit(self._upsert_live, tally.call_id, started, "", "greeting")

    def call_changed(self, tally: CallTally, state: str) -> None:
        intent = tally.intent if tally.flows else ""
        self._submit(self._update_live, tally.call_id, intent, state)

    def call_finished(self, summary: CallSummary) -> None:
        with self._lock:
            self._tallies.pop(summary.call_id, None)
        self.metrics.call_finished(summary)
        if summary.satisfaction is not None:
            self.metrics.answered(summary.intent, summary.satisfaction)
        self._submit(self._finish, summary)

    # -- the writer thread --------------------------------------------------------------------
    def _submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        def run() -> Any:
            try:
                return fn(*args)
            except Exception as exc:
                log.warning("ops: %s failed (%s); figures for it are lost", fn.__name__, type(exc).__name__)
                return None

        return self._writer.submit(run)

    def _clear_live(self) -> None:
        with self.sessions.begin() as db:
            db.execute(delete(OpsLiveCall).where(OpsLiveCall.box == self.box))

    def _show_switches(self) -> None:
        off = self.switch.off()
        for intent in self.site.flows:
            self.metrics.set_intent(intent, intent not in off)

    def _upsert_live(self, call_id: str, started: datetime, intent: str, state: str) -> None:
        with self.sessions.begin() as db:
            db.merge(
                OpsLiveCall(
                    call_id=call_id,
                    box=self.box,
                    started_at=started,
                    intent=intent,
                    state=state,
                    updated_at=self._utcnow(),
                )
            )

    def _update_live(self, call_id: str, intent: str, state: str) -> None:
        values: dict[str, Any] = {"state": state, "updated_at": self._utcnow()}
        if intent:
            values["intent"] = intent
        with self.sessions.begin() as db:
            db.execute(update(OpsLiveCall).where(OpsLiveCall.call_id == call_id).values(**values))

    def _finish(self, s: CallSummary) -> None:
        save_summary(self.sessions, s)
        with self.sessions.begin() as db:
            db.execute(delete(OpsLiveCall).where(OpsLiveCall.call_id == s.call_id))
        if self.fallback and s.intent != NO_INTENT and not s.fallback:
            self.judge(s.intent)
        self._drain()

    def _drain(self) -> None:
        if self.audit is not None:
            drain_pending(self.data_dir, self.audit)

    def judge(self, intent: str) -> None:
        """Switch the intent to people if it misses a target (writer thread, or a test)."""
        target = self.targets.for_intent(intent)
        if not target.judged or self.switch.reason_off(intent) is not None:
            return
        verdict = evaluate(self.sessions, self.switch, target, self._utcnow())
        if verdict.ok:
            return
        reason = "; ".join(verdict.missed)
        self.switch.set(intent, False, reason, "wardline")
        self.metrics.set_intent(intent, False)
        log.warning("ops: intent %s now goes to people: %s", intent, reason)
        self.audit_port.record("intent-fallback", "agent", {"intent": intent, "reason": reason})

    def _store_satisfaction(self, call_id: str, score: int) -> None:
        with self.sessions.begin() as db:
            db.execute(update(OpsCall).where(OpsCall.call_id == call_id).values(satisfaction=score))

    def _handoff_exists(self, handoff_id: str) -> bool:
        return handoff_exists(self.data_dir, handoff_id)

    def _utcnow(self) -> datetime:
        return self.now().astimezone(UTC)

    # -- the process --------------------------------------------------------------------------
    def serve_metrics(self, address: str, port: int) -> Any:
        return self.metrics.serve(address, port)

    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until every write handed to the writer so far is done (tests, shutdown)."""
        self._writer.submit(lambda: None).result(timeout=timeout_s)

    def close(self) -> None:
        self._writer.shutdown(wait=True)


def save_summary(sessions: sessionmaker, s: CallSummary) -> None:
    """Store one finished call's figures (its row, tool calls and turn latencies)."""
    started, ended = s.started_at.astimezone(UTC), s.ended_at.astimezone(UTC)
    with sessions.begin() as db:
        db.merge(
            OpsCall(
                call_id=s.call_id,
                started_at=started,
                ended_at=ended,
                transport=s.transport,
                intent=s.intent,
                outcome=s.outcome,
                end_reason=s.end_reason,
                assisted=s.assisted,
                transfer_reason=s.transfer_reason,
                transfer_to=s.transfer_to,
                handoff_id=s.handoff_id,
                summary_delivered=s.summary_delivered,
                handle_ms=s.handle_ms,
                turns=s.turns,
                barge_ins=s.barge_ins,
                barge_ins_recovered=s.barge_ins_recovered,
                red_flags=s.red_flags,
                errors=s.errors,
                fallback=s.fallback,
                caller_ref=s.caller_ref,
                satisfaction=s.satisfaction,
            )
        )
        for t in s.tools:
            db.add(
                OpsToolCall(
                    call_id=s.call_id,
                    intent=s.intent,
                    tool=t.tool,
                    status=t.status,
                    latency_ms=t.latency_ms,
                    at=ended,
                )
            )
        for lat in s.latencies:
            db.add(
                OpsTurnLatency(
                    call_id=s.call_id,
                    intent=s.intent,
                    at=ended,
                    voice_to_voice_ms=lat.voice_to_voice_ms,
                    endpoint_ms=lat.endpoint_ms,
                    asr_ms=lat.asr_ms,
                    dialog_ms=lat.dialog_ms,
                    tts_ms=lat.tts_ms,
                )
            )


def _salt(data_dir: Path) -> bytes:
    """The box's key for caller references (0600); made on first use."""
    path = data_dir / SALT_FILE
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(salt.hex())
    return salt
