"""Words that could mean two requests get one short question, and the answer goes on with the right one.

"I can't make it Tuesday" may mean "move it" or "cancel it": the agent asks which instead of
guessing (or saying it did not catch that), and the caller's answer starts that flow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.dialog.conftest import Call
from tests.dialog.test_engine import booked, says

QUESTION = "Would you like to move it to another day, or cancel it?"


def test_cant_make_it_asks_then_cancels(make_call: Callable[..., Call]) -> None:
    call = make_call()
    booked(call)  # Doctor Patel, next Tuesday morning
    tools = list(call.tools())
    out = call.turn("I can't make it Tuesday")
    assert says(out) == QUESTION
    assert call.tools() == tools  # nothing changed while asking
    out = call.turn("just cancel it")
    assert "Just to confirm" in says(out)
    out = call.turn("yes")
    assert "cancelled" in says(out) and call.tools()[-1] == "cancel_appointment"


def test_cant_make_it_asks_then_moves(make_call: Callable[..., Call]) -> None:
    call = make_call()
    booked(call)
    assert says(call.turn("um i can't make it on tuesday")) == QUESTION
    out = call.turn("could we do thursday afternoon instead")
    assert says(out) == "Which doctor is your appointment with?"  # the move, with the new day kept
    out = call.turn("doctor patel")
    assert "Thursday" in says(out)
    out = call.turn("the second one")
    assert "now with Doctor Anita Patel on Thursday" in says(out)
    assert call.tools()[-1] == "reschedule_appointment"


def test_an_answer_that_names_neither_gets_the_question_again(make_call: Callable[..., Call]) -> None:
    call = make_call()
    call.turn("i won't be able to make my appointment")
    out = call.turn("hmm well")
    assert says(out).endswith(QUESTION)
    assert "What would you like to do" not in says(out)  # not back to the menu
    out = call.turn("cancel it please")
    assert "name and date of birth" in says(out).lower()  # the cancel flow starts with identity


@pytest.mark.parametrize(
    ("text", "next_question"),
    [
        ("I can't make it Tuesday, just take me off the schedule", "Just to confirm"),
        ("I can't make it Tuesday, please cancel", "Just to confirm"),
        ("i can't make it tuesday can we do another day", "Which doctor"),
    ],
)
def test_a_turn_that_answers_the_question_itself_is_not_asked(
    make_call: Callable[..., Call], text: str, next_question: str
) -> None:
    call = make_call()
    booked(call)
    out = call.turn(text)
    assert QUESTION not in says(out)
    assert next_question in says(out)  # the flow it names goes on


def test_not_coming_to_an_appointment_is_a_question_not_an_emergency(
    make_call: Callable[..., Call], semantic: Any
) -> None:
    """The sense of "coming to" as attending, with the whole embedded stack (patterns, concepts, meaning)."""
    call = make_call(semantic=semantic)
    out = call.turn("my son won't be coming to his appointment")
    assert says(out) == QUESTION
    assert not call.transfer() and "911" not in call.said()
    assert not [e for e in call.events if e.type == "red-flag"]
