"""Typed call events: what happened on a call, in the order it happened.

Each event is a frozen dataclass with a stable kebab-case `type` name. Stages emit them through
an `EventSink` (a plain callable); the simulator prints them, the audit log and the metrics read
them. Events whose fields may hold caller words or identifiers say so with `carries_phi`: those
go only to the encrypted store and to the simulator's own output, never to logs, metrics or the
audit log. Times are milliseconds on the call's monotonic clock (`t_ms`, from call start).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

EVENT_TYPES: dict[str, type[Event]] = {}
_E = TypeVar("_E", bound="type[Event]")


def _register(cls: _E) -> _E:
    if cls.type in EVENT_TYPES:
        raise RuntimeError(f"event type {cls.type!r} registered twice")
    EVENT_TYPES[cls.type] = cls
    return cls


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"
    carries_phi: ClassVar[bool] = False

    call_id: str
    t_ms: float

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["type"] = self.type
        return data

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Event:
        data = dict(data)
        cls = EVENT_TYPES.get(data.pop("type", ""))
        if cls is None:
            raise ValueError(f"unknown event type in {sorted(data)}")
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for f in dataclasses.fields(cls):
            if f.name in values and isinstance(values[f.name], list) and "tuple" in str(f.type):
                values[f.name] = tuple(values[f.name])
        return cls(**values)


EventSink = Callable[[Event], None]


@_register
@dataclass(frozen=True)
class CallStarted(Event):
    type: ClassVar[str] = "call-started"
    sample_rate_hz: int = 8000
    transport: str = "sim"


@_register
@dataclass(frozen=True)
class CallEnded(Event):
    type: ClassVar[str] = "call-ended"
    outcome: str = "contained"  # a CallOutcome (appliance/outcomes.py)
    reason: str = ""  # TransferReason.FAULT.at(stage) ("fault:<stage>") when a fault ended the call


@_register
@dataclass(frozen=True)
class CallFaulted(Event):
    """A stage the call cannot go on without failed; the call goes to a person (invariant 4).

    `stage` is one of appliance.call.faults.STAGES ("asr", "tts", "vad", "dialog", "audit",
    "storage", "call"); `code` is the failing stage's stable error code ("asr-failed").
    """

    type: ClassVar[str] = "fault"
    stage: str = "call"
    code: str = "call-fault"


@_register
@dataclass(frozen=True)
class DisclosurePlayed(Event):
    type: ClassVar[str] = "disclosure-played"


@_register
@dataclass(frozen=True)
class ConsentAnswered(Event):
    type: ClassVar[str] = "consent-answered"
    recording: bool = True


@_register
@dataclass(frozen=True)
class SpeechStarted(Event):
    type: ClassVar[str] = "speech-started"


@_register
@dataclass(frozen=True)
class TurnEnded(Event):
    type: ClassVar[str] = "turn-ended"
    silence_ms: float = 0.0


@_register
@dataclass(frozen=True)
class AsrPartial(Event):
    type: ClassVar[str] = "asr-partial"
    carries_phi: ClassVar[bool] = True
    text: str = ""


@_register
@dataclass(frozen=True)
class AsrFinal(Event):
    type: ClassVar[str] = "asr-final"
    carries_phi: ClassVar[bool] = True
    text: str = ""


@_register
@dataclass(frozen=True)
class CallerSaid(Event):
    """What the caller said as text (text mode) or keyed (DTMF; secure digits never appear)."""

    type: ClassVar[str] = "caller-say"
    carries_phi: ClassVar[bool] = True
    text: str = ""


@_register
@dataclass(frozen=True)
class AgentSaid(Event):
    """What the agent actually played: cut where a barge-in stopped it."""

    type: ClassVar[str] = "agent-say"
    carries_phi: ClassVar[bool] = True
    text: str = ""
    interrupted: bool = False


@_register
@dataclass(frozen=True)
class CommandAccepted(Event):
    type: ClassVar[str] = "command"
    carries_phi: ClassVar[bool] = True  # slot values may be names or dates
    name: str = ""
    args: dict[str, Any] = field(default_factory=dict)


@_register
@dataclass(frozen=True)
class CommandRejected(Event):
    type: ClassVar[str] = "command-rejected"
    name: str = ""
    reason: str = ""


@_register
@dataclass(frozen=True)
class FlowStarted(Event):
    type: ClassVar[str] = "flow-started"
    flow: str = ""


@_register
@dataclass(frozen=True)
class ToolCalled(Event):
    type: ClassVar[str] = "tool-call"
    tool: str = ""
    ok: bool = True
    status: str = "ok"  # ok | refused | failed | timeout
    latency_ms: float = 0.0
    # the records it touched, as opaque ids (patient_ref, appointment_id, task_id): never PHI,
    # so the audit log can tie the call to the row without naming anyone
    refs: dict[str, str] = field(default_factory=dict)


@_register
@dataclass(frozen=True)
class IdentityChecked(Event):
    type: ClassVar[str] = "identity-checked"
    verified: bool = False
    attempt: int = 1


@_register
@dataclass(frozen=True)
class RedFlagRaised(Event):
    type: ClassVar[str] = "red-flag"
    category: str = ""


@_register
@dataclass(frozen=True)
class TransferStarted(Event):
    type: ClassVar[str] = "transfer"
    to: str = ""
    reason: str = ""
    handoff_id: str = ""


@_register
@dataclass(frozen=True)
class TransferFailed(Event):
    """The far side refused or never completed a transfer: the caller is still with the agent."""

    type: ClassVar[str] = "transfer-failed"
    to: str = ""


@_register
@dataclass(frozen=True)
class BargeIn(Event):
    type: ClassVar[str] = "barge-in"


@_register
@dataclass(frozen=True)
class HungUp(Event):
    type: ClassVar[str] = "hangup"
    by: str = "caller"  # caller | agent


@_register
@dataclass(frozen=True)
class TurnLatency(Event):
    """Stage timestamps of one turn, in ms on the call clock, and the voice-to-voice figure.

    voice_to_voice_ms runs from the true end of the caller's speech (when the transport knows
    it, as the simulator does; otherwise the VAD's last speech frame) to the first outbound
    agent frame.
    """

    type: ClassVar[str] = "turn-latency"
    voice_to_voice_ms: float = 0.0
    speech_end_ms: float = 0.0
    end_of_turn_ms: float = 0.0
    asr_final_ms: float = 0.0
    first_text_ms: float = 0.0
    first_audio_ms: float = 0.0
    first_frame_ms: float = 0.0
    # Acting on partials: "used" (the understanding prepared on a stable partial was kept),
    # "redone" (the final meant something else), "" (nothing was prepared).
    preemptive: str = ""
