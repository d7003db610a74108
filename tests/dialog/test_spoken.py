"""Reading spoken and typed dates, names, choices and yes/no."""

from __future__ import annotations

from datetime import date

import pytest

from appliance.dialog.spoken import (
    digit_run,
    is_no,
    is_yes,
    parse_choice,
    parse_date,
    parse_name,
    parse_part_of_day,
    parse_weekday,
)

TODAY = date(2026, 11, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March third nineteen eighty", date(1980, 3, 3)),
        ("Maria Gonzalez. March third, nineteen eighty.", date(1980, 3, 3)),
        ("seven fourteen ninety-two", date(1992, 7, 14)),
        ("seven fourteen ninety two", date(1992, 7, 14)),
        ("the twenty-first of November, fifty-seven", date(1957, 11, 21)),
        ("the twenty first of november fifty seven", date(1957, 11, 21)),
        ("3/3/1980", date(1980, 3, 3)),
        ("1980-03-03", date(1980, 3, 3)),
        ("November 21, 1957", date(1957, 11, 21)),
        ("john whitfield november twenty first nineteen fifty seven", date(1957, 11, 21)),
        ("may ninth two thousand sixteen", date(2016, 5, 9)),
        ("may nine twenty sixteen", date(2016, 5, 9)),
        ("january thirtieth nineteen forty nine", date(1949, 1, 30)),
        ("September 2nd 1971", date(1971, 9, 2)),
        ("born on the 21st of Nov 1957", date(1957, 11, 21)),
        ("march third nineteen oh five", date(1905, 3, 3)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["next tuesday morning", "february thirtieth nineteen eighty", "march", ""])
def test_not_a_date(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maria Gonzalez. March third, nineteen eighty.", "Maria Gonzalez"),
        ("my name is maria gonzalez", "Maria Gonzalez"),
        ("it's John Whitfield", "John Whitfield"),
        ("this is aisha rahman born july fourteenth", "Aisha Rahman"),
        ("yes it's robert kim", "Robert Kim"),
        ("this is lisa novak her aunt", "Lisa Novak"),
        ("Peter van Dyke, 3/3/1980", "Peter Van Dyke"),
    ],
)
def test_names(text: str, expected: str) -> None:
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["no that's everything", "march third nineteen eighty", "the first one"])
def test_not_a_name(text: str) -> None:
    assert parse_name(text) is None


OFFERED = ["Tuesday at eight in the morning", "Tuesday at eight twenty in the morning", "Tuesday at nine"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The first one is fine.", 1),
        ("the second", 2),
        ("the second one please", 2),
        ("that's fine", 1),
        ("sounds good", 1),
        ("the last one", 3),
        ("eight twenty", 2),
        ("option three", 3),
        ("no", None),
        ("none of those", None),
    ],
)
def test_choices(text: str, expected: int | None) -> None:
    assert parse_choice(text, OFFERED) == expected


def test_yes_no() -> None:
    assert is_yes("Yes, that's right.") and is_yes("yeah sure") and not is_yes("no thanks")
    assert is_no("No, that's everything.") and is_no("nope") and not is_no("yes please")


def test_days_and_parts() -> None:
    assert parse_weekday("next Tuesday morning") == "tuesday"
    assert parse_weekday("how about thursdays") == "thursday"
    assert parse_part_of_day("next Tuesday morning") == "morning"
    assert parse_part_of_day("sometime after lunch") == "afternoon"


def test_digit_runs_written_and_spoken() -> None:
    assert digit_run("my card is 4111 1111 1111 1111") == "4111111111111111"
    assert digit_run("four one one one one one one one one one one one") == "411111111111"
