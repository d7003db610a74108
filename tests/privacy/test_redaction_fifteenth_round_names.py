"""The fifteenth round, names: kinds of word a fourteenth held-out set (corpus_heldout14) showed
taken for a name, each in sentences of its own (none of the set's). A people of a region said
after "is", "he's" (a layer taking the cue in, or cutting it off) or set off by commas after the
caller's own name names no one; a name said after "my name is" stays a name whatever else it is."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

PEOPLES = (
    "He's Maasai, so his family will want to be there.",
    "my aunt is buryat and she only speaks a little english",
    "She's Atayal, from the mountains, and she is eighty.",
    "hes tatar and the family prays at home",
    "My grandmother is Toraja, and the funeral customs matter to her.",
)


@pytest.mark.parametrize("text", PEOPLES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_people_of_a_region_names_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_people_set_off_by_commas_after_a_name_is_kept_and_the_name_hidden(tagged: bool) -> None:
    text = "Hello, I'm Aurelie Delorme, Métis, calling about my father."
    hidden(text, "Aurelie Delorme", "NAME", tagged)
    kept("I'm calling from the clinic, and she is Kalmyk, so please note it.", tagged)


def test_a_name_said_after_my_name_is_stays_a_name_though_it_is_a_people() -> None:
    hidden("my name is Amis and I need my results", "Amis", "NAME", False)


def test_a_people_said_after_a_name_given_alone_is_kept() -> None:
    # "my name is …" holds a name; "only the one name, I'm …" has moved on to who she is
    text = "Hello, it's Lestari, only the one name, and I'm Sundanese, about my father."
    hidden(text, "Lestari", "NAME", True)
    assert "Sundanese" in redact(text, tagged=True).text


ORGANISATIONS = (
    ("This is the Harrowmere Blood Center about two units for a patient.", "Harrowmere"),
    ("One of our workers was hurt, I'm with QuickHire Temps.", "QuickHire"),
    ("The adjuster is with Heron Mutual, and they need the bill.", "Heron Mutual"),
    ("Hello, I'm calling for the Riverside Wellbeing Survey, it takes ten minutes.", "Riverside"),
    ("This is Mountain Patrol at the lodge, we have an injured hiker.", "Mountain Patrol"),
    ("The Coast Guard will fly her in this afternoon.", "Coast Guard"),
    ("We set up a GoFundMe for his rehab costs.", "GoFundMe"),
    ("This is the purser on the MV Silver Petrel, a passenger fell on deck.", "Silver Petrel"),
    ("His Medicare card is in the drawer, and his secondary is with Keystone.", "Keystone"),
    ("send the results to my new doctor its called harbour view family practice", "harbour view"),
    ("We face the Dunmore Otters next week, so can he play by then?", "Dunmore Otters"),
)


@pytest.mark.parametrize(("text", "organisation"), ORGANISATIONS)
@pytest.mark.parametrize("tagged", [False, True])
def test_an_organisation_is_no_ones_name(text: str, organisation: str, tagged: bool) -> None:
    assert organisation in redact(text, tagged=tagged).text


@pytest.mark.parametrize("tagged", [False, True])
def test_a_small_pacific_state_is_no_ones_name(tagged: bool) -> None:
    text = "She flew in from Funafuti, Tuvalu, and her Tuvalu passport is with her son Semi Laupepa."
    hidden(text, "Semi Laupepa", "NAME", tagged)
    assert "her Tuvalu passport" in redact(text, tagged=tagged).text


@pytest.mark.parametrize("tagged", [False, True])
def test_a_term_of_endearment_is_kept_and_the_real_name_hidden(tagged: bool) -> None:
    # the family's word for a girl or a boy names no one; the name said after it does
    text = "It's about our Nene, that's what we call her, her name is Marites Dagohoy."
    hidden(text, "Marites Dagohoy", "NAME", tagged)
    assert "Nene" in redact(text, tagged=tagged).text


def test_a_nickname_of_the_persons_own_is_still_hidden() -> None:
    hidden("we call him Bongo but his real name is Festus Okafor", "Bongo", "NAME", True)


def test_a_ship_served_aboard_is_not_taken_for_a_ferry() -> None:
    # a merchant ship's crew calling names no one; a ship a person serves or lives on is their place
    assert "Harbour Tern" in redact("This is the chief mate on the MV Harbour Tern, about a passenger.").text
    assert "Harbour Tern" not in redact("My son serves aboard the MV Harbour Tern as a deckhand.").text


@pytest.mark.parametrize("tagged", [False, True])
def test_a_child_named_after_a_car_is_hidden_after_a_relative(tagged: bool) -> None:
    hidden("my daughter tesla has a fever since last night", "tesla", "NAME", tagged)
    kept("my daughter has the tesla parked outside", tagged)


def test_a_house_of_worship_said_by_its_faiths_word_names_no_one() -> None:
    kept("so he will want to leave for shul before sunset on friday", False)
    kept("after masjid they will bring him straight to the ward", False)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_word_written_with_a_hyphen_is_no_name_but_a_hyphened_name_is(tagged: bool) -> None:
    kept("Bring his X-ray disc to the desk, please.", tagged)
    hidden("My sister Anne-Marie Rosewall is here for the visit.", "Anne-Marie Rosewall", "NAME", tagged)
