"""Phone numbers beyond their digits: the words that open one ("plus four four", "area code") and
an extension that closes one ("555-0175 extension 214", "x214"). The digits themselves are
classified with the other numbers (numeric.py)."""

from __future__ import annotations

from appliance.privacy.redaction.numbers import NumberRun
from appliance.privacy.redaction.tokens import Token

EXTENSION_WORDS = {"extension", "ext", "x"}


def is_extension_of(toks: list[Token], phone_last: int, run: NumberRun) -> bool:
    """Only an extension word (and dots, commas, "number") between a phone number and this run;
    a pause or a few linking words may come first ("555-0172, extension 3", "555-0163, it's
    extension 40", "555 0193. Extension 7.", "… and then extension nine", "… and the extension is
    three one")."""
    between = [t.low for t in toks[phone_last + 1 : run.first]]
    while between and between[0] in _PAUSES:
        between = between[1:]
    return bool(between) and between[0] in EXTENSION_WORDS and set(between[1:]) <= _AFTER_EXTENSION_WORD


# What may stand between an extension's word and its digits: "extension 3", "the extension is 31".
_AFTER_EXTENSION_WORD = frozenset((".", ",", "number", "#", ":", "is", "was"))


_PAUSES = {",", ";", "-", "…", ".", "and", "then", "uh", "um", "er", "it's", "its", "that's", "thats",
           "it", "that", "is", "the", "at", "on", "with", "plus"}  # fmt: skip


def with_phone_prefix(toks: list[Token], first: int) -> int:
    """ "plus four four …", "+44 …", "area code five five five …": the words that open a number."""
    k = first - 1
    if k >= 0 and toks[k].low in ("plus", "+"):
        return k
    if k >= 1 and toks[k].low == "code" and toks[k - 1].low == "area":
        return k - 1
    return first
