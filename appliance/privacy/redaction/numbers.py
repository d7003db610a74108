"""Reading spoken and written numbers: numerals, number words and ordinals joined into runs across
the separators and fillers ASR leaves between them ("five five five … uh … oh one three"). Each run
is kept as groups ("five fifty-five" → 5, 55) and as one digit string ("555"); numeric.py says what
a run is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.privacy.redaction.lexicon import (
    DIGIT_WORDS,
    FILLERS,
    JOINERS,
    MULTIPLIERS,
    NUMBER_START,
    ORDINAL_WORDS,
    REPEATERS,
    TEEN_WORDS,
    TENS_WORDS,
)
from appliance.privacy.redaction.tokens import Token, TokenIndex, line_break_between


@dataclass(slots=True)
class NumberGroup:
    digits: str
    value: int
    ordinal: bool
    first: int  # token indexes, inclusive
    last: int


@dataclass(slots=True)
class NumberRun:
    first: int
    last: int
    groups: list[NumberGroup]
    seps: list[str]  # separator before each group after the first ("" when adjacent)
    digits: str = ""  # all the groups' digits, set once the run is complete


def _numeral_ordinal(low: str) -> int | None:
    if low.isdecimal():
        return None
    m = _NUMERAL_ORDINAL.fullmatch(low)
    return int(m.group(1)) if m else None


_NUMERAL_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)")


def _is_number_start(toks: list[Token], i: int) -> bool:
    low = toks[i].low
    kind = _NUMBER_WORD_KIND.get(low)
    if kind is None:
        if low[:1].isdecimal():
            return True
        return low == "a" and i + 1 < len(toks) and toks[i + 1].low in MULTIPLIERS
    if kind == _ORDINAL:
        return True
    if kind == _REPEATER:
        return _next_is_number(toks, i)
    return not (low == "o" and not _next_is_number(toks, i))


def _next_is_number(toks: list[Token], i: int) -> bool:
    return i + 1 < len(toks) and (toks[i + 1].low[:1].isdecimal() or toks[i + 1].low in DIGIT_WORDS)


def _read_group(toks: list[Token], i: int) -> tuple[NumberGroup, int] | None:
    """One number group starting at token i; returns it and the index after it."""
    n = len(toks)
    low = toks[i].low
    kind = _NUMBER_WORD_KIND.get(low)
    if kind is None:
        if low[:1].isdecimal():  # not isdigit: "²" is a digit that int() refuses
            ordv = _numeral_ordinal(low)
            if ordv is not None:
                return NumberGroup(str(ordv), ordv, True, i, i), i + 1
            return _with_multiplier(toks, NumberGroup(low, int(low), False, i, i))
        if low == "a":
            return _with_multiplier(toks, NumberGroup("1", 1, False, i, i))
        return None
    if kind == _REPEATER:
        if i + 1 < n and toks[i + 1].low in DIGIT_WORDS:
            d = str(DIGIT_WORDS[toks[i + 1].low])
            return NumberGroup(d * REPEATERS[low], int(d), False, i, i + 1), i + 2
        return None
    if kind == _ORDINAL:
        v = ORDINAL_WORDS[low]
        return NumberGroup(str(v), v, True, i, i), i + 1
    if kind == _TENS:
        v = TENS_WORDS[low]
        j = i + 1
        if j < n and toks[j].text == "-":
            j += 1
        if (
            j < n
            and toks[j].low in DIGIT_WORDS
            and DIGIT_WORDS[toks[j].low] > 0
            and toks[j].low not in ("oh", "o")
        ):
            v += DIGIT_WORDS[toks[j].low]
            return _with_multiplier(toks, NumberGroup(str(v), v, False, i, j))
        if j < n and toks[j].low in ORDINAL_WORDS and ORDINAL_WORDS[toks[j].low] < 10:
            v += ORDINAL_WORDS[toks[j].low]
            return NumberGroup(str(v), v, True, i, j), j + 1
        return _with_multiplier(toks, NumberGroup(str(v), v, False, i, i))
    if kind == _TEEN:
        return _with_multiplier(toks, NumberGroup(str(TEEN_WORDS[low]), TEEN_WORDS[low], False, i, i))
    if kind == _DIGIT_WORD:
        v = DIGIT_WORDS[low]
        # "oh seven" is one two-digit group (07), as in a spoken month or day; not before a
        # multiplier, which makes the digit after "oh" a number of its own ("oh four thousand and
        # one" is 0 and 4001: the last digits of a phone number read in thousands)
        if (
            v == 0
            and i + 1 < n
            and toks[i + 1].low in DIGIT_WORDS
            and DIGIT_WORDS[toks[i + 1].low] > 0
            and not (i + 2 < n and toks[i + 2].low in MULTIPLIERS)
        ):
            d = DIGIT_WORDS[toks[i + 1].low]
            return NumberGroup(f"0{d}", d, False, i, i + 1), i + 2
        return _with_multiplier(toks, NumberGroup(str(v), v, False, i, i))
    return None


def _with_multiplier(toks: list[Token], g: NumberGroup) -> tuple[NumberGroup, int]:
    """Apply "hundred"/"thousand" after a group: "twelve hundred", "two thousand and five"."""
    j = g.last + 1
    n = len(toks)
    while j < n and toks[j].low in MULTIPLIERS and g.value < 1000:
        g = NumberGroup("", g.value * MULTIPLIERS[toks[j].low], False, g.first, j)
        j += 1
        k = j + 1 if j < n and toks[j].low == "and" else j
        if k < n and (toks[k].low in DIGIT_WORDS or toks[k].low in TEEN_WORDS or toks[k].low in TENS_WORDS):
            nxt = _read_group(toks, k)
            if nxt is not None and nxt[0].value < g.value and not nxt[0].digits.startswith("0"):
                g = NumberGroup("", g.value + nxt[0].value, False, g.first, nxt[0].last)
                j = nxt[1]
        g.digits = str(g.value)
    return g, j


# The word lists are disjoint, so one lookup says which a word is.
_DIGIT_WORD, _TEEN, _TENS, _ORDINAL, _REPEATER = range(5)
_NUMBER_WORD_KIND = {
    **dict.fromkeys(DIGIT_WORDS, _DIGIT_WORD),
    **dict.fromkeys(TEEN_WORDS, _TEEN),
    **dict.fromkeys(TENS_WORDS, _TENS),
    **dict.fromkeys(ORDINAL_WORDS, _ORDINAL),
    **dict.fromkeys(REPEATERS, _REPEATER),
}
_SEPARATORS = frozenset(JOINERS | FILLERS)


def number_runs(toks: list[Token], lows: list[str], index: TokenIndex) -> list[NumberRun]:
    runs: list[NumberRun] = []
    n, j_done = len(toks), 0
    for i in index.number_starts():
        if i < j_done or not _is_number_start(toks, i):
            continue
        got = _read_group(toks, i)
        if got is None:
            continue
        group, j = got
        run = NumberRun(i, group.last, [group], [])
        while True:
            k, seps = j, []
            while k < n and lows[k] in _SEPARATORS and len(seps) < 3:
                seps.append(lows[k])
                k += 1
            if k >= n or lows[k] == "a" or not (lows[k] in NUMBER_START or lows[k][0].isdecimal()):
                break  # the common end of a run: a word, checked without a call
            if line_break_between(toks, j - 1, k):
                break  # a number never runs on into the next line (the next turn of a transcript)
            if not _is_number_start(toks, k):
                break
            got = _read_group(toks, k)
            if got is None:
                break
            group, j = got
            run.groups.append(group)
            run.seps.append(next((s for s in seps if s in JOINERS), ""))
            run.last = group.last
        run.digits = "".join([g.digits for g in run.groups])
        runs.append(run)
        j_done = j
    return runs


def is_number_or_digits(tok: Token) -> bool:
    return tok.low[:1].isdigit() or is_number_word(tok)


def is_number_word(tok: Token) -> bool:
    return tok.low in DIGIT_WORDS or tok.low in TEEN_WORDS or tok.low in TENS_WORDS
