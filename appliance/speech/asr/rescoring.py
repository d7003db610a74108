"""Choosing among Whisper's hypotheses for what the dialog listens for: the only way context
reaches Whisper.

Whisper's decoder prompt (`hotwords`, `initial_prompt`) is text the decoder continues, and with
the dialog's expected words it invented them. Here nothing changes what the model hears: the
decoder proposes its few best hypotheses for the audio, and

- among those whose scores are close, the one that names more of the site's own words wins
  ("Maria Gonzalez" over "Marie Gonzalez" when both were heard nearly as well);
- where the dialog expects a term of a class (a medication of the site's formulary after "which
  medication?", or in the place the site's grammar gives one: "a refill on my ___"), words that
  sound close to one of those terms are read as it ("circle line" -> "sertraline", "meth for
  men" -> "metformin"). Only there: "circle line" in any other place stays as heard, and a
  patient's name is never put in (a preferred name alone must verify no one). Whisper mishears
  the grammar's own words too ("resell on my own brazil"): where the grammar finds no place as
  heard, a word of five letters or more that sounds like one of its words is read as it to find
  the place, and is written as it only when a term is found there ("refill on my omeprazole");
  bench/asr.py, tiny.en, 8 kHz μ-law, 2 piper callers: tuning half 0.055 -> 0.050, held-out
  0.043 -> 0.037 (medication 0.049 -> 0.030).

- where the dialog asked for a date of birth, a homophone of a number between numbers is the
  number ("three for two thousand four"), and a day past the 31st next to a month is the teen it
  sounds like ("the fortieth of November"); a yes/no answer that begins "know" begins "no"
  (`expected_words`). bench/asr.py, 8 kHz μ-law, 2 piper callers: tuning half 0.050 -> 0.046,
  held-out 0.037 -> 0.030 (name and date of birth 0.053 -> 0.041, yes/no 0.038 -> 0).

Pure functions; bench/asr.py measures the effect per dialog context on sentences held out of
the tuning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from appliance.numwords import MONTHS, ONES, TENS, ordinal_words

# Per site word, in the decoder's length-normalized log-probability. bench/asr.py measured 0.05,
# 0.15 and 0.3 alike (word error 0.095 on 40 sentences); in a call, "Maria Gonzalez" came 0.17
# below "Marie Gonzalez", so a site word heard within 0.25 of the best wins. The identity check
# still needs the date of birth to match: a preferred name alone verifies no one.
VOCABULARY_BONUS = 0.25
# How close (0..1, sound-alike keys, see `sounds_like`) heard words must be to an expected term
# to be read as it. Tuned on bench/asr.py's tuning half, measured on the other half.
NEAR_MISS = 0.6
MAX_SPAN = 4  # heard words one term may have been split into ("love with eric sy")
_WORD = re.compile(r"[a-z']+")


def vocabulary_words(phrases: Iterable[str]) -> frozenset[str]:
    """Lower-case words of the site's names, medications and providers (short words dropped:
    they are common English and would bias nothing useful)."""
    return frozenset(w for p in phrases for w in _WORD.findall(p.lower()) if len(w) > 3)


def rescore(hypotheses: Sequence[tuple[str, float]], vocabulary: frozenset[str]) -> str:
    """The hypothesis with the best score after the vocabulary bonus; ties keep the model's order."""
    if not hypotheses:
        return ""
    best_text, best = hypotheses[0][0], float("-inf")
    for text, score in hypotheses:
        found = len(set(_WORD.findall(text.lower())) & vocabulary)
        total = score + VOCABULARY_BONUS * found
        if total > best:
            best_text, best = text, total
    return best_text


# -- sounding alike ---------------------------------------------------------------------------
_SOUNDS = (
    ("ph", "f"), ("th", "t"), ("ck", "k"), ("gh", ""), ("qu", "kw"), ("x", "ks"), ("wh", "w"),
    ("c(?=[eiy])", "s"), ("c", "k"), ("q", "k"), ("z", "s"), ("v", "f"), ("d", "t"), ("b", "p"),
    ("g", "k"), ("j", "k"),
)  # fmt: skip
_SOUND_RULES = [(re.compile(a), b) for a, b in _SOUNDS]


@functools.lru_cache(maxsize=8192)
def sound_key(words: str) -> str:
    """A crude key of how words sound: spelling variants of one sound folded together, voiced and
    voiceless consonants alike (a phone line blurs them), vowels after the first letter and
    doubled letters dropped. "meth for men" and "metformin" both give "mtfrmn"."""
    letters = re.sub(r"[^a-z]", "", words.lower())
    if not letters:
        return ""
    for pattern, said in _SOUND_RULES:
        letters = pattern.sub(said, letters)
    head, rest = letters[:1], re.sub(r"[aeiouyhw]", "", letters[1:])
    key = head + rest
    return re.sub(r"(.)\1+", r"\1", key)


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance between two sequences: letters, phonemes or words."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[len(b)]


def sounds_like(heard: str, term: str) -> float:
    """1.0 when `heard` sounds like `term` by its key, down to 0.0 when nothing is alike."""
    return _closeness(sound_key(heard), sound_key(term))


@functools.lru_cache(maxsize=65536)
def _closeness(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    longer = max(len(a), len(b))
    if abs(len(a) - len(b)) > (1.0 - NEAR_MISS) * longer:
        return 1.0 - abs(len(a) - len(b)) / longer  # an upper bound, already below NEAR_MISS
    return 1.0 - edit_distance(a, b) / longer


# -- words a context expects where Whisper wrote a homophone ---------------------------------
# Where the dialog asked for a date of birth, a word that sounds like a number, between two
# numbers, is the number: "three for two thousand four", "eleven won nineteen fifty three",
# "eight to thirty two" (between cardinals: a day's ordinal is said before a year, not in a run
# of digits). Only there: "from two to three" in an open request stays as heard.
_NUMBER_HOMOPHONES = {"for": "four", "fore": "four", "to": "two", "too": "two", "won": "one", "ate": "eight"}
_CARDINALS = frozenset([*ONES, *TENS[2:], "hundred", "thousand"])  # "twenty first to 1980" is no run
# Whisper confuses -teen and -ty ("the 40th of November" for the 14th); next to a month a day
# past the 31st cannot be, so "fortieth" .. "ninetieth" there are the teens they sound like.
_TEEN_FOR_TY = {ordinal_words(n * 10): ordinal_words(10 + n) for n in range(4, 10)}
# An answer to a yes/no question that begins "know" begins "no" ("know that's all, thanks").
_YES_NO_HOMOPHONES = {"know": "no"}


def _bare(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower())


def _same_case(heard: str, word: str) -> str:
    """`word` in place of the letters of `heard`, its punctuation and capital kept."""
    lead, core, tail = re.match(r"^([^\w']*)([\w']*)(.*)$", heard).groups()  # type: ignore[union-attr]
    return lead + (word.capitalize() if core[:1].isupper() else word) + tail


def expected_words(text: str, context: str) -> str:
    """`text` (spoken form) with homophones of what the dialog asked for read as it."""
    if context not in ("identity", "yes_no"):
        return text
    words = text.split()
    if context == "yes_no":
        if words and _bare(words[0]) in _YES_NO_HOMOPHONES:
            words[0] = _same_case(words[0], _YES_NO_HOMOPHONES[_bare(words[0])])
        return " ".join(words)
    bare = [_bare(w) for w in words]
    for n, word in enumerate(bare):
        numbers_around = 0 < n < len(bare) - 1 and bare[n - 1] in _CARDINALS and bare[n + 1] in _CARDINALS
        # punctuation after the homophone (a pause) or before it ends the run of numbers
        if numbers_around and word in _NUMBER_HOMOPHONES and re.fullmatch(r"[\w']+", words[n]):
            words[n] = _same_case(words[n], _NUMBER_HOMOPHONES[word])
        elif word in _TEEN_FOR_TY and _next_to_month(bare, n):
            words[n] = _same_case(words[n], _TEEN_FOR_TY[word])
    return " ".join(words)


def _next_to_month(bare: list[str], n: int) -> bool:
    """Whether the word at `n` is a day of a month: "the _ of March" or "March _"."""
    after = n + 2 < len(bare) and bare[n + 1] == "of" and bare[n + 2] in MONTHS
    return after or (n > 0 and bare[n - 1] in MONTHS)


# -- what a context expects -------------------------------------------------------------------
@dataclass(frozen=True)
class Expectation:
    """Terms of one class (a site's formulary), and where a turn expects one: anywhere in a turn
    heard in one of the contexts `anywhere_in` (the dialog asked for it), and in any turn where a
    `slots` pattern's group named `group` covers it (the site's own grammar: "refill on my
    (?P<medication>...)"). A turn's words are matched by those patterns lower case, without
    punctuation, as the dialog's patterns read them."""

    terms: tuple[str, ...]
    anywhere_in: frozenset[str] = frozenset()
    slots: tuple[re.Pattern[str], ...] = ()
    group: str = ""


@dataclass(frozen=True)
class Listening:
    """How a recognizer chooses among its hypotheses, per dialog context."""

    vocabulary: frozenset[str]
    expectations: tuple[Expectation, ...] = ()
    topics: tuple[str, ...] = ()  # the site's topic phrases (topic_phrases): heard again by the model
    names: frozenset[str] = frozenset()  # lower-case words of names: never replaced, never put in

    @classmethod
    def of(
        cls,
        vocabulary: Iterable[str],
        expectations: Iterable[Expectation] = (),
        topics: Iterable[str] = (),
        names: Iterable[str] = (),
    ) -> Listening:
        name_words = frozenset(w for n in names for w in _WORD.findall(n.lower()))
        return cls(
            vocabulary_words(vocabulary), tuple(expectations), topic_phrases(topics, name_words), name_words
        )

    def respellings(self, text: str, context: str) -> list[str]:
        """`text` with a site topic in place of words that sound somewhat like it, for the model
        to hear again (`topic_respellings`); none outside an open request."""
        if context not in TOPIC_CONTEXTS or not self.topics:
            return []
        return topic_respellings(text, self.topics, self.names | self.vocabulary)

    @property
    def rescores(self) -> bool:
        """Whether there is anything to choose with (else one greedy hypothesis is enough)."""
        return bool(self.vocabulary or self.expectations)

    def choose(self, hypotheses: Sequence[tuple[str, float]], context: str = "") -> str:
        """The hypothesis to hand the dialog, with near-misses of expected terms read as them."""
        if not hypotheses:
            return ""
        if not self.rescores:
            return expected_words(hypotheses[0][0], context)
        # each hypothesis with its near-misses read as the expected terms, then the vocabulary's
        # choice: a hypothesis that holds an expected term (heard as it or close) is preferred
        said = []
        for text, score in hypotheses:
            text = expected_words(text, context)
            for expectation in self.expectations:
                text = _snap(text, expectation, context)
            said.append((text, score))
        return rescore(said, self.vocabulary)


def _key(word: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", word.lower().replace("'", ""))


def _snap(text: str, expectation: Expectation, context: str) -> str:
    """`text` with the closest near-miss of an expected term replaced by the term (and, where the
    place was found through a near-miss of the grammar's own words, those read as them)."""
    words = text.split()
    if not words or not expectation.terms:
        return text
    best: tuple[float, int, int, str, tuple[tuple[int, str], ...]] | None = None
    for start, end, fixes in _places(words, expectation, context):
        for i in range(start, end):
            for j in range(i + 1, min(end, i + MAX_SPAN) + 1):
                heard = " ".join(words[i:j])
                for term in expectation.terms:
                    if _key(heard) == _key(term):
                        return _read_as(words, fixes) if fixes else text  # already the term
                    score = sounds_like(heard, term)
                    if score >= NEAR_MISS and (best is None or score > best[0]):
                        best = (score, i, j, term, fixes)
    if best is None:
        return text
    _, i, j, term, fixes = best
    words = _read_as(words, fixes).split()
    tail = re.sub(r"^.*?([^\w']*)$", r"\1", words[j - 1])  # keep the sentence's own punctuation
    return " ".join([*words[:i], term + tail, *words[j:]])


def _read_as(words: list[str], fixes: tuple[tuple[int, str], ...]) -> str:
    """`words` with the words at the fixes' places read as the grammar's words (punctuation kept)."""
    out = list(words)
    for n, word in fixes:
        out[n] = word + re.sub(r"^.*?([^\w']*)$", r"\1", out[n])
    return " ".join(out)


def _places(
    words: list[str], expectation: Expectation, context: str
) -> list[tuple[int, int, tuple[tuple[int, str], ...]]]:
    """Word ranges [start, end) where the turn expects a term of this class, each with the words
    that had to be read as the grammar's own to find it ((index, word); none when heard as is).

    A place found by the grammar's words heard as is comes first. Else a word that sounds like
    one of the grammar's own ("resell", "resale" for "refill") is read as it: Whisper mishears
    the carrier word as often as the term, and without it the place of the term is lost."""
    if context in expectation.anywhere_in:
        return [(0, len(words), ())]
    keys = [_key(w) for w in words]
    places = _slot_places(keys, expectation, ())
    if places:
        return places
    fixes = tuple(
        (n, near)
        for n, k in enumerate(keys)
        if (near := _grammar_word_near(k, expectation.slots)) is not None
    )
    if not fixes:
        return []
    fixed = list(keys)
    for n, word in fixes:
        fixed[n] = word
    return _slot_places(fixed, expectation, fixes)


def _slot_places(
    keys: list[str], expectation: Expectation, fixes: tuple[tuple[int, str], ...]
) -> list[tuple[int, int, tuple[tuple[int, str], ...]]]:
    joined, starts = "", []
    for k in keys:
        starts.append(len(joined) + (1 if joined else 0))
        joined = f"{joined} {k}" if joined else k
    places = []
    for pattern in expectation.slots:
        m = pattern.search(joined)
        if m is None or m.group(expectation.group) is None:
            continue
        lo, hi = m.span(expectation.group)
        covered = [n for n, s in enumerate(starts) if lo <= s < hi]
        if covered:
            # only the fixes the match used: a grammar word heard in the term's own place is the term's
            used = tuple((n, w) for n, w in fixes if m.start() <= starts[n] < lo)
            places.append((covered[0], covered[-1] + 1, used))
    return places


GRAMMAR_WORD_MIN = 5  # shorter words of the grammar ("ran", "out", "from") are common English


@functools.lru_cache(maxsize=64)
def _grammar_words(slots: tuple[re.Pattern[str], ...]) -> frozenset[str]:
    """The literal words of the site's slot patterns (their regex syntax and short words left out)."""
    return frozenset(
        w
        for pattern in slots
        for w in re.findall(r"[a-z]+", re.sub(r"\\[a-z]", " ", pattern.pattern))
        if len(w) >= GRAMMAR_WORD_MIN
    )


def _grammar_word_near(key: str, slots: tuple[re.Pattern[str], ...]) -> str | None:
    """The grammar word that `key` (a heard word) sounds like, unless it is one already."""
    if len(key) < GRAMMAR_WORD_MIN - 1:
        return None
    grammar = _grammar_words(slots)
    if key in grammar:
        return None
    near = max(grammar, key=lambda w: (sounds_like(key, w), w), default=None)
    return near if near is not None and sounds_like(key, near) >= NEAR_MISS else None


# -- the site's topics, heard again by the model ----------------------------------------------
# Whisper hears a topic the site answers about as common words that sound somewhat like it
# ("what are your visiting hours" -> "what are your busy numbers", in all of tiny.en's 10 best).
# The sound alone cannot say which was said ("busy numbers" is no nearer "visiting hours" than
# many phrases are to many others), so it only proposes: each phrase of the site's topics (the
# knowledge base's section titles) that sounds somewhat like some of the heard words becomes a
# respelling, and the recognizer scores every respelling on the same audio (the decoder forced
# through its tokens, faster_whisper.py). A respelling wins only when the model finds it nearly
# as likely as what it wrote: on the caller's "visiting hours" tiny.en gives the written
# "busy numbers" -3.2 and "visiting hours" -7.2 to -8.2 (sum of token log-probabilities), while
# the topics the caller did not say score far below ("clinic hours" -24.8, "billing office" -24.4).
# Only in an open request (the caller names what they want); never over a name, never a name in.
# bench/asr.py --finals, tiny.en+context -> tiny.en+topics, 8 kHz μ-law, 2 piper callers: tuning
# half 0.066 -> 0.066 (no sentence changed), held-out half 0.062 -> 0.060 (open request 0.069 ->
# 0.063: both callers' "visiting hours"; no other sentence changed, names and dates 0.071 as before).
TOPIC_CONTEXTS = frozenset({""})
TOPIC_NEAR = 0.35  # how alike (sounds_roughly_like) heard words must be for a topic to be proposed
# How much less likely (nats, whole sentence) a respelling may be, and win: the caller's "visiting
# hours" came 3.9 to 5.0 below what tiny.en wrote (by the audio's cut at the end of turn), the
# topics not said 20 to 30 below.
TOPIC_MARGIN = 7.0
MAX_RESPELLINGS = 2  # the closest by sound: each costs the model one forced pass (~20 ms tiny.en)
TOPIC_WORD_MIN = 4  # shorter heard words alone ("are", "the") are no place a topic was misheard


_FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "for", "we", "do", "not", "our",
     "your", "my", "is", "are", "with", "from", "by"]
)  # fmt: skip


def topic_phrases(titles: Iterable[str], names: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """Lower-case phrases of the site's topics: each title of two words or more, and its runs of
    two or more words ("ICU visiting hours" -> also "visiting hours"), none beginning or ending
    on a function word. A single word is no topic here: heard words sound somewhat like too
    many ("busy numbers" -> "busy nurse" scored nearly as well as "visiting hours"). A title
    that holds a name gives none: a name is never put in by sound."""
    out: dict[str, None] = {}
    for title in titles:
        words = _WORD.findall(title.lower())
        if not words or names.intersection(words):
            continue
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + MAX_SPAN) + 1):
                run = words[i:j]
                if run[0] in _FUNCTION_WORDS or run[-1] in _FUNCTION_WORDS:
                    continue  # "plans we", "we do not": no topic a caller names
                if len(run) >= 2:  # a single word sounds somewhat like too many common ones
                    out[" ".join(run)] = None
    return tuple(out)


def syllables(words: str) -> int:
    """About how many syllables: runs of vowels, a silent final e left out."""
    return len(re.findall(r"[aeiouy]+", re.sub(r"e\b", "", words.lower())))


def sounds_roughly_like(heard: str, topic: str) -> float:
    """0..1: the sound key's closeness (`sounds_like`, consonants) and the letters' own (vowels
    too), averaged. The key alone folds too much for whole phrases: "numbers" keys close to
    "nurse"; with the letters, "busy numbers" is nearer "visiting hours" than any other topic."""
    a, b = re.sub(r"[^a-z]", "", heard.lower()), re.sub(r"[^a-z]", "", topic.lower())
    if not a or not b:
        return 0.0
    return (sounds_like(heard, topic) + 1.0 - edit_distance(a, b) / max(len(a), len(b))) / 2


def topic_respellings(text: str, topics: Sequence[str], kept: frozenset[str] = frozenset()) -> list[str]:
    """Up to MAX_RESPELLINGS texts, each `text` with one run of heard words replaced by a topic
    phrase of as many words, about as many syllables, that sounds somewhat like it; closest
    first. A run holding a name or a site word (`kept`: names, medications) or a word written
    with a capital inside the sentence (a name) is never replaced; a text that names a topic as
    is gets none, and a topic heard inflected ("appointment") is left as said."""
    words = text.split()
    keys = [_key(w) for w in words]
    heard = " ".join(keys)
    if any(f" {topic} " in f" {heard} " for topic in topics):
        return []  # a caller names one topic: one heard as is leaves no other to hear again
    found: list[tuple[float, int, int, str]] = []
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + MAX_SPAN - 1) + 1):
            run = keys[i:j]
            if run[0] in _FUNCTION_WORDS or run[-1] in _FUNCTION_WORDS or kept.intersection(run):
                continue  # a topic is misheard as words of its own kind, not as "are your"
            if not any(len(k) >= TOPIC_WORD_MIN for k in run):
                continue
            if any(w[:1].isupper() and n > 0 and keys[n] != "i" for n, w in enumerate(words[i:j], i)):
                continue  # written as a name
            span = " ".join(run)
            for topic in topics:
                if len(topic.split()) != len(run):
                    continue
                if all(a.startswith(b) or b.startswith(a) for a, b in zip(run, topic.split(), strict=True)):
                    continue  # the topic's own words, inflected ("appointment", "park"): as said
                if abs(syllables(span) - syllables(topic)) > 1:
                    continue
                score = sounds_roughly_like(span, topic)
                if score >= TOPIC_NEAR:
                    found.append((score, i, j, topic))
    out: list[str] = []
    for _, i, j, topic in sorted(found, key=lambda f: (-f[0], f[1], f[3])):
        tail = re.sub(r"^.*?([^\w']*)$", r"\1", words[j - 1])
        said = topic.capitalize() if i == 0 and words[0][:1].isupper() else topic
        respelled = " ".join([*words[:i], said + tail, *words[j:]])
        if respelled not in out:
            out.append(respelled)
        if len(out) == MAX_RESPELLINGS:
            break
    return out


def heard_again(written: str, written_score: float, respelled: Sequence[tuple[str, float]]) -> str:
    """The text to keep: the respelling the model found likeliest, if within TOPIC_MARGIN of what
    it wrote (both as sums of token log-probabilities on the same audio), else what it wrote."""
    best = max(respelled, key=lambda r: r[1], default=None)
    if best is None or best[1] < written_score - TOPIC_MARGIN:
        return written
    return best[0]
