"""Spoken English's number, month and weekday words: the one lexicon, in both directions.

Spelling (speech synthesis, language models): 25 -> "twenty-five", 24 -> "twenty-fourth",
1980 -> "nineteen eighty", and a transcript's written numbers back to spoken words
(`spell_numbers`). Reading (the dialog's parsers, dialog/spoken.py): the same words to their
values (`UNIT_VALUES`, `ORDINAL_VALUES`…), built from the spelling tables so the two directions
cannot drift apart. Pure functions and constants, no locale.
"""

from __future__ import annotations

import re

ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINAL_ONES = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def number_words(n: int) -> str:
    """0 to 999,999 in words: 25 -> "twenty-five", 1200 -> "one thousand two hundred"."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"{n} is out of range for number_words")
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return TENS[tens] + (f"-{ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return f"{ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")
    thousands, rest = divmod(n, 1000)
    return f"{number_words(thousands)} thousand" + (f" {number_words(rest)}" if rest else "")


def ordinal_words(n: int) -> str:
    """1 -> "first", 24 -> "twenty-fourth"."""
    words = number_words(n)
    head, sep, last = words.rpartition("-") if "-" in words else ("", "", words)
    if last in ORDINAL_ONES:
        last = ORDINAL_ONES[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head}{sep}{last}"


# -- reading: the words above back to their values -------------------------------------------
UNIT_VALUES = {word: n for n, word in enumerate(ONES[:10])}  # "zero" .. "nine"
TEEN_VALUES = {word: n for n, word in enumerate(ONES) if n >= 10}  # "ten" .. "nineteen"
TENS_VALUES = {word: n * 10 for n, word in enumerate(TENS) if n >= 2}  # "twenty" .. "ninety"
ORDINAL_UNIT_VALUES = {ordinal_words(n): n for n in range(1, 10)}  # "first" .. "ninth"
# every ordinal a date needs said as one word ("twenty first" is a tens word and a unit ordinal)
ORDINAL_VALUES = ORDINAL_UNIT_VALUES | {ordinal_words(n): n for n in (*range(10, 20), 20, 30)}


def year_words(year: int) -> str:
    """A year the way people say it: 1980 -> "nineteen eighty", 1905 -> "nineteen oh five",
    2016 -> "two thousand sixteen", 2000 -> "two thousand"."""
    high, low = divmod(year, 100)
    if not 1100 <= year <= 1999:
        return number_words(year)
    if low == 0:
        return f"{number_words(high)} hundred"
    return f"{number_words(high)} {'oh ' if low < 10 else ''}{number_words(low)}"


# -- written numbers as the words a caller said ------------------------------------------------
# Whisper writes what it hears the way a transcript would: "March 3rd, 1980", "2:30 p.m.",
# "555-0167", "$20", "1,200". The dialog and the redaction read recognizers' words ("march third
# nineteen eighty"); this turns the written forms back into those words, so every reader sees one
# form. Typed text (the simulator's text mode) keeps its digits: the dialog parses both.
_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_ORDINAL = re.compile(r"\b(\d{1,6})(?:st|nd|rd|th)\b", re.IGNORECASE)
_MONEY = re.compile(r"\$(\d[\d,]*)(?:\.(\d{2}))?")
_PERCENT = re.compile(r"\b(\d[\d,]*)%")
_DIGIT_GROUPS = re.compile(r"\b\d+(?:[-.]\d+)+\b")  # 555-0167, 1-800-555-0100, 4.1.1
# numbers apart, as Whisper writes a date said as numbers: "3 26 47", "326 47", "527, 1935"
_SPACED = re.compile(r"(?<![\d,.:/-])\b\d{1,4}(?:,?\s+\d{1,4}){1,2}\b(?![,.:/-]?\d)")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_NUMBER = re.compile(r"(?<![/\d])(?:\d{1,3}(?:,\d{3})+|\d+)(?![/\d])")  # 3/3/1980 stays as typed


def digit_words(digits: str) -> str:
    """ "0167" -> "zero one six seven": how people read out phone numbers and IDs."""
    return " ".join(ONES[int(d)] for d in digits if d.isdigit())


def _plain(words: str) -> str:
    return words.replace("-", " ")  # recognizers write "twenty one", not "twenty-one"


def _number(token: str) -> str:
    """One written number: a count, a year, or a string of digits read one by one."""
    if "," in token:
        value = int(token.replace(",", ""))
        return _plain(number_words(value)) if value < 1_000_000 else digit_words(token)
    value = int(token)
    if len(token) > 1 and token.startswith("0"):
        return digit_words(token)
    if len(token) <= 2:
        return _plain(number_words(value))
    if len(token) == 3:
        return _plain(number_words(value)) if value % 100 == 0 else digit_words(token)
    if len(token) == 4 and 1100 <= value <= 2099:
        return _plain(year_words(value))
    return digit_words(token)


def _time(m: re.Match[str]) -> str:
    hour, minute = int(m.group(1)), int(m.group(2))
    if minute == 0:
        return f"{_plain(number_words(hour))} o'clock"
    tail = f"oh {ONES[minute]}" if minute < 10 else _plain(number_words(minute))
    return f"{_plain(number_words(hour))} {tail}"


def _digit_groups(m: re.Match[str]) -> str:
    """ "555-0167" -> digits one by one; "323-2024", "8-19-1983": a date said as numbers
    ("three twenty three two thousand twenty four"), which Whisper writes with hyphens."""
    token = m.group(0)
    if "-" not in token:
        return token  # 4.1.1 and the like: left to the decimal rule
    groups = token.split("-")
    date = _month_day_year(groups)
    return date or digit_words(token)


def _month_day_year(groups: list[str]) -> str | None:
    year = groups[-1]
    # a two-digit year only after a month and a day apart ("10-26-82") or run together ("1026 82")
    short = len(year) == 2 and (len(groups) == 3 or len(groups[0]) in (3, 4))
    if not (len(year) == 4 and 1900 <= int(year) <= 2099) and not short:
        return None
    head = groups[:-1]
    if len(head) == 1 and len(head[0]) in (3, 4):
        cut = len(head[0]) - 2
        head = [head[0][:cut], head[0][cut:]]
    if len(head) != 2 or not (1 <= int(head[0]) <= 12 and 1 <= int(head[1]) <= 31):
        return None
    said_year = year_words(int(year)) if len(year) == 4 else number_words(int(year))
    return _plain(f"{number_words(int(head[0]))} {number_words(int(head[1]))} {said_year}")


_MONTH_NAMES = "|".join(m if m != "may" else "(?-i:May)" for m in MONTHS)  # "may" is also a verb
# a day written as a cardinal next to its month is said as an ordinal: "March 3" is "March third"
_MONTH_DAY = re.compile(rf"\b({_MONTH_NAMES})\s+(\d{{1,2}})\b(?![:/.\d])", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(rf"\b(the\s+)(\d{{1,2}})(\s+of\s+(?:{_MONTH_NAMES}))\b", re.IGNORECASE)

# "the 27th of May, 35th": no day is past 31, so a two-digit "ordinal" after the month is the year
_YEAR_AS_ORDINAL = re.compile(rf"\b((?:{_MONTH_NAMES}),?\s+)(3[2-9]|[4-9]\d)(?:st|nd|rd|th)\b", re.IGNORECASE)


def _day(m: re.Match[str], before: str, after: str) -> str:
    day = int(m.group(2))
    said = _plain(ordinal_words(day)) if 1 <= day <= 31 else m.group(2)
    return f"{before}{said}{after}"


def spell_numbers(text: str) -> str:
    """Written numbers in `text` as the words a caller said ("March 3rd, 1980" -> "March third,
    nineteen eighty"; "2:30" -> "two thirty"; "555-0167" -> "five five five zero one six seven")."""
    if not any(c.isdigit() for c in text):
        return text
    text = _TIME.sub(_time, text)
    text = _YEAR_AS_ORDINAL.sub(r"\1\2", text)
    text = _MONTH_DAY.sub(lambda m: _day(m, m.group(1) + " ", ""), text)
    text = _DAY_OF_MONTH.sub(lambda m: _day(m, m.group(1), m.group(3)), text)
    text = _ORDINAL.sub(lambda m: _plain(ordinal_words(int(m.group(1)))), text)
    text = _MONEY.sub(
        lambda m: f"{_number(m.group(1))} dollars" + (f" {_number(m.group(2))} cents" if m.group(2) else ""),
        text,
    )
    text = _PERCENT.sub(lambda m: f"{_number(m.group(1))} percent", text)
    text = _SPACED.sub(lambda m: _month_day_year(re.split(r",?\s+", m.group(0))) or m.group(0), text)
    text = _DIGIT_GROUPS.sub(_digit_groups, text)
    text = _DECIMAL.sub(lambda m: f"{_number(m.group(1))} point {digit_words(m.group(2))}", text)
    return _NUMBER.sub(lambda m: _number(m.group(0)), text)


# Titles and words a transcript abbreviates, as said: "Dr. Patel" -> "Doctor Patel", "OK" -> "okay".
_ABBREVIATIONS = (
    (re.compile(r"\bDr\b\.?", re.IGNORECASE), "Doctor"),
    (re.compile(r"\bMrs\b\.?", re.IGNORECASE), "Missus"),
    (re.compile(r"\bMr\b\.?", re.IGNORECASE), "Mister"),
    (re.compile(r"\bOK\b"), "okay"),
)


def spoken_form(text: str) -> str:
    """A transcript as the words the caller said: its written numbers spelled (`spell_numbers`)
    and its abbreviations said in full. Recognizers that write (Whisper) pass their text through
    this, so the dialog, the redaction and the word-error figures read one form."""
    for pattern, said in _ABBREVIATIONS:
        text = pattern.sub(said, text)
    return spell_numbers(text)
