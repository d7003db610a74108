"""Email addresses, written ("maria.g@example.com") and spoken ("maria dot g at example dot com")."""

from __future__ import annotations

import re

from appliance.privacy.redaction.lexicon import SENTENCE_END
from appliance.privacy.redaction.spans import CharSpan, TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

EMAIL_TLDS = {"com", "org", "net", "edu", "gov", "io", "us", "info", "co", "biz", "me", "mail"}
EMAIL_CONNECTORS = {"dot", ".", "underscore", "_", "dash", "-", "hyphen", "plus"}
EMAIL_STOP = {"is", "it's", "its", "email", "e", "mail", "address", "my", "me", "to", "send",
              "use", "at", ",", ":", "it", "the", "was", "and", "or", "that's", "thats", "try"}  # fmt: skip


def find_emails(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Spoken emails: "maria dot g at example dot com"."""
    found: list[TokenSpan] = []
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
        while (
            k >= 0
            and steps < 8
            and toks[k].low not in EMAIL_STOP
            and (toks[k].low not in SENTENCE_END or _glued(toks, k))
        ):
            start = k
            steps += 1
            k -= 1
        if start < i:
            found.append((start, end, "EMAIL"))
            corrected = _corrected_domain(toks, end + 1)
            if corrected is not None:
                found.append(corrected)
    del n
    return found


# Words a caller takes back what was just said with: "… dot com no sorry example dot net".
_TAKE_BACK = frozenset(("no", "sorry", "i", "mean", "wait", "actually", "rather", "correction", ",", "."))


def _corrected_domain(toks: list[Token], k: int) -> TokenSpan | None:
    """ "k wapena at example dot com no sorry example dot net": the domain said again after a
    correction is the address's, hidden as its first saying is."""
    j = k
    while j < len(toks) and j - k < 4 and toks[j].low in _TAKE_BACK:
        j += 1
    if j == k or not any(t.low in ("sorry", "mean", "wait", "actually", "correction") for t in toks[k:j]):
        return None
    if j < len(toks) and toks[j].low == "at":
        j += 1
    end = _email_domain_end(toks, j)
    return (j, end, "EMAIL") if end is not None else None


def _glued(toks: list[Token], k: int) -> bool:
    """A mark written inside a word, no space either side: the dot of "anais.lefevre at …" is part of
    the address, the full stop of "… lefevre. at …" ends a sentence."""
    return 0 < k < len(toks) - 1 and toks[k - 1].end == toks[k].start and toks[k].end == toks[k + 1].start


def _email_domain_end(toks: list[Token], k: int) -> int | None:
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


def find_written_emails(text: str) -> list[CharSpan]:
    """The EMAIL pattern's matches: each holds an "@" that the run of local-part characters before it
    reaches, so only the starts in that run are tried."""
    pattern = EMAIL_PATTERN
    spans: list[CharSpan] = []
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
