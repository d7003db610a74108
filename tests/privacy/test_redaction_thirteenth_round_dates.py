"""The thirteenth round's dates, plates, phones and medicines: the kinds a thirteenth held-out set
(corpus_heldout13) showed passing through or hidden wrongly, each in sentences of its own (none of
the set's). Dates: a range's second day said alone after a date ("from March 3rd to the 10th"); a
day said after "on" and followed by its hours ("on the twenty first from about ten"); a day said,
then corrected ("the fourth no wait it was the fifth"); a year alone as when someone moved, married
or was diagnosed ("they moved here in 2011"); a month and day written after what was done to
someone ("seen 3/14"); a year said whole as a birthday ("her birthday is nineteen forty one"); a
holiday said as a birthday ("his birthday is new years day"). Plates: a vehicle, its state and
its plate ("the camper is ohio …"), a VIN read out after its name. A phone read with "thousand"
("… oh four thousand and one") hidden whole. Medicines with their dose ("ceftriaxone one gram",
"lorazepam half a milligram") and brand names ("a zofran") name no one."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

DAYS_AFTER_A_DATE = (
    ("She will stay with her aunt from March 3rd to the 10th, then come home.", "10th"),
    ("he was at the rehab place from june fourth through the ninth", "ninth"),
    ("he was admitted on friday the fourth no wait it was the fifth saturday night", "fifth"),
    ("she fell on the 12th, sorry, the 13th, at the bus stop", "13th"),
    ("my son was in your emergency room on the twenty first from about ten a m until supper", "twenty first"),
    ("I was seen in your ER on the 14th from noon to six.", "14th"),
)


@pytest.mark.parametrize(("text", "secret"), DAYS_AFTER_A_DATE)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_day_said_after_a_date_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "DATE", tagged)


NOT_A_DAY_AFTER_A_DATE = (
    "the pharmacy is on the third from the left",
    "he is the second from the end in the queue",
)


@pytest.mark.parametrize("text", NOT_A_DAY_AFTER_A_DATE)
def test_a_rank_after_a_place_word_is_no_day(text: str) -> None:
    kept(text)


def test_a_floor_after_a_date_is_no_second_day() -> None:
    out = redact("They came in on June 2nd and the 3rd floor was full.").text
    assert "[DATE]" in out and out.endswith("and the 3rd floor was full."), out


YEARS_AND_DAYS_OF_SOMEONE = (
    ("they moved up here from the coast in 2011 and she started school", "2011"),
    ("her husband was diagnosed in nineteen ninety eight", "nineteen ninety eight"),
    ("My dad was seen 3/14 for a rash on his arm.", "3/14"),
    ("her birthday is nineteen forty one but nobody knows the day", "nineteen forty one"),
    ("my grandpa's birthday is new years day and he is turning eighty", "new years day"),
    ("Her birthday's Christmas Eve, so she gets one present.", "Christmas Eve"),
)


@pytest.mark.parametrize(("text", "secret"), YEARS_AND_DAYS_OF_SOMEONE)
def test_a_year_or_day_of_someone_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


NO_ONE_S_YEAR_OR_DAY = (
    "The clinic opened in 2015 and moved to the new wing later.",
    "the new guidelines came out in 2019 and the forms changed",
    "for his birthday he turned eighty and had a cake",
    "Is the pharmacy open on Christmas Eve?",
    "The pain was 7/10 when she was seen.",
)


@pytest.mark.parametrize("text", NO_ONE_S_YEAR_OR_DAY)
def test_a_year_or_day_of_no_one_is_kept(text: str) -> None:
    kept(text)


PLATES_AFTER_A_STATE_OR_VIN = (
    ("ok and the camper is ohio seven two two m p four and they towed it", "seven two two m p four"),
    ("the pickup was oregon nine nine k t two when it left", "nine nine k t two"),
    ("the van is new mexico eight eight one b x r", "eight eight one b x r"),
    ("the v i n on the dash is one h g c m eight two six three a zero four four five two", "h g c m"),
    ("The VIN on the door sticker is 1FTEW1EP5JKF00000.", "1FTEW1EP5JKF00000"),
)


@pytest.mark.parametrize(("text", "secret"), PLATES_AFTER_A_STATE_OR_VIN)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_plate_after_its_state_or_a_vin_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "PLATE", tagged)


NO_PLATE = (
    "the car is a blue honda and it is parked out front",
    "my truck is in texas with my brother",
    "the van is Texas 4 people wide",
)


@pytest.mark.parametrize("text", NO_PLATE)
def test_a_vehicle_and_a_state_without_a_plate_are_kept(text: str) -> None:
    kept(text)


PHONES_READ_IN_THOUSANDS = (
    ("my number is five five five oh one oh four thousand and one", "thousand"),
    ("her cell is five five five oh one two oh nine hundred and twelve", "hundred twelve"),
)


@pytest.mark.parametrize(("text", "secret"), PHONES_READ_IN_THOUSANDS)
def test_a_phone_read_in_thousands_is_hidden_whole(text: str, secret: str) -> None:
    hidden(text, secret, "PHONE")


MEDICINES_AND_DOSES = (
    "the hospice nurse gave oxycodone five milligrams and lorazepam half a milligram at bedtime",
    "on the boat they gave him three liters of saline and ceftriaxone one gram and a zofran",
    "she got fluids and meropenem two grams in the ambulance",
    "they gave her some zofran and a phenergan for the nausea",
)


@pytest.mark.parametrize("text", MEDICINES_AND_DOSES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_medicine_and_its_dose_name_no_one(text: str, tagged: bool) -> None:
    kept(text, tagged)


def test_a_person_given_tablets_is_still_named() -> None:
    hidden("the nurse gave Marisol Okafor two tablets", "Marisol Okafor", "NAME", True)
