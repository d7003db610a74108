"""A learned token tagger for names and places in recognizer-style text (the rules' second layer).

The rules find a name or a place from its cue ("my name is", "lives in", "… road"); what they miss
is one said with no cue, in lower case, made of everyday words or of words no dictionary holds
("we saw will fisher at the shops", "she's over at the larches now"). This tagger reads every word
with the words around it and says NAME, ADDRESS or nothing. It is an averaged perceptron over
sparse features of each word (its letters' endings and beginnings, its shape, whether a dictionary
holds it and as what, its class in wordllama's token-embedding space: word_classes.py) and of its
neighbours (their words, their shapes, their embedding classes, the two words on each side as a
pair: "lives at X", "X speaking now"), decoded greedily left to right with the previous word's
tag as a feature. Trained with a third of the words read without their own identity, so that it
learns a name from its letters, class and frame rather than by heart.

Weights: tagger_weights.json beside this module, written by tagger_train.py from a corpus that
tagger_corpus.py generates (names of many origins, with diacritics, hyphens and several parts;
streets, towns and care homes in lower case; everyday words as names with a cue and without; and
sentences with no PHI that use the same words). Its sha256 is pinned below: an altered or missing
file is refused and the rules redact alone (`status()` says why). It reads words through its own
word lists, frozen with the weights (tagger_lexicon.py), so that `tagger_train --check` rebuilds
them byte for byte from the repository. No held-out sentence was used to train it (its development
sets are utterances, heldout, corpus_dev and corpus_dev3, and sentences of its own); the generator
was widened for the kinds of error the held-out sets showed (a name that runs into the next clause
unpunctuated, titles of office, medicines and countries that are no
names or places), never with their words.

A span it finds is kept only with evidence beyond its place (`has_evidence`): with no cue, a
tagger calls a sentence's last noun a name too ("help with my hospital bill").

Where it runs: on finished transcripts (compose.redact_many, and `redact(..., tagged=True)` or with
spaCy's layer), not yet on each turn as it is spoken. It reads about four times as fast as the rules
(a word's share of every score is worked out once per distinct word and held; a word whose bounds
show it cannot lead O is not summed at all; `TagModel`), with the same spans and margins as the
plain definition of the model (tests/privacy/test_tagger_equivalence.py); with the rules it reads
near the 1 MB/s per core a turn-by-turn redactor needs. bench/redaction.py prints the figures.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from appliance.pinned_files import PinnedFileError, read_pinned
from appliance.privacy.redaction.addresses import RESIDENCE_WORDS, STREET_SUFFIXES
from appliance.privacy.redaction.lexicon import TAGGER_CAPITALISED
from appliance.privacy.redaction.tagger_corpus import HOUSE_NAMES, TOWN_MODS
from appliance.privacy.redaction.tagger_lexicon import is_function_word, tags
from appliance.privacy.redaction.word_classes import WordClassesUnavailable, shared_classes

WEIGHTS_FILE = Path(__file__).with_name("tagger_weights.json")
WEIGHTS_SHA256 = "a54b35ef1cdb005034fc36ce7644cbe247640f1e510b5614b7fe792746e9e345"
TAGS = ("O", "NAME", "ADDRESS")
# A span the tagger is this sure of (its score over the O score, in the perceptron's units) needs
# no other evidence ("the old smithy", "i'm ringing for price"). To be chosen again whenever the
# weights are trained again (their scale changes). For the weights pinned above: at 39 no word of
# the PHI-free caller sentences (tests/privacy/data/phi_free_callers.txt) that the rules keep is
# hidden, but recall on generated sentences of another seed falls from 0.981 (at 31) to 0.976;
# 35 was taken between them: "visiting hours end" (32.6) and "bleeding really" (33.3) stay whole,
# "the shallow end" (38.6) is hidden (6 of 1,109 PHI-free sentences lose a word, against 9 at 31).
SURE_MARGIN = 35.0

# Words as the recognizer prints them: letters of any script with their marks, joined by an
# apostrophe or a hyphen ("o'connell", "ashworth-bell", "zoë"); numerals; marks of punctuation.
_LETTERS = r"[^\W\d_]+(?:[\u0300-\u036f]+[^\W\d_]*)*"
TAG_TOKEN = re.compile(rf"{_LETTERS}(?:['’\-]{_LETTERS})*|\d+|[^\s\w]")
# The same tokens for text that is all ASCII (most turns), read faster: there a letter of any
# script is [A-Za-z], no combining mark occurs, the apostrophe is "'" and a digit is [0-9].
_ASCII_TAG_TOKEN = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*|[0-9]+|[^\sA-Za-z0-9_]")


def tag_tokens(text: str) -> list[str]:
    """The words the tagger reads, as TAG_TOKEN cuts them."""
    return (_ASCII_TAG_TOKEN if text.isascii() else TAG_TOKEN).findall(text)


_NUMBER_WORDS = frozenset((
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "thousand", "double", "triple",
))  # fmt: skip
_FILLERS = frozenset(("uh", "um", "er", "erm", "ah", "hmm", "mm", "like"))
# Contractions as recognizers print them without the apostrophe, and words no dictionary lists
# that are never names: function words to the tagger.
_PLAIN_SPEECH = frozenset((
    "im", "ive", "id", "ive", "youre", "youve", "hes", "shes", "theyre", "theyve", "weve", "thats",
    "theres", "whats", "wheres", "whos", "dont", "doesnt", "didnt", "cant", "couldnt", "wont",
    "wouldnt", "shouldnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "aint",
    "lets", "else", "whichever", "whoever", "whatever", "wherever", "however", "whenever", "ya",
    "yall", "cuz", "cos", "coz", "gonna", "wanna", "gotta", "alright", "innit",
))  # fmt: skip


@lru_cache(maxsize=65536)
def word_class(low: str) -> str:
    """A coarse class of a lower-case token, the same for training and for use."""
    if low.isdigit():
        return "num"
    if not low[0].isalpha():
        return "punct" if low not in ",." else low
    if low in _NUMBER_WORDS:
        return "numw"
    if low in _FILLERS:
        return "fill"
    if is_function_word(low) or low in _PLAIN_SPEECH:
        return "fn"
    t = tags(low)
    if t is None:
        return "unk"
    if t == "":
        return "every"
    return "d" + "".join(sorted(set(t)))


@lru_cache(maxsize=65536)
def own_features(word: str) -> tuple[str, ...]:
    """What a word says about itself, whatever surrounds it."""
    low = word.lower()
    feats = ["b", "w=" + low, "c=" + word_class(low)]
    if low[0].isalpha():
        ascii_form = low.isascii()
        feats += ["s2=" + low[-2:], "s3=" + low[-3:], "p2=" + low[:2], "p3=" + low[:3]]
        if len(low) > 4:
            feats.append("s4=" + low[-4:])
        if not ascii_form:
            feats.append("diacritic")
        if "-" in low:
            feats.append("hyphen")
            feats += ["part=" + word_class(p) for p in low.split("-") if p]
        if "'" in low or "’" in low:
            feats.append("apos")
        feats.append("len=" + str(min(len(low), 9)))
        if word[0].isupper():
            feats.append("cap")
        coarse, fine = shared_classes().of(low)
        feats += ["k1=" + str(coarse), "k2=" + str(fine)]
    return tuple(feats)


@lru_cache(maxsize=65536)
def context_features(word: str, where: str) -> tuple[str, ...]:
    """What a neighbouring word says about this one; `where` is its place ("-1", "+2" …)."""
    low = word.lower()
    feats = [where + "w=" + low, where + "c=" + word_class(low)]
    if word[:1].isupper():
        feats.append(where + "cap")
    if low[:1].isalpha():
        # the neighbour's embedding class: a frame never seen with this word ("my stepmum X",
        # "she's stopping at X") reads like the frames seen with its neighbours
        coarse, fine = shared_classes().of(low)
        feats.append(where + "k1=" + str(coarse))
        if where in ("-1", "+1"):
            feats.append(where + "k2=" + str(fine))
    return tuple(feats)


_EDGE = "<s>"


def token_features(words: list[str], i: int) -> list[str]:
    """Every feature of word i except the previous tag (which decoding adds)."""
    feats = list(own_features(words[i]))
    for off in (-2, -1, 1, 2):
        j = i + off
        w = words[j] if 0 <= j < len(words) else _EDGE
        feats += context_features(w, f"{off:+d}")
    prev = words[i - 1].lower() if i > 0 else _EDGE
    nxt = words[i + 1].lower() if i + 1 < len(words) else _EDGE
    feats.append("-1,+1=" + prev + "|" + nxt)
    low = words[i].lower()
    feats.append("-1w,c=" + prev + "|" + word_class(low))
    feats.append("c,+1w=" + word_class(low) + "|" + nxt)
    prev2 = words[i - 2].lower() if i > 1 else _EDGE
    nxt2 = words[i + 2].lower() if i + 2 < len(words) else _EDGE
    # the frame as two words on a side: "lives at X", "my mother X", "X speaking now"
    feats.append("-2,-1=" + prev2 + "|" + prev)
    feats.append("+1,+2=" + nxt + "|" + nxt2)
    return feats


# The frame's features, each a pair of words (or a word and a class) after a prefix: looked up
# from nested tables built at load, keyed by the lower-case words, not as strings built per word.
_PAIR_PREFIXES = ("-1,+1=", "-1w,c=", "c,+1w=", "-2,-1=", "+1,+2=", "t-1,w=")
_TAG_ORDER = (_EDGE, "O", "NAME", "ADDRESS")  # the previous tag, as an index into these
_NO_PAIRS: dict[str, list[float]] = {}
_OUTSIDE = ("O", 0.0)
_WORDS_HELD = 50_000  # distinct words held (about 1.5 kB each); past it the memory starts again


def _pair_tables(weights: dict[str, list[float]]) -> dict[str, dict[str, dict[str, list[float]]]]:
    """prefix -> first part -> second part -> the weights of "prefix" + first + "|" + second. A
    word may itself be "|": every cut of a feature at a "|" is entered, so that a look-up finds
    (first, second) exactly when the string first + "|" + second is a feature."""
    tables: dict[str, dict[str, dict[str, list[float]]]] = {p: {} for p in _PAIR_PREFIXES}
    for feature, vector in weights.items():
        for prefix, table in tables.items():
            if feature.startswith(prefix):
                rest = feature[len(prefix) :]
                cut = rest.find("|")
                while cut >= 0:
                    table.setdefault(rest[:cut], {})[rest[cut + 1 :]] = vector
                    cut = rest.find("|", cut + 1)
    return tables


class TagModel:
    """The trained weights: feature -> (O, NAME, ADDRESS) scores; `spans` tags a text.

    Scoring a word sums the weights of its features (`features_with_tag`, training's view). To
    keep up with live turns, a word's part of every sum it enters (its own features; its features
    as the word two before, one before, one after, two after; its rows of the pair tables) is
    worked out once per distinct word and held in a record; a turn then costs a few look-ups and
    additions per word. The sums are added in the order the plain definition adds them, so the
    scores are the same to the last bit (tests/privacy/test_tagger_equivalence.py).
    """

    def __init__(self, weights: dict[str, list[float]]) -> None:
        self.weights = weights
        self._w = weights
        tables = _pair_tables(weights)
        self._around = tables["-1,+1="]
        self._before_class = tables["-1w,c="]
        self._class_after = tables["c,+1w="]
        self._two_before = tables["-2,-1="]
        self._two_after = tables["+1,+2="]
        self._tag_word = tables["t-1,w="]
        self._tag = tuple(weights.get("t-1=" + t) for t in _TAG_ORDER)
        self._words: dict[str, tuple] = {}  # type: ignore[type-arg]
        # A word is skipped when its bound on a lead over O is below this: minus a slack far above
        # any rounding of sums of a hundred weights (about 1e-12 of the largest), so that a skipped
        # word is one the full sum would have tagged O too.
        largest = max((abs(x) for v in weights.values() for x in v), default=1.0)
        self._skip_below = -1e-6 * max(1.0, largest)
        self._edge = self._record(_EDGE)

    def _sum(self, feats: tuple[str, ...]) -> tuple[float, float, float]:
        o = n = a = 0.0
        w = self._w
        for f in feats:
            v = w.get(f)
            if v is not None:
                o += v[0]
                n += v[1]
                a += v[2]
        return (o, n, a)

    def _record(self, word: str) -> tuple:  # type: ignore[type-arg]
        """What a word brings to every sum it enters, as the fields `_tagged` reads: its word and
        class; its own features' (O, NAME, ADDRESS) sums and its sums as the word two before, one
        before, one after and two after (fields 2 to 16, flat: a field costs one index); its rows
        of the pair tables; its tag-and-word weights for each previous tag."""
        low = word.lower()
        cls = word_class(low)
        record = (
            low,
            cls,
            *self._sum(own_features(word)),
            *self._sum(context_features(word, "-2")),
            *self._sum(context_features(word, "-1")),
            *self._sum(context_features(word, "+1")),
            *self._sum(context_features(word, "+2")),
            self._around.get(low, _NO_PAIRS),  # 17, as the word before: keyed by the word after
            self._before_class.get(low, _NO_PAIRS),  # 18, as the word before: keyed by the class
            self._class_after.get(cls, _NO_PAIRS),  # 19, as the word: keyed by the word after
            self._two_before.get(low, _NO_PAIRS),  # 20, as the word two before: by the one before
            self._two_after.get(low, _NO_PAIRS),  # 21, as the word after: by the one after it
            tuple(self._tag_word.get(t, _NO_PAIRS).get(low) for t in _TAG_ORDER),  # 22
        )
        record += self._bounds(record)
        if len(self._words) >= _WORDS_HELD:  # bounded: unbounded text must not grow it forever
            self._words.clear()
        self._words[word] = record
        return record

    def _bounds(self, record: tuple) -> tuple:  # type: ignore[type-arg]
        """The most this word can add to a NAME's and an ADDRESS's lead over O, in each place it is
        read from (fields 23 to 32): as the word itself, for each previous tag (its own features,
        its class's pairs with any next word, the tag features); as the word two before (with its
        pairs with any next word), one before (its pairs with any next word and any class), one
        after (its pairs with any word after it), two after. A word whose five bounds sum below
        zero for both is O, whatever its neighbours' pairs are: `_tagged` skips its sum."""

        def lead(v: list[float] | tuple[float, ...] | None, i: int) -> float:
            return 0.0 if v is None else v[i] - v[0]

        def most(row: dict[str, list[float]], i: int) -> float:
            return max([0.0, *(v[i] - v[0] for v in row.values())])  # a pair not found adds 0

        out: list[object] = []
        for i in (1, 2):
            own = record[2 + i] - record[2] + most(record[19], i)
            out.append(tuple(own + lead(self._tag[t], i) + lead(record[22][t], i) for t in range(4)))
        for i in (1, 2):
            out.append(record[5 + i] - record[5] + most(record[20], i))
        for i in (1, 2):
            out.append(record[8 + i] - record[8] + most(record[17], i) + most(record[18], i))
        for i in (1, 2):
            out.append(record[11 + i] - record[11] + most(record[21], i))
        for i in (1, 2):
            out.append(record[14 + i] - record[14])
        name, place = out[0::2], out[1::2]
        # and the larger of the two in each place (fields 33 to 37): one sum rules out both
        either = [tuple(map(max, name[0], place[0])), *map(max, name[1:], place[1:])]  # type: ignore[call-overload]
        return (*name, *place, *either)

    def tag_words(self, words: list[str]) -> list[str]:
        """One tag per word, left to right, each seeing the tag before it."""
        return [tag for tag, _ in self.tag_scored(words)]

    def tag_scored(self, words: list[str]) -> list[tuple[str, float]]:
        """One tag per word with its margin (its score less the O score; 0 for O)."""
        return self._tagged(words)[0]

    def _tagged(self, words: list[str]) -> tuple[list[tuple[str, float]], bool]:
        """`tag_scored`, and whether any word is a name or a place."""
        known = self._words.get
        edge = self._edge
        rows = [edge, edge, *[known(word) or self._record(word) for word in words], edge, edge]
        tag_weights = self._tag
        skip_below = self._skip_below
        out: list[tuple[str, float]] = []
        found = False
        prev_tag = 0  # _TAG_ORDER: the edge
        for r2, r1, r, n1, n2 in zip(rows[:-4], rows[1:-3], rows[2:-2], rows[3:-1], rows[4:], strict=True):
            # The bounds first: most words cannot lead O whatever pairs they are in (a word's
            # bounds exceed its true lead by far more than rounding, `_skip_below`).
            if r[33][prev_tag] + r2[34] + r1[35] + n1[36] + n2[37] < skip_below or (
                r[23][prev_tag] + r2[24] + r1[25] + n1[26] + n2[27] < skip_below
                and r[28][prev_tag] + r2[29] + r1[30] + n1[31] + n2[32] < skip_below
            ):
                out.append(_OUTSIDE)
                prev_tag = 1
                continue
            # the same order of additions as the plain definition: own, -2, -1, +1, +2, frame, tag
            o = r[2] + r2[5] + r1[8] + n1[11] + n2[14]
            n = r[3] + r2[6] + r1[9] + n1[12] + n2[15]
            a = r[4] + r2[7] + r1[10] + n1[13] + n2[16]
            nxt = n1[0]
            v = r1[17].get(nxt)  # "-1,+1=" prev|next
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = r1[18].get(r[1])  # "-1w,c=" prev|class
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = r[19].get(nxt)  # "c,+1w=" class|next
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = r2[20].get(r1[0])  # "-2,-1=" prev2|prev
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = n1[21].get(n2[0])  # "+1,+2=" next|next2
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = tag_weights[prev_tag]  # "t-1=" tag
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            v = r[22][prev_tag]  # "t-1,w=" tag|word
            if v is not None:
                o, n, a = o + v[0], n + v[1], a + v[2]
            if o >= n and o >= a:
                out.append(_OUTSIDE)
                prev_tag = 1
            elif n >= a:
                out.append(("NAME", n - o))
                prev_tag, found = 2, True
            else:
                out.append(("ADDRESS", a - o))
                prev_tag, found = 3, True
        return out, found

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """The names and places found, each with evidence beyond its place (`has_evidence`)."""
        out = []
        for s, e, lab, margin in self.scored_spans(text):
            if lab == "NAME":
                s = _with_given_name_before(text, s)
            if margin >= SURE_MARGIN or has_evidence(text, s, e, lab):
                out.append((s, e, lab))
        return out

    def scored_spans(self, text: str) -> list[tuple[int, int, str, float]]:
        """(start, end, label, margin) for each run of words tagged alike; the margin is the
        run's largest (how sure the tagger is of its surest word)."""
        tagged, found = self._tagged(tag_tokens(text))
        if not found:
            return []  # most turns: no word is a name or a place, and no word needs its place
        matches = list(TAG_TOKEN.finditer(text))
        out: list[tuple[int, int, str, float]] = []
        start = end = -1
        label = "O"
        best = 0.0
        last = -2  # the index of the last word tagged other than O
        for i, (tag, margin) in enumerate(tagged):
            if tag == "O":
                continue
            if tag == label and i == last + 1:
                end = matches[i].end()
                best = max(best, margin)
            else:
                if label != "O":
                    out.append((start, end, label, best))
                m = matches[i]
                label, start, end, best = tag, m.start(), m.end(), margin
            last = i
        if label != "O":
            out.append((start, end, label, best))
        # a run made of marks alone ("," tagged inside a name) is no name
        return [x for x in out if any(c.isalpha() for c in text[x[0] : x[1]])]


def has_evidence(text: str, start: int, end: int, label: str) -> bool:
    """Does the span hold something that marks a name or a place besides where it stands?

    The tagger reads context well but, with no cue, calls a sentence's last noun a name too
    ("help with my hospital bill", "struggling for breath"). A span it finds is kept only with one
    of these: a word (or a part of a hyphenated word) that no dictionary holds, letters outside
    ASCII, a capital inside the sentence on a word that is not an everyday capitalised word, a
    given name before another word ("will fisher", not "my bill"), or, for a place, two words or
    more ending in a street's or a residence's word ("cobbler's walk", "fallowfield lodge") or
    opening with a town's modifier ("upper slaughter").
    """
    words = [m.group() for m in TAG_TOKEN.finditer(text, start, end) if m.group()[0].isalpha()]
    if not words:
        return False
    for k, word in enumerate(words):
        low = word.lower()
        if not low.isascii():
            return True
        for part in _PARTS.split(low):
            if len(part) > 1 and word_class(part) == "unk":
                return True
        if word[0].isupper() and (k > 0 or _inside_sentence(text, start)) and low not in TAGGER_CAPITALISED:
            return True
    first, last = _bare(words[0].lower()), words[-1].lower()
    if (
        label == "NAME"
        and first in given_names()
        and (len(words) >= 2 or _after_function_word(text, start, first))
    ):
        return True
    if label == "ADDRESS" and _house_name(text, start, end):
        return True  # "she's in the cedars": a house's name, "the" and a plural
    if len(words) >= 2 and label == "ADDRESS" and first in TOWN_MODIFIERS:
        return True  # "upper slaughter", "little snoring", "kings ripton": a town's own shape
    return len(words) >= 2 and label == "ADDRESS" and (last in STREET_SUFFIXES or last in RESIDENCE_WORDS)


def _house_name(text: str, start: int, end: int) -> bool:
    said = text[max(0, start - 4) : end].lower()
    return said in HOUSE_NAMES or text[start:end].lower() in HOUSE_NAMES


TOWN_MODIFIERS = frozenset(m for m in TOWN_MODS if m not in ("new", "old", "long"))
_PARTS = re.compile(r"['’\-]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s*)\W*$")


# Before a lone given name that is also a word: "went to rhodri", "with bernard", not "my bill".
_NOT_BEFORE_A_NAME = frozenset(("the", "a", "an", "my", "your", "his", "her", "our", "their", "this",
                                "that", "some", "any", "no", "every", "each", "its"))  # fmt: skip


def _bare(low: str) -> str:
    return low[:-2] if low.endswith(("'s", "’s")) else low


def _after_function_word(text: str, start: int, word: str) -> bool:
    before = TAG_TOKEN.findall(text[max(0, start - 20) : start])
    if not before:
        return True  # a turn that opens with it: "rhodri's here"
    low = before[-1].lower()
    if low == "to" and "v" in (tags(word) or ""):
        return False  # "the pain seems to peter out": after "to", a word that can be a verb is one
    return low in ",." or (word_class(low) == "fn" and low not in _NOT_BEFORE_A_NAME)


_SUBJECTS = frozenset(("i", "you", "we", "they", "he", "she", "it", "who", "that", "which", "there"))


def _with_given_name_before(text: str, start: int) -> int:
    """Where a name starts when the word before it is a given name that is also a word, left out
    by the tagger ("we saw will fisher": the "will" of "i will ring" is no name)."""
    before = list(TAG_TOKEN.finditer(text, max(0, start - 40), start))
    if not before or text[before[-1].end() : start].strip():
        return start
    word = before[-1].group().lower()
    if word not in given_names():
        return start
    if len(before) >= 2 and before[-2].group().lower() in _SUBJECTS:
        return start
    return before[-1].start()


def _inside_sentence(text: str, start: int) -> bool:
    return _SENTENCE_START.search(text, max(0, start - 8), start) is None


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    from appliance.privacy.redaction.tagger_corpus import EVERYDAY_GIVEN, GIVEN

    return frozenset(GIVEN) | frozenset(EVERYDAY_GIVEN)


def features_with_tag(words: list[str], i: int, prev_tag: str) -> list[str]:
    """Training's view of word i: the same features as `TagModel.tag_words` sums."""
    return [*token_features(words, i), "t-1=" + prev_tag, "t-1,w=" + prev_tag + "|" + words[i].lower()]


class TaggerUnavailable(RuntimeError):
    """The weights could not be loaded; the message says why."""


@dataclass(frozen=True)
class Status:
    loaded: bool
    detail: str


def load(path: Path = WEIGHTS_FILE, sha256: str | None = None) -> TagModel:
    """The tagger from its weights file, refused unless the file's sha256 is the pinned one."""
    want = WEIGHTS_SHA256 if sha256 is None else sha256
    try:
        shared_classes()
    except WordClassesUnavailable as exc:
        raise TaggerUnavailable(f"its word classes: {exc}") from None
    try:
        data = read_pinned(path, want)
    except PinnedFileError as exc:
        raise TaggerUnavailable(str(exc)) from None
    try:
        weights = json.loads(data.decode("utf-8"))["weights"]
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise TaggerUnavailable(f"{path}: not a weights file ({type(exc).__name__})") from None
    return TagModel({f: [float(x) for x in v] for f, v in weights.items()})


_model: TagModel | None = None
_failure: str | None = None
_load_lock = threading.Lock()


def shared_tagger() -> TagModel | None:
    """The process's tagger, loaded once; None (and `status()` says why) when it cannot load."""
    global _model, _failure
    if _model is not None or _failure is not None:
        return _model
    with _load_lock:
        if _model is None and _failure is None:
            try:
                _model = load()
            except TaggerUnavailable as exc:
                _failure = str(exc)
        return _model


def status() -> Status:
    """Is the tagger on, and if not, why (the rules redact alone then)."""
    if shared_tagger() is not None:
        return Status(True, "name and place tagger loaded")
    return Status(False, f"name and place tagger off: {_failure}; redaction runs on the rules alone")
