"""Vehicle plates: "plate number P X four four seven", "my tag reads 7ABC123", "the car
registration is w k seven three p l m", "my reg is AB12 CDE", a plate said after the vehicle and
its state ("the van is ohio seven two two m p four"), and a vehicle identification number read
out character by character ("the v i n is one h g c …")."""

from __future__ import annotations

from appliance.privacy.redaction.ids import PHONETIC_LETTERS, xray_end
from appliance.privacy.redaction.numbers import is_number_word
from appliance.privacy.redaction.regions import is_large_region
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import Token, TokenIndex

PLATE_WORDS = ("plate", "plates", "tag", "registration", "reg", "rego", "numberplate")


def plate_gate(words: set[str]) -> bool:
    """Could a plate or a VIN be said in a text of these (lowered) words: a plate's word, a VIN's
    name (as a word or spelled "v i n") or a vehicle (whose state and plate may follow)?"""
    return (
        not words.isdisjoint(PLATE_WORDS)
        or "vin" in words
        or ("v" in words and "n" in words)
        or not words.isdisjoint(_VEHICLES)
    )


def find_plates(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(PLATE_WORDS):
        k = _past_vehicle(toks, i + 1)
        while k < n and toks[k].low in ("is", "number", "reads", "says", ":", "it's", "of", "my", "was"):
            k += 1
        k = _past_state(toks, k)  # "the plate is texas …": the state is no part of it
        first, k, chars = _pieces(toks, k, 9)
        if chars >= 4:
            found.append((first, k - 1, "PLATE"))
    found += _plates_after_a_state(toks, index)
    found += _vins(toks, index)
    return found


def _pieces(toks: list[Token], k: int, most: int) -> tuple[int, int, int]:
    """From token k, the plate's pieces up to `most` characters: (first, end, characters)."""
    first, chars, n = k, 0, len(toks)
    while k < n and chars < most:
        xray = xray_end(toks, k)
        if xray or toks[k].low in PHONETIC_LETTERS:  # "seven x ray tango …": a letter said as a word
            chars += 1
            k = xray or k + 1
            continue
        if not _plate_piece(toks[k]):
            break
        chars += len(toks[k].text) if not is_number_word(toks[k]) else 1
        k += 1
    return first, k, chars


def _past_state(toks: list[Token], k: int) -> int:
    """Past a state or province said before a plate's characters ("texas", "new mexico")."""
    for size in (2, 1):
        said = " ".join(t.low for t in toks[k : k + size])
        if (
            len(said.split()) == size
            and toks[k].text.isalpha()
            and len(toks[k].text) > 1
            and is_large_region(said)
        ):
            return k + size
    return k


def _plates_after_a_state(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """ "the trailer is texas one seven four k z nine", "his truck's Ohio plate, 7 K L …": a vehicle
    said, then a state and letters and digits, is that vehicle's plate. The state must be said: "the
    car is a …" reads no plate."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(_VEHICLES):
        k = i + 1
        if k < n and toks[k].low in ("is", "was", "'s", "’s", "has"):
            k += 1
        after_state = _past_state(toks, k)
        if after_state == k:
            continue
        first, end, chars = _pieces(toks, after_state, 9)
        letters = any(t.text.isalpha() and not is_number_word(t) for t in toks[first:end])
        digits = any(not (t.text.isalpha() and not is_number_word(t)) for t in toks[first:end])
        if chars >= 4 and letters and digits:
            found.append((first, end - 1, "PLATE"))
    return found


# A vehicle identification number has 17 characters; a caller may stop short or run over by one.
_VIN_LENGTH = 17


def _vins(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """ "the v i n on the dash is one h g c …", "VIN: 1HGCM…": a vehicle identification number,
    read after its name (said as a word or as its three letters) and where it was read from."""
    found: list[TokenSpan] = []
    n = len(toks)
    starts = [i + 1 for i in index.positions(("vin",))]
    starts += [
        i + 3 for i in index.positions(("v",)) if tuple(t.low for t in toks[i + 1 : i + 3]) == ("i", "n")
    ]
    for k in starts:
        j = k
        while j < n and j < k + 7 and toks[j].low in _BEFORE_A_VIN:
            j += 1
        first, end, chars = _pieces(toks, j, _VIN_LENGTH)
        if chars >= 10:
            found.append((first, end - 1, "PLATE"))
    return found


# What is said between a VIN's name and its characters: "on the dash is", "number, it reads".
_BEFORE_A_VIN = frozenset((
    "on", "the", "dash", "dashboard", "door", "is", "number", "reads", "says", ":", ",", "it's", "its",
    "it", "of", "my", "his", "her", "their", "car", "car's", "truck", "van", "was", "plate", "sticker",
))  # fmt: skip


# "the plate on the van is …", "the tag for her car reads …": whose plate it is, said between; a
# vehicle said before its state and plate ("the trailer is texas …").
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
