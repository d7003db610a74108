"""Vehicle plates: "plate number P X four four seven", "my tag reads 7ABC123", "the car
registration is w k seven three p l m", "my reg is AB12 CDE"."""

from __future__ import annotations

from appliance.privacy.redaction.numbers import is_number_word
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex

PLATE_WORDS = ("plate", "plates", "tag", "registration", "reg", "rego", "numberplate")


def find_plates(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(PLATE_WORDS):
        k = _past_vehicle(toks, i + 1)
        while k < n and toks[k].low in ("is", "number", "reads", "says", ":", "it's", "of", "my", "was"):
            k += 1
        first, chars = k, 0
        while k < n and chars < 9 and _plate_piece(toks[k]):
            chars += len(toks[k].text) if not is_number_word(toks[k]) else 1
            k += 1
        if chars >= 4:
            found.append((first, k - 1, "PLATE"))
    return found


# "the plate on the van is …", "the tag for her car reads …": whose plate it is, said between.
_VEHICLES = frozenset((
    "car", "van", "truck", "bike", "motorbike", "motorcycle", "scooter", "camper", "rv", "jeep", "suv",
    "minivan", "trailer", "pickup", "vehicle",
))  # fmt: skip


def _past_vehicle(toks: list[Token], k: int) -> int:
    """Past "on the van", "for her car" after a plate's word: where its number starts."""
    n = len(toks)
    whose = ("the", "my", "his", "her", "our", "their", "your")
    if k + 2 >= n or toks[k].low not in ("on", "for", "of"):
        return k
    return k + 3 if toks[k + 1].low in whose and toks[k + 2].low in _VEHICLES else k


def _plate_piece(tok: Token) -> bool:
    return (
        tok.text.isdigit()
        or is_number_word(tok)
        or (tok.text.isalnum() and tok.text.isupper())
        or (len(tok.text) == 1 and tok.text.isalpha())
    )
