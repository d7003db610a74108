"""Vehicle plates: "plate number P X four four seven", "my tag reads 7ABC123"."""

from __future__ import annotations

from appliance.privacy.redaction.numbers import _is_number_word
from appliance.privacy.redaction.spans import _Found
from appliance.privacy.redaction.tokens import _Index, _Tok

_PLATE_WORDS = ("plate", "plates", "tag")


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
