"""Numbers, times and dates as words a speech synthesizer reads well.

Tool messages are spoken to the caller as they are, so "09:20" becomes "nine twenty in the
morning" and "$25" becomes "twenty-five dollars". Pure functions, no locale lookups.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from appliance.numwords import MONTHS, WEEKDAYS, number_words, ordinal_words
from appliance.numwords import ONES as _ONES

__all__ = ["number_words", "ordinal_words"]  # re-exported: callers of spoken forms find them here

_MONTHS = [m.capitalize() for m in MONTHS]
_WEEKDAYS = [d.capitalize() for d in WEEKDAYS]


def time_words(t: time) -> str:
    """09:20 -> "nine twenty in the morning", 13:00 -> "one in the afternoon", 12:00 -> "noon"."""
    if t.hour == 12 and t.minute == 0:
        return "noon"
    if t.hour == 0 and t.minute == 0:
        return "midnight"
    hour12 = t.hour % 12 or 12
    if t.minute == 0:
        clock = number_words(hour12)
    elif t.minute < 10:
        clock = f"{number_words(hour12)} oh {number_words(t.minute)}"
    else:
        clock = f"{number_words(hour12)} {number_words(t.minute)}"
    if t.hour < 12:
        part = "in the morning"
    elif t.hour < 17:
        part = "in the afternoon"
    else:
        part = "in the evening"
    return f"{clock} {part}"


def date_words(d: date) -> str:
    """2026-11-24 -> "Tuesday, November twenty-fourth"."""
    return f"{_WEEKDAYS[d.weekday()]}, {_MONTHS[d.month - 1]} {ordinal_words(d.day)}"


def datetime_words(dt: datetime) -> str:
    """A local datetime -> "Tuesday, November twenty-fourth at nine twenty in the morning"."""
    return f"{date_words(dt.date())} at {time_words(dt.time())}"


def dollars_words(amount: int) -> str:
    return f"{number_words(amount)} dollar" + ("" if amount == 1 else "s")


def digits_words(digits: str) -> str:
    """A phone number read digit by digit in groups: "5550132291" -> "five five five, zero one …"."""
    only = "".join(c for c in digits if c.isdigit())
    groups = [only[:3], only[3:6], only[6:]] if len(only) == 10 else [only]
    return ", ".join(" ".join(_ONES[int(c)] for c in g) for g in groups if g)


def join_words(items: Sequence[str], conjunction: str = "or") -> str:
    """["a"] -> "a"; ["a", "b"] -> "a or b"; ["a", "b", "c"] -> "a, b, or c"."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conjunction} {items[1]}"
    return ", ".join(items[:-1]) + f", {conjunction} {items[-1]}"


def provider_words(name: str) -> str:
    """ "Dr. Anita Patel" -> "Doctor Anita Patel" (some voices read "Dr." as "drive")."""
    return name.replace("Dr. ", "Doctor ", 1) if name.startswith("Dr. ") else name
