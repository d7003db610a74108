"""Acting on partials, at the dialog: understanding (and read-only lookups) prepared on a stable
partial transcript is kept when the final words mean the same, redone when they do not, and no
tool with a side effect ever starts before the turn is final."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from appliance.dialog.actions import AgentAction, CallerTurn, Say
from appliance.dialog.early import Prepared
from appliance.store.scheduling import Appointment
from tests.dialog.conftest import Call
from tests.dialog.test_engine import MARIA, booked


def _turn(call: Call, partial: str, final: str) -> tuple[list[AgentAction], list[str]]:
    """One caller turn heard first as `partial` (prepared while the caller spoke), then as
    `final`; returns the agent's actions and the tools that started before the final."""

    async def run() -> tuple[list[AgentAction], list[str]]:
        before = len(call.events)
        prepared = asyncio.ensure_future(call.engine.understand_early(partial))
        await asyncio.wait({prepared})
        for _ in range(50):  # let an early lookup's worker finish (it is awaited below anyway)
            await asyncio.sleep(0.01)
        early = [e.tool for e in call.events[before:] if e.type == "tool-call"]
        actions = [a async for a in call.engine.handle(CallerTurn(text=final), prepared)]
        return actions, early

    actions, early = asyncio.run(run())
    call.actions += actions
    return actions, early


def _said(actions: list[AgentAction]) -> list[str]:
    return [a.text for a in actions if isinstance(a, Say)]


def test_a_certain_partial_gives_the_same_reply_and_is_used(make_call: Callable[..., Call]) -> None:
    plain = make_call(caller_id="+15550132291")
    expected = _said(plain.turn("Hi, I'd like to see Doctor Patel next Tuesday morning."))

    call = make_call(caller_id="+15550132291")
    text = "Hi, I'd like to see Doctor Patel next Tuesday morning."
    actions, early = _turn(call, text, text)
    assert _said(actions) == expected
    assert call.engine.preemptive == "used"
    assert early == []  # identity comes first: nothing to look up yet


def test_a_slot_lookup_starts_on_the_partial_and_is_not_run_twice(make_call: Callable[..., Call]) -> None:
    call = make_call(caller_id="+15550132291")
    booked(call)
    call.turn("Yes")
    words = "I'd also like to see Doctor Patel next Monday morning."
    actions, early = _turn(call, words, words)
    assert early == ["find_slots"]  # it only reads: it may start while the caller speaks
    assert call.engine.preemptive == "used"
    assert "Monday" in " ".join(_said(actions))
    assert call.tools().count("find_slots") == 2  # the first booking's and this early one, once


def test_a_final_that_changes_its_mind_gets_the_final_action(
    make_call: Callable[..., Call], session_factory: sessionmaker[Session]
) -> None:
    call = make_call(caller_id="+15550132291")
    booked(call)
    call.turn("Yes")
    actions, _ = _turn(call, "I'd like to book an appointment", "I'd like to book, no, cancel my appointment")
    assert call.engine.preemptive == "redone"
    assert call.engine.flow == "cancel_appointment", _said(actions)


def test_a_side_effecting_tool_never_starts_before_the_final(
    make_call: Callable[..., Call], session_factory: sessionmaker[Session]
) -> None:
    call = make_call(caller_id="+15550132291")
    call.turn("Hi, I'd like to see Doctor Patel next Tuesday morning.")
    call.turn(MARIA)
    # The choice leads straight to booking: that waits for the final turn.
    prepared = asyncio.run(call.engine.understand_early("The first one is fine."))
    assert isinstance(prepared, Prepared) and not prepared.lookups
    assert "book_appointment" not in call.tools()
    with session_factory() as session:
        assert session.scalars(select(Appointment)).all() == []
    actions, early = _turn(call, "The first one is fine.", "The first one is fine.")
    assert "book_appointment" not in early
    assert call.tools()[-1] == "book_appointment" and "booked" in " ".join(_said(actions))


def test_a_red_flag_partial_prepares_nothing(make_call: Callable[..., Call]) -> None:
    words = "I have chest pain and need an appointment"
    expected = _said(make_call().turn(words))
    call = make_call()
    assert asyncio.run(call.engine.understand_early(words)) is None
    actions, _ = _turn(call, "I have chest pain", words)
    assert _said(actions) == expected  # the red-flag path, as without acting on partials
    assert call.engine.preemptive == ""


def test_a_partial_understood_before_another_turn_is_not_reused(make_call: Callable[..., Call]) -> None:
    words = "I'd like to book an appointment"
    plain = make_call()
    plain.turn("What are the visiting hours?")
    expected = _said(plain.turn(words))

    call = make_call()

    async def run() -> list[AgentAction]:
        stale = asyncio.ensure_future(call.engine.understand_early(words))
        await asyncio.wait({stale})
        _ = [a async for a in call.engine.handle(CallerTurn(text="What are the visiting hours?"))]
        return [a async for a in call.engine.handle(CallerTurn(text=words), stale)]

    assert _said(asyncio.run(run())) == expected
    assert call.engine.preemptive == "redone"  # understood again, in the conversation as it now is
