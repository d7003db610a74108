"""Names the site knows (its patients, guardians, the verified caller), found wherever a text says
them, and a name found once found again wherever else the text says it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice

from appliance.privacy.redaction.dictionary import can_be_verb, is_dictionary_word, is_function_word
from appliance.privacy.redaction.lexicon import COMMON_CAPITALISED, DIGIT_WORDS, GATE_WORD, MONTHS, NAME_STOP
from appliance.privacy.redaction.names import STAFF_TITLES
from appliance.privacy.redaction.spans import CharSpan, Span
from appliance.privacy.redaction.tokens import WORD_TOKEN

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
            words = tuple(GATE_WORD.findall(name.lower()))
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

    def _find(self, text: str, low: str, words: set[str] | None) -> list[CharSpan]:
        present = (set(GATE_WORD.findall(low)) if words is None else words) & self.all_words
        if not present:
            return []
        spans: list[CharSpan] = []
        done = 0
        # Only the words of this text that can start or be part of a name are searched for, in
        # one regex pass; the words after a hit are read only to complete a full name.
        for hit in _words_regex(frozenset(present)).finditer(low):
            if hit.start() < done:
                continue  # inside a full name already matched
            word = hit.group()
            matches = [hit, *islice(GATE_WORD.finditer(low, hit.end()), self.longest.get(word, 1) - 1)]
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


def _join_adjacent(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    """ "Okonkwo-Hale", "Maria Gonzalez" found as parts: one span when only spaces or a hyphen part them."""
    out: list[CharSpan] = []
    for s in spans:
        if out and text[out[-1][1] : s[0]].strip(" -") == "":
            out[-1] = (out[-1][0], s[1], "NAME")
        else:
            out.append(s)
    return out


@lru_cache(maxsize=64)
def known_index(names: tuple[str, ...]) -> KnownNames:
    return KnownNames(names)


@lru_cache(maxsize=512)
def _words_regex(words: frozenset[str]) -> re.Pattern[str]:
    """Any of these whole [a-z]+ words in lowered text (longest first, though whole-word bounds
    make the order immaterial)."""
    alternatives = "|".join(sorted(words, key=lambda w: (-len(w), w)))
    return re.compile(f"(?<![a-z])(?:{alternatives})(?![a-z])")


def find_known_names(
    text: str, low: str, known: Iterable[str] | KnownNames, words: set[str]
) -> list[CharSpan]:
    if not isinstance(known, KnownNames):
        names = tuple(known)
        if not names:
            return []
        known = known_index(names)
    return known._find(text, low, words)


# A name glossed by the same word as everyone says it: "love like love", "King, like the king".
_GLOSS_BEFORE = re.compile(
    r"([A-Za-z]+)[ \t,]+(?:like|as[ \t]+in)[ \t]+(?:the[ \t]+|a[ \t]+)?$", re.IGNORECASE
)


def _glossed(text: str, start: int, low: str) -> bool:
    m = _GLOSS_BEFORE.search(text, max(0, start - len(low) - 16), start)
    return m is not None and m.group(1).lower() == low


# A word of a spoken email said again right after it, with how it is spelled: "… dot com, pike
# like the fish", "… at example dot com king as in the king".
_EMAIL_WORD_GLOSSED = re.compile(r"[ \t,.]+([A-Za-z]{3,})[ \t,]+(?:like|as[ \t]+in|spelled)\b", re.IGNORECASE)
_EMAIL_LOCAL_END = re.compile(r"\s(?:at|@)\s|@", re.IGNORECASE)


def _email_words_glossed(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    found: list[CharSpan] = []
    for a, b, label in spans:
        if label != "EMAIL":
            continue
        m = _EMAIL_WORD_GLOSSED.match(text, b)
        if m is None:
            continue
        local = _EMAIL_LOCAL_END.search(text, a, b)
        words = {w.lower() for w in WORD_TOKEN.findall(text, a, local.start() if local else b)}
        if m.group(1).lower() in words and m.group(1).lower() not in NAME_STOP:
            found.append((m.start(1), m.end(1), "NAME"))
    return found


def repeated_names(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    """A name found once is a name wherever else the turn says it: "uh Lakshmi, Lakshmi Narayanan";
    so is a word of an email said again after it to spell it ("… dot com, pike like the fish")."""
    if "EMAIL" in (s[2] for s in spans):
        return _email_words_glossed(text, spans) + _repeated_names(text, spans)
    return _repeated_names(text, spans)


def _repeated_names(text: str, spans: list[CharSpan]) -> list[CharSpan]:
    said = [
        w
        for a, b, label in spans
        if label == "NAME"
        for w in WORD_TOKEN.findall(text, a, b)
        if len(w) > 2 and w.lower() not in _EVERYDAY_WORDS
    ]
    if not said:
        return []
    words = {w.lower() for w in said}
    # Words found only with a capital ("Ridgeview Memory Care"), and in a lower-case turn any word a
    # dictionary holds: the same word in lower case after "the", "a", "my" … is the word, not the
    # name ("the memory unit"); without one it may be the name again ("Hope Baker, and baker is …").
    capital_only = words - {w for w in said if not w[0].isupper()}
    # one pass over the words: an alternation of hundreds of names, or a find per name, is slow
    found: list[CharSpan] = []
    for m in WORD_TOKEN.finditer(text):
        if m.group().lower() not in words:
            continue
        if (
            not m.group()[0].isupper()
            and (m.group().lower() in capital_only or is_dictionary_word(m.group().lower()))
            and _DETERMINER_BEFORE.search(text, max(0, m.start() - 7), m.start()) is not None
        ):
            continue  # "the school nurse at fernhill school": a word of speech after "the", no name
        if _glossed(text, m.start(), m.group().lower()):
            continue  # "its love like love", "king like the king": the word glossing the name, no name
        if _STAFF_BEFORE.search(text, max(0, m.start() - 12), m.start()) is not None:
            continue  # "Vivian Chen, no relation to Dr. Chen": the doctor shares a name, not an identity
        end = m.end()
        joined = _HYPHENED.match(text, end)
        if joined is not None:
            end = joined.end()  # "eun-ji … eun-ji hwang": the part after the hyphen is the name's too
        if _said_again(text, m.start(), m.group().lower(), spans):
            surname = _NEXT_WORD.match(text, end)
            if surname is not None and _surname_word(surname.group(1).lower()):
                end = surname.end()  # "nomvula, nomvula zulu": the name said again, now in full
        found.append((m.start(), end, "NAME"))
    return found


_HYPHENED = re.compile(r"-[^\W\d_]+")
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|my|our|your|his|her|their|this|that)\s+$", re.IGNORECASE)
# A staff title right before a word: what follows names a provider (names.drop_staff), not PHI.
_STAFF_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(STAFF_TITLES)) + r")\.?\s+$", re.IGNORECASE)
_NEXT_WORD = re.compile(r"\s+([^\W\d_]+(?:['’][^\W\d_]+)*)")


def _said_again(text: str, start: int, word: str, spans: list[CharSpan]) -> bool:
    """Does the name word at `start` repeat the name found just before it ("nomvula, nomvula …")?"""
    end = start
    while end > 0 and text[end - 1] in " ,.":
        end -= 1  # back over what stands between the two sayings (no copy of the text before)
    said = end - len(word)
    if end == start or said < 0 or text[said:end].lower() != word:
        return False
    if said > 0 and (text[said - 1].isalnum() or text[said - 1] in "-'’"):
        return False  # "… maria" inside "annamaria" is no saying of "maria"
    return any(label == "NAME" and a <= said and end <= b for a, b, label in spans)


def _surname_word(low: str) -> bool:
    return (
        len(low) > 1
        and low not in _EVERYDAY_WORDS
        and low not in NAME_STOP
        and low not in COMMON_CAPITALISED
        and not is_function_word(low)
        and not can_be_verb(low)
    )
