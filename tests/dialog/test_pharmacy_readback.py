"""A refill's pharmacy holds only the pharmacy: a phone number said with it is never read back."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from appliance.dialog.spoken import digit_run, pharmacy_words
from appliance.store.scheduling import Task
from tests.dialog.conftest import Call

JOHN = "John Whitfield, November twenty-first, nineteen fifty-seven."


def no_number(text: str) -> bool:
    """No digit, and no run of number words ("within one business day" is fine)."""
    return not re.search(r"\d", text) and len(digit_run(text)) < 2


def refill_up_to_the_pharmacy(call: Call) -> None:
    call.turn("I need a refill on my lisinopril.")
    call.turn(JOHN)


@pytest.mark.parametrize(
    "answer",
    [
        "The Walgreens on Main Street. My cell is five five five, zero one seven four, four one zero.",
        "the walgreens on main street my cell is five five five zero one seven four four one zero",
        "The Walgreens on Main Street, and my number is 555-0174.",
        "The Walgreens on Main Street 555 0174 410",
    ],
)
def test_the_pharmacy_is_read_back_without_the_phone_number(
    make_call: Callable[..., Call], session_factory: sessionmaker[Session], answer: str
) -> None:
    call = make_call(caller_id="+15550174410")
    refill_up_to_the_pharmacy(call)
    before = len(call.actions)
    call.turn(answer)
    read_back = " ".join(getattr(a, "text", "") for a in call.actions[before:])
    assert "walgreens on main street" in read_back.lower()
    assert no_number(read_back), read_back
    with session_factory() as session:
        task = session.scalars(select(Task)).one()
    assert task.details["pharmacy"].lower() == "the walgreens on main street"
    pharmacies = [
        str(e.args["value"])
        for e in call.events
        if e.type == "command" and e.name == "set_slot" and e.args["slot"] == "pharmacy"
    ]
    assert pharmacies and all(no_number(p) for p in pharmacies)


def test_a_phone_number_alone_is_no_pharmacy(
    make_call: Callable[..., Call], session_factory: sessionmaker[Session]
) -> None:
    call = make_call()
    refill_up_to_the_pharmacy(call)
    out = call.turn("My cell is five five five, zero one seven four.")
    assert "pharmacy" in " ".join(getattr(a, "text", "") for a in out).lower()
    assert no_number(" ".join(getattr(a, "text", "") for a in out))
    with session_factory() as session:
        assert session.scalars(select(Task)).first() is None


@pytest.mark.parametrize(
    ("said", "pharmacy"),
    [
        ("The Walgreens on Main Street.", "The Walgreens on Main Street"),
        ("CVS on Elm", "CVS on Elm"),
        ("the hospital pharmacy please", "the hospital pharmacy please"),
        ("Walgreens on 5th Street. Thanks.", "Walgreens on 5th Street"),
        ("CVS at 123 Main Street", "CVS"),
        ("walgreens on fifth street and my phone number is 5550174410", "walgreens on fifth street"),
        ("CVS, you can reach me at five five five zero one seven four", "CVS"),
        ("walgreens five five five zero one seven four", "walgreens"),
        ("my number is 555 0174", ""),
    ],
)
def test_pharmacy_words(said: str, pharmacy: str) -> None:
    assert pharmacy_words(said) == pharmacy
