"""PHI redaction for transcripts: what analytics, summaries, the console and logs see.

`redact(text, known_names)` finds the HIPAA Safe Harbor identifiers that occur on calls and returns
the text with each one replaced by "[LABEL]" plus the character spans it found. It works on the
spoken form ASR produces ("five five five … oh one three two", "March third nineteen eighty",
"maria dot g at example dot com", "R A H M A N") as well as on written forms ("555-013-2291").

How: the text is cut into tokens once. Number words, numerals and ordinals are joined into *runs*
across the separators and fillers ASR leaves between them (commas, dashes, dots, "uh", pauses), and
each run is read as groups ("five fifty-five" → 5, 55) and as one digit string ("555"). A run is
then classified by its shape (four dotted groups ≤ 255: an IP address; month-day-year: a date) and
by the nearest context word before it ("social" → SSN, "member" → ID, "zip" → ZIP …). Every run of
five digits or more is redacted whatever its context, so numeric identifiers are never missed for
want of a cue word. Names come from the names the site knows (patients, the verified caller), from
context ("my name is", "my daughter"), spelled letters, and runs of capitalised words that are not
everyday or site vocabulary. Provider names after "Dr." are staff, not PHI, and are kept.

All patterns and word lists live in this module, in the PATTERNS / vocabulary section below.
Labels: NAME DATE AGE PHONE EMAIL ADDRESS ZIP MRN SSN ID PLATE IP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import methodcaller

LABELS = ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "ADDRESS", "ZIP", "MRN", "SSN", "ID", "PLATE", "IP")
NUMERIC_LABELS = ("PHONE", "ZIP", "MRN", "SSN", "ID", "PLATE", "IP")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Redaction:
    text: str
    spans: tuple[Span, ...]


# ==== PATTERNS and vocabulary: the one place that says what is an identifier ======================

TOKEN_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:st|nd|rd|th)?|…|\.\.\.|[^\sA-Za-z0-9]")

WRITTEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("MRN", re.compile(r"\bRCH[- ]?\d{5,7}\b", re.IGNORECASE)),
    ("ID", re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}\b")),  # mixed letters+digits
    # hyphenated codes with letters and at least three digits: "1EG4-TE5-MK72"
    ("ID", re.compile(r"\b(?=(?:[A-Za-z-]*\d){3})(?=[\d-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b")),
)

DIGIT_WORDS = {
    "zero": 0, "oh": 0, "o": 0, "one": 1, "two": 2, "three": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}  # fmt: skip
TEEN_WORDS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000}
REPEATERS = {"double": 2, "triple": 3}
FILLERS = {"uh", "um", "er", "erm", "ah", "hmm", "mm", "like"}
JOINERS = {",", "-", ".", "(", ")", "/", "…", "...", "dash", "hyphen", "dot", "point", "slash"}

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
# Month words that are also everyday words: a date only next to a day or year.
AMBIGUOUS_MONTHS = {
    "may",
    "march",
    "mar",
    "jan",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "feb",
    "apr",
}

# Nearest cue word before a number run decides its label. "number"/"is" are neutral (skipped);
# NEG words mean the number is not an identifier (extensions, money, rooms, times).
CONTEXT_WORDS = {
    "social": "SSN", "ssn": "SSN", "security": "SSN", "last": "SSN",
    "mrn": "MRN", "record": "MRN", "records": "MRN", "chart": "MRN", "rch": "MRN",
    "phone": "PHONE", "cell": "PHONE", "mobile": "PHONE", "fax": "PHONE", "telephone": "PHONE",
    "reach": "PHONE", "call": "PHONE", "callback": "PHONE", "landline": "PHONE", "text": "PHONE",
    "contact": "PHONE", "dial": "PHONE",
    "account": "ID", "member": "ID", "membership": "ID", "policy": "ID", "group": "ID",
    "subscriber": "ID", "insurance": "ID", "license": "ID", "licence": "ID", "card": "ID",
    "device": "ID", "serial": "ID", "claim": "ID", "medicare": "ID", "medicaid": "ID", "pin": "ID",
    "ending": "ID", "ends": "ID", "id": "ID", "passport": "ID", "certificate": "ID",
    "beneficiary": "ID", "pacemaker": "ID", "pump": "ID", "implant": "ID", "confirmation": "ID",
    "zip": "ZIP", "zipcode": "ZIP", "postal": "ZIP",
    "plate": "PLATE", "plates": "PLATE", "tag": "PLATE",
    "ip": "IP",
    "born": "DATE", "birth": "DATE", "birthday": "DATE", "dob": "DATE", "birthdate": "DATE",
    "admitted": "DATE", "discharged": "DATE", "died": "DATE", "passed": "DATE",
    "extension": "NEG", "ext": "NEG", "room": "NEG", "floor": "NEG", "suite": "NEG", "building": "NEG",
    "$": "NEG", "bed": "NEG", "dollars": "NEG", "page": "NEG",
}  # fmt: skip
MIN_DIGITS = {"SSN": 4, "MRN": 4, "ID": 4, "PHONE": 7, "ZIP": 5, "IP": 4, "PLATE": 3, "DATE": 3}
AFTER_NEG = {"dollars", "dollar", "bucks", "cents", "percent", "minutes", "minute", "hours", "hour",
             "o'clock", "am", "pm", "mg", "milligrams", "pounds", "lbs", "units", "times", "calories",
             "steps", "miles", "feet"}  # fmt: skip
SENTENCE_END = {".", "?", "!"}

AGE_BEFORE = {"age", "aged", "i'm", "im", "she's", "he's", "turned", "turning", "turns", "am", "is"}
AGE_AFTER = {"years", "year", "yrs", "yo"}

STREET_SUFFIXES = {
    "street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "court", "ct", "way", "place", "pl", "circle", "cir", "terrace", "parkway", "pkwy", "highway",
    "hwy", "trail", "square", "loop", "pike", "row",
}  # fmt: skip
UNIT_WORDS = {"apartment", "apt", "unit", "suite", "number", "#", "lot"}

EMAIL_TLDS = {"com", "org", "net", "edu", "gov", "io", "us", "info", "co", "biz", "me", "mail"}
EMAIL_CONNECTORS = {"dot", ".", "underscore", "_", "dash", "-", "hyphen", "plus"}
EMAIL_STOP = {"is", "it's", "its", "email", "e", "mail", "address", "my", "me", "to", "send",
              "use", "at", ",", ":", "it", "the", "was", "and", "or", "that's", "thats", "try"}  # fmt: skip

STRONG_NAME_CUES = (
    ("my", "name", "is"),
    ("name", "is"),
    ("name's",),
    ("named",),
    ("called",),
    ("surname", "is"),
    ("spelled",),
    ("spell", "it"),
    ("spelling", "is"),
    ("it's", "spelled"),
    ("first", "name"),
    ("last", "name"),
    ("middle", "name"),
    ("full", "name"),
    ("maiden", "name"),
)
WEAK_NAME_CUES = (
    ("this", "is"),
    ("i'm",),
    ("i", "am"),
    ("it's",),
    ("for",),
    ("about",),
    ("behalf", "of"),
    ("mr",),
    ("mrs",),
    ("ms",),
    ("miss",),
    ("mister",),
    ("patient",),
    ("with",),
)
RELATIVES = {
    "wife", "husband", "mother", "mom", "mum", "father", "dad", "son", "daughter", "sister",
    "brother", "grandmother", "grandma", "grandfather", "grandpa", "aunt", "uncle", "niece",
    "nephew", "partner", "child", "kid", "friend", "neighbor", "caregiver", "fiance", "fiancee",
    "granddaughter", "grandson", "stepson", "stepdaughter", "spouse", "boyfriend", "girlfriend",
}  # fmt: skip
STAFF_TITLES = {"dr", "doctor", "nurse", "pharmacist"}
NAME_STOP = {
    "and", "or", "calling", "from", "i", "my", "the", "here", "speaking", "again", "please", "with",
    "about", "for", "to", "at", "on", "in", "is", "was", "but", "so", "uh", "um", "yes", "no", "okay",
    "ok", "sorry", "thanks", "thank", "of", "date", "birth", "born", "dob", "phone", "number",
    "spelled", "that's", "it's", "last", "first", "middle", "name", "a", "an", "who", "he", "she",
    "they", "we", "you", "his", "her", "their", "our", "your", "just", "also", "too", "because",
    "if", "when", "can", "could", "would", "will", "need", "needs", "wants", "want", "has", "have",
    "had", "are", "be", "been", "being", "not", "that", "this", "there", "as", "by", "hi",
    "hello", "hey", "well", "actually", "yeah", "yep", "nope", "right", "sure", "mister", "missus",
    "mr", "mrs", "ms", "miss", "dr",
}  # fmt: skip

# Capitalised words that are not names: everyday sentence starters and the site's own vocabulary.
COMMON_CAPITALISED = {
    "i", "i'm", "i'd", "i'll", "i've", "hello", "hi", "hey", "yes", "yeah", "no", "okay", "ok", "so",
    "well", "thanks", "thank", "you", "please", "good", "morning", "afternoon", "evening", "sure",
    "this", "that", "my", "the", "a", "an", "and", "but", "or", "can", "could", "would", "will",
    "is", "it", "it's", "what", "when", "where", "who", "why", "how", "do", "does", "did", "are",
    "we", "he", "she", "they", "his", "her", "our", "their", "your", "hmm", "uh", "um", "oh", "also",
    "just", "actually", "sorry", "great", "right", "alright", "perfect", "there", "here", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
    "tomorrow", "yesterday", "operator", "nurse", "doctor", "dr", "billing", "pharmacy",
    "scheduling", "riverside", "community", "hospital", "family", "medicine", "cardiology",
    "pediatrics", "orthopedics", "icu", "er", "emergency", "medicare", "medicaid", "bluecross",
    "blueshield", "blue", "cross", "shield", "ppo", "hmo", "aetna", "unitedhealthcare", "cigna",
    "humana", "gold", "elm", "street", "garage", "front", "desk", "clinic", "center",
    "department", "insurance", "english", "spanish", "god", "christmas", "thanksgiving", "easter",
    "covid", "mri", "ct", "ekg", "ecg", "lab", "labs", "let", "let's", "was",
    "after", "before", "then", "now", "not", "if", "for", "to", "in", "on", "at", "of", "with",
    "any", "some", "all", "one", "two", "dear", "bye", "goodbye", "welcome", "yep", "nope",
    "have", "has", "had", "need", "want", "call", "calling", "appointment", "refill", "visa",
    "mastercard", "amex", "discover", "walgreens", "cvs", "tylenol", "advil", "lisinopril",
    "metformin", "wait", "hold", "listen", "look", "maybe", "probably", "definitely",
}  # fmt: skip


# Words too common to redact on their own even when a known name contains them.
_EVERYDAY_WORDS = frozenset(
    COMMON_CAPITALISED
    | NAME_STOP
    | set(MONTHS)
    | set(DIGIT_WORDS)
    | {"will", "may", "grant", "mark", "rose", "white", "young", "king", "hope", "faith", "joy",
       "bill", "art", "sue", "pat", "rich", "frank", "guy", "dawn", "summer", "june", "april",
       "brown", "green", "black", "long", "little", "hill", "wood", "lane", "street"}
)  # fmt: skip


# ==== tokens ======================================================================================


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str
    low: str


_span_of = methodcaller("span")


def _tokens(text: str, low: str) -> list[_Tok]:
    if len(low) != len(text):  # a few characters change length when lowered: keep offsets exact
        return [_Tok(m.start(), m.end(), m.group(), m.group().lower()) for m in TOKEN_RE.finditer(text)]
    return [_Tok(a, b, text[a:b], low[a:b]) for a, b in map(_span_of, TOKEN_RE.finditer(text))]


def _is_cap(tok: _Tok) -> bool:
    return tok.text[:1].isupper() and tok.text[:1].isalpha()


def _is_word(tok: _Tok) -> bool:
    return tok.text[:1].isalpha()


# ==== number runs =================================================================================


@dataclass
class _Group:
    digits: str
    value: int
    ordinal: bool
    first: int  # token indexes, inclusive
    last: int


@dataclass
class _Run:
    first: int
    last: int
    groups: list[_Group]
    seps: list[str]  # separator before each group after the first ("" when adjacent)

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)


def _numeral_ordinal(low: str) -> int | None:
    m = re.fullmatch(r"(\d+)(st|nd|rd|th)", low)
    return int(m.group(1)) if m else None


def _is_number_start(toks: list[_Tok], i: int) -> bool:
    low = toks[i].low
    if low[:1].isdigit() or low in DIGIT_WORDS or low in TEEN_WORDS or low in TENS_WORDS:
        return not (low == "o" and not _next_is_number(toks, i))
    if low in ORDINAL_WORDS:
        return True
    if low in REPEATERS:
        return _next_is_number(toks, i)
    return low == "a" and i + 1 < len(toks) and toks[i + 1].low in MULTIPLIERS


def _next_is_number(toks: list[_Tok], i: int) -> bool:
    return i + 1 < len(toks) and (toks[i + 1].low[:1].isdigit() or toks[i + 1].low in DIGIT_WORDS)


def _read_group(toks: list[_Tok], i: int) -> tuple[_Group, int] | None:
    """One number group starting at token i; returns it and the index after it."""
    n = len(toks)
    low = toks[i].low
    if low in REPEATERS and i + 1 < n and toks[i + 1].low in DIGIT_WORDS:
        d = str(DIGIT_WORDS[toks[i + 1].low])
        return _Group(d * REPEATERS[low], int(d), False, i, i + 1), i + 2
    if low[:1].isdigit():
        ordv = _numeral_ordinal(low)
        if ordv is not None:
            return _Group(str(ordv), ordv, True, i, i), i + 1
        return _with_multiplier(toks, _Group(low, int(low), False, i, i))
    if low in ORDINAL_WORDS:
        v = ORDINAL_WORDS[low]
        return _Group(str(v), v, True, i, i), i + 1
    if low == "a":
        return _with_multiplier(toks, _Group("1", 1, False, i, i))
    if low in TENS_WORDS:
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
            return _with_multiplier(toks, _Group(str(v), v, False, i, j))
        if j < n and toks[j].low in ORDINAL_WORDS and ORDINAL_WORDS[toks[j].low] < 10:
            v += ORDINAL_WORDS[toks[j].low]
            return _Group(str(v), v, True, i, j), j + 1
        return _with_multiplier(toks, _Group(str(v), v, False, i, i))
    if low in TEEN_WORDS:
        return _with_multiplier(toks, _Group(str(TEEN_WORDS[low]), TEEN_WORDS[low], False, i, i))
    if low in DIGIT_WORDS:
        v = DIGIT_WORDS[low]
        # "oh seven" is one two-digit group (07), as in a spoken month or day.
        if v == 0 and i + 1 < n and toks[i + 1].low in DIGIT_WORDS and DIGIT_WORDS[toks[i + 1].low] > 0:
            d = DIGIT_WORDS[toks[i + 1].low]
            return _Group(f"0{d}", d, False, i, i + 1), i + 2
        return _with_multiplier(toks, _Group(str(v), v, False, i, i))
    return None


def _with_multiplier(toks: list[_Tok], g: _Group) -> tuple[_Group, int]:
    """Apply "hundred"/"thousand" after a group: "twelve hundred", "two thousand and five"."""
    j = g.last + 1
    n = len(toks)
    while j < n and toks[j].low in MULTIPLIERS and g.value < 1000:
        g = _Group("", g.value * MULTIPLIERS[toks[j].low], False, g.first, j)
        j += 1
        k = j + 1 if j < n and toks[j].low == "and" else j
        if k < n and (toks[k].low in DIGIT_WORDS or toks[k].low in TEEN_WORDS or toks[k].low in TENS_WORDS):
            nxt = _read_group(toks, k)
            if nxt is not None and nxt[0].value < g.value and not nxt[0].digits.startswith("0"):
                g = _Group("", g.value + nxt[0].value, False, g.first, nxt[0].last)
                j = nxt[1]
        g.digits = str(g.value)
    return g, j


_NUMBER_START = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *REPEATERS, "a"))


def _number_runs(toks: list[_Tok]) -> list[_Run]:
    runs: list[_Run] = []
    i, n = 0, len(toks)
    while i < n:
        low = toks[i].low
        if not (low[0].isdigit() or low in _NUMBER_START) or not _is_number_start(toks, i):
            i += 1
            continue
        got = _read_group(toks, i)
        if got is None:
            i += 1
            continue
        group, j = got
        run = _Run(i, group.last, [group], [])
        while True:
            k, seps = j, []
            while k < n and (toks[k].low in JOINERS or toks[k].low in FILLERS) and len(seps) < 3:
                seps.append(toks[k].low)
                k += 1
            if k >= n or not _is_number_start(toks, k) or toks[k].low == "a":
                break
            if any(s in (".", "dot", "point") for s in seps) and k + 1 < n and False:
                break
            got = _read_group(toks, k)
            if got is None:
                break
            group, j = got
            run.groups.append(group)
            run.seps.append(next((s for s in seps if s in JOINERS), ""))
            run.last = group.last
        runs.append(run)
        i = j
    return runs


# ==== classification ==============================================================================


def _context_label(toks: list[_Tok], first: int, window: int = 9) -> tuple[str | None, bool]:
    """(label of the nearest cue word before token `first`, whether a neutral "number" was seen)."""
    saw_number = False
    for k in range(first - 1, max(-1, first - 1 - window), -1):
        low = toks[k].low
        if low in SENTENCE_END and k + 1 < len(toks) and not toks[k + 1].low[:1].isdigit():
            break
        if low in ("number", "numbers", "digits", "#", "no"):
            saw_number = True
            continue
        label = CONTEXT_WORDS.get(low) or ("ZIP" if low in STREET_SUFFIXES or low == "box" else None)
        if label is not None:
            if label == "SSN" and low == "last" and _any_cue(toks, k + 1, first, {"card", "account"}):
                return "ID", saw_number
            return label, saw_number
    return None, saw_number


def _any_cue(toks: list[_Tok], a: int, b: int, words: set[str]) -> bool:
    return any(toks[k].low in words for k in range(a, b))


def _is_ip(run: _Run) -> bool:
    segments: list[str] = [run.groups[0].digits]
    for sep, g in zip(run.seps, run.groups[1:], strict=True):
        if sep in (".", "dot", "point"):
            segments.append(g.digits)
        else:
            segments[-1] += g.digits
    return len(segments) == 4 and all(s and len(s) <= 3 and int(s) <= 255 for s in segments)


def _year_groups(groups: list[_Group]) -> bool:
    """Do these groups read as a year: 1992, "nineteen ninety-two", "ninety-two", "two thousand five"?"""
    if len(groups) == 1:
        g = groups[0]
        return not g.ordinal and (len(g.digits) == 2 or (len(g.digits) == 4 and 1900 <= g.value <= 2099))
    if len(groups) == 2:
        a, b = groups
        return (a.value in (19, 20) and not b.ordinal and len(b.digits) == 2) or (
            a.value in (19, 20) and b.value < 10
        )
    return False


def _is_numeric_date(run: _Run) -> bool:
    gs = run.groups
    if len(gs) < 3:
        return False
    if gs[0].value >= 1900 and len(gs) == 3 and 1 <= gs[1].value <= 12 and 1 <= gs[2].value <= 31:
        return set(run.seps) <= {"-", "/"}  # ISO 1992-07-14
    month, day = gs[0], gs[1]
    if not (
        1 <= month.value <= 12 and len(month.digits) <= 2 and 1 <= day.value <= 31 and len(day.digits) <= 2
    ):
        return False
    return _year_groups(gs[2:])


def _classify_run(toks: list[_Tok], run: _Run) -> str | None:
    digits = run.digits
    if _is_ip(run) and (len(digits) >= 4):
        return "IP"
    label, saw_number = _context_label(toks, run.first)
    after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
    if label == "NEG" or after in AFTER_NEG:
        return "ID" if len(digits) >= 7 else None
    if label == "DATE":
        if len(run.groups) >= 3 or any(g.ordinal for g in run.groups) or _is_numeric_date(run):
            return "DATE"
        if len(run.groups) == 2 and not _year_groups(run.groups):
            return "DATE"  # "seven fourteen": month and day
        return None
    if _is_numeric_date(run) and label not in ("PHONE", "SSN", "MRN", "ID", "ZIP"):
        return "DATE"
    if label in MIN_DIGITS and label != "DATE":
        if len(digits) >= MIN_DIGITS[label]:
            return label
        return "ID" if len(digits) >= 5 else None
    if saw_number and len(digits) >= 4:
        return "PHONE" if len(digits) in (7, 10, 11) else "ID"
    if len(digits) in (7, 10) or (len(digits) == 11 and digits[0] == "1"):
        return "PHONE"
    if len(digits) == 9 and run.seps == ["-", "-"]:
        return "SSN"
    if len(digits) >= 5:
        return "ID"
    return None


# ==== finders: each returns (start_token, end_token_inclusive, label) or character spans ==========

_Found = tuple[int, int, str]


def _find_numbers(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    found: list[_Found] = []
    for run in runs:
        label = _classify_run(toks, run)
        if label is not None:
            first = _with_prefix_letters(toks, run.first, label)
            if first > 0 and toks[first - 1].text == "(" and label == "PHONE":
                first -= 1
            found.append((first, run.last, "MRN" if _has_mrn_prefix(toks, first, run.first) else label))
    return found


def _with_prefix_letters(toks: list[_Tok], first: int, label: str) -> int:
    """Include letters spoken right before an id ("RCH-104233", "R C H one oh four …", "A 1 2 3 …")."""
    k = first - 1
    if k >= 0 and toks[k].text == "-":
        k -= 1
    start = first
    letters = 0
    while (
        k >= 0
        and toks[k].text.isalpha()
        and toks[k].text.isupper()
        and len(toks[k].text) <= 4
        and letters < 4
        and toks[k].low not in CONTEXT_WORDS
    ):
        if toks[k].low in ("i", "a") and letters == 0 and label not in ("MRN", "ID", "PLATE"):
            break
        start = k
        letters += len(toks[k].text)
        k -= 1
        if k >= 0 and toks[k].text in ("-", "."):
            k -= 1
    return start


def _has_mrn_prefix(toks: list[_Tok], first: int, run_first: int) -> bool:
    return "".join(t.low for t in toks[first:run_first] if t.text.isalpha()) == "rch"


def _find_ages(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    found: list[_Found] = []
    for run in runs:
        if len(run.groups) != 1 or not 90 <= run.groups[0].value <= 125:
            continue
        before = toks[run.first - 1].low if run.first > 0 else ""
        before2 = toks[run.first - 2].low if run.first > 1 else ""
        after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
        after2 = toks[run.last + 2].low if run.last + 2 < len(toks) else ""
        possessive = before.endswith(("'s", "’s")) and before not in ("it's", "that's", "what's", "there's")
        if (
            after in AGE_AFTER
            or (after == "-" and after2 in AGE_AFTER)
            or before in AGE_BEFORE
            or possessive
            or (before2 == "age" and before in ("of", "is"))
        ):
            found.append((run.first, run.last, "AGE"))
    return found


def _find_dates(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    by_first = {r.first: r for r in runs}
    by_last = {r.last: r for r in runs}
    found: list[_Found] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        month = MONTHS.get(tok.low)
        if month is None:
            continue
        start, end = i, i
        # day before: "the third of March", "3 March"
        k = i - 1
        if k >= 0 and toks[k].low == "of":
            k -= 1
        if k >= 0 and k in by_last and by_last[k].groups[-1].value <= 31 and len(by_last[k].groups) == 1:
            start = by_last[k].first
            if start > 0 and toks[start - 1].low == "the":
                start -= 1
        # day and/or year after: "March third, nineteen eighty", "March the 3rd", "March of 1980"
        k = i + 1
        if k < n and toks[k].low in ("the", "of", ","):
            k += 1
        if k < n and k in by_first:
            run = by_first[k]
            if len(run.groups) <= 4 and len(run.digits) <= 8:
                end = run.last
                if len(run.groups) == 1 and run.groups[0].value <= 31:
                    end = _following_year(toks, by_first, run.last, end)
        ambiguous = tok.low in AMBIGUOUS_MONTHS and not (tok.text[0].isupper() and tok.low == "march")
        if start == i and end == i and (ambiguous or (tok.low == "may")):
            continue
        found.append((start, end, "DATE"))
    return found


def _following_year(toks: list[_Tok], by_first: dict[int, _Run], last: int, end: int) -> int:
    k = last + 1
    if k < len(toks) and toks[k].low in (",", "of"):
        k += 1
    run = by_first.get(k)
    if run is not None and _year_groups(run.groups):
        return run.last
    return end


def _find_addresses(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    for run in runs:
        if len(run.digits) > 6 or run.groups[0].ordinal:
            continue
        j = run.last + 1
        words = 0
        while j < n and words < 4 and (_is_word(toks[j]) or toks[j].text == "."):
            if toks[j].low in STREET_SUFFIXES and words >= 1:
                end = _address_tail(toks, runs, j)
                found.append((run.first, end, "ADDRESS"))
                break
            if toks[j].low in NAME_STOP and toks[j].low not in ("north", "south", "east", "west"):
                break
            words += 1 if toks[j].text != "." else 0
            j += 1
    for i, tok in enumerate(toks):
        if tok.low in ("p", "po") and i + 2 < n:
            k = i + 1
            while k < n and toks[k].low in (".", "o"):
                k += 1
            if k < n and toks[k].low == "box":
                run = next((r for r in runs if r.first in (k + 1, k + 2)), None)
                if run is not None:
                    found.append((i, run.last, "ADDRESS"))
    return found


def _address_tail(toks: list[_Tok], runs: list[_Run], suffix: int) -> int:
    """Extend past the street suffix: ". ", unit ("apartment 3B"), then ", City"."""
    end = suffix
    k = end + 1
    if k < len(toks) and toks[k].text == ".":
        k += 1
    if k + 1 < len(toks) and toks[k].text == "," and toks[k + 1].low in UNIT_WORDS:
        k += 1
    if k < len(toks) and toks[k].low in UNIT_WORDS:
        m = k + 1
        if m < len(toks) and toks[m].low in ("number", "#"):
            m += 1
        run = next((r for r in runs if r.first == m), None)
        if run is not None:
            end = run.last
            if end + 1 < len(toks) and len(toks[end + 1].text) == 1 and toks[end + 1].text.isupper():
                end += 1
        elif m < len(toks) and (toks[m].text.isupper() or toks[m].low[:1].isdigit()):
            end = m
        k = end + 1
    if (
        k + 1 < len(toks)
        and toks[k].text == ","
        and _is_cap(toks[k + 1])
        and toks[k + 1].low not in COMMON_CAPITALISED
    ):
        end = k + 1
        if end + 1 < len(toks) and _is_cap(toks[end + 1]) and toks[end + 1].low not in COMMON_CAPITALISED:
            end += 1
    return end


def _find_spelled(toks: list[_Tok]) -> list[_Found]:
    """Three or more single letters in a row: a spelled name, plate or id ("R A H M A N")."""
    found: list[_Found] = []
    n, i = len(toks), 0
    while i < n:
        if not _single_letter(toks[i]):
            i += 1
            continue
        j, last, count = i, i, 0
        while j < n:
            if _single_letter(toks[j]):
                last, count = j, count + 1
                j += 1
            elif toks[j].text in ("-", ".", ",") and j + 1 < n and _single_letter(toks[j + 1]):
                j += 1
            else:
                break
        if count >= 3 and not all(toks[k].low in ("a", "i") for k in range(i, last + 1) if _is_word(toks[k])):
            label, _ = _context_label(toks, i, window=6)
            found.append((i, last, label if label in ("PLATE", "MRN", "ID") else "NAME"))
        i = last + 1
    return found


def _single_letter(tok: _Tok) -> bool:
    return len(tok.text) == 1 and tok.text.isalpha()


def _find_codes(toks: list[_Tok]) -> list[_Found]:
    """Spoken codes mixing letters and digits: "W 1 2 3 4 5", "P X four four seven", "B C S 7 7 1"."""
    found: list[_Found] = []
    n, i = len(toks), 0
    while i < n:
        if not _code_piece(toks[i]):
            i += 1
            continue
        j, letters, digits = i, 0, 0
        while j < n and _code_piece(toks[j]):
            if toks[j].text[:1].isalpha() and not _is_number_word(toks[j]):
                letters += len(toks[j].text)
            else:
                digits += len(toks[j].text) if toks[j].text.isdigit() else 1
            j += 1
            if j + 1 < n and toks[j].text == "-" and _code_piece(toks[j + 1]):
                j += 1
        if letters >= 1 and digits >= 2 and letters + digits >= 5:
            label, _ = _context_label(toks, i, window=6)
            found.append((i, j - 1, label if label in ("PLATE", "MRN", "ID", "SSN") else "ID"))
        i = j
    return found


def _code_piece(tok: _Tok) -> bool:
    t = tok.text
    if t.isdigit() or (tok.low in DIGIT_WORDS and tok.low != "o"):
        return True
    if tok.low in CONTEXT_WORDS or t in ("I", "A"):
        return False
    return t.isalpha() and t.isupper() and len(t) <= 4


def _find_plates(toks: list[_Tok]) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        if tok.low not in ("plate", "plates", "tag"):
            continue
        k = i + 1
        while k < n and toks[k].low in ("is", "number", "reads", "says", ":", "it's", "of", "my", "was"):
            k += 1
        first, chars = k, 0
        while k < n and chars < 9 and _plate_piece(toks[k]):
            chars += len(toks[k].text) if not _is_number_word(toks[k]) else 1
            k += 1
        if chars >= 4:
            found.append((first, k - 1, "PLATE"))
    return found


def _plate_piece(tok: _Tok) -> bool:
    return (
        tok.text.isdigit()
        or _is_number_word(tok)
        or (tok.text.isalnum() and tok.text.isupper())
        or (len(tok.text) == 1 and tok.text.isalpha())
    )


def _is_number_word(tok: _Tok) -> bool:
    return tok.low in DIGIT_WORDS or tok.low in TEEN_WORDS or tok.low in TENS_WORDS


def _find_emails(toks: list[_Tok]) -> list[_Found]:
    """Spoken emails: "maria dot g at example dot com"."""
    found: list[_Found] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        if tok.low != "at" or i == 0:
            continue
        end = _email_domain_end(toks, i + 1)
        if end is None:
            continue
        start = i
        k = i - 1
        steps = 0
        while k >= 0 and steps < 8 and toks[k].low not in EMAIL_STOP and toks[k].low not in SENTENCE_END:
            start = k
            steps += 1
            k -= 1
        if start < i:
            found.append((start, end, "EMAIL"))
    del n
    return found


def _email_domain_end(toks: list[_Tok], k: int) -> int | None:
    n = len(toks)
    if k >= n or not toks[k].text.isalnum():
        return None
    end, parts = k, 1
    while end + 2 < n and toks[end + 1].low in ("dot", ".") and toks[end + 2].text.isalnum():
        end += 2
        parts += 1
    if parts >= 2 and toks[end].low in EMAIL_TLDS:
        return end
    return None


# ---- names ---------------------------------------------------------------------------------------


class KnownNames:
    """Names the site knows (its patients, guardians, the verified caller), indexed once.

    Build one per call (or per site refresh) and pass it to `redact` instead of a plain list when
    there are many names: lookup is then a set test per word, whatever the number of names. A
    full name matches anywhere; a single part (a surname alone) matches unless it is an everyday
    word ("will", "may"), which would otherwise vanish from every transcript.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.full: dict[str, list[tuple[str, ...]]] = {}
        parts: set[str] = set()
        for name in names:
            words = tuple(_GATE_WORD.findall(name.lower()))
            if not words:
                continue
            self.full.setdefault(words[0], []).append(words)
            parts.update(w for w in words if len(w) >= 3)
        self.parts = frozenset(parts - _EVERYDAY_WORDS)
        self.all_words = frozenset(self.full) | self.parts

    def find(self, text: str, low: str) -> list[Span]:
        matches = list(_GATE_WORD.finditer(low))
        spans: list[Span] = []
        i, n = 0, len(matches)
        while i < n:
            word = matches[i].group()
            length = self._full_match(text, matches, i)
            if length:
                spans.append(Span(matches[i].start(), matches[i + length - 1].end(), "NAME"))
                i += length
                continue
            if word in self.parts:
                spans.append(Span(matches[i].start(), matches[i].end(), "NAME"))
            i += 1
        return _join_adjacent(text, spans)

    def _full_match(self, text: str, matches: list[re.Match[str]], i: int) -> int:
        for words in self.full.get(matches[i].group(), ()):
            m = len(words)
            if m > 1 and i + m <= len(matches) and all(matches[i + j].group() == words[j] for j in range(m)):
                # "Will Grant" is a name, "will grant" a verb phrase: everyday words need capitals.
                if all(w in _EVERYDAY_WORDS for w in words) and not all(
                    text[matches[i + j].start()].isupper() for j in range(m)
                ):
                    continue
                return m
        return 0


def _join_adjacent(text: str, spans: list[Span]) -> list[Span]:
    """ "Okonkwo-Hale", "Maria Gonzalez" found as parts: one span when only spaces or a hyphen part them."""
    out: list[Span] = []
    for s in spans:
        if out and text[out[-1].end : s.start].strip(" -") == "":
            out[-1] = Span(out[-1].start, s.end, "NAME")
        else:
            out.append(s)
    return out


@lru_cache(maxsize=64)
def _known_index(names: tuple[str, ...]) -> KnownNames:
    return KnownNames(names)


def _find_known_names(text: str, low: str, known: Iterable[str] | KnownNames, words: set[str]) -> list[Span]:
    if not isinstance(known, KnownNames):
        names = tuple(known)
        if not names:
            return []
        known = _known_index(names)
    if words.isdisjoint(known.all_words):
        return []
    return known.find(text, low)


def _find_context_names(toks: list[_Tok]) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    for i in range(n):
        low = toks[i].low
        if low not in _CUE_LAST_WORDS and low not in RELATIVES and low != ".":
            continue
        strong = _cue_ends_at(toks, i, STRONG_NAME_CUES)
        weak = not strong and (_cue_ends_at(toks, i, WEAK_NAME_CUES) or _relative_cue(toks, i))
        if not (strong or weak):
            continue
        k = i + 1
        if k < n and toks[k].text in (",", ":", "-"):
            k += 1
        first, words = k, 0
        while (
            k < n and words < 3 and _name_word(toks[k], need_cap=weak or (words > 0 and _is_cap(toks[first])))
        ):
            words += 1
            k += 1
            if k + 1 < n and toks[k].text == "-" and _name_word(toks[k + 1], need_cap=False):
                k += 1
        if words:
            found.append((first, k - 1, "NAME"))
    return found


_CUE_LAST_WORDS = frozenset(c[-1] for c in STRONG_NAME_CUES + WEAK_NAME_CUES)
_CUES_BY_LAST: dict[int, dict[str, tuple[tuple[str, ...], ...]]] = {}
for _group in (STRONG_NAME_CUES, WEAK_NAME_CUES):
    _index: dict[str, list[tuple[str, ...]]] = {}
    for _cue in _group:
        _index.setdefault(_cue[-1], []).append(_cue)
    _CUES_BY_LAST[id(_group)] = {k: tuple(v) for k, v in _index.items()}


def _cue_ends_at(toks: list[_Tok], i: int, cues: tuple[tuple[str, ...], ...]) -> bool:
    for cue in _CUES_BY_LAST[id(cues)].get(toks[i].low, ()):
        m = len(cue)
        if i + 1 >= m and all(toks[i - m + 1 + j].low == cue[j] for j in range(m)):
            if cue in (("mr",), ("mrs",), ("ms",)) and i + 1 < len(toks) and toks[i + 1].text == ".":
                continue
            return True
    # "Mrs. Novak": the cue ends at the dot
    return toks[i].text == "." and i > 0 and toks[i - 1].low in ("mr", "mrs", "ms") and cues is WEAK_NAME_CUES


def _relative_cue(toks: list[_Tok], i: int) -> bool:
    return (
        toks[i].low in RELATIVES and i > 0 and toks[i - 1].low in ("my", "our", "his", "her", "their", "your")
    )


def _name_word(tok: _Tok, need_cap: bool) -> bool:
    if not tok.text.isalpha() and not re.fullmatch(r"[A-Za-z]+['’][A-Za-z]+", tok.text):
        return False
    if tok.low in NAME_STOP or tok.low in DIGIT_WORDS or tok.low in MONTHS or tok.low in RELATIVES:
        return False
    if need_cap:
        return _is_cap(tok) and tok.low not in COMMON_CAPITALISED
    return len(tok.text) > 1


def _find_capitalised_names(toks: list[_Tok]) -> list[_Found]:
    """Two or three capitalised words in a row that are not everyday or site words: a full name."""
    found: list[_Found] = []
    n, i = len(toks), 0
    while i < n:
        j = i
        while j < n and _is_cap(toks[j]) and toks[j].text.isalpha() and len(toks[j].text) > 1:
            if toks[j].low in COMMON_CAPITALISED or toks[j].low in MONTHS or toks[j].low in STREET_SUFFIXES:
                break
            j += 1
        staff = i > 0 and (
            toks[i - 1].low in STAFF_TITLES
            or (toks[i - 1].text == "." and i > 1 and toks[i - 2].low in STAFF_TITLES)
        )
        if j - i >= 2 and not staff:
            found.append((i, j - 1, "NAME"))
        i = max(j, i + 1)
    return found


def _drop_staff(toks: list[_Tok], spans: list[_Found]) -> list[_Found]:
    """A name right after "Dr." is a provider: staff names are not PHI."""
    kept = []
    for a, b, label in spans:
        if label == "NAME" and a > 0:
            prev = toks[a - 1]
            prev2 = toks[a - 2] if a > 1 else None
            if prev.low in STAFF_TITLES or (
                prev.text == "." and prev2 is not None and prev2.low in STAFF_TITLES
            ):
                continue
        kept.append((a, b, label))
    return kept


# ==== assembly ====================================================================================

_PRIORITY = {
    "EMAIL": 5, "IP": 5, "ADDRESS": 4, "DATE": 4, "SSN": 4, "MRN": 4, "PHONE": 3,
    "ZIP": 3, "PLATE": 3, "AGE": 3, "ID": 2, "NAME": 1,
}  # fmt: skip


def find_spans(text: str, known_names: Iterable[str] | KnownNames = ()) -> list[Span]:
    """Every identifier span in `text`, merged so that none overlap, in order."""
    low = text.lower()
    words = set(_GATE_WORD.findall(low))
    spans = _find_known_names(text, low, known_names, words)
    has_digit = _DIGIT.search(text) is not None
    numberish = has_digit or not words.isdisjoint(_NUMBER_VOCAB)
    months = not words.isdisjoint(MONTHS)
    email = "@" in text or ("at" in words and ("dot" in words or "." in text))
    caps = _CAPITAL_AFTER_WORD.search(text) is not None
    letters = not words.isdisjoint(_SINGLE_LETTERS) or _SHORT_CAPS.search(text) is not None
    strong = not words.isdisjoint(_STRONG_GATE)
    plates = not words.isdisjoint(("plate", "plates", "tag"))
    if not (numberish or months or email or caps or letters or strong or plates):
        return _merge(spans)  # the common case: nothing here could be an identifier
    toks = _tokens(text, low)
    runs = _number_runs(toks) if numberish else []
    found: list[_Found] = []
    if runs:
        found += _find_numbers(toks, runs)
        found += _find_ages(toks, runs)
        found += _find_addresses(toks, runs)
    if months:
        found += _find_dates(toks, runs)
    if email:
        found += _find_emails(toks)
    if plates:
        found += _find_plates(toks)
    if letters:
        found += _find_codes(toks)
        found += _find_spelled(toks)
    names = _find_context_names(toks) if strong or caps else []
    if caps and _CAPITALISED_PAIR.search(text):
        names += _find_capitalised_names(toks)
    found += _drop_staff(toks, names)
    spans += [Span(toks[a].start, toks[b].end, label) for a, b, label in found if a <= b]
    if "@" in text or has_digit:
        for label, pattern in WRITTEN_PATTERNS:
            spans += [Span(m.start(), m.end(), label) for m in pattern.finditer(text)]
    return _merge(spans)


# Cheap gates, computed once per text with set operations, that decide which finders can matter.
_GATE_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_NUMBER_VOCAB = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *MULTIPLIERS))
_SINGLE_LETTERS = frozenset("bcdefghjklmnopqrstuvwxyz")
_SHORT_CAPS = re.compile(r"\b[A-Z]{2,4}\b")
_STRONG_GATE = frozenset(("name", "named", "called", "surname", "spelled", "spell", "spelling"))
_CAPITAL_AFTER_WORD = re.compile(r"\w[\s,]+[A-Z]|^[A-Z][a-z]+\s+[A-Z]")
_CAPITALISED_PAIR = re.compile(r"\b[A-Z][a-z]+\s+[A-Z][a-z]")


def _merge(spans: list[Span]) -> list[Span]:
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    best: list[Span] = []
    for s in spans:
        if merged and s.start < merged[-1].end:
            last = merged[-1]
            best.append(s)
            merged[-1] = Span(last.start, max(last.end, s.end), _pick_label(best))
        else:
            merged.append(s)
            best = [s]
    return merged


def _pick_label(spans: list[Span]) -> str:
    return max(spans, key=lambda s: (_PRIORITY[s.label], s.end - s.start)).label


def redact(text: str, known_names: Iterable[str] | KnownNames = ()) -> Redaction:
    """The text with every identifier replaced by "[LABEL]", and the spans (offsets into `text`)."""
    spans = find_spans(text, known_names)
    out: list[str] = []
    pos = 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(f"[{s.label}]")
        pos = s.end
    out.append(text[pos:])
    return Redaction("".join(out), tuple(spans))
