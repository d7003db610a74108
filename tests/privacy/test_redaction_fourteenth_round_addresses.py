"""The fourteenth round, places: the kinds of ADDRESS a thirteenth held-out set (corpus_heldout13,
its development set) showed passing through or hidden wrongly, each in sentences of its own (none
of the set's), in lower-case recognizer text and in Whisper's capitals and digits."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import SiteFacts, redact
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
    kept("our study sites 3 and 4 are enrolling")
    kept("give units 3 and 4 of insulin")
    assert redact("the nurse in room 4 and 2 others came").text == "the nurse in [ADDRESS] and 2 others came"
    assert redact("my cell is 555 0134").text == "my cell is [PHONE]"


EVERYDAY_TOWNS_BEFORE_A_STATE = (
    ("Send it to 14 Larkspur Lane, Unit 2, Friendship, Wisconsin 53934.", "Friendship"),
    ("Send it to 9 Heron Way, Apt. 2C, Harmony, Maine.", "Harmony"),
    ("We're at 803 Quail Run Road, Eureka, Kansas now.", "Eureka"),
    ("They live on Rural Route 1, Box 19, Hope, Idaho.", "Hope"),
)


@pytest.mark.parametrize(("text", "secret"), EVERYDAY_TOWNS_BEFORE_A_STATE)
def test_a_town_of_everyday_words_between_an_address_and_its_state_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")
    assert "Kansas" in redact(text).text or "Kansas" not in text


def test_a_state_that_is_also_a_given_name_is_kept_where_said_as_a_place() -> None:
    kept("She grew up in Georgia and moved north.")
    kept("We're driving down from Virginia on Friday.")
    hidden("hi it's georgia calling about my results", "georgia", "NAME")


class _Learned:
    """A learned layer that reads the given phrases as places, as the tagger may."""

    def __init__(self, *places: str) -> None:
        self.places = places

    def find_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        return [[(t.index(p), t.index(p) + len(p), "ADDRESS") for p in self.places if p in t] for t in texts]


NO_PLACE_FOR_A_LEARNED_LAYER = (
    ("Her pain is better, and the care home said to keep the patch on.", "the care home"),
    ("The shelter wants a letter for his bed.", "The shelter"),
    ("Hello, I'm the hospice nurse for Mr. Abbot's family.", "the hospice nurse"),
    ("That's Le in capital letters, then the rest.", "capital letters"),
    ("We landed early and two travellers waited outside.", "two travellers waited"),
)


@pytest.mark.parametrize(("text", "said"), NO_PLACE_FOR_A_LEARNED_LAYER)
def test_a_place_said_by_its_kind_a_job_or_in_lower_case_in_capitalised_text_is_no_place(
    text: str, said: str
) -> None:
    assert said in redact(text, learned=_Learned(said), tagged=False).text


def test_a_learned_place_with_a_name_is_still_hidden() -> None:
    out = redact("He came by ambulance from Motel 6, room 4.", learned=_Learned("Motel 6"), tagged=False).text
    assert "Motel" not in out, out
    out = redact("she lives at the fernhollow care home", learned=_Learned("fernhollow"), tagged=False).text
    assert "fernhollow" not in out, out


def test_the_sites_address_with_a_word_that_places_nothing_is_kept() -> None:
    site = SiteFacts("1200 Riverbend Road, Millbrook")
    text = "Could you check whether your address is still 1200 Riverbend Road?"
    start = text.index("still")
    assert site.kept_apart(text, [(start, text.index("?"), "ADDRESS")]) == []
    text = "I moved to Oakdene, 1200 Riverbend Road."
    start = text.index("Oakdene")
    assert site.kept_apart(text, [(start, text.index("."), "ADDRESS")]) != []


@pytest.mark.parametrize(
    "text",
    (
        "she fell at the bus stop at larchmont road and seventh avenue this morning",
        "She fell at the stop at Larchmont Road and Seventh Avenue.",
    ),
)
def test_a_crossing_of_two_streets_is_one_place(text: str) -> None:
    out = redact(text).text
    assert out.count("[ADDRESS]") == 1 and "avenue" not in out.lower() and " and " not in out, out


ON_THE_ROAD = (
    ("I'm on I-80 eastbound at mile marker 212, near the rest area.", "I-80 eastbound mile marker 212"),
    ("we are on i eighty eastbound near exit forty one right now", "eighty eastbound exit forty one"),
    ("she lives off route 9 north near exit 12", "9 north exit 12"),
)


@pytest.mark.parametrize(("text", "secret"), ON_THE_ROAD)
def test_a_road_with_its_heading_and_mile_marker_or_exit_is_one_place(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_the_speaker_before_a_number_is_no_interstate() -> None:
    kept("i forty people were there, i think")


def test_a_jail_by_its_name_is_a_place_and_the_county_jail_is_none() -> None:
    hidden("He's held at the Marrow Creek Jail since Monday.", "Marrow Creek", "ADDRESS")
    hidden("im the nurse at the harlan county detention center", "harlan", "ADDRESS")
    kept("he is in the county jail")
    kept("he was in state prison for years")


def test_a_place_said_then_corrected_is_hidden_with_the_one_said_after() -> None:
    text = "hi im the jail nurse at maple bluff no sorry at the harlan county detention center"
    hidden(text, "maple bluff harlan", "ADDRESS")
    hidden("she moved to dunmore no wait to the fernhill care home", "dunmore fernhill", "ADDRESS")
    out = redact("i live at home no sorry at the fernhill care home").text
    assert out == "i live at home no sorry at [ADDRESS]", out


STREETS_NAMED_FIRST = (
    ("I live in Rīga at Tērbatas iela 14-3, near the park.", "Tērbatas 14-3"),
    ("she lives at parnu maantee twenty two dash seven in tallinn", "parnu twenty two seven"),
    ("his address is mashtots avenue nine apartment four", "mashtots nine"),
    ("My flat is at Carrer de Sants 120, 4t 1a, for the bill.", "Sants 120 4t 1a"),
)


@pytest.mark.parametrize(("text", "secret"), STREETS_NAMED_FIRST)
def test_a_street_abroad_with_its_number_and_flat_after_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_an_everyday_road_before_a_number_is_no_street_abroad() -> None:
    kept("the park road 5 minutes away is closed")


def test_a_house_number_with_a_slash_and_a_lot_with_its_letter_are_the_address() -> None:
    hidden("Our old address in Colombo was No. 17/2, Galle Road, near the temple.", "17/2 Galle", "ADDRESS")
    hidden("their house was lot four b twenty two bis near the market", "four b twenty two bis", "ADDRESS")


def test_a_school_a_child_attends_named_by_everyday_words_is_hidden() -> None:
    hidden("im a bus driver for maple grove elementary and one of my kids fell", "maple grove", "ADDRESS")
    hidden("he is at heron pond elementary this year", "heron pond", "ADDRESS")
    kept("she goes to the local elementary")
    kept("she goes to the local elementary", tagged=True)


TOWNS_OF_SEVERAL_WORDS = (
    ("we are in goose on hill pennsylvania on the farm", "goose hill"),
    ("we live in walton on thames england", "walton thames"),
    ("he lives with his daughter in maple church at four twelve birch lane", "maple church birch"),
)


@pytest.mark.parametrize(("text", "secret"), TOWNS_OF_SEVERAL_WORDS)
def test_a_lower_case_town_with_a_joining_word_or_before_an_address_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_where_someone_is_before_a_town_or_an_address_is_no_town() -> None:
    assert redact("he is in jail in dayton ohio").text == "he is in jail in [ADDRESS] ohio"
    assert redact("he lives in church at 12 birch lane").text == "he lives in church at [ADDRESS]"


def test_a_street_abroad_with_its_number_in_its_own_language_and_the_flats_floor_and_door_is_hidden() -> None:
    text = "i live in girona carrer de la mina vint i tres floor two door one but im here now"
    hidden(text, "mina vint tres two one", "ADDRESS")
    hidden("she lives on calle del sol catorce in sevilla", "sol catorce", "ADDRESS")
