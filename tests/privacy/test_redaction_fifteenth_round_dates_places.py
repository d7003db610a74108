"""The fifteenth round's dates, places and other kinds: those a fourteenth held-out set
(corpus_heldout14) showed passing through or hidden wrongly, each in sentences of its own (none of
the set's). Dates: a feast of another calendar or place said as a birthday ("born on Burns
Night", "his birthday is Day of the Dead"), with its year ("born Shavuot, 1931"); a year said after
"in" behind a day and month ("the 2nd of June in nineteen forty"); a day of another calendar ("22
Kislev 5740", "the eighth day of the first lunar month"); a birth year before 1900; a century ("the
1800s") is no date. Places: a country, an island or a state alone ("calling from Sardinia",
"from the orkney islands") names no one; an inn or a bar where someone stays ("is at the harbour
view inn room 308") is hidden, as is a middle school said short ("goes to cypress bend middle");
"the church hall" and "metoprolol 25 mg" are no places.
Others: a year after "before" or "since" is no record number ("records from before 1995"); the
first digits of a social, said after "starts", are hidden; so is a plate read in the phonetic
alphabet ("two kilo lima …"), and a spoken email's domain said again after "no sorry"."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

BIRTHDAY_FEASTS = (
    ("my gran was born on burns night and she loves haggis", "burns night"),
    ("his birthday is day of the dead so we always have marigolds", "day of the dead"),
    ("Her birthday falls on Nowruz, so the whole family comes.", "Nowruz"),
    ("he was born Hogmanay and never lets us forget it", "Hogmanay"),
    ("She was born Shavuot, 1931, in a village near Vilna.", "Shavuot, 1931"),
    ("my father was born on tsagaan sar in nineteen twenty nine", "tsagaan sar in nineteen twenty nine"),
)


@pytest.mark.parametrize(("text", "secret"), BIRTHDAY_FEASTS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_feast_said_as_a_birthday_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "DATE", tagged)


NOT_A_BIRTHDAY_FEAST = (
    "the clinic is closed on canada day",
    "we are having a party on bonfire night",
    "the office is shut on anzac day",
)


@pytest.mark.parametrize("text", NOT_A_BIRTHDAY_FEAST)
def test_a_feast_said_of_no_one_is_kept(text: str) -> None:
    kept(text)


YEARS_AFTER_IN = (
    ("she was born on the second of june in nineteen forty at home", "the second of june in nineteen forty"),
    ("He was born the 4th of July in 1931, a Wednesday.", "the 4th of July in 1931"),
)


@pytest.mark.parametrize(("text", "secret"), YEARS_AFTER_IN)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_year_after_in_is_the_days_year(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "DATE", tagged)


def test_a_number_after_in_that_is_no_year_is_left_out() -> None:
    out = redact("she was born the 3rd of May in 20 minutes of labour", tagged=False).text
    assert out == "she was born [DATE] in 20 minutes of labour", out


OTHER_CALENDARS = (
    ("Her date of death by the Hebrew calendar is 22 Kislev 5740.", "22 Kislev 5740"),
    ("his yahrzeit falls on the 9th of Nisan this year", "9th of Nisan"),
    ("she was born on the 12th of Shawwal 1361 in Cairo", "12th of Shawwal 1361"),
    ("He was born on the eighth day of the first lunar month, the year of the rat.", "eighth first lunar"),
)


@pytest.mark.parametrize(("text", "secret"), OTHER_CALENDARS)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_day_of_another_calendar_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "DATE", tagged)


def test_a_day_counted_in_no_month_is_kept() -> None:
    kept("take one tablet on the fifth day of the month")


YEARS_BEFORE_1900 = (
    ("my great grandmother was born in Odessa in 1896.", "1896"),
    ("he was born in eighteen ninety nine on a farm", "eighteen ninety nine"),
)


@pytest.mark.parametrize(("text", "secret"), YEARS_BEFORE_1900)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_birth_year_before_1900_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "DATE", tagged)


CENTURIES = (
    "the family tree says he was born sometime in the seventeen hundreds",
    "my people were born in the early nineteen hundreds",
    "Most of them were born in the 1800s.",
)


@pytest.mark.parametrize("text", CENTURIES)
def test_a_century_is_no_date(text: str) -> None:
    kept(text)


COUNTRIES_AND_ISLANDS = (
    "Hi, I'm calling from Sardinia about my father's test results.",
    "my cousin is visiting from tuvalu for the month",
    "She flew in from Papua New Guinea last night.",
    "we are calling from the orkney islands about the ferry",
    "I'm ringing from Kerala, her sister.",
)


@pytest.mark.parametrize("text", COUNTRIES_AND_ISLANDS)
def test_a_country_or_island_alone_is_kept(text: str) -> None:
    kept(text)


def test_a_town_on_an_island_is_still_hidden() -> None:
    hidden("she lives in Ajaccio on Corsica with her son", "Ajaccio", "ADDRESS")


def test_a_year_after_before_is_no_record_number() -> None:
    kept("Are the records from before 1995 kept somewhere else?")
    kept("we only have his chart notes since 2012 on the new system")


def test_a_record_number_after_since_is_still_hidden() -> None:
    hidden("his MRN since the merger is 4471203", "4471203", "MRN")


SSN_FIRST_DIGITS = (
    ("Her Social Security number starts eight one two, I don't have the rest.", "eight one two"),
    ("his social starts with 7 0 1 but I can't read the rest", "7 0 1"),
)


@pytest.mark.parametrize(("text", "secret"), SSN_FIRST_DIGITS)
@pytest.mark.parametrize("tagged", [False, True])
def test_the_first_digits_of_a_social_are_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "SSN", tagged)


def test_a_start_time_near_the_social_security_office_is_kept() -> None:
    kept("the social security office starts at 9 am")


PHONETIC_PLATES = (
    ("the plate on her van is two kilo lima eight eight one", "two kilo lima eight eight one"),
    ("the tag on my truck is nine x ray papa three three five", "nine x ray papa three three five"),
)


@pytest.mark.parametrize(("text", "secret"), PHONETIC_PLATES)
@pytest.mark.parametrize("tagged", [False, True])
def test_a_plate_read_in_the_phonetic_alphabet_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "PLATE", tagged)


VENUES_STAYED_AT = (
    ("my brother is at the harbour view inn room three oh eight", "harbour view"),
    ("im at the lucky horseshoe bar all week if you need me", "lucky horseshoe"),
)


@pytest.mark.parametrize(("text", "secret"), VENUES_STAYED_AT)
@pytest.mark.parametrize("tagged", [False, True])
def test_an_inn_or_bar_someone_stays_at_is_hidden(text: str, secret: str, tagged: bool) -> None:
    hidden(text, secret, "ADDRESS", tagged)


@pytest.mark.parametrize("text", ["she's at the sports bar watching the game", "he is at the hotel bar"])
def test_a_bar_of_no_name_is_kept(text: str) -> None:
    kept(text)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_middle_school_said_short_is_hidden(tagged: bool) -> None:
    hidden("and he goes to cypress bend middle same as my boy", "cypress bend", "ADDRESS", tagged)


@pytest.mark.parametrize(
    "text",
    ["it hurts right in the middle of my back", "we stood in the muddy middle of the field",
     "my kid goes to the local middle"],
)  # fmt: skip
def test_a_middle_that_is_no_school_is_kept(text: str) -> None:
    kept(text)


@pytest.mark.parametrize("tagged", [False, True])
def test_a_spoken_email_domain_said_again_after_a_correction_is_hidden(tagged: bool) -> None:
    text = "my email is j doe at example dot com no sorry example dot net"
    out = redact(text, tagged=tagged).text
    assert "example dot net" not in out and "example dot com" not in out, out


@pytest.mark.parametrize(
    "text",
    ["the blood drive was at the church hall and we had forty donors",
     "the little white pills were metoprolol 25 mg, she took two"],
)  # fmt: skip
def test_a_room_of_a_parish_and_a_dose_name_no_place(text: str) -> None:
    kept(text, tagged=True)
