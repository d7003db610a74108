"""The text cut into tokens once (words with their diacritics and apostrophes, numerals, marks),
and an index of where each word occurs, so that each finder visits only its cue tokens."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import chain, repeat
from typing import NamedTuple

from appliance.privacy.redaction.dictionary import is_dictionary_word
from appliance.privacy.redaction.lexicon import NUMBER_START

# A letter of any script with its combining marks ("é" written as e + U+0301, "ọ̀"): names with
# diacritics are one token, not a word cut at every accent.
# (Written as a run of letters that combining marks may follow: the common case is one class scan.)
_LETTERS = r"[^\W\d_]+(?:[\u0300-\u036f]+[^\W\d_]*)*"
TOKEN_RE = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*|\d+(?:st|nd|rd|th)?|…|\.\.\.|[^\s\w]|_")
# One word token (letters, apostrophes inside): what str.isalpha() says, but combining marks count.
WORD_TOKEN = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*")


class Token(NamedTuple):
    text: str
    low: str
    match: re.Match[str]

    @property
    def start(self) -> int:
        return self.match.start()

    @property
    def end(self) -> int:
        return self.match.end()


def tokens(text: str) -> tuple[list[Token], list[str]]:
    """The tokens of `text`, and their lowered forms."""
    # Built with map() over C functions, not a Python loop: tokenizing was the largest single cost.
    # Offsets are asked of the match only for the few tokens that end up in a span. A token is
    # lowered on its own: that differs from slicing text.lower() only for a lone "Σ" (final
    # sigma), which is no vocabulary word either way.
    matches = list(TOKEN_RE.finditer(text))
    texts = list(map(re.Match.group, matches))
    lows = list(map(str.lower, texts))
    return list(map(tuple.__new__, repeat(Token), zip(texts, lows, matches, strict=True))), lows


class TokenIndex:
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
        return _in_order([v for k, v in self.items if k in NUMBER_START or k[0].isdecimal()])

    def single_letters(self) -> list[int]:
        """Tokens that may be single letters (checked by the caller: "İ" lowers to two characters)."""
        return _in_order([v for k, v in self.items if (len(k) == 1 and k.isalpha()) or not k.isascii()])

    def short_words(self) -> list[int]:
        """Words of at most four letters, and one-character non-ASCII tokens."""
        return _in_order([v for k, v in self.items if (len(k) <= 4 and k.isalpha()) or not k.isascii()])

    def capitalisable(self, skip: frozenset[str]) -> list[int]:
        """Words of two letters or more, without apostrophes, that are not among `skip` (everyday
        or site words)."""
        found = [
            v
            for k, v in self.items
            if len(k) > 1 and k not in skip and (k.isalpha() if k.isascii() else WORD_TOKEN.fullmatch(k))
        ]
        return _in_order(found)

    def unlisted(self) -> list[int]:
        """Words of three letters or more that no English dictionary holds (dictionary.py)."""
        return _in_order(
            [v for k, v in self.items if len(k) > 2 and k[0].isalpha() and not is_dictionary_word(k)]
        )

    def among(self, words: frozenset[str] | set[str] | dict[str, int]) -> list[int]:
        """Token indexes, in order, of every occurrence of any of these (many) lowered words."""
        return _in_order([v for k, v in self.items if k in words])


def _in_order(lists: list[list[int]]) -> list[int]:
    if len(lists) == 1:
        return lists[0]
    return sorted(chain.from_iterable(lists))


def is_cap(tok: Token) -> bool:
    return tok.text[:1].isupper() and tok.text[:1].isalpha()


def is_word(tok: Token) -> bool:
    return tok.text[:1].isalpha()


def line_break_between(toks: list[Token], a: int, b: int) -> bool:
    """Is there a line break between the end of token a and the start of token b?"""
    ta, tb = toks[a].match, toks[b].match
    return ta.string.find("\n", ta.end(), tb.start()) >= 0


def single_letter(tok: Token) -> bool:
    return len(tok.text) == 1 and tok.text.isalpha()
