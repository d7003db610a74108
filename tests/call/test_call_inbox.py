"""The call's typed inbox: a hang-up or a fault is answered before turns still waiting, and text
mode is the same CallSession (typed turns, timed text), so its rules hold there too."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from appliance.call.assembly import open_call
from appliance.call.faults import Fault
from appliance.call.messages import MESSAGES, CallFailed, CallInbox, Digits, HangUp, NoInput, TurnHeard
from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import AgentSaid, CallEnded, CallerSaid, CommandAccepted, HungUp, TransferStarted
from appliance.sim.audio import SimTransport


def test_every_message_is_frozen_with_a_stable_kebab_case_type() -> None:
    names = [m.type for m in MESSAGES]
    assert len(set(names)) == len(names)
    for message in MESSAGES:
        assert message.__dataclass_params__.frozen, message  # type: ignore[attr-defined]
        assert message.type == message.type.lower() and "_" not in message.type and " " not in message.type
    with pytest.raises(dataclasses.FrozenInstanceError):
        TurnHeard("hello").text = "changed"  # type: ignore[misc]


def test_a_hang_up_and_a_fault_jump_the_queue_and_the_rest_keep_their_order() -> None:
    async def go() -> list[str]:
        inbox = CallInbox()
        fault = CallFailed(Fault("tts", "tts-failed"))
        for message in (TurnHeard("one"), Digits("5"), HangUp(), NoInput(), fault):
            inbox.post(message)
        taken = [(await inbox.take()).type for _ in range(5)]
        assert inbox.empty() and inbox.pending == 5  # taken, not yet answered
        for _ in taken:
            inbox.done()
        assert inbox.pending == 0
        return taken

    assert asyncio.run(go()) == ["hang-up", "fault", "turn-heard", "digits", "no-input"]


async def _text_call(script):  # type: ignore[no-untyped-def]
    """A text-mode call on the wall clock: `script(session)` runs once the greeting has played."""
    services = await build_services(load_settings(), speech=False, audit=False)
    events: list = []
    transport = SimTransport("sim-text")
    try:
        session = open_call(
            services, call_id="c-inbox", sample_rate_hz=8000, transport=transport, emit=events.append,
            hearing="text",
        )  # fmt: skip
        call = asyncio.create_task(session.run())
        pump = asyncio.create_task(_media_clock(session))
        try:
            while not any(isinstance(e, AgentSaid) and "help" in e.text.lower() for e in events):
                await asyncio.sleep(0.01)
            await script(session)
            outcome = await asyncio.wait_for(call, 30)
        finally:
            pump.cancel()
        return outcome, events, transport
    finally:
        await services.close()


async def _media_clock(session) -> None:  # type: ignore[no-untyped-def]
    """Pulls the agent's frames as a transport would (timed text plays at 8 frames a tick)."""
    while True:
        for _ in range(8):
            session.next_frame()
            session.feed(b"\x00" * 320)
        await asyncio.sleep(0.001)


def test_a_caller_who_hangs_up_right_after_speaking_is_not_answered() -> None:
    """The hang-up waits behind the turn but is answered first: nothing is understood, decided
    or written for a caller already gone (the inbox used to be first come, first served)."""

    async def script(session) -> None:  # type: ignore[no-untyped-def]
        session.hear("I'd like to book an appointment with Doctor Patel.")
        session.caller_hung_up()

    outcome, events, _ = asyncio.run(_text_call(script))
    assert outcome == "caller_hung_up"
    assert [e.by for e in events if isinstance(e, HungUp)] == ["caller"]
    assert not [e for e in events if isinstance(e, CommandAccepted)]
    assert isinstance(events[-1], CallEnded)


def test_text_mode_goes_through_the_session_operator_and_keys_included() -> None:
    async def script(session) -> None:  # type: ignore[no-untyped-def]
        session.hear("Can I just talk to a real person please?")

    outcome, events, transport = asyncio.run(_text_call(script))
    assert outcome == "transferred"
    assert [e.to for e in events if isinstance(e, TransferStarted)] == ["2000"]
    assert [to for to, _handoff in transport.transfers] == ["2000"]
    said = [e.text for e in events if isinstance(e, CallerSaid)]
    assert said == ["Can I just talk to a real person please?"]  # recorded by the session, once
