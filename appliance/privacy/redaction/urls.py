"""Web addresses, written ("https://example.net/u/52", "example.com/ana") and spoken ("example dot org
slash ana")."""

from __future__ import annotations

import re

from appliance.privacy.redaction.emails import EMAIL_TLDS
from appliance.privacy.redaction.numbers import is_number_word
from appliance.privacy.redaction.spans import CharSpan, TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex, single_letter

# Web addresses: "https://example.net/u/52", "www.example.org/ana-photos", "example.com/ana".
URL_PATTERN = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)]"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|io|us|info|co|biz|me)/[^\s<>\"]*[^\s<>\".,;:!?)]",
    re.IGNORECASE,
)


def find_spoken_urls(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A web address said aloud: "example dot org slash ana", "www dot example dot net slash u slash 7"."""
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    for i in index.positions(("slash",)):
        tld = i - 2 if i >= 1 and toks[i - 1].low == "forward" else i - 1  # "dot net forward slash …"
        if tld < 2 or i < done or toks[tld].low not in EMAIL_TLDS or toks[tld - 1].low not in ("dot", "."):
            continue
        first = tld - 2
        while (
            first >= 2 and toks[first - 1].low in ("dot", ".") and _URL_PIECE.fullmatch(toks[first - 2].low)
        ):
            first -= 2
        if not _URL_PIECE.fullmatch(toks[first].low):
            continue
        first = _scheme_start(toks, first)
        end = i  # a joiner, then one piece, as long as they alternate
        while end + 1 < n and toks[end].low in _URL_JOINERS and _URL_PIECE.fullmatch(toks[end + 1].low):
            end += 1
            if end + 2 < n and toks[end + 1].low == "forward" and toks[end + 2].low == "slash":
                end += 1  # "… forward slash …": one joiner said in two words
            if end + 1 < n and toks[end + 1].low in _URL_JOINERS:
                end += 1
        if toks[end].low in _URL_JOINERS:
            end -= 1
        if end > i and _spelled_piece(toks[end]):
            while end + 1 < n and _spelled_piece(toks[end + 1]):
                end += 1  # "… slash k m four four": the last piece said letter by letter and digit by digit
        if end > i:
            found.append((first, end, "ID"))
            done = end + 1
    return found


_URL_PIECE = re.compile(r"[a-z0-9]+")


def _spelled_piece(tok: Token) -> bool:
    """A letter, a digit or a number word: what a piece said one character at a time is made of."""
    return single_letter(tok) or tok.text.isdigit() or is_number_word(tok)


# The scheme said before a host: "h t t p s colon slash slash", "https colon forward slash slash".
_SCHEME_WORDS = frozenset(("http", "https", "h", "t", "p", "s", "colon", ":", "slash", "forward", "/"))


def _scheme_start(toks: list[Token], first: int) -> int:
    """Where a spoken web address starts when its scheme is said before the host ("h t t p s colon
    slash slash example dot org …"): at the scheme, so that it is hidden with the rest."""
    k = first
    while k > 0 and toks[k - 1].low in _SCHEME_WORDS and first - k < 10:
        k -= 1
    said = {t.low for t in toks[k:first]}
    return k if "colon" in said or ":" in said else first


_URL_JOINERS = frozenset(("slash", "dash", "dot", "underscore", "-", "/", "_"))


def find_urls(text: str) -> list[CharSpan]:
    """URL_PATTERN's matches, tried only in the runs of non-space characters that hold a "://", a
    "www." or a ".com/" (the pattern opens with \\b: the engine would try it at every word)."""
    spans: list[CharSpan] = []
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
