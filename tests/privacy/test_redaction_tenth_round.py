"""The tenth round: the kinds of identifier a tenth held-out set (corpus_heldout10, written by
someone who read neither the rules nor sets 1-9) showed passing through or hidden wrongly, outside
addresses, each in sentences of its own (none of the set's). Names: an everyday word between a
relative and a pronoun that points back ("my son harbour and his cough"); a name that opens a turn,
closed by what the caller gives next ("its X Y date of birth"); "my next door neighbour X"; an
Irish O written apart ("niamh o connell"). A day after "the night of" in a story of what happened;
a spoken web address whose last piece is spelled; a spoken VIN. And what is not PHI: a slot asked
for or booked, a span of time after "for another", what a relative may do after "can" or "help",
a doctor who shares a patient's surname, provinces, medicines, a hospital's entrances, insurance's
"auth", nationalities, a name's word said again as a thing, "d o b" spelled, "to peter out"."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

RELATIVES_NAMED_BEFORE_A_PRONOUN = (
    ("i'm ringing about my son harbour and his cough", "harbour"),
    ("my granddaughter meadow, she's the one with the rash", "meadow"),
    ("it's for my husband forest who had the fall", "forest"),
)


@pytest.mark.parametrize(("text", "secret"), RELATIVES_NAMED_BEFORE_A_PRONOUN)
@pytest.mark.parametrize("tagged", [False, True])
def test_an_everyday_word_between_a_relative_and_a_pronoun_is_their_name(
    text: str, secret: str, tagged: bool
) -> None:
    hidden(text, secret, "NAME", tagged)


NOT_A_RELATIVES_NAME = (
    "my son fell and his knee is swollen",
    "my daughter coughing and she can't sleep",
    "my wife sleeps and she snores",
    "my son today and he's worse",
    "can you help my dad walk and his frame is broken",
    "can my son stay and his sister too",
)


@pytest.mark.parametrize("text", NOT_A_RELATIVES_NAME)
def test_what_a_relative_does_before_a_pronoun_is_kept(text: str) -> None:
    kept(text)
    kept(text, tagged=True)


@pytest.mark.parametrize("text", ["she's staying with us for another week", "we'll stay for another month"])
def test_a_span_of_time_after_for_another_is_no_name(text: str) -> None:
    kept(text)
    kept(text, tagged=True)


DAYS_AFTER_A_PART_OF_THE_DAY = (
    ("she fell down the stairs the morning of the fourth", "fourth"),
    ("he died on the evening of the 3rd and we weren't told", "3rd"),
    ("Mum was taken in on the night of the 21st.", "21st"),
)


@pytest.mark.parametrize(("text", "secret"), DAYS_AFTER_A_PART_OF_THE_DAY)
def test_a_day_after_the_night_of_in_a_story_of_what_happened_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("was there anything free the afternoon of the 9th", "9th"),
        ("we booked the morning of the 5th", "5th"),
        ("the night of the 12th is fine for me", "12th"),
    ],
)
def test_a_day_after_the_morning_of_asked_for_or_booked_is_a_date(text: str, secret: str) -> None:
    # kept until the sixteenth round settled that a day of the month, its month left unsaid, is a
    # date element whether it is told of or asked for (Safe Harbor: all elements of dates but the year)
    hidden(text, secret, "DATE")


def test_a_web_address_whose_last_piece_is_spelled_is_hidden_whole() -> None:
    hidden("go to example dot org slash forms slash b seven two and fill it in", "b seven two", "ID")
    hidden("it's example dot net slash x q nine one", "example x q nine one", "ID")


VINS = (
    ("the vin is one h g c m eight two six three three a oh oh four three five two", "one h g c m eight a"),
    ("the truck's vin is one golf four bravo echo five two two seven x four one nine three", "golf bravo x"),
    ("My VIN is 1HGCM82633A004352.", "1HGCM82633A004352"),
)


@pytest.mark.parametrize(("text", "secret"), VINS)
def test_a_vehicle_identification_number_is_a_plate(text: str, secret: str) -> None:
    hidden(text, secret, "PLATE")


@pytest.mark.parametrize(
    "text",
    [
        "the prior auth code is q dash four four one",
        "My wife has American insurance, is that okay?",
        "We're British, is that a problem?",
    ],
)
def test_insurance_words_and_nationalities_are_no_names(text: str) -> None:
    out = redact(text, tagged=True).text
    assert "[NAME]" not in out, out


@pytest.mark.parametrize("tagged", [False, True])
def test_a_surname_said_again_after_a_doctors_title_is_the_doctors(tagged: bool) -> None:
    out = redact("The bill is under Oren Patel, not Dr. Patel.", tagged=tagged).text
    assert out == "The bill is under [NAME], not Dr. Patel.", out
    out = redact("it's for rosalind okafor no relation to doctor okafor", tagged=tagged).text
    assert out == "it's for [NAME] no relation to doctor okafor", out


NO_ONE_NAMED = (
    "My sister moved to Moncton, New Brunswick, last spring.",  # a province stays, as a state does
    "She flew home to Ontario for the holidays.",
    "My son lives in Halifax, Nova Scotia.",  # the two words of a province, found apart
    "He takes Coreg and Zetia every morning.",  # medicines
    "Is the fountain garden entrance open on Sundays?",  # a way into the hospital
    "the cpap serial is k l dash four four oh nine one",  # a device, cue of its serial
)


@pytest.mark.parametrize("text", NO_ONE_NAMED)
def test_provinces_medicines_entrances_and_devices_are_no_names(text: str) -> None:
    for tagged in (False, True):
        out = redact(text, tagged=tagged).text
        assert "[NAME]" not in out, out


def test_a_word_of_a_name_said_again_as_a_thing_after_the_is_kept() -> None:
    out = redact("Call Winston Marsh, he runs the marsh walks.").text
    assert out == "Call [NAME], he runs the marsh walks.", out
    hidden("my name is Hope Baker and baker is spelled b a k e r", "Baker baker", "NAME")


def test_date_of_birth_spelled_letter_by_letter_is_no_name() -> None:
    out = redact("d o b is nine oh four fifty one", tagged=True).text
    assert "[NAME]" not in out and "[DATE]" in out, out


def test_a_given_name_after_to_that_can_be_a_verb_is_the_verb() -> None:
    kept("the swelling seems to peter out by friday", tagged=True)
    hidden("the letter went to rhodri by mistake", "rhodri", "NAME", tagged=True)


NAMES_THE_RULES_READ_TURN_BY_TURN = (
    ("yes its philippa arkwell date of birth june third", "philippa arkwell"),  # then what is asked
    ("hi this is leontyne faraday d o b four four sixty", "leontyne faraday"),
    ("my next door neighbour odalys frane found him", "odalys frane"),
    ("im ringing for ottoline cole she's poorly", "ottoline cole"),  # a surname that is a noun
)


@pytest.mark.parametrize(("text", "secret"), NAMES_THE_RULES_READ_TURN_BY_TURN)
@pytest.mark.parametrize("tagged", [False, True])
def test_names_closed_by_what_is_said_next_are_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "NAME", tagged)
    assert "d o b" in redact(text, tagged=tagged).text or "d o b" not in text


def test_words_after_an_introduction_that_are_no_name_are_kept() -> None:
    kept("i'm really first in line")
    kept("this is my first time calling")


IRISH_O_SAID_APART = (
    ("my daughter niamh o connell has a temperature", "niamh o connell"),
    ("this is ciaran o dwyer calling", "ciaran o dwyer"),
    ("its rosaleen o driscoll first name spelled r o s", "rosaleen o driscoll"),
)


@pytest.mark.parametrize(("text", "secret"), IRISH_O_SAID_APART)
def test_an_irish_o_written_apart_is_part_of_the_name(text: str, secret: str) -> None:
    out = redact(text).text
    assert "[NAME]" in out and not any(w in out.split() for w in secret.split() if w != "o"), out


@pytest.mark.parametrize("text", ["my blood group is o negative", "the code is b o two", "for o two please"])
def test_o_for_zero_or_a_blood_group_opens_no_name(text: str) -> None:
    assert "[NAME]" not in redact(text).text
