"""The ninth round: the kinds of identifier a ninth held-out set (corpus_heldout9, written to lean
on what callers say that sets 1-8 had little of) showed passing through, each in sentences of its
own (none of the set's), in spoken and written forms. A day of the month said alone as when
something happened, at the end of its clause ("sent home the sixteenth", "her birthday's the
29th"), or ending a range ("from the 3rd to the 10th"); a day of a month said by its number ("the
fifth of the third fifty five"); a weekday before a written month/day; a holiday that "was when"
something happened or after "came home"; ages after "Age:", "pushing", "going on"; the site's MRN
prefix said as a word; IPv6 addresses; places people stay (hostels, motels, dorms, trailer parks
and their lots, cubicles), "post office box", county roads, parades, and a town said right after a
street in run-on text; names beside the caller's ("me and teodor"), spoken to ("thanks X", "hold on
X"), the next names of a list, a first name said again with its surname, a hyphened given name
whose first part is a word of speech, a lower-case name joined by a particle, "my auntie", and a
weekday that is a given name before a surname. And what is not PHI: a grade, a slot asked for, a
time, a parking lot, the post office, a state road, "thanks so much", "me and my wife", a provider
named with a first name."""

from __future__ import annotations

import pytest

from appliance.privacy.redaction import redact
from tests.privacy.redaction_checks import hidden, kept

DAYS_ALONE = (
    ("they let him home the nineteenth", "nineteenth"),
    ("his op's the 27th", "27th"),
    ("I had the jab the 14th and felt awful the fifteenth", "14th fifteenth"),
    ("she's off work from the 6th to the 12th", "6th 12th"),
    ("he was in from the sixth until the ninth", "sixth ninth"),
    ("i rang them the 3rd and nobody called back", "3rd"),
)


@pytest.mark.parametrize(("text", "secret"), DAYS_ALONE)
def test_a_day_said_alone_as_when_something_happened_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


NUMBERED_MONTHS = (
    ("she fell over the second of the eleventh", "second eleventh"),
    ("he was seen the 9th of the 4th 2021", "9th 4th 2021"),
)


@pytest.mark.parametrize(("text", "secret"), NUMBERED_MONTHS)
def test_a_day_of_a_month_said_by_its_number_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


def test_a_weekday_before_a_written_month_and_day_is_hidden_with_it() -> None:
    hidden("the stitches came out Thu 11/6", "Thu 11/6", "DATE")
    hidden("she was seen friday 4/17 at the walk in", "friday 4/17", "DATE")


HOLIDAYS = (
    ("Easter Monday was when she had the fall", "Easter Monday"),
    ("new year's eve is when the pain started", "new year's eve"),
    ("they sent him home the day after boxing day", "boxing"),
)


@pytest.mark.parametrize(("text", "secret"), HOLIDAYS)
def test_a_holiday_said_as_the_day_something_happened_is_a_date(text: str, secret: str) -> None:
    hidden(text, secret, "DATE")


def test_days_that_rank_or_are_asked_for_are_kept() -> None:
    kept("my grandson is in the fifth")
    # (a day asked for, "change it to the twenty third", is a date since the sixteenth round: see
    # test_redaction_sixteenth_round_dates_ids.py)
    kept("Christmas was lovely this year")
    kept("is the pharmacy open on boxing day")


AGES = (
    ("Age: 97.", "97"),
    ("age: ninety-one", "ninety-one"),
    ("my nan is pushing ninety-nine", "ninety-nine"),
    ("he's ninety going on ninety-one", "ninety ninety-one"),
)


@pytest.mark.parametrize(("text", "secret"), AGES)
def test_an_age_over_89_after_a_colon_pushing_or_going_on_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "AGE")


def test_a_younger_age_and_a_reading_in_the_nineties_are_kept() -> None:
    kept("my dad is pushing seventy")
    kept("my heart rate was going on ninety-five")


def test_the_site_mrn_prefix_said_as_a_word_is_part_of_the_mrn() -> None:
    hidden("my record number is rch one one three oh two seven", "rch one three oh two seven", "MRN")


def test_an_ipv6_address_is_hidden_and_a_time_is_not() -> None:
    hidden("my laptop shows fe80::4a2:1ff:fe3b:9c1", "fe80::4a2:1ff:fe3b:9c1", "IP")
    hidden("the address is 2001:db8:0:0:0:0:2:1", "2001:db8:0:0:0:0:2:1", "IP")
    kept("the scan is at 10:45:30 sharp")


STAYS = (
    ("she's stopping at the seagull motel for now", "seagull", "ADDRESS"),
    ("my son sleeps at the riverbank hostel", "riverbank", "ADDRESS"),
    ("we're in lot 14 at the willowbend trailer park", "14 willowbend", "ADDRESS"),
    ("my daughter is at the kestrel dorm on campus", "kestrel", "ADDRESS"),
    ("They put him in cubicle 9.", "9", "ADDRESS"),
    ("mail it to post office box eighty one", "eighty one", "ADDRESS"),
    ("we're on county road fourteen past the silos", "fourteen", "ADDRESS"),
    ("I'm at 12 Harbour Parade.", "12 Harbour Parade", "ADDRESS"),
)


@pytest.mark.parametrize(("text", "secret", "label"), STAYS)
def test_a_place_someone_stays_is_an_address(text: str, secret: str, label: str) -> None:
    hidden(text, secret, label)


TOWNS = (
    ("i live at nine thistle road oakhurst and my number is five five five oh one two two", "oakhurst"),
    ("the address is forty beech avenue penwortham falls", "penwortham falls"),
    ("send it to p o box six crannock", "crannock"),
    ("its on fallow lane thats in upper brindleford", "brindleford"),
)


@pytest.mark.parametrize(("text", "secret"), TOWNS)
def test_a_town_said_right_after_a_street_in_run_on_text_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_places_that_are_no_ones_home_are_kept() -> None:
    kept("the parking lot 3 is full")
    kept("the post office is shut today")
    kept("the state road is closed")


def test_the_words_after_a_street_that_name_no_town_are_kept() -> None:
    out = redact("i live at forty two elm road and i need help").text
    assert out == "i live at [ADDRESS] and i need help", out
    out = redact("we're at six oak lane near the church").text
    assert out == "we're at [ADDRESS] near the church", out


NAMES = (
    ("me and gwenllian both had the flu", "gwenllian"),
    ("it's me again ottavia about the form", "ottavia"),
    ("thanks oyelade you can hang up now", "oyelade"),
    ("hold on zbigniew the nurse is asking", "zbigniew"),
    ("thanks wojciech i'll hold", "wojciech"),
    ("it's for my son kaveh and dariush they both need jabs", "kaveh dariush"),
    ("the boys are emeka chidubem and ifeanyi", "emeka chidubem ifeanyi"),
    ("It's for my daughter Bryony and Hunter please", "Bryony Hunter"),
    ("my husband teodoro teodoro bell is here", "teodoro bell"),
    ("my name is ah-reum and i need a refill", "ah-reum"),
    ("the patient is samir bin tariq al-hadi", "samir tariq"),
    ("i'm ringing for my auntie folasade", "folasade"),
    ("Monday Okwuosa here, returning your call.", "Monday Okwuosa"),
)


@pytest.mark.parametrize(("text", "secret"), NAMES)
def test_a_name_in_an_unusual_place_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


def test_words_beside_the_caller_or_spoken_to_that_name_no_one_are_kept() -> None:
    kept("thanks so much for your help")
    kept("me and my wife both need the jab")
    kept("hold on a second please")
    kept("Thanks, that's everything.")
    kept("it's me again about the form")


def test_a_contraction_printed_without_its_apostrophe_does_not_continue_a_list_of_names() -> None:
    # Recognizers without punctuation print "I'm" as "im": after a name and "and" it is the
    # caller going on, not a second person.
    out = redact("my name is rangi parata and im ringing about my results").text
    assert out == "my name is [NAME] and im ringing about my results", out
    out = redact("this is hemi walker and ive lost my letter").text
    assert out == "this is [NAME] and ive lost my letter", out


def test_a_provider_named_with_a_first_name_is_staff_with_the_tagger() -> None:
    out = redact("Has Dr. Marcus Chen left yet?", tagged=True).text
    assert out == "Has Dr. Marcus Chen left yet?", out
