"""Reading what callers say: dates, names, weekdays, parts of the day, choices, yes and no.

Speech recognizers write lower case without punctuation and spell numbers as words ("march third
nineteen eighty"); typed text (the simulator's text mode) has digits and capitals ("3/3/1980").
Every parser here takes either. Pure functions: no clock (callers pass `today`), no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from appliance.numwords import (
    MONTHS,
    ORDINAL_UNIT_VALUES,
    ORDINAL_VALUES,
    TEEN_VALUES,
    TENS_VALUES,
    UNIT_VALUES,
    WEEKDAYS,
)


def _words(text: str) -> list[str]:
    return text.split()


_MONTH_ALIASES = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}

# The number words come from the one lexicon (numwords.py), which also spells them.
_UNITS = UNIT_VALUES
_TEENS = TEEN_VALUES
_TENS = TENS_VALUES
_ORD_UNITS = ORDINAL_UNIT_VALUES
_ORDINALS = ORDINAL_VALUES
_DIGIT_ORD = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")

_NAME_LEADS = re.compile(
    r"^(?:(?:yes|yeah|ok|okay|sure|hi|hello|um|uh|so|well)\s+)*"
    r"(?:my name is|my names|my name s|the name is|name is|names|this is|it is|its|it s|im|i am|i m|"
    r"the patient is|patients name is|patient is|her name is|his name is|its for|this is for|for)\s+",
)
_NOT_NAME = set(
    _words(
        "a an the and or but of on in at to for from with my your his her their our is are was "
        "be yes no not please thanks thank you okay ok hi hello um uh so well date birth born "
        "dob i im me it its this that thats calling about appointment doctor dr refill name "
        "everything all nothing fine good great first second third one last sure right correct "
        "wrong sorry what who again repeat just call calling need want like have got can could "
        "would should"
    )
)


def normalize(text: str) -> str:
    """Lower case, apostrophes dropped, everything else not a letter or digit becomes a space."""
    text = text.lower().replace("’", "'").replace("'", "")
    text = re.sub(r"(\d)[/.-](?=\d)", r"\1/", text)  # keep 3/3/1980 and 1980-03-03 together
    text = re.sub(r"[^a-z0-9/]+", " ", text)
    return " ".join(text.split())


# -- numbers ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Num:
    value: int
    ordinal: bool = False
    digits: int = 0  # how many digits it was written with (0: spoken as words)


def _number_tokens(tokens: list[str]) -> list[_Num | str]:
    """Number words folded into values: "twenty first" -> 21st; "nineteen eighty" stays 19, 80."""
    out: list[_Num | str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in _TENS and ((nxt in _UNITS and nxt != "zero") or nxt in _ORD_UNITS):
            ordinal = nxt in _ORD_UNITS
            out.append(_Num(_TENS[tok] + (_ORD_UNITS[nxt] if ordinal else _UNITS[nxt]), ordinal))
            i += 2
            continue
        if tok in ("oh", "o") and out and isinstance(out[-1], _Num) and nxt in _UNITS:
            out.append(_Num(_UNITS[nxt]))  # "nineteen oh five": the "oh" is a zero tens digit
            i += 2
            continue
        out.append(_word_value(tok))
        i += 1
    return out


def _word_value(tok: str) -> _Num | str:
    for table, ordinal in ((_UNITS, False), (_TEENS, False), (_TENS, False)):
        if tok in table:
            return _Num(table[tok], ordinal)
    if tok in _ORDINALS:
        return _Num(_ORDINALS[tok], True)
    if tok.isdigit():
        return _Num(int(tok), False, len(tok))
    m = _DIGIT_ORD.match(tok)
    if m:
        return _Num(int(m.group(1)), True, len(m.group(1)))
    if tok in ("hundred", "thousand"):
        return tok
    return tok


def _year(parts: list[_Num | str], today: date) -> int | None:
    """A year from what followed the day: [1980], [19, 80], [2, "thousand", 16], [57], [19, 0, 5]."""
    nums = [p for p in parts if isinstance(p, _Num)]
    words = [p for p in parts if isinstance(p, str)]
    if not nums:
        return None
    if "thousand" in words:
        thousands = nums[0].value
        rest = sum(n.value for n in nums[1:])
        year = thousands * 1000 + rest
    elif len(nums) == 1:
        n = nums[0]
        if n.digits == 4 or n.value >= 1000:
            year = n.value
        elif n.value < 100:
            year = _century(n.value, today)
        else:
            return None
    elif len(nums) >= 2 and 10 <= nums[0].value <= 20 and not nums[0].digits:
        tail = nums[1].value if len(nums) == 2 else nums[1].value * 10 + nums[2].value
        if tail >= 100:
            return None
        year = nums[0].value * 100 + tail
    else:
        return None
    return year if 1900 <= year <= today.year else None


def _century(two: int, today: date) -> int:
    return 2000 + two if 2000 + two <= today.year else 1900 + two


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -- dates -----------------------------------------------------------------------------------
_ISO = re.compile(r"\b(\d{4})/(\d{1,2})/(\d{1,2})\b")
_US = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")


def parse_date(text: str, today: date | None = None) -> date | None:
    """A calendar date (a date of birth, most often) in any way a caller says or types it."""
    today = today or date.today()
    norm = normalize(text)
    if m := _ISO.search(norm):
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _US.search(norm):
        year = int(m.group(3))
        year = _century(year, today) if year < 100 else year
        return _safe_date(year, int(m.group(1)), int(m.group(2)))
    items = _number_tokens(norm.split())
    for i, item in enumerate(items):
        if isinstance(item, str) and _month(item):
            # "the twenty first of november nineteen fifty seven", "21 November 1957": a day
            # before the month is the day, though "nineteen" after it would also read as one
            order = (_day_first, _month_first) if _day_before(items, i) else (_month_first, _day_first)
            found = order[0](items, i, today) or order[1](items, i, today)
            if found:
                return found
    return _all_numbers(items, today)


def _month(tok: str) -> int | None:
    if tok in MONTHS:
        return MONTHS.index(tok) + 1
    return _MONTH_ALIASES.get(tok)


def _take_numbers(items: list[_Num | str], start: int) -> list[_Num | str]:
    out: list[_Num | str] = []
    for item in items[start:]:
        if isinstance(item, _Num) or item in ("thousand", "and", "hundred"):
            out.append(item)
        elif item in ("of", "the", "in", "year"):
            continue
        else:
            break
    return [p for p in out if p != "and"]


def _day_before(items: list[_Num | str], i: int) -> bool:
    j = i - 1
    while j >= 0 and items[j] in ("of", "the"):
        j -= 1
    before = items[j] if j >= 0 else None
    return isinstance(before, _Num) and 1 <= before.value <= 31


def _month_first(items: list[_Num | str], i: int, today: date) -> date | None:
    """ "march third nineteen eighty", "March 3, 1980", "march the third 1980"."""
    month = _month(str(items[i]))
    rest = _take_numbers(items, i + 1)
    if not rest or not isinstance(rest[0], _Num) or not 1 <= rest[0].value <= 31:
        return None
    year = _year(rest[1:], today)
    return _safe_date(year, month, rest[0].value) if year and month else None


def _day_first(items: list[_Num | str], i: int, today: date) -> date | None:
    """ "the twenty-first of november fifty-seven", "21 November 1957"."""
    month = _month(str(items[i]))
    j = i - 1
    while j >= 0 and items[j] in ("of", "the"):
        j -= 1
    if j < 0 or not isinstance(items[j], _Num) or not month:
        return None
    day = items[j]
    assert isinstance(day, _Num)
    year = _year(_take_numbers(items, i + 1), today)
    return _safe_date(year, month, day.value) if year and 1 <= day.value <= 31 else None


def _all_numbers(items: list[_Num | str], today: date) -> date | None:
    """ "seven fourteen ninety-two": month, day, year, all as numbers (US order)."""
    for start in range(len(items)):
        run = _take_numbers(items, start)
        nums = [p for p in run if isinstance(p, _Num)]
        if len(nums) >= 3 and 1 <= nums[0].value <= 12 and 1 <= nums[1].value <= 31:
            year = _year(run[2:], today)
            if year:
                return _safe_date(year, nums[0].value, nums[1].value)
        if run:
            break
    return None


# -- days and times ----------------------------------------------------------------------------
def parse_weekday(text: str) -> str | None:
    """ "next tuesday", "on thursday" -> "tuesday"/"thursday"; None when no weekday is named."""
    for tok in normalize(text).split():
        if tok in WEEKDAYS:
            return tok
        if tok.endswith("s") and tok[:-1] in WEEKDAYS:
            return tok[:-1]
    return None


def parse_relative_day(text: str, today: date) -> date | None:
    """ "today", "tomorrow", "the day after tomorrow"; weekdays are left to the scheduler."""
    norm = normalize(text)
    if "day after tomorrow" in norm:
        return today + timedelta(days=2)
    if re.search(r"\btomorrow\b", norm):
        return today + timedelta(days=1)
    if re.search(r"\btoday\b", norm):
        return today
    return None


def parse_part_of_day(text: str) -> str | None:
    norm = normalize(text)
    if re.search(r"\b(morning|mornings|am|a m|before noon|early)\b", norm):
        return "morning"
    if re.search(r"\b(afternoon|afternoons|pm|p m|after lunch|after noon|evening|late)\b", norm):
        return "afternoon"
    return None


# -- choices, yes and no -----------------------------------------------------------------------
_ORDINAL_CHOICE = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5,
}  # fmt: skip
_ACCEPT = re.compile(
    r"\b(thats fine|that is fine|thats good|that works|works for me|sounds good|sounds great|perfect|"
    r"ill take it|i ll take it|ill take that|that one|fine|great|yes please|sure|okay|ok|yes|yeah|yep)\b"
)


def parse_choice(text: str, offered: list[str] | tuple[str, ...]) -> int | None:
    """1-based pick among `offered` (their spoken texts): "the first one", "the second",
    "the nine twenty", "the last one"; plain acceptance ("that's fine") takes the first."""
    if not offered:
        return None
    norm = normalize(text)
    tokens = norm.split()
    if re.search(r"\b(last|latest|later) (one|time|slot|option)\b|\bthe last\b", norm):
        return len(offered)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in ("first", "second", "third", "fourth", "fifth", "1st", "2nd", "3rd"):
            return _in_range(_ORDINAL_CHOICE[tok], offered)
        if tok in ("one", "two", "three", "1", "2", "3") and i > 0 and tokens[i - 1] in ("number", "option"):
            return _in_range(_ORDINAL_CHOICE[tok], offered)
        if tok == "option" and nxt in _ORDINAL_CHOICE:
            return _in_range(_ORDINAL_CHOICE[nxt], offered)
    by_time = _choice_by_words(norm, offered)
    if by_time:
        return by_time
    if is_no(text) and not is_yes(text):
        return None
    if _ACCEPT.search(norm) or re.search(r"\b(earliest|earlier|soonest)\b", norm):
        return 1
    return None


def _in_range(index: int, offered: list[str] | tuple[str, ...]) -> int | None:
    return index if 1 <= index <= len(offered) else None


def _choice_by_words(norm: str, offered: list[str] | tuple[str, ...]) -> int | None:
    """Match a time the caller repeats ("nine twenty", "the 10 oclock") against the options."""
    said = set(norm.replace("oclock", "").split()) - {"the", "at", "one", "in", "a", "please", "is", "fine"}
    said = {w for w in said if w in _UNITS or w in _TEENS or w in _TENS or w.isdigit()}
    if not said:
        return None
    best, best_score = None, 0
    for i, text in enumerate(offered, 1):
        words = set(normalize(text).replace("-", " ").split())
        score = len(said & words)
        if score > best_score and said <= words:
            best, best_score = i, score
    return best


_YES = re.compile(
    r"^(yes|yeah|yep|yup|sure|correct|right|thats right|that is right|thats correct|ok|okay|please do|"
    r"go ahead|absolutely|definitely|of course|i do|i would|i am|uh huh|mhm|sounds good|that works|"
    r"yes please|please)\b"
)
_NO = re.compile(
    r"^(no|nope|nah|not really|negative|i dont|i do not|dont|do not|no thanks|no thank you|none|neither|"
    r"not those|not that)\b|\b(none of (those|them|these)|neither of (those|them)|doesnt work|wont work)\b"
)


def is_yes(text: str) -> bool:
    norm = normalize(text)
    return bool(_YES.search(norm)) and not norm.startswith(("no ", "not "))


def is_no(text: str) -> bool:
    return bool(_NO.search(normalize(text)))


# -- names -------------------------------------------------------------------------------------
def parse_name(text: str, known: tuple[str, ...] | list[str] = ()) -> str | None:
    """A person's full name: "Maria Gonzalez", "my name is maria gonzalez", "it's John Whitfield".

    Known names (the site's vocabulary) are found anywhere in the text; otherwise the name is
    the first run of two or three words that are not numbers, months or filler."""
    norm = normalize(text)
    for name in known:
        if re.search(rf"\b{re.escape(normalize(name))}\b", norm):
            return name
    norm = _NAME_LEADS.sub("", norm)
    words: list[str] = []
    for tok in norm.split():
        stop = (
            tok in _NOT_NAME
            or _month(tok)
            or tok in WEEKDAYS
            or _is_number_word(tok)
            or tok.isdigit()
            or "/" in tok
        )
        if stop:
            if len(words) >= 2:
                break
            words = []
            continue
        words.append(tok)
        if len(words) == 3:
            break
    if len(words) < 2:
        return None
    return " ".join(w.capitalize() for w in words)


def _is_number_word(tok: str) -> bool:
    return any(tok in t for t in (_UNITS, _TEENS, _TENS, _ORDINALS)) or bool(_DIGIT_ORD.match(tok))


# -- digits ------------------------------------------------------------------------------------
def digit_run(text: str) -> str:
    """The longest run of digits said or typed ("four one one one" -> "4111"), spaces ignored."""
    best = current = ""
    for tok in normalize(text).replace("/", " ").split():
        if tok.isdigit():
            current += tok
        elif tok in _UNITS:
            current += str(_UNITS[tok])
        elif tok == "oh":
            current += "0"
        else:
            best, current = max(best, current, key=len), ""
    return max(best, current, key=len)


# -- a pharmacy --------------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)")
# where a caller goes on to something else in the same breath ("... my cell is five five five")
_OTHER_TOPIC = re.compile(
    r"\b(?:(?:and|also)\s+)?(?:(?:my|our|the|his|her|a)\s+)?(?:cell(?:\s*phone)?|mobile|phone|"
    r"telephone|number|callback|date of birth|birthday|member id|medical record|mrn|zip(?:\s*code)?)\b"
    r"|\b(?:call|reach|text)\s+me\b|\byou can reach\b",
    re.IGNORECASE,
)
_DANGLING = set(_words("and or at on in by near the a an my is its it's number of for to with from"))


def _numberish(tok: str) -> bool:
    """A token that reads as part of a number: digits, or a unit, teen or tens word, or "oh"."""
    bare = tok.strip(",.-()").lower()
    return bare.isdigit() or bare in _UNITS or bare in _TEENS or bare in _TENS or bare in ("oh", "double")


def pharmacy_words(text: str) -> str:
    """Only the pharmacy of an answer to "which pharmacy?": its name and street words.

    The answer is cut at its first sentence end, before "my number/cell/phone is" and the like,
    and before the first number (any digits but a street's "5th"; two number words in a row), so
    that no phone number, date or ID ever reaches the slot or the agent's read-back. Words left
    dangling at the cut ("on", "and my") go too; "" when no pharmacy words are left."""
    text = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    topic = _OTHER_TOPIC.search(text)
    if topic:
        text = text[: topic.start()]
    kept: list[str] = []
    tokens = text.split()
    for i, tok in enumerate(tokens):
        has_digits = any(c.isdigit() for c in tok) and not _DIGIT_ORD.match(tok.strip(",.").lower())
        if has_digits or (_numberish(tok) and i + 1 < len(tokens) and _numberish(tokens[i + 1])):
            break
        kept.append(tok)
    while kept and (kept[-1].strip(",:-").lower() in _DANGLING or not kept[-1].strip(",:-")):
        kept.pop()
    return " ".join(kept).rstrip(",:-")
