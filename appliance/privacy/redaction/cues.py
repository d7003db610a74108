"""Cue words: the nearest word before a number says what it is ("social" → SSN, "member" → ID,
"zip" → ZIP, "born" → DATE), and a word after it may say it is no identifier ("ninety minutes")."""

from __future__ import annotations

from appliance.privacy.redaction.addresses import STREET_SUFFIXES
from appliance.privacy.redaction.lexicon import NUMBER_VOCAB, SENTENCE_END
from appliance.privacy.redaction.tokens import Token

# Nearest cue word before a number run decides its label. "number"/"is" are neutral (skipped);
# NEG words mean the number is not an identifier (extensions, money, rooms, times).
CONTEXT_WORDS = {
    "social": "SSN", "ssn": "SSN", "security": "SSN", "last": "SSN",
    "mrn": "MRN", "record": "MRN", "records": "MRN", "chart": "MRN", "rch": "MRN",
    "phone": "PHONE", "cell": "PHONE", "mobile": "PHONE", "fax": "PHONE", "telephone": "PHONE",
    "reach": "PHONE", "call": "PHONE", "callback": "PHONE", "landline": "PHONE", "text": "PHONE",
    "contact": "PHONE", "dial": "PHONE",
    "account": "ID", "member": "ID", "membership": "ID", "policy": "ID", "group": "ID",
    "subscriber": "ID", "insurance": "ID", "license": "ID", "licence": "ID", "card": "ID",
    "device": "ID", "serial": "ID", "claim": "ID", "medicare": "ID", "medicaid": "ID", "pin": "ID",
    "ending": "ID", "ends": "ID", "id": "ID", "passport": "ID", "certificate": "ID",
    "beneficiary": "ID", "pacemaker": "ID", "pump": "ID", "implant": "ID", "confirmation": "ID",
    "concentrator": "ID", "cpap": "ID", "bipap": "ID", "wheelchair": "ID",  # a device's serial
    "zip": "ZIP", "zipcode": "ZIP", "postal": "ZIP",
    "plate": "PLATE", "plates": "PLATE", "tag": "PLATE", "registration": "PLATE", "reg": "PLATE",
    "rego": "PLATE", "numberplate": "PLATE",
    "vin": "PLATE",  # a vehicle identification number: 17 letters and digits, said one by one
    "ip": "IP",
    "born": "DATE", "birth": "DATE", "birthday": "DATE", "birthday's": "DATE", "dob": "DATE",
    "birthdate": "DATE",
    "admitted": "DATE", "discharged": "DATE", "died": "DATE", "passed": "DATE",
    "extension": "NEG", "ext": "NEG", "floor": "NEG", "suite": "NEG", "building": "NEG",
    "$": "NEG", "bed": "NEG", "dollars": "NEG", "page": "NEG",
}  # fmt: skip
AFTER_NEG = {"dollars", "dollar", "bucks", "cents", "percent", "minutes", "minute", "hours", "hour",
             "o'clock", "am", "pm", "mg", "milligrams", "pounds", "lbs", "units", "times", "calories",
             "steps", "miles", "feet", "kilos", "kg", "kilograms", "stone"}  # fmt: skip


def context_label(toks: list[Token], first: int, window: int = 9) -> tuple[str | None, bool]:
    """(label of the nearest cue word before token `first`, whether a neutral "number" was seen)."""
    saw_number = False
    roles = _CONTEXT_ROLES
    # a cue on the line before (another turn of a transcript) says nothing about this number
    line_start = toks[first].match.string.rfind("\n", 0, toks[first].start) if first else -1
    numbered = False  # a number said between the cue and this one: "Suite 300, Oakdale, 55128"
    for k in range(first - 1, max(-1, first - 1 - window), -1):
        if toks[k].start < line_start:
            break
        low = toks[k].low
        role = roles.get(low)
        if role is None:
            if low == "b" and spelled_word_ends(toks, k, "dob"):
                return "DATE", saw_number  # "d o b one two …", "D.O.B."
            numbered = numbered or low[:1].isdigit() or low in NUMBER_VOCAB
            continue
        if role == "NEG" and numbered:
            continue  # "suite", "floor", "extension" say what their own number is, not a later one
        if role == _END:
            if not toks[k + 1].low[:1].isdigit():  # "... 3.5" is no sentence end
                break
        elif role == _NEUTRAL:
            saw_number = True
        else:
            if role == "SSN" and low == "last" and _any_cue(toks, k + 1, first, {"card", "account"}):
                return "ID", saw_number
            return role, saw_number
    return None, saw_number


def spelled_word_ends(toks: list[Token], k: int, word: str) -> bool:
    """Do the single letters ending at token k (dots between them allowed) spell `word`?"""
    for letter in reversed(word):
        while k >= 0 and toks[k].text == ".":
            k -= 1
        if k < 0 or toks[k].low != letter:
            return False
        k -= 1
    return True


def _context_roles() -> dict[str, str]:
    """What a word before a number says about it, in the order context_label used to ask."""
    roles = dict.fromkeys((*STREET_SUFFIXES, "box"), "ZIP")
    roles.update(CONTEXT_WORDS)
    roles.update(dict.fromkeys(("number", "numbers", "digits", "#", "no"), _NEUTRAL))
    roles.update(dict.fromkeys(SENTENCE_END, _END))
    return roles


_END, _NEUTRAL = "end of sentence", "neutral"
_CONTEXT_ROLES = _context_roles()


def _any_cue(toks: list[Token], a: int, b: int, words: set[str]) -> bool:
    return any(toks[k].low in words for k in range(a, b))
