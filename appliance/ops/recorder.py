"""Per-call figures from a call's events: the event sink every call feeds (no PHI).

`CallTally` is a pure accumulator: events in, one `CallSummary` out when the call ends. Of an
event that `carries_phi` (what the caller or the agent said, accepted commands) it reads the
type and nothing else, so words, names and dates can never reach a figure. `CallRecorder` is
the EventSink: it runs on the call's event loop, keeps the tally, updates the in-memory
Prometheus figures at once and hands database writes to the runtime's writer thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from appliance.events import Event
from appliance.outcomes import CallOutcome, TransferReason, reason_code

if TYPE_CHECKING:
    from appliance.ops.runtime import OpsRuntime

NO_INTENT = "none"  # calls that never started a flow (questions, operator requests, hang-ups)
OUTCOMES = ("contained", "transferred", "abandoned", "ended")
_OUTCOME_OF = {
    CallOutcome.CONTAINED: "contained",
    CallOutcome.TRANSFERRED: "transferred",
    CallOutcome.CALLER_HUNG_UP: "abandoned",
    CallOutcome.AGENT_HUNG_UP: "ended",  # the agent ended it without resolving (no input, no line answered)
}
ERROR_STATUSES = ("failed", "timeout")


@dataclass(frozen=True)
class ToolFigure:
    tool: str
    status: str
    latency_ms: float


@dataclass(frozen=True)
class TurnFigure:
    """One turn's voice-to-voice latency split by stage, in milliseconds."""

    voice_to_voice_ms: float
    endpoint_ms: float  # caller speech end → end-of-turn decision
    asr_ms: float  # end of turn → final transcript
    dialog_ms: float  # final transcript → first response text
    tts_ms: float  # first response text → first synthesized audio


@dataclass(frozen=True)
class CallSummary:
    call_id: str
    started_at: datetime
    ended_at: datetime
    transport: str
    intent: str
    outcome: str
    end_reason: str = ""
    assisted: bool = False
    transfer_reason: str | None = None
    transfer_to: str | None = None
    handoff_id: str | None = None
    summary_delivered: bool = False
    handle_ms: float = 0.0
    turns: int = 0
    barge_ins: int = 0
    barge_ins_recovered: int = 0
    red_flags: int = 0
    red_flag_categories: tuple[str, ...] = ()
    errors: int = 0
    fallback: bool = False
    caller_ref: str | None = None
    satisfaction: int | None = None
    tools: tuple[ToolFigure, ...] = ()
    latencies: tuple[TurnFigure, ...] = ()


@dataclass
class CallTally:
    """What one call did so far; `add` every event in order, `summary()` after call-ended."""

    call_id: str
    now: Callable[[], datetime]
    handoff_exists: Callable[[str], bool] = lambda _id: False
    caller_ref: str | None = None
    started_at: datetime | None = None
    start_ms: float = 0.0
    end_ms: float = 0.0
    transport: str = ""
    flows: list[str] = field(default_factory=list)
    outcome: str | None = None
    end_reason: str = ""
    transfer: tuple[str, str, str] | None = None  # (reason code, extension, handoff id)
    delivered: bool = False
    turns: int = 0
    barge_ins: int = 0
    recovered: int = 0
    awaiting_recovery: bool = False
    red_flags: list[str] = field(default_factory=list)
    tools: list[ToolFigure] = field(default_factory=list)
    latencies: list[TurnFigure] = field(default_factory=list)
    satisfaction: int | None = None
    ended_at: datetime | None = None
    fault: str | None = None  # the stage that failed, when a fault ended the call

    def add(self, event: Event) -> None:
        kind = event.type
        if event.carries_phi:
            # Only the type: a caller turn, or an accepted command (recovery after a barge-in).
            if kind in ("asr-final", "caller-say"):
                self.turns += 1
            elif kind == "command" and self.awaiting_recovery:
                self.recovered += 1
                self.awaiting_recovery = False
            return
        handler = getattr(self, "_on_" + kind.replace("-", "_"), None)
        if handler is not None:
            handler(event)

    # -- the events that count ------------------------------------------------------------
    def _on_call_started(self, event: Event) -> None:
        self.started_at = self.now()
        self.start_ms = event.t_ms
        self.transport = str(getattr(event, "transport", ""))[:16]

    def _on_flow_started(self, event: Event) -> None:
        self.flows.append(str(getattr(event, "flow", "")))

    def _on_tool_call(self, event: Event) -> None:
        status = str(getattr(event, "status", "ok"))
        self.tools.append(ToolFigure(str(getattr(event, "tool", "")), status, float(event.latency_ms)))  # type: ignore[attr-defined]

    def _on_red_flag(self, event: Event) -> None:
        self.red_flags.append(str(getattr(event, "category", "")))

    def _on_barge_in(self, event: Event) -> None:
        self.barge_ins += 1
        self.awaiting_recovery = True

    def _on_fault(self, event: Event) -> None:
        self.fault = self.fault or str(getattr(event, "stage", "call"))

    def _on_transfer(self, event: Event) -> None:
        handoff_id = str(getattr(event, "handoff_id", ""))
        if self.transfer is None or not self.transfer[2]:
            self.transfer = (reason_code(str(getattr(event, "reason", ""))), str(event.to), handoff_id)  # type: ignore[attr-defined]
        if handoff_id and self.handoff_exists(handoff_id):
            self.delivered = True

    def _on_turn_latency(self, event: Event) -> None:
        e = event
        speech_end, eot = e.speech_end_ms, e.end_of_turn_ms  # type: ignore[attr-defined]
        asr, text, audio = e.asr_final_ms, e.first_text_ms, e.first_audio_ms  # type: ignore[attr-defined]
        self.latencies.append(
            TurnFigure(
                voice_to_voice_ms=max(0.0, float(e.voice_to_voice_ms)),  # type: ignore[attr-defined]
                endpoint_ms=_span(speech_end, eot),
                asr_ms=_span(eot, asr),
                dialog_ms=_span(asr, text),
                tts_ms=_span(text, audio),
            )
        )

    def _on_call_ended(self, event: Event) -> None:
        self.end_ms = event.t_ms
        raw = str(getattr(event, "outcome", ""))
        self.outcome = _OUTCOME_OF.get(raw, "ended")
        self.end_reason = raw[:64]
        self.ended_at = self.now()

    # -- the result -----------------------------------------------------------------------
    @property
    def intent(self) -> str:
        return self.flows[-1] if self.flows else NO_INTENT

    def summary(self) -> CallSummary:
        started = self.started_at or self.now()
        handle_ms = max(0.0, self.end_ms - self.start_ms)
        ended = self.ended_at or started + timedelta(milliseconds=handle_ms)
        reason, to, handoff = self.transfer or (None, None, None)
        outcome = self.outcome or "ended"
        errors = sum(t.status in ERROR_STATUSES for t in self.tools)
        errors += bool(
            self.fault is not None
            or (
                reason
                and (reason.startswith(TransferReason.FAULT.at("")) or reason == TransferReason.TOOL_FAILED)
            )
        )
        return CallSummary(
            call_id=self.call_id,
            started_at=started,
            ended_at=ended,
            transport=self.transport,
            intent=self.intent,
            outcome=outcome,
            end_reason=self.end_reason,
            assisted=outcome == "transferred"
            and bool(self.flows)
            and any(t.status == "ok" for t in self.tools),
            transfer_reason=reason,
            transfer_to=to,
            handoff_id=handoff or None,
            summary_delivered=self.delivered,
            handle_ms=handle_ms,
            turns=self.turns,
            barge_ins=self.barge_ins,
            barge_ins_recovered=self.recovered,
            red_flags=len(self.red_flags),
            red_flag_categories=tuple(self.red_flags),
            errors=errors,
            fallback=bool(reason and reason.startswith(TransferReason.FALLBACK.at(""))),
            caller_ref=self.caller_ref,
            satisfaction=self.satisfaction,
            tools=tuple(self.tools),
            latencies=tuple(self.latencies),
        )


def _span(start: float, end: float) -> float:
    return max(0.0, float(end) - float(start)) if start and end else 0.0


class CallRecorder:
    """The EventSink of one call: tallies, live state and the figures when it ends."""

    def __init__(self, runtime: OpsRuntime, tally: CallTally) -> None:
        self.runtime = runtime
        self.tally = tally

    def __call__(self, event: Event) -> None:
        self.tally.add(event)
        kind = event.type
        if kind == "call-started":
            self.runtime.call_started(self.tally)
        elif kind in ("flow-started", "transfer", "hangup"):
            self.runtime.call_changed(self.tally, _STATE[kind])
        elif kind == "tool-call":
            self.runtime.metrics.tool(self.tally.tools[-1])
        elif kind == "turn-latency":
            self.runtime.metrics.turn(self.tally.latencies[-1])
        elif kind == "call-ended":
            self.runtime.call_finished(self.tally.summary())


_STATE = {"flow-started": "in-flow", "transfer": "transferring", "hangup": "ending"}
