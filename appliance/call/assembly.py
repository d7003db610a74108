"""The composition root of one call: its parts built once, in one place, handed to the session.

`open_call` is the only code that asks CallServices (what the box shares) for a call's parts:
the observers that record its events, a dialog wired to the tool gateway, a VAD stream, the
recorder, the prompts, the operator, the handoff store and the survey. The session gets
`CallParts` and nothing else, so no stage of a call reaches back to the services for anything.

The parts built before the session need somewhere to report to (the dialog emits events on
the call's clock, the audit sink and the recorder report failures): `CallLine` is made first
and the session takes over its fault hooks when it is made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from appliance.call.prompts import Prompts
from appliance.call.transport import CallTransport
from appliance.events import Event, EventSink

if TYPE_CHECKING:
    from appliance.call.services import CallEngines, CallServices
    from appliance.call.session import CallSession
    from appliance.config import CallSettings

Hearing = Literal["audio", "text"]


class CallLine:
    """One call's clock, its event fan-out, and where failures reported by its parts go."""

    def __init__(self, call_id: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.call_id = call_id
        self.clock = clock
        self.t0 = clock()
        self.sinks: list[EventSink] = []
        # Set by the session when it is made; until then a failure has no call to end.
        self.on_audit_failure: Callable[[], None] = lambda: None
        self.on_storage_failure: Callable[[BaseException], None] = lambda _exc: None

    def now_ms(self) -> float:
        return (self.clock() - self.t0) * 1000.0

    def emit(self, event: Event) -> None:
        for sink in self.sinks:
            sink(event)

    def audit_failed(self, call_id: str, exc: BaseException) -> None:
        self.on_audit_failure()

    def storage_failed(self, exc: BaseException) -> None:
        """Any thread (the recorder's writer)."""
        self.on_storage_failure(exc)


@dataclass(frozen=True)
class CallParts:
    """Everything one CallSession uses, and nothing it would have to go and ask for."""

    call_id: str
    sample_rate_hz: int
    caller_id: str | None
    hearing: Hearing  # "text": typed turns and timed text instead of audio (the simulator)
    settings: CallSettings
    line: CallLine
    dialog: Any  # appliance.dialog.engine.DialogEngine (or ops' guard around it)
    vad: Any  # a VadStream; None when hearing text
    turn_model: Any  # Smart Turn, or None (off, or it could not load)
    recorder: Any  # the encrypted recorder when this box records audio; else None
    prompts: Prompts  # the fixed sentences, pre-rendered with the current voice
    operator: str  # the site pack's operator extension
    save_handoff: Callable[..., Any]  # (handoff_id, summary, transcript)
    survey: Callable[[str], Any]  # hang-up reason -> the post-call survey, or None
    data_lost: Callable[[str], None]  # a stable code: call data that could not be stored
    lease_engines: Callable[[], AbstractAsyncContextManager[CallEngines]] = field(repr=False)
    words_per_minute: int = 150  # how fast timed text "plays" when hearing text


def open_call(
    services: CallServices,
    *,
    call_id: str,
    sample_rate_hz: int,
    transport: CallTransport,
    emit: EventSink | None = None,
    caller_id: str | None = None,
    clock: Callable[[], float] = time.monotonic,
    hearing: Hearing = "audio",
) -> CallSession:
    """Build one call's parts and the session that runs it (SIP, the simulator, the benchmarks)."""
    from appliance.call.endpointing import shared_turn_model
    from appliance.call.session import CallSession

    line = CallLine(call_id, clock)
    line.sinks.extend(
        services.observers(call_id, on_failure=line.audit_failed, on_storage_failure=line.storage_failed)
    )
    if emit is not None:
        line.sinks.append(emit)
    settings = services.settings.call
    audio = hearing == "audio"
    dialog = services.new_dialog(call_id=call_id, emit=line.emit, clock_ms=line.now_ms, caller_id=caller_id)
    parts = CallParts(
        call_id=call_id,
        sample_rate_hz=sample_rate_hz,
        caller_id=caller_id,
        hearing=hearing,
        settings=settings,
        line=line,
        dialog=dialog,
        vad=services.new_vad(sample_rate_hz) if audio else None,
        turn_model=shared_turn_model() if audio and settings.turn_model == "smart-turn" else None,
        # Text mode has no audio to record (its transcript is recorded as on any call).
        recorder=services.new_recorder(call_id, sample_rate_hz, on_failure=line.storage_failed)
        if audio
        else None,
        prompts=services.prompts,
        operator=services.extension("operator"),
        save_handoff=services.save_handoff,
        survey=lambda reason: services.survey(call_id, reason),
        data_lost=lambda code: services.data_lost(call_id, code),
        lease_engines=services.lease_engines,
        words_per_minute=services.settings.speech.words_per_minute,
    )
    return CallSession(parts, transport=transport)
