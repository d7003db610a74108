"""Whisper's written numbers read back as the words the caller said, so the dialog and the
redaction read every recognizer alike."""

from __future__ import annotations

from datetime import date

import pytest

from appliance.dialog.spoken import digit_run, parse_choice, parse_date
from appliance.numwords import spell_numbers

TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Maria Gonzalez, March 3rd, 1980.", "Maria Gonzalez, March third, nineteen eighty."),
        ("Whitfield, November 21, 1957.", "Whitfield, November twenty first, nineteen fifty seven."),
        ("February 13, 1946", "February thirteenth, nineteen forty six"),  # a day is said as an ordinal
        ("the 14 of November", "the fourteenth of November"),
        ("the 27th of May, 35th.", "the twenty seventh of May, thirty five."),  # a day is never past 31
        ("you may 2 times", "you may two times"),  # "may" the verb is no month
        ("the 21st of November 1957", "the twenty first of November nineteen fifty seven"),
        ("born 819-1983", "born eight nineteen nineteen eighty three"),
        ("2:30 p.m.", "two thirty p.m."),
        ("at 9:05", "at nine oh five"),
        ("10:00", "ten o'clock"),
        ("my cell is 555-0167", "my cell is five five five zero one six seven"),
        ("my cell is 555 0167", "my cell is five five five zero one six seven"),
        ("at 9 30", "at nine thirty"),
        ("card ending 4111", "card ending four one one one"),
        ("$20 and 50%", "twenty dollars and fifty percent"),
        ("2.5 mg", "two point five mg"),
        ("on 3/3/1980", "on 3/3/1980"),  # typed dates stay as typed: the dialog parses them
        ("no numbers here", "no numbers here"),
    ],
)
def test_written_numbers_become_the_spoken_words(written, said):
    assert spell_numbers(written) == said


def test_the_dialog_reads_whispers_digits_as_it_reads_spoken_words():
    pairs = [
        ("March 3rd, 1980", "march third nineteen eighty"),
        ("the 21st of November 1957", "the twenty first of november nineteen fifty seven"),
        ("21 November 1957", "twenty first november nineteen fifty seven"),
        ("323-2024", "three twenty three two thousand twenty four"),
        ("I was born on 326 47.", "i was born on three twenty six forty seven"),  # a date said as numbers
        ("3 26 47", "three twenty six forty seven"),
        ("527, 1935", "five twenty seven nineteen thirty five"),
        ("My date of birth is 10 26 82", "my date of birth is ten twenty six eighty two"),
    ]
    for written, spoken in pairs:
        assert parse_date(spell_numbers(written), TODAY) == parse_date(spoken, TODAY) is not None, written
    offered = ["Tuesday at nine twenty in the morning", "Tuesday at ten forty in the morning"]
    assert parse_choice(spell_numbers("The 10:40 please."), offered) == 2
    assert digit_run(spell_numbers("It's 555-0167.")) == "5550167"


def test_every_date_the_agent_can_say_the_dialog_reads_back() -> None:
    """One lexicon, both directions: a date spelled the way the agent says it (and a caller
    repeats it) is read back by the dialog as the same date, for every day of two years."""
    from datetime import timedelta

    from appliance.numwords import MONTHS, ordinal_words, year_words

    for year in (1980, 2024):  # a caller's birth year, and a leap year
        day = date(year, 1, 1)
        while day.year == year:
            said = f"{MONTHS[day.month - 1]} {ordinal_words(day.day)} {year_words(year)}".replace("-", " ")
            assert parse_date(said, TODAY) == day, said
            day += timedelta(days=1)


def test_the_dialog_reads_with_the_words_the_agent_spells() -> None:
    import appliance.dialog.spoken as reading
    import appliance.numwords as lexicon

    assert reading.MONTHS is lexicon.MONTHS and reading.WEEKDAYS is lexicon.WEEKDAYS


def test_whispers_written_form_is_read_as_the_words_said() -> None:
    """One spoken form for the dialog, the redaction and the word-error figures (bench/asr.py):
    titles and "OK" as said, a day next to its month as the ordinal callers say."""
    from appliance.dialog.spoken import normalize
    from appliance.numwords import spoken_form

    assert spoken_form("Dr. Patel, 2:30 OK?") == "Doctor Patel, two thirty okay?"
    assert spoken_form("Mr. Kim and Mrs. Novak") == "Mister Kim and Missus Novak"
    said = "february thirteenth nineteen forty six"
    assert normalize(spoken_form("February 13, 1946.")) == said
    read = parse_date(spoken_form("February 13, 1946."), TODAY)
    assert read == parse_date(said, TODAY) == date(1946, 2, 13)
