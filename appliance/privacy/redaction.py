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

Speed (issue 6: at least 1 MB of text per second on one core): cheap gates on the whole text
(set operations on its words, a few regex searches) skip the finders that cannot match; the text
is tokenized once, with map() over C functions; each finder starts only from its cue tokens, found
through an index of where each word occurs (_Index), instead of walking every token in Python;
patterns that would be tried at every character are narrowed to the few places they can match
(_find_written). Every such shortcut gives exactly the spans the plain scan gave.
bench/redaction.py prints the figures.

All patterns and word lists live in this module, in the PATTERNS / vocabulary section below.
Labels: NAME DATE AGE PHONE EMAIL ADDRESS ZIP MRN SSN ID PLATE IP.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice, repeat
from typing import NamedTuple, Protocol

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

# A letter of any script with its combining marks ("é" written as e + U+0301, "ọ̀"): names with
# diacritics are one token, not a word cut at every accent.
# (Written as a run of letters that combining marks may follow: the common case is one class scan.)
_LETTERS = r"[^\W\d_]+(?:[\u0300-\u036f]+[^\W\d_]*)*"
TOKEN_RE = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*|\d+(?:st|nd|rd|th)?|…|\.\.\.|[^\s\w]|_")
# One word token (letters, apostrophes inside): what str.isalpha() says, but combining marks count.
_WORD_TOKEN = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*")

WRITTEN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("EMAIL", re.compile(r"[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    ("SSN", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("MRN", re.compile(r"\bRCH[- ]?\d{5,7}\b", re.IGNORECASE)),
    ("ID", re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}\b")),  # mixed letters+digits
    # hyphenated codes with letters and at least three digits: "1EG4-TE5-MK72"
    ("ID", re.compile(r"\b(?=(?:[A-Za-z-]*\d){3})(?=[\d-]*[A-Za-z])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b")),
)

# Web addresses: "https://example.net/u/52", "www.example.org/ana-photos", "example.com/ana".
URL_PATTERN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)]"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|io|us|info|co|biz|me)/[^\s<>\"]*[^\s<>\".,;:!?)]",
    re.IGNORECASE,
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
    "extension": "NEG", "ext": "NEG", "floor": "NEG", "suite": "NEG", "building": "NEG",
    "$": "NEG", "bed": "NEG", "dollars": "NEG", "page": "NEG",
}  # fmt: skip
# A number right after one of these is where a patient is: "Room 412", "room four twelve", "bed 7".
ROOM_WORDS = {"room", "rm", "bed", "ward", "bay", "apartment", "apt", "unit", "flat"}
# Words that say the number before them was a year of birth, when said alone: "born in 1952".
BIRTH_WORDS = {"born", "birth", "dob", "birthdate", "b"}
EXTENSION_WORDS = {"extension", "ext", "x"}
MIN_DIGITS = {"SSN": 4, "MRN": 4, "ID": 4, "PHONE": 7, "ZIP": 5, "IP": 4, "PLATE": 3, "DATE": 3}
AFTER_NEG = {"dollars", "dollar", "bucks", "cents", "percent", "minutes", "minute", "hours", "hour",
             "o'clock", "am", "pm", "mg", "milligrams", "pounds", "lbs", "units", "times", "calories",
             "steps", "miles", "feet"}  # fmt: skip
SENTENCE_END = {".", "?", "!"}

# A weekday before "the" and a day of the month makes it a date: "Friday the 3rd".
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon",
            "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"}  # fmt: skip


AGE_BEFORE = {"age", "aged", "i'm", "im", "she's", "he's", "turned", "turning", "turns", "turn", "am", "is",
              "be", "nearly", "almost"}  # fmt: skip
AGE_AFTER = {"years", "year", "yrs", "yo"}

STREET_SUFFIXES = {
    "street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "ln", "drive", "dr",
    "crescent", "close", "mews", "grove", "green", "walk", "gate", "heights", "rise", "crossing",
    "court", "ct", "way", "place", "pl", "circle", "cir", "terrace", "parkway", "pkwy", "highway",
    "hwy", "trail", "square", "loop", "pike", "row",
}  # fmt: skip
# Last words of a place where someone lives or stays: "Maplewood Gardens", "Cedar Hollow Care Home".
RESIDENCE_WORDS = {
    "manor", "house", "home", "lodge", "residence", "residences", "gardens", "hall", "village",
    "towers", "villa", "cottage", "cottages", "estate", "hospice", "apartments", "flats", "mansions",
    "centre", "center", "ward", "wing",
}  # fmt: skip
# Words that make a lower-case phrase a care facility ("the rosewood care home"): the recognizer
# prints no capitals to find it by.
CARE_WORDS = {"care", "nursing", "retirement", "assisted", "living", "residential", "sheltered"}
# Residence words that name a place on their own, lower case, after "the" ("the elmsleigh hospice").
CARE_PLACES = {"hospice", "residence", "lodge", "manor"}
# Words right before a town or place: "lives in X", "from X", "resident of X".
PLACE_CUES = {"from", "near", "outside"}
PLACE_CUE_PAIRS = {
    ("in", w) for w in ("live", "lives", "living", "lived", "stays", "staying", "based", "over", "out",
                        "up", "down", "back", "moved", "born", "raised", "grew")
} | {("of", "resident"), ("to", "moved"), ("to", "moving"), ("at", "lives"), ("at", "live"),
     ("at", "staying"), ("at", "stays"), ("into", "moved"), ("at", "is"), ("at", "she's"), ("at", "he's"),
     ("in", "she's"), ("in", "he's"), ("in", "i'm"), ("in", "we're"), ("in", "they're"), ("in", "us"),
     ("in", "me"), ("in", "them"), ("in", "home")}  # fmt: skip
# Lower-case particles inside a name: "Ferreira da Silva", "van der Berghe", "Ó Briain".
NAME_PARTICLES = {
    "de", "la", "le", "del", "della", "di", "da", "das", "do", "dos", "du", "van", "von", "der",
    "den", "ter", "ten", "bin", "ibn", "bint", "al", "el", "mac", "mc", "ó", "ní", "nic", "ua", "y",
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
    ("name", ":"),
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


class _Tok(NamedTuple):
    text: str
    low: str
    match: re.Match[str]

    @property
    def start(self) -> int:
        return self.match.start()

    @property
    def end(self) -> int:
        return self.match.end()


def _tokens(text: str) -> tuple[list[_Tok], list[str]]:
    """The tokens of `text`, and their lowered forms."""
    # Built with map() over C functions, not a Python loop: tokenizing was the largest single cost.
    # Offsets are asked of the match only for the few tokens that end up in a span. A token is
    # lowered on its own: that differs from slicing text.lower() only for a lone "Σ" (final
    # sigma), which is no vocabulary word either way.
    matches = list(TOKEN_RE.finditer(text))
    texts = list(map(re.Match.group, matches))
    lows = list(map(str.lower, texts))
    return list(map(tuple.__new__, repeat(_Tok), zip(texts, lows, matches, strict=True))), lows


class _Index:
    """Where each lowered token occurs, built once per text, and where each finder may start.

    Finders visit only their cue tokens instead of walking every token in Python, which is what
    made long transcripts slow. Each kind of cue is gathered from the distinct words only when a
    finder asks for it (the gates in find_spans skip most finders on most texts).
    """

    __slots__ = ("items", "where")

    def __init__(self, lows: list[str]) -> None:
        where: defaultdict[str, list[int]] = defaultdict(list)
        for i, low in enumerate(lows):
            where[low].append(i)
        self.where = where
        self.items = where.items()

    def positions(self, words: Iterable[str]) -> list[int]:
        """Token indexes, in order, of every occurrence of these few (lowered) words (do not modify)."""
        where = self.where
        return _in_order([where[w] for w in words if w in where])

    def number_starts(self) -> list[int]:
        """Numerals and the words that can start a spoken number."""
        return _in_order([v for k, v in self.items if k in _NUMBER_START or k[0].isdecimal()])

    def single_letters(self) -> list[int]:
        """Tokens that may be single letters (checked by the caller: "İ" lowers to two characters)."""
        return _in_order([v for k, v in self.items if (len(k) == 1 and k.isalpha()) or not k.isascii()])

    def short_words(self) -> list[int]:
        """Words of at most four letters, and one-character non-ASCII tokens."""
        return _in_order([v for k, v in self.items if (len(k) <= 4 and k.isalpha()) or not k.isascii()])

    def capitalisable(self) -> list[int]:
        """Words of two letters or more, without apostrophes, that are not everyday or site words."""
        skip = _NOT_NAME_CAPS
        found = [
            v
            for k, v in self.items
            if len(k) > 1 and k not in skip and (k.isalpha() if k.isascii() else _WORD_TOKEN.fullmatch(k))
        ]
        return _in_order(found)

    def months(self) -> list[int]:
        return _in_order([v for k, v in self.items if k in MONTHS])

    def name_cues(self) -> list[int]:
        """Last words of a name cue ("my name is"), and relatives ("my daughter")."""
        return _in_order([v for k, v in self.items if k in _CONTEXT_NAME_TRIGGERS])


def _in_order(lists: list[list[int]]) -> list[int]:
    if len(lists) == 1:
        return lists[0]
    return sorted(chain.from_iterable(lists))


def _is_cap(tok: _Tok) -> bool:
    return tok.text[:1].isupper() and tok.text[:1].isalpha()


def _is_word(tok: _Tok) -> bool:
    return tok.text[:1].isalpha()


# ==== number runs =================================================================================


@dataclass(slots=True)
class _Group:
    digits: str
    value: int
    ordinal: bool
    first: int  # token indexes, inclusive
    last: int


@dataclass(slots=True)
class _Run:
    first: int
    last: int
    groups: list[_Group]
    seps: list[str]  # separator before each group after the first ("" when adjacent)
    digits: str = ""  # all the groups' digits, set once the run is complete


def _numeral_ordinal(low: str) -> int | None:
    if low.isdecimal():
        return None
    m = _NUMERAL_ORDINAL.fullmatch(low)
    return int(m.group(1)) if m else None


_NUMERAL_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)")


def _is_number_start(toks: list[_Tok], i: int) -> bool:
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


def _next_is_number(toks: list[_Tok], i: int) -> bool:
    return i + 1 < len(toks) and (toks[i + 1].low[:1].isdecimal() or toks[i + 1].low in DIGIT_WORDS)


def _read_group(toks: list[_Tok], i: int) -> tuple[_Group, int] | None:
    """One number group starting at token i; returns it and the index after it."""
    n = len(toks)
    low = toks[i].low
    kind = _NUMBER_WORD_KIND.get(low)
    if kind is None:
        if low[:1].isdecimal():  # not isdigit: "²" is a digit that int() refuses
            ordv = _numeral_ordinal(low)
            if ordv is not None:
                return _Group(str(ordv), ordv, True, i, i), i + 1
            return _with_multiplier(toks, _Group(low, int(low), False, i, i))
        if low == "a":
            return _with_multiplier(toks, _Group("1", 1, False, i, i))
        return None
    if kind == _REPEATER:
        if i + 1 < n and toks[i + 1].low in DIGIT_WORDS:
            d = str(DIGIT_WORDS[toks[i + 1].low])
            return _Group(d * REPEATERS[low], int(d), False, i, i + 1), i + 2
        return None
    if kind == _ORDINAL:
        v = ORDINAL_WORDS[low]
        return _Group(str(v), v, True, i, i), i + 1
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
            return _with_multiplier(toks, _Group(str(v), v, False, i, j))
        if j < n and toks[j].low in ORDINAL_WORDS and ORDINAL_WORDS[toks[j].low] < 10:
            v += ORDINAL_WORDS[toks[j].low]
            return _Group(str(v), v, True, i, j), j + 1
        return _with_multiplier(toks, _Group(str(v), v, False, i, i))
    if kind == _TEEN:
        return _with_multiplier(toks, _Group(str(TEEN_WORDS[low]), TEEN_WORDS[low], False, i, i))
    if kind == _DIGIT_WORD:
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


# The word lists are disjoint, so one lookup says which a word is.
_DIGIT_WORD, _TEEN, _TENS, _ORDINAL, _REPEATER = range(5)
_NUMBER_WORD_KIND = {
    **dict.fromkeys(DIGIT_WORDS, _DIGIT_WORD),
    **dict.fromkeys(TEEN_WORDS, _TEEN),
    **dict.fromkeys(TENS_WORDS, _TENS),
    **dict.fromkeys(ORDINAL_WORDS, _ORDINAL),
    **dict.fromkeys(REPEATERS, _REPEATER),
}
_NUMBER_START = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *REPEATERS, "a"))
_SEPARATORS = frozenset(JOINERS | FILLERS)


def _number_runs(toks: list[_Tok], lows: list[str], index: _Index) -> list[_Run]:
    runs: list[_Run] = []
    n, j_done = len(toks), 0
    for i in index.number_starts():
        if i < j_done or not _is_number_start(toks, i):
            continue
        got = _read_group(toks, i)
        if got is None:
            continue
        group, j = got
        run = _Run(i, group.last, [group], [])
        while True:
            k, seps = j, []
            while k < n and lows[k] in _SEPARATORS and len(seps) < 3:
                seps.append(lows[k])
                k += 1
            if k >= n or lows[k] == "a" or not (lows[k] in _NUMBER_START or lows[k][0].isdecimal()):
                break  # the common end of a run: a word, checked without a call
            if _line_break_between(toks, j - 1, k):
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


# ==== classification ==============================================================================


def _context_label(toks: list[_Tok], first: int, window: int = 9) -> tuple[str | None, bool]:
    """(label of the nearest cue word before token `first`, whether a neutral "number" was seen)."""
    saw_number = False
    roles = _CONTEXT_ROLES
    # a cue on the line before (another turn of a transcript) says nothing about this number
    line_start = toks[first].match.string.rfind("\n", 0, toks[first].start) if first else -1
    for k in range(first - 1, max(-1, first - 1 - window), -1):
        if toks[k].start < line_start:
            break
        low = toks[k].low
        role = roles.get(low)
        if role is None:
            if low == "b" and _spelled_word_ends(toks, k, "dob"):
                return "DATE", saw_number  # "d o b one two …", "D.O.B."
            continue
        if role == _END:
            if not toks[k + 1].low[:1].isdigit():  # "... 3.5" is no sentence end
                break
        elif role == _NEUTRAL:
            saw_number = True
        else:
            if role == "SSN" and low == "last" and _any_cue(toks, k + 1, first, {"card", "account"}):
                return "ID", saw_number
            return role, saw_number
    return None, saw_number


def _spelled_word_ends(toks: list[_Tok], k: int, word: str) -> bool:
    """Do the single letters ending at token k (dots between them allowed) spell `word`?"""
    for letter in reversed(word):
        while k >= 0 and toks[k].text == ".":
            k -= 1
        if k < 0 or toks[k].low != letter:
            return False
        k -= 1
    return True


def _context_roles() -> dict[str, str]:
    """What a word before a number says about it, in the order _context_label used to ask."""
    roles = dict.fromkeys((*STREET_SUFFIXES, "box"), "ZIP")
    roles.update(CONTEXT_WORDS)
    roles.update(dict.fromkeys(("number", "numbers", "digits", "#", "no"), _NEUTRAL))
    roles.update(dict.fromkeys(SENTENCE_END, _END))
    return roles


_END, _NEUTRAL = "end of sentence", "neutral"
_CONTEXT_ROLES = _context_roles()


def _line_break_between(toks: list[_Tok], a: int, b: int) -> bool:
    """Is there a line break between the end of token a and the start of token b?"""
    ta, tb = toks[a].match, toks[b].match
    return ta.string.find("\n", ta.end(), tb.start()) >= 0


def _any_cue(toks: list[_Tok], a: int, b: int, words: set[str]) -> bool:
    return any(toks[k].low in words for k in range(a, b))


def _is_ip(run: _Run) -> bool:
    if len(run.groups) < 4:
        return False
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
    before = toks[run.first - 1].low if run.first else ""
    near_room = (before in ROOM_WORDS or before in _ROOM_SKIPS) and _after_word(toks, run.first, ROOM_WORDS)
    if near_room and len(digits) <= 5:
        return "ADDRESS"
    label, saw_number = _context_label(toks, run.first)
    after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
    if label == "NEG" or after in AFTER_NEG:
        return "ID" if len(digits) >= 7 else None
    if label == "DATE":
        if len(run.groups) >= 3 or any(g.ordinal for g in run.groups) or _is_numeric_date(run):
            return "DATE"
        if _year_groups(run.groups) and _birth_cue_near(toks, run.first):
            return "DATE"  # a year of birth said alone: "born in nineteen fifty-two", "DOB 1952"
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


_ROOM_SKIPS = frozenset(("number", "#", "no", ".", ":"))


def _after_word(toks: list[_Tok], first: int, words: set[str]) -> bool:
    """Is the token before `first` (past "number", "#", "no", ".") one of `words`?"""
    k = first - 1
    while k >= 0 and toks[k].low in _ROOM_SKIPS:
        k -= 1
    return k >= 0 and toks[k].low in words


def _birth_cue_near(toks: list[_Tok], first: int) -> bool:
    return any(toks[k].low in BIRTH_WORDS for k in range(max(0, first - 4), first))


# ==== finders: each returns (start_token, end_token_inclusive, label) or character spans ==========

_Found = tuple[int, int, str]  # token indexes
_Raw = tuple[int, int, str]  # character offsets, before merging


def _find_numbers(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    found: list[_Found] = []
    for run in runs:
        label = _classify_run(toks, run)
        if label is None and found and found[-1][2] == "PHONE" and _is_extension_of(toks, found[-1][1], run):
            found[-1] = (found[-1][0], run.last, "PHONE")  # "555-0175 extension 214", "x214"
            continue
        if label is not None:
            first = _with_prefix_letters(toks, run.first, label)
            if first > 0 and toks[first - 1].text == "(" and label == "PHONE":
                first -= 1
            if label in ("PHONE", "ID"):
                first = _with_phone_prefix(toks, first)
            last = run.last
            if label == "ADDRESS":  # "Room 412": the word that says what the number is
                while first > 0 and toks[first - 1].low not in ROOM_WORDS:
                    first -= 1
                first -= 1
                nxt = toks[last + 1] if last + 1 < len(toks) else None
                if nxt is not None and _room_letter(nxt):
                    last += 1  # "Ward 4B", "apartment 5C", "apartment five c"
                elif nxt is not None and nxt.low in _COMPASS:
                    last += 1  # "room 5 North"
            found.append((first, last, "MRN" if _has_mrn_prefix(toks, first, run.first) else label))
    return found


def _is_number_or_digits(tok: _Tok) -> bool:
    return tok.low[:1].isdigit() or _is_number_word(tok)


_COMPASS = frozenset(("north", "south", "east", "west"))


def _room_letter(tok: _Tok) -> bool:
    return (len(tok.text) == 1 and tok.text.isalpha() and tok.low not in ("i", "a")) or tok.text == "A"


def _find_room_letters(toks: list[_Tok], index: _Index) -> list[_Found]:
    """A ward, bay or bed named by a letter: "ward C", "bay d"."""
    found: list[_Found] = []
    n = len(toks)
    for i in index.positions(("ward", "bay", "bed", "room", "wing")):
        if i + 1 < n and _room_letter(toks[i + 1]) and not (i + 2 < n and toks[i + 2].low in ("as", "and")):
            found.append((i, i + 1, "ADDRESS"))
    return found


def _find_care_places(toks: list[_Tok], index: _Index) -> list[_Found]:
    """A care facility or street said in lower case: "the rosewood care home", "thistledown
    retirement village", "the elmsleigh hospice", "at clementine court". Its own name is one to
    three words before the generic ones; a street needs a word that places someone there."""
    found: list[_Found] = []
    for j in index.positions(RESIDENCE_WORDS | STREET_SUFFIXES):
        street = toks[j].low in STREET_SUFFIXES and toks[j].low not in RESIDENCE_WORDS
        if street and toks[j].text[0].isupper():
            continue  # capitalised streets are found as phrases
        k, generic, named = j - 1, street or toks[j].low in CARE_PLACES, 0
        while k >= 0 and j - k <= 5 and _is_word(toks[k]):
            low = toks[k].low
            if low in CARE_WORDS:
                generic = True
            elif low in NAME_STOP or low in COMMON_CAPITALISED or low in _NUMBER_VOCAB or low in RELATIVES:
                break
            else:
                named += 1
            k -= 1
        if not (generic and named):
            continue
        if street and named > 2:
            continue
        first = k + 1
        if k >= 0 and toks[k].low == "the" and not street:
            first = k
        elif k >= 1 and toks[k].text == "," and _is_number_or_digits(toks[k - 1]):
            pass  # "flat 2, larkhill court"
        elif not (k >= 0 and toks[k].low in ("at", "in", "into", "to", "from", "on")):
            continue  # a place is where someone is: "at …", "in …", "the …"
        found.append((first, j, "ADDRESS"))
    return found


def _is_extension_of(toks: list[_Tok], phone_last: int, run: _Run) -> bool:
    """Only an extension word (and dots, commas, "number") between a phone number and this run."""
    between = [t.low for t in toks[phone_last + 1 : run.first]]
    return bool(between) and between[0] in EXTENSION_WORDS and set(between[1:]) <= {".", ",", "number", "#"}


def _with_phone_prefix(toks: list[_Tok], first: int) -> int:
    """ "plus four four …", "+44 …", "area code five five five …": the words that open a number."""
    k = first - 1
    if k >= 0 and toks[k].low in ("plus", "+"):
        return k
    if k >= 1 and toks[k].low == "code" and toks[k - 1].low == "area":
        return k - 1
    return first


def _with_prefix_letters(toks: list[_Tok], first: int, label: str) -> int:
    """Include letters spoken right before an id ("RCH-104233", "R C H one oh four …", "A 1 2 3 …")."""
    k = first - 1
    if k >= 0 and toks[k].low in ("-", "dash", "hyphen"):
        k -= 1
    start = first
    letters = 0
    while (
        k >= 0
        and toks[k].text.isalpha()
        and (
            (toks[k].text.isupper() and len(toks[k].text) <= 4)
            # "r c h dash one oh four …": letters spelled one by one, in lower case as ASR writes them
            or (len(toks[k].text) == 1 and label in ("MRN", "ID", "PLATE", "SSN"))
        )
        and letters < 4
        and toks[k].low not in CONTEXT_WORDS
    ):
        if toks[k].low in ("i", "a") and letters == 0 and label not in ("MRN", "ID", "PLATE"):
            break
        start = k
        letters += len(toks[k].text)
        k -= 1
        if k >= 0 and toks[k].low in ("-", ".", "dash"):
            k -= 1
    return start


def _has_mrn_prefix(toks: list[_Tok], first: int, run_first: int) -> bool:
    return "".join(t.low for t in toks[first:run_first] if t.text.isalpha()) == "rch"


def _find_ages(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    found: list[_Found] = []
    for run in runs:
        if not 90 <= _age_value(run) <= 125:
            continue
        before = toks[run.first - 1].low if run.first > 0 else ""
        before2 = toks[run.first - 2].low if run.first > 1 else ""
        after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
        after2 = toks[run.last + 2].low if run.last + 2 < len(toks) else ""
        possessive = before.endswith(("'s", "’s")) and before not in ("it's", "that's", "what's", "there's")
        if after in AFTER_NEG:
            continue  # "ninety minutes"
        if (
            after in AGE_AFTER
            or (after == "-" and after2 in AGE_AFTER)
            or (before == "," and after in (",", ".", ";", ""))  # "Ada Quill here, 93, from Ashcombe"
            or before in AGE_BEFORE
            or possessive
            or (before2 == "age" and before in ("of", "is"))
        ):
            found.append((run.first, run.last, "AGE"))
    return found


def _find_day_ordinals(toks: list[_Tok], runs: list[_Run]) -> list[_Found]:
    """A day of the month said without its month: "on the 5th", "Friday the 3rd", "on the
    eleventh". Not "on the 2nd floor": a word after the day (other than "of") is what it counts."""
    found: list[_Found] = []
    n = len(toks)
    for run in runs:
        g = run.groups
        if len(g) != 1 or not g[0].ordinal or not 1 <= g[0].value <= 31 or run.first < 2:
            continue
        if toks[run.first - 1].low != "the":
            continue
        before = toks[run.first - 2].low
        after = toks[run.last + 1] if run.last + 1 < n else None
        if after is not None and _is_word(after) and after.low not in _DAY_FOLLOWERS:
            continue
        if before in WEEKDAYS:
            found.append((run.first - 2, run.last, "DATE"))
        elif before == "on":
            found.append((run.first - 1, run.last, "DATE"))
    return found


_DAY_FOLLOWERS = frozenset(("of", "and", "or", "at", "but", "so", "i", "we", "she", "he", "they", *FILLERS))


def _age_value(run: _Run) -> int:
    """The run's value when it can be an age: one group, or tens then ones said apart ("ninety
    four", as recognizers print it without the hyphen); otherwise 0."""
    g = run.groups
    if len(g) == 1:
        return g[0].value
    if len(g) == 2 and not run.seps[0] and g[0].value in (90, 100) and 0 < g[1].value < 10:
        return g[0].value + g[1].value
    return 0


def _find_dates(toks: list[_Tok], runs: list[_Run], index: _Index) -> list[_Found]:
    by_first = {r.first: r for r in runs}
    by_last = {r.last: r for r in runs}
    found: list[_Found] = []
    n = len(toks)
    for i in index.months():
        tok = toks[i]
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
        if k < n and toks[k].text == "." and len(tok.text) <= 4:
            k += 1  # "Feb. 9"
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


def _find_addresses(toks: list[_Tok], runs: list[_Run], index: _Index) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    by_first = {r.first: r for r in runs}
    for run in runs:
        if len(run.digits) > 6 or run.groups[0].ordinal:
            continue
        j = run.last + 1
        words = 0
        while j < n and words < 4 and (_is_word(toks[j]) or toks[j].text == "."):
            if toks[j].low in STREET_SUFFIXES and words >= 1:
                end = _address_tail(toks, by_first, j)
                found.append((run.first, end, "ADDRESS"))
                break
            if toks[j].low in NAME_STOP and toks[j].low not in ("north", "south", "east", "west"):
                break
            words += 1 if toks[j].text != "." else 0
            j += 1
    for i in index.positions(_PO):
        if i + 2 < n:
            k = i + 1
            while k < n and toks[k].low in (".", "o"):
                k += 1
            if k < n and toks[k].low == "box":
                run = by_first.get(k + 1) or by_first.get(k + 2)
                if run is not None:
                    found.append((i, run.last, "ADDRESS"))
    return found


def _address_tail(toks: list[_Tok], by_first: dict[int, _Run], suffix: int) -> int:
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
        run = by_first.get(m)
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


def _find_spelled(toks: list[_Tok], index: _Index) -> list[_Found]:
    """Three or more single letters in a row: a spelled name, plate or id ("R A H M A N")."""
    found: list[_Found] = []
    n, done = len(toks), 0
    for i in index.single_letters():
        if i < done or not _single_letter(toks[i]):
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
        if _spelled_word_ends(toks, last, "dob") and count == 3:
            pass  # "D.O.B.", "d o b": date of birth, a cue and no name
        elif count >= 3 and not all(t.low in ("a", "i") for t in toks[i : last + 1] if _is_word(t)):
            label, _ = _context_label(toks, i, window=6)
            found.append((i, last, label if label in ("PLATE", "MRN", "ID") else "NAME"))
        done = last + 1
    return found


def _find_spoken_urls(toks: list[_Tok], index: _Index) -> list[_Found]:
    """A web address said aloud: "example dot org slash ana", "www dot example dot net slash u slash 7"."""
    found: list[_Found] = []
    n, done = len(toks), 0
    for i in index.positions(("slash",)):
        if i < 3 or i < done or toks[i - 1].low not in EMAIL_TLDS or toks[i - 2].low not in ("dot", "."):
            continue
        first = i - 3
        while (
            first >= 2 and toks[first - 1].low in ("dot", ".") and _URL_PIECE.fullmatch(toks[first - 2].low)
        ):
            first -= 2
        if not _URL_PIECE.fullmatch(toks[first].low):
            continue
        end = i  # a joiner, then one piece, as long as they alternate
        while end + 1 < n and toks[end].low in _URL_JOINERS and _URL_PIECE.fullmatch(toks[end + 1].low):
            end += 1
            if end + 1 < n and toks[end + 1].low in _URL_JOINERS:
                end += 1
        if toks[end].low in _URL_JOINERS:
            end -= 1
        if end > i:
            found.append((first, end, "ID"))
            done = end + 1
    return found


_PLACE_WORDS = frozenset(RESIDENCE_WORDS | STREET_SUFFIXES)
_ROOM_LETTER_WORDS = frozenset(("ward", "bay", "bed", "room", "wing"))
_URL_PIECE = re.compile(r"[a-z0-9]+")
_URL_JOINERS = frozenset(("slash", "dash", "dot", "underscore", "-", "/", "_"))


def _find_as_in(toks: list[_Tok], runs: list[_Run], index: _Index) -> list[_Found]:
    """Letters spelled with a word for each ("K as in kilo, L as in lima, four four nine one"):
    the whole chain of such letters, bare letters and number runs that follow one another."""
    found: list[_Found] = []
    n, done = len(toks), 0
    by_first = {r.first: r for r in runs}
    for i in index.positions(("as",)):
        if i < 1 or i < done or not _as_in_at(toks, i - 1):
            continue
        first, end = i - 1, _as_in_word_end(toks, i + 2)
        while True:
            k = end + 1
            while k < n and (toks[k].low in _AS_IN_JOINERS):
                k += 1
            if k < n and _as_in_at(toks, k):
                end = _as_in_word_end(toks, k + 3)
            elif k < n and _single_letter(toks[k]) and toks[k].low not in ("a", "i"):
                end = k
            elif k in by_first:
                end = by_first[k].last
            else:
                break
        label, _ = _context_label(toks, first, window=6)
        found.append((first, end, label if label in ("PLATE", "MRN", "ID", "SSN", "ZIP") else "ID"))
        done = end + 1
    return found


_AS_IN_JOINERS = frozenset((",", "-", ".", "dash", "hyphen", *FILLERS))


def _as_in_word_end(toks: list[_Tok], end: int) -> int:
    while end + 2 < len(toks) and toks[end + 1].text == "-" and _is_word(toks[end + 2]):
        end += 2  # "X as in x-ray"
    return end


def _as_in_at(toks: list[_Tok], k: int) -> bool:
    """Token k is a letter and "as in <word>" follows it."""
    return (
        k + 3 < len(toks)
        and _single_letter(toks[k])
        and toks[k + 1].low == "as"
        and toks[k + 2].low == "in"
        and _is_word(toks[k + 3])
    )


def _single_letter(tok: _Tok) -> bool:
    return len(tok.text) == 1 and tok.text.isalpha()


def _find_codes(toks: list[_Tok], index: _Index) -> list[_Found]:
    """Spoken codes mixing letters and digits: "W 1 2 3 4 5", "P X four four seven", "B C S 7 7 1"."""
    found: list[_Found] = []
    n, done = len(toks), 0
    # A code needs a letter, and its letters are short upper-case tokens: start from those, back
    # up to where the chain of pieces begins, then read it forwards as the full scan did.
    for anchor in index.short_words():
        if anchor < done or not _code_letter(toks[anchor]):
            continue
        i = _code_chain_start(toks, anchor)
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
        done = j
    return found


def _code_letter(tok: _Tok) -> bool:
    """A piece of a code that counts as a letter ("W", "PX"), not as a digit."""
    return _code_piece(tok) and tok.text[:1].isalpha() and not _is_number_word(tok)


def _code_chain_start(toks: list[_Tok], i: int) -> int:
    """The first piece of the chain (pieces, joined directly or by "-") that token i is part of."""
    while i > 0:
        if _code_piece(toks[i - 1]):
            i -= 1
        elif i > 1 and toks[i - 1].text == "-" and _code_piece(toks[i - 2]):
            i -= 2
        else:
            break
    return i


def _code_piece(tok: _Tok) -> bool:
    t = tok.text
    if t.isdigit() or (tok.low in DIGIT_WORDS and tok.low != "o"):
        return True
    if tok.low in CONTEXT_WORDS or t in ("I", "A"):
        return False
    return t.isalpha() and t.isupper() and len(t) <= 4


_PLATE_WORDS = ("plate", "plates", "tag")
_PO = ("p", "po")


def _find_plates(toks: list[_Tok], index: _Index) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    for i in index.positions(_PLATE_WORDS):
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


def _find_emails(toks: list[_Tok], index: _Index) -> list[_Found]:
    """Spoken emails: "maria dot g at example dot com"."""
    found: list[_Found] = []
    n = len(toks)
    for i in index.positions(("at",)):
        if i == 0:
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
        self.longest = {first: max(map(len, names)) for first, names in self.full.items()}

    def find(self, text: str, low: str, words: set[str] | None = None) -> list[Span]:
        """Known names in `text` (`low` is text.lower(); `words` its set of [a-z]+ words, if known)."""
        return [Span(*s) for s in self._find(text, low, words)]

    def _find(self, text: str, low: str, words: set[str] | None) -> list[_Raw]:
        present = (set(_GATE_WORD.findall(low)) if words is None else words) & self.all_words
        if not present:
            return []
        spans: list[_Raw] = []
        done = 0
        # Only the words of this text that can start or be part of a name are searched for, in
        # one regex pass; the words after a hit are read only to complete a full name.
        for hit in _words_regex(frozenset(present)).finditer(low):
            if hit.start() < done:
                continue  # inside a full name already matched
            word = hit.group()
            matches = [hit, *islice(_GATE_WORD.finditer(low, hit.end()), self.longest.get(word, 1) - 1)]
            length = self._full_match(text, matches, 0)
            if length:
                spans.append((hit.start(), matches[length - 1].end(), "NAME"))
                done = matches[length - 1].end()
            elif word in self.parts:
                spans.append((hit.start(), hit.end(), "NAME"))
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


def _join_adjacent(text: str, spans: list[_Raw]) -> list[_Raw]:
    """ "Okonkwo-Hale", "Maria Gonzalez" found as parts: one span when only spaces or a hyphen part them."""
    out: list[_Raw] = []
    for s in spans:
        if out and text[out[-1][1] : s[0]].strip(" -") == "":
            out[-1] = (out[-1][0], s[1], "NAME")
        else:
            out.append(s)
    return out


@lru_cache(maxsize=64)
def _known_index(names: tuple[str, ...]) -> KnownNames:
    return KnownNames(names)


@lru_cache(maxsize=512)
def _words_regex(words: frozenset[str]) -> re.Pattern[str]:
    """Any of these whole [a-z]+ words in lowered text (longest first, though whole-word bounds
    make the order immaterial)."""
    alternatives = "|".join(sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(f"(?<![a-z])(?:{alternatives})(?![a-z])")


def _find_known_names(text: str, low: str, known: Iterable[str] | KnownNames, words: set[str]) -> list[_Raw]:
    if not isinstance(known, KnownNames):
        names = tuple(known)
        if not names:
            return []
        known = _known_index(names)
    return known._find(text, low, words)


def _find_context_names(toks: list[_Tok], index: _Index) -> list[_Found]:
    found: list[_Found] = []
    n = len(toks)
    # "." is a cue only in "Mrs. Novak": start from the title there, not from every full stop.
    dots = [i + 1 for i in index.positions(_TITLES) if i + 1 < n and toks[i + 1].text == "."]
    for i in sorted(index.name_cues() + dots) if dots else index.name_cues():
        strength = _cue_strength(toks, i)
        if not strength:
            continue
        weak = strength == _WEAK
        k = i + 1
        if k < n and toks[k].text in (",", ":", "-"):
            k += 1
        while k < n and (toks[k].low in FILLERS or (toks[k].text == "," and toks[k - 1].low in FILLERS)):
            k += 1  # "this is um priya shah": a filler before the name
        first, words = k, 0
        while k < n and words < 3:
            if words and toks[k].low in NAME_PARTICLES:  # "Ferreira da Silva", "Mrs. van der Berghe"
                p = k
                while p < n and toks[p].low in NAME_PARTICLES:
                    p += 1
                if p < n and _name_word(toks[p], need_cap=True):
                    k = p
            elif not words and toks[k].low in NAME_PARTICLES:
                p = k  # "Mr. van Houtte", "Mrs. de la Fuente"
                while p < n and toks[p].low in NAME_PARTICLES and p - k < 3:
                    p += 1
                if p < n and _is_cap(toks[p]):
                    k = p
            if not _name_word(toks[k], need_cap=weak or (words > 0 and _is_cap(toks[first]))):
                break
            words += 1
            k += 1
            if k + 1 < n and toks[k].text == "-" and _name_word(toks[k + 1], need_cap=False):
                k += 2
        if words:
            found.append((first, k - 1, "NAME"))
        elif weak:
            end = _lower_name_before_closer(toks, first, _opens_turn(toks, i))
            if end is not None:
                found.append((first, end, "NAME"))
    return found


# Words that close a self-introduction: "it's ada quill calling", "this is ada quill here".
NAME_CLOSERS = {"calling", "here", "speaking", "again", "ringing"}


def _opens_turn(toks: list[_Tok], i: int) -> bool:
    """Does the cue ending at token i ("this is", "it's", "i'm", "i am") open the turn
    ("uh hi, this is …", "yes it's …")?"""
    low = toks[i].low
    if low in ("it's", "i'm"):
        before = i
    elif i >= 1 and (low, toks[i - 1].low) in (("is", "this"), ("am", "i")):
        before = i - 1
    else:
        return False
    # back to the start of the line (a transcript holds many turns), over openers only
    line_start = toks[i].match.string.rfind("\n", 0, toks[i].start)
    k = before - 1
    while k >= 0 and toks[k].start > line_start:
        if toks[k].low not in _TURN_OPENERS:
            return False
        k -= 1
    return True


# What follows "this is" when no one is introduced: "this is really bad um", "this is so annoying".
_NOT_A_NAME_AFTER_THIS = frozenset((
    "really", "so", "very", "quite", "pretty", "too", "getting", "going", "taking", "what", "how",
    "why", "where", "urgent", "important", "serious", "bad", "good", "great", "terrible", "awful",
    "ridiculous", "frustrating", "annoying", "weird", "strange", "odd", "crazy", "new", "the",
    "regarding", "concerning", "re", "literally", "totally", "definitely", "probably", "kind", "sort",
    "fine", "sorry", "worried", "scared", "tired", "sick", "ill", "unwell", "better", "worse", "confused",
    "done", "ready", "late", "here", "back", "still", "only", "all", "gone", "gotten", "been", "over",
    "due", "booked", "trying", "hoping", "okay", "alright", "afraid", "concerned", "upset", "pregnant",
    "diabetic", "allergic", "nearly", "almost", "like", "said", "told", "asked", "now", "calling",
    "nothing", "something", "everything", "anything", "ringing", "phoning", "some", "any", "very",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hurting", "bleeding", "dizzy", "fine",
    "happening", "urgent", "wrong", "right", "correct", "true", "false", "possible", "same", "different",
))  # fmt: skip
_TURN_INTRO = re.compile(
    r"(?:[\s,.]*(?:uh|um|er|erm|ah|hmm|mm|hi|hello|hey|yes|yeah|so|oh|good|morning|afternoon|evening|okay|ok)\b)*"
    r"[\s,.]*(?:this is|it's|it’s|i'm|i’m|i am)\b"
)
_TURN_OPENERS = frozenset((*FILLERS, ",", ".", "hi", "hello", "hey", "yes", "yeah", "so", "oh", "good",
                           "morning", "afternoon", "evening", "okay", "ok"))  # fmt: skip


def _lower_name_before_closer(toks: list[_Tok], first: int, opening: bool = False) -> int | None:
    """A name ASR wrote in lower case, known by what closes it: "it's josé al-khatib calling".

    When the cue opens the turn ("uh hi, this is …", "yes it's …", "i'm …"), more closes a name
    of two or three words: a filler ("uh this is tobias etcheverry um …"), the end of the turn
    ("yes it's lucía fernández") or a comma ("i'm kemi adeyemi, i had a scan"); and a filler may
    sit between its words ("this is anil um sharma"). Few other things are said that way there,
    and the words that are (ages, feelings: "i'm feeling unwell") are left out by their form.
    """
    k, words, n = first, 0, len(toks)
    last = first - 1
    while k < n and words < 4:
        t = toks[k]
        if t.low in NAME_CLOSERS:
            break
        if opening and t.low in FILLERS:
            if not words:
                return None
            m = k
            while m < n and toks[m].low in FILLERS:
                m += 1
            if words < 2 and m < n and _lower_name_word(toks[m]):
                k = m  # "anil um sharma": the filler is inside the name
                continue
            return last if words >= 2 else None
        if opening and t.text in (",", ".", "?", "!"):
            return last if words >= 2 else None
        if opening and not words and _not_a_name_after_cue(t.low):
            return None
        if t.text == "-" and words:
            k += 1
            continue
        if not _lower_name_word(t):
            return None
        words += 1
        last = k
        k += 1
    if words and k < n and toks[k].low in NAME_CLOSERS and k > first:
        return last
    if opening and k >= n and 2 <= words <= 3:
        return last
    return None


def _lower_name_word(t: _Tok) -> bool:
    if _WORD_TOKEN.fullmatch(t.text) is None:
        return False
    if t.low in _PRONOUNS:
        return False  # "it's me again"
    return t.low not in _NOT_NAME_WORDS or t.low in NAME_PARTICLES


_PRONOUNS = frozenset(("me", "him", "us", "them", "myself", "mine", "you", "it", "one"))


def _not_a_name_after_cue(low: str) -> bool:
    """Words that open no name after "this is"/"it's"/"i'm": "really", "feeling", "worried"."""
    return low in _NOT_A_NAME_AFTER_THIS or low.endswith("ly") or (low.endswith("ing") and len(low) > 5)


_CUE_LAST_WORDS = frozenset(c[-1] for c in STRONG_NAME_CUES + WEAK_NAME_CUES)
_CONTEXT_NAME_TRIGGERS = _CUE_LAST_WORDS | RELATIVES
_TITLES = ("mr", "mrs", "ms")
_APOSTROPHE_NAME = re.compile(r"[A-Za-z]+['’][A-Za-z]+")
_NOT_NAME_WORDS = frozenset(NAME_STOP | set(DIGIT_WORDS) | set(MONTHS) | RELATIVES)
_STRONG, _WEAK = 2, 1
_POSSESSIVES = frozenset(("my", "our", "his", "her", "their", "your"))


def _cues_by_last_word() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Last word of a cue -> (the words before it, strength), strong cues first."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for cues, strength in ((STRONG_NAME_CUES, _STRONG), (WEAK_NAME_CUES, _WEAK)):
        for cue in cues:
            assert len(cue) <= 3, cue  # _cue_strength compares at most two words before
            table.setdefault(cue[-1], []).append((cue[:-1], strength))
    return {last: tuple(entries) for last, entries in table.items()}


_CUES_BY_LAST = _cues_by_last_word()


def _cue_strength(toks: list[_Tok], i: int) -> int:
    """_STRONG when a strong name cue ends at token i ("my name is"), _WEAK for a weak one ("this
    is", "Mrs.", "my daughter"), 0 for none."""
    low = toks[i].low
    weak = False
    for before, strength in _CUES_BY_LAST.get(low, ()):
        m = len(before)
        if m and (i < m or toks[i - 1].low != before[-1] or (m == 2 and toks[i - 2].low != before[0])):
            continue
        if strength == _STRONG:
            return _STRONG
        if not m and low in _TITLES and i + 1 < len(toks) and toks[i + 1].text == ".":
            continue  # "Mrs. Novak": the cue ends at the dot
        weak = True
    if weak or (toks[i].text == "." and i > 0 and toks[i - 1].low in _TITLES):
        return _WEAK
    if low in RELATIVES and i > 0 and toks[i - 1].low in _POSSESSIVES:
        return _WEAK
    return 0


def _name_word(tok: _Tok, need_cap: bool) -> bool:
    if not _WORD_TOKEN.fullmatch(tok.text):
        return False
    if tok.low in _NOT_NAME_WORDS:
        return False
    if need_cap:
        return _is_cap(tok) and tok.low not in COMMON_CAPITALISED
    return len(tok.text) > 1


def _find_capitalised_phrases(toks: list[_Tok], index: _Index) -> list[_Found]:
    """Runs of capitalised words that are not everyday or site words, read as a name or a place.

    A run may hold hyphens ("Mbeki-Ashdown"), name particles ("Ferreira da Silva", "Ó Briain") and
    "St." ("St. Brigid's Residence"). It is a place (ADDRESS) when it ends in a street or residence
    word ("Tillerman Crescent", "Maplewood Gardens") or follows a place cue ("lives in Ashcombe",
    "from Fresno"); otherwise two name words or more are a full name.
    """
    found: list[_Found] = []
    n, done = len(toks), 0
    for i in index.capitalisable():
        if i < done or not toks[i].text[0].isupper() or toks[i].text.isupper():
            continue  # "MRN", "RCH": an acronym opens no name
        first = _phrase_start(toks, i)
        j, words = i, 1 + (first < i)
        while True:
            k = j + 1
            if k + 1 < n and toks[k].text == "-" and _WORD_TOKEN.fullmatch(toks[k + 1].text):
                j = k + 1
                continue
            p = k
            while p < n and toks[p].low in NAME_PARTICLES and p - k < 3:
                p += 1
            if p < n and _phrase_word(toks[p]):
                j, words = p, words + 1
                continue
            break
        done = j + 1
        last = toks[j].low
        staff = _after_staff_title(toks, first)
        if last in ("centre", "center") and toks[j - 1].low not in CARE_WORDS:
            last = ""  # "Riverside Medical Center" is no one's home; "Hollybrook Care Centre" is
        if last in STREET_SUFFIXES or last in RESIDENCE_WORDS:
            if words >= 2:
                if last in RESIDENCE_WORDS and first > 0 and toks[first - 1].low == "the":
                    first -= 1  # "the Marigold Residence": the article is part of its name
                found.append((first, _place_tail(toks, j), "ADDRESS"))
        elif _after_place_cue(toks, first):
            found.append((first, j, "ADDRESS"))
        elif words >= 2 and not staff:
            found.append((first, j, "NAME"))
    return found


def _phrase_start(toks: list[_Tok], i: int) -> int:
    """Back over what cannot open a phrase on its own: "St." and possessives ("St. Brigid's Home")."""
    while i > 0:
        prev = toks[i - 1]
        if i > 1 and prev.text == "." and toks[i - 2].low == "st":
            i -= 2
        elif i > 1 and prev.text == "-" and prev.start == toks[i].start - 1 and _is_cap(toks[i - 2]):
            i -= 2  # "Jan-Willem": the part before the hyphen may be an everyday word
        elif _is_cap(prev) and prev.low.endswith(("'s", "’s")) and prev.low not in COMMON_CAPITALISED:
            i -= 1
        else:
            break
    return i


def _phrase_word(tok: _Tok) -> bool:
    """A capitalised word that may continue a name or place ("Hollow", "Care", "Home", "Oyelowo")."""
    if not _is_cap(tok) or not _WORD_TOKEN.fullmatch(tok.text) or (tok.text.isupper() and len(tok.text) > 1):
        return False
    low = tok.low
    return low not in COMMON_CAPITALISED or low in STREET_SUFFIXES or low in RESIDENCE_WORDS


def _after_staff_title(toks: list[_Tok], i: int) -> bool:
    return i > 0 and (
        toks[i - 1].low in STAFF_TITLES
        or (toks[i - 1].text == "." and i > 1 and toks[i - 2].low in STAFF_TITLES)
    )


def _after_place_cue(toks: list[_Tok], i: int) -> bool:
    """ "lives in X", "from X", "resident of X", "Old Mill Road in X", "moved to X"."""
    if i == 0:
        return False
    before = toks[i - 1].low
    before2 = toks[i - 2].low if i > 1 else ""
    if before in PLACE_CUES:
        return True
    return (before, before2) in PLACE_CUE_PAIRS or (before in ("in", ",") and before2 in STREET_SUFFIXES)


def _place_tail(toks: list[_Tok], j: int) -> int:
    """A street or home named with its town: "Old Mill Road in Brookhaven", "Kestrel Way, Dayton"."""
    k = j + 1
    if k + 1 < len(toks) and toks[k].low in ("in", ",") and _phrase_word(toks[k + 1]):
        k += 1
        while k + 1 < len(toks) and _phrase_word(toks[k + 1]):
            k += 1
        return k
    return j


_NOT_NAME_CAPS = frozenset(COMMON_CAPITALISED | set(MONTHS) | STREET_SUFFIXES)


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


class LearnedLayer(Protocol):
    """What redaction asks of a learned model (learned.NameModel): names and places, as spans."""

    def find_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]: ...


def find_spans(
    text: str, known_names: Iterable[str] | KnownNames = (), learned: LearnedLayer | None = None
) -> list[Span]:
    """Every identifier span in `text`, merged so that none overlap, in order."""
    spans = _rule_spans(text, known_names)
    if learned is not None:
        spans += _kept_learned_spans(text, learned.find_many([text])[0])
    return _merge(spans)


def _kept_learned_spans(text: str, found: list[tuple[int, int, str]]) -> list[_Raw]:
    """The model's names and places, less the site's own words and staff ("Dr. Patel", "Elm Street")."""
    kept = []
    for start, end, label in found:
        words = _WORD_TOKEN.findall(text[start:end])
        lows = [w.lower() for w in words]
        if not words or all(w in _NOT_NAME_CAPS or w in NAME_STOP for w in lows):
            continue
        if any(w in CONTEXT_WORDS for w in lows):  # "zip code": a cue word is never part of a name
            continue
        before = text[max(0, start - 12) : start].lower().replace(".", " ").split()
        if label == "NAME" and before and before[-1] in STAFF_TITLES:
            continue
        kept.append((start, end, label))
    return kept


def _rule_spans(text: str, known_names: Iterable[str] | KnownNames) -> list[_Raw]:
    low = text.lower()
    words = set(_GATE_WORD.findall(low))
    spans = _find_known_names(text, low, known_names, words)
    has_digit = _DIGIT.search(text) is not None
    numberish = has_digit or not words.isdisjoint(_NUMBER_VOCAB)
    months = not words.isdisjoint(MONTHS)
    # a spoken email ends in a top-level domain: "... at example dot com"
    email = "@" in text or (
        "at" in words and ("dot" in words or "." in text) and not words.isdisjoint(EMAIL_TLDS)
    )
    upper = text != low  # most ASR text has no capitals at all: skip the searches for them
    ascii_only = text.isascii()
    # Capitals matter only in a word that could be a name: "I", "How" or "Riverside" cannot.
    caps = upper and (
        not ascii_only or (_CAPITAL_AFTER_WORD.search(text) is not None and _uncommon_capital(text))
    )
    letters = not words.isdisjoint(_SINGLE_LETTERS) or (upper and _SHORT_CAPS.search(text) is not None)
    # A code holds an upper-case letter and two digits ("²" is a digit but no \\d); a spelling holds
    # three one-letter words (the "m" of "I'm" is none).
    codes = letters and upper and (numberish or not ascii_only)
    spelled = letters and (not ascii_only or len(_SINGLE_LETTER_TOKEN.findall(text)) >= 3)
    strong = not words.isdisjoint(_STRONG_GATE)
    as_in = " as in " in low  # "J as in juliet": a letter spelled with a word
    # "uh this is ada quill um …", "yes it's ada quill": a self-introduction opening the turn
    filler_intro = _TURN_INTRO.match(low) is not None
    plates = not words.isdisjoint(_PLATE_WORDS)
    if not (
        numberish or months or email or caps or codes or spelled or strong or plates or as_in
        or "/" in text or "www" in words or "slash" in words
        or not words.isdisjoint(_ROOM_LETTER_WORDS) or not words.isdisjoint(_PLACE_WORDS)
        or not words.isdisjoint(NAME_CLOSERS) or filler_intro
    ):
        return spans  # the common case: nothing here could be an identifier
    toks, lows = _tokens(text)
    index = _Index(lows)
    runs = _number_runs(toks, lows, index) if numberish else []
    found: list[_Found] = []
    if runs:
        found += _find_numbers(toks, runs)
        found += _find_ages(toks, runs)
        found += _find_day_ordinals(toks, runs)
        if "box" in words or not words.isdisjoint(STREET_SUFFIXES):  # "P.O. box 12", "12 Elm Street"
            found += _find_addresses(toks, runs, index)
    if months:
        found += _find_dates(toks, runs, index)
    if email:
        found += _find_emails(toks, index)
    if plates:
        found += _find_plates(toks, index)
    if codes:
        found += _find_codes(toks, index)
    if spelled:
        found += _find_spelled(toks, index)
    if as_in:
        found += _find_as_in(toks, runs, index)
    if not words.isdisjoint(_ROOM_LETTER_WORDS):
        found += _find_room_letters(toks, index)
    if not words.isdisjoint(_PLACE_WORDS):
        found += _find_care_places(toks, index)
    if "slash" in words:
        found += _find_spoken_urls(toks, index)
    # a lower-case name is known only by the words around it: "it's ada quill calling"
    closers = not words.isdisjoint(NAME_CLOSERS)
    names = _find_context_names(toks, index) if strong or caps or closers or filler_intro else []
    if caps:
        names += _find_capitalised_phrases(toks, index)
    found += _drop_staff(toks, names)
    spans += [(toks[a].match.start(), toks[b].match.end(), label) for a, b, label in found if a <= b]
    if "@" in text or has_digit:
        spans += _find_written(text)
    if "/" in text or "www" in words:
        spans += _find_urls(text)
    return spans + _repeated_names(text, spans)


def _repeated_names(text: str, spans: list[_Raw]) -> list[_Raw]:
    """A name found once is a name wherever else the turn says it: "uh Lakshmi, Lakshmi Narayanan"."""
    words = {
        w.lower()
        for a, b, label in spans
        if label == "NAME"
        for w in _WORD_TOKEN.findall(text, a, b)
        if len(w) > 2 and w.lower() not in _EVERYDAY_WORDS
    }
    if not words:
        return []
    # one pass over the words: an alternation of hundreds of names, or a find per name, is slow
    return [(m.start(), m.end(), "NAME") for m in _WORD_TOKEN.finditer(text) if m.group().lower() in words]


def _find_urls(text: str) -> list[_Raw]:
    """URL_PATTERN's matches, tried only in the runs of non-space characters that hold a "://", a
    "www." or a ".com/" (the pattern opens with \\b: the engine would try it at every word)."""
    spans: list[_Raw] = []
    done = 0
    for hit in _URL_HINT.finditer(text):
        if hit.start() < done:
            continue
        start = max(text.rfind(" ", 0, hit.start()), text.rfind("\n", 0, hit.start())) + 1
        end = len(text)
        for stop in (" ", "\n", "\t"):
            at = text.find(stop, hit.end())
            if 0 <= at < end:
                end = at
        spans += [(m.start(), m.end(), "ID") for m in URL_PATTERN.finditer(text, start, end)]
        done = end
    return spans


_URL_HINT = re.compile(r"://|www\.|\.(?:com|org|net|edu|gov|io|us|info|co|biz|me)/", re.IGNORECASE)


def _uncommon_capital(text: str) -> bool:
    """Does a capitalised word that is not an everyday or site word ("Novak", not "Hello") occur?"""
    if not text.isascii():
        return True  # a capital outside ASCII ("É") is a token of its own: let the finders judge
    common = COMMON_CAPITALISED
    return any(word.lower() not in common for word in _CAPITALISED_TOKEN.findall(text))


# A one-letter word token, as TOKEN_RE cuts it ("R A H M A N"; not the "I" of "I'm").
_SINGLE_LETTER_TOKEN = re.compile(r"[A-Za-z](?<![A-Za-z].)(?<![A-Za-z]['’].)(?![A-Za-z]|['’][A-Za-z])")
# A whole capitalised word token, as TOKEN_RE cuts it ("O'Brien", "Novak"; not "Brien" in "O'Brien").
_CAPITALISED_TOKEN = re.compile(r"[A-Z](?<![A-Za-z].)(?<![A-Za-z]['’].)[A-Za-z]*(?:['’][A-Za-z]+)*")


def _find_written(text: str) -> list[_Raw]:
    """WRITTEN_PATTERNS' matches, found without running each pattern over the whole text.

    The patterns open with \\b or a lookahead, so the regex engine would try them at every character
    (most of the cost of a long transcript). Every SSN and ID match lies inside a run of word
    characters and hyphens that holds a digit, and such runs are few: the patterns run only there.
    An MRN may hold a space, so it has a twin that opens with a letter the engine can scan for.
    The spans are exactly those of WRITTEN_PATTERNS, in the same order.
    """
    emails = _find_written_emails(text) if "@" in text else []
    ssn, mrn, id_mixed, id_hyphened = (p for _, p in WRITTEN_PATTERNS[1:])
    by_pattern: dict[re.Pattern[str], list[_Raw]] = {ssn: [], id_mixed: [], id_hyphened: []}
    for start, end in _digit_runs(text):
        if end - start < 5:
            continue  # too short for any of them (the shortest, an ID, has six characters or "1-2-A")
        hyphen = text.find("-", start, end) >= 0
        for pattern, label in ((ssn, "SSN"), (id_mixed, "ID"), (id_hyphened, "ID")):
            if hyphen or pattern is id_mixed:
                found = pattern.finditer(text, start, end)
                by_pattern[pattern] += [(m.start(), m.end(), label) for m in found]
    mrns = []
    for m in _MRN_TWIN.finditer(text):
        hit = mrn.match(text, m.start())
        if hit is not None:
            mrns.append((hit.start(), hit.end(), "MRN"))
    return emails + by_pattern[ssn] + mrns + by_pattern[id_mixed] + by_pattern[id_hyphened]


def _digit_runs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of word characters and hyphens that holds a digit."""
    runs = []
    for m in _DIGIT_ONWARDS.finditer(text):
        start = m.start()
        while start > 0 and _WORD_OR_HYPHEN.match(text, start - 1):
            start -= 1
        runs.append((start, m.end()))
    return runs


# Opens with the digit, so the engine scans for it in C; the run's start is found by walking back
# (the characters before the first digit of a run are never digits).
_DIGIT_ONWARDS = re.compile(r"\d[\w-]*")
_WORD_OR_HYPHEN = re.compile(r"[\w-]")
_MRN_TWIN = re.compile(r"r(?<!\wr)ch[- ]?\d{5,7}\b", re.IGNORECASE)


def _find_written_emails(text: str) -> list[_Raw]:
    """The EMAIL pattern's matches: each holds an "@" that the run of local-part characters before it
    reaches, so only the starts in that run are tried."""
    pattern = WRITTEN_PATTERNS[0][1]
    spans: list[_Raw] = []
    pos = 0
    while (at := text.find("@", pos)) >= 0:
        start = at
        while start > pos and _EMAIL_LOCAL_CHAR.match(text, start - 1):
            start -= 1
        hit = None
        for s in range(start, at):
            hit = pattern.match(text, s)
            if hit is not None:
                break
        if hit is None:
            pos = at + 1
        else:
            spans.append((hit.start(), hit.end(), "EMAIL"))
            pos = hit.end()
    return spans


_EMAIL_LOCAL_CHAR = re.compile(r"[\w.+-]")


# Cheap gates, computed once per text with set operations, that decide which finders can matter.
_GATE_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")
_NUMBER_VOCAB = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, *ORDINAL_WORDS, *MULTIPLIERS))
_SINGLE_LETTERS = frozenset("bcdefghjklmnopqrstuvwxyz")
_SHORT_CAPS = re.compile(r"[A-Z](?<!\w.)[A-Z]{1,3}\b")  # \b[A-Z]{2,4}\b
_STRONG_GATE = frozenset(("name", "named", "called", "surname", "spelled", "spell", "spelling"))
# Each opens with a character class so that the engine scans for it in C; lookbehinds stand in for
# the leading \\w or \\b of the plain forms noted beside them.
# A capital after a word ("calling Novak"), after a title's dot or a colon ("Mr. Tsao", "Name: X"),
# or a sentence that opens with two capitalised words.
_CAPITAL_AFTER_WORD = re.compile(
    r"[\s,](?<=\w[\s,])[\s,]*[A-Z]|^[A-Z][a-z]+\s+[A-Z]|[.:](?<=\w[.:])\s+[A-Z]"
)  # \w[\s,]+[A-Z]|…


def _merge(spans: list[_Raw]) -> list[Span]:
    """Overlapping spans become one, labelled by the most specific (then longest) of them."""
    merged: list[Span] = []
    if not spans:
        return merged
    spans.sort(key=lambda s: (s[0], -s[1]))
    start, end, label = spans[0]
    best = [spans[0]]
    for s in spans[1:]:
        if s[0] < end:
            best.append(s)
            end = max(end, s[1])
            label = _pick_label(best)
        else:
            merged.append(Span(start, end, label))
            start, end, label = s
            best = [s]
    merged.append(Span(start, end, label))
    return merged


def _pick_label(spans: list[_Raw]) -> str:
    return max(spans, key=lambda s: (_PRIORITY[s[2]], s[1] - s[0]))[2]


def redact(
    text: str, known_names: Iterable[str] | KnownNames = (), learned: LearnedLayer | None = None
) -> Redaction:
    """The text with every identifier replaced by "[LABEL]", and the spans (offsets into `text`).

    `learned` adds a model's names and places to the rules' spans (learned.shared_model()); it is
    for finished transcripts, being too slow for turn-by-turn use (see learned.py).
    """
    return _redacted(text, find_spans(text, known_names, learned))


def redact_many(
    texts: list[str], known_names: Iterable[str] | KnownNames = (), learned: LearnedLayer | None = None
) -> list[Redaction]:
    """`redact` for each text; the learned layer runs over all of them as one batch."""
    known = known_names if isinstance(known_names, KnownNames) else _known_index(tuple(known_names))
    found = learned.find_many(texts) if learned is not None else [[] for _ in texts]
    return [
        _redacted(t, _merge(_rule_spans(t, known) + _kept_learned_spans(t, f)))
        for t, f in zip(texts, found, strict=True)
    ]


def _redacted(text: str, spans: list[Span]) -> Redaction:
    out: list[str] = []
    pos = 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(f"[{s.label}]")
        pos = s.end
    out.append(text[pos:])
    return Redaction("".join(out), tuple(spans))
