"""The sixteenth round's dates, in sentences of their own (none of a labeled set's). Two labelling
conventions of issue 17 were settled by HIPAA Safe Harbor ("all elements of dates, except year")
and the rule to redact when unsure:
- the month of a person's birthday is a date element, even when the birthday is still to come
  ("she turns 97 in May", "he'll be ninety in march", "her birthday is in June", a baby due in
  March): a month said alone after "in" and an age reached, or a word of a birth, is hidden;
- a day of the month is a date element even when its month is relative or left unsaid: a day
  asked for or moved to ("can we push it to the 17th", "the morning of the 9th") is hidden as a
  day told of is; so is a range's second day after a filler ("from the 6th to uh the 11th").
A weekday alone, "next week", a month said of a time to come with no birth in it, a floor, a
dose, a price and a time stay as said.
IDs: a portal user name after its cue, written ("rgallo_1984") or with its joiners said ("dvance
underscore seventy two"), and a code read out again piece by piece with no cue in its own turn
("three h q seven v e two n b nine") are hidden; a dictionary word after "login" is kept."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

BIRTHDAY_MONTHS = (
    ("Grandpa turns 96 in October, and we're planning a party.", "October"),
    ("my aunt turns ninety four in august so we want her seen before", "august"),
    ("She'll be 101 in May.", "May"),
    ("he will be a hundred in march if he makes it", "march"),
    ("My father turned 93 in July.", "July"),
    ("her birthday is in november and she wants to be home for it", "november"),
    ("His birthday's in April, so the card should arrive then.", "April"),
    ("my daughter is expecting a baby in September", "September"),
)


@pytest.mark.parametrize(("text", "secret"), BIRTHDAY_MONTHS)
def test_the_month_of_a_birthday_is_a_date_even_one_to_come(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


def test_a_birth_month_before_a_state_is_hidden_and_the_state_kept() -> None:
    assert redact("he was born in may in texas").text == "he was born in [DATE] in texas"


DAYS_ASKED_FOR = (
    ("Could we push my appointment to the 17th?", "17th"),
    ("can i change my booking to the twenty fourth please", "twenty fourth"),
    ("I'd like to reschedule to the 9th instead.", "9th"),
    ("is there a slot the afternoon of the 12th", "12th"),
    ("we booked the evening of the twenty third", "twenty third"),
    ("could my husband stay over the night of the 30th", "30th"),
    ("She needs it moved from the 6th to uh the 11th, if that works.", "11th"),
    ("move her scan from the fifth to um the eighth if you can", "eighth"),
    ("The biopsy is on the 14th of next month.", "14th"),
    ("his review is the ninth of this month", "ninth"),
)


@pytest.mark.parametrize(("text", "secret"), DAYS_ASKED_FOR)
def test_a_day_of_a_month_left_unsaid_or_relative_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


@pytest.mark.parametrize(
    "text",
    [
        "Can I come in on Thursday?",
        "can we do it next week instead",
        "she is coming home tomorrow",
        "I'll call back in June about the results",
        "the clinic moves to the new building in April",
        "the bill is due in March",
        "take the elevator up to the fifth",
        "my son is in the fourth",
        "he takes 25 mg twice a day",
        "The copay went up to $40.",
        "can we move it to half past ten",
        "my grandmother turns eighty next week",
        "we march in may for the charity walk",
    ],
)
def test_a_weekday_a_relative_time_a_floor_a_dose_a_price_and_a_time_are_kept(text: str) -> None:
    kept(text)


USER_NAMES = (
    ("My username for the patient portal is rgallo_1984, but it says it's locked.", "rgallo_1984"),
    ("her login is t.nakamura7", "t.nakamura7"),
    ("my user name is dvance underscore seventy two", "dvance underscore seventy two"),
    ("the username is kpierce dot home and i forgot the password", "kpierce dot home"),
)


@pytest.mark.parametrize(("text", "secret"), USER_NAMES)
def test_a_portal_user_name_after_its_cue_is_an_id(text: str, secret: str) -> None:
    hidden(text, secret, "ID")


CODES_READ_OUT = (
    ("okay reading it once more three h q seven v e two n b nine", "three h q seven v e two n b nine"),
    ("Again, that's 4 R T 8 8 W K 1.", "4 R T 8 8 W K 1"),
)


@pytest.mark.parametrize(("text", "secret"), CODES_READ_OUT)
def test_a_code_read_out_piece_by_piece_with_no_cue_is_an_id(text: str, secret: str) -> None:
    hidden(text, secret, "ID")


@pytest.mark.parametrize(
    "text",
    [
        "i forgot my username",
        "my username is my email address",
        "My portal login shows an error every time.",
        "i cant login to the app",
        "the plan covers vitamins a b and c",
    ],
)
def test_near_misses_of_user_names_and_codes_are_kept(text: str) -> None:
    kept(text)


# A leap day said of a birth is the birthday (Safe Harbor; sets 12, 14 and 15 now label it so): one
# day in 1,461, it gives away a date of birth even where the date itself is hidden.
LEAP_BIRTHDAYS = (
    ("Our son was born 2/29/2020, so he's a leap day baby.", "leap day"),
    ("my date of birth is february twenty ninth nineteen eighty eight yeah leap day", "leap day"),
    ("I was born on leap day.", "leap day"),
    ("her birthday is leap day so we celebrate on the 28th most years", "leap day"),
)


@pytest.mark.parametrize(("text", "secret"), LEAP_BIRTHDAYS)
def test_a_leap_day_said_of_a_birth_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


@pytest.mark.parametrize(
    "text",
    ("Is the pharmacy open on leap day?", "leap day is a fun day to work a night shift", "It's a leap year."),
)
def test_a_leap_day_said_of_no_one_is_kept(text: str) -> None:
    kept(text)
