"""The fourteenth round, places: the kinds of ADDRESS a thirteenth held-out set (corpus_heldout13,
its development set) showed passing through or hidden wrongly, each in sentences of its own (none
of the set's), in lower-case recognizer text and in Whisper's capitals and digits."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

UNITS = (
    ("He's held in cell 12, bunk C, and needs his insulin.", "12"),
    ("they moved him to cell nine last night", "nine"),
    ("they booked cabin five six one eight with the kids", "five six one eight"),
    ("we have sites four and five at the lakeside campground", "four five"),
    ("Rooms 12 and 14 are ours for the week.", "12 14"),
    ("she is in room four ten bed a and she's asleep", "four ten a"),
    ("my dad lives in cottage nine at the village", "nine"),
)


@pytest.mark.parametrize(("text", "secret"), UNITS)
def test_a_cell_cabin_site_bed_letter_or_cottage_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_what_only_looks_like_a_unit_is_kept() -> None:
    kept("call my cell 0142 after lunch")
    kept("her cell number is 4471")
    kept("the cell count was 4")
    kept("the cottage cheese was fine")
    assert redact("he stays in room 4 bed a few nights").text == "he stays in [ADDRESS] bed a few nights"
    kept("parking spaces 4 and 5 are free")
    assert redact("my cell is 555 0134").text == "my cell is [PHONE]"


EVERYDAY_TOWNS_BEFORE_A_STATE = (
    ("Send it to 14 Larkspur Lane, Unit 2, Friendship, Wisconsin 53934.", "Friendship"),
    ("We're at 803 Quail Run Road, Eureka, Kansas now.", "Eureka"),
    ("They live on Rural Route 1, Box 19, Hope, Idaho.", "Hope"),
)


@pytest.mark.parametrize(("text", "secret"), EVERYDAY_TOWNS_BEFORE_A_STATE)
def test_a_town_of_everyday_words_between_an_address_and_its_state_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")
    assert "Kansas" in redact(text).text or "Kansas" not in text
