"""Ages over 89, which Safe Harbor counts as identifying: "she's ninety-three", "aged 101",
"93 years old", "Ada Quill here, 93, from …". Younger ages are kept."""

from __future__ import annotations

from appliance.privacy.redaction.cues import AFTER_NEG
from appliance.privacy.redaction.lexicon import RELATIVES
from appliance.privacy.redaction.numbers import NumberRun, is_number_or_digits
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import Token

# The contractions as recognizers print them with and without the apostrophe ("shes ninety three").
AGE_BEFORE = {"age", "aged", "i'm", "im", "she's", "he's", "shes", "hes", "who's", "whos", "you're", "youre",
              "turned", "turning", "turns", "turn", "am", "is", "be", "nearly", "almost",
              "pushing"}  # fmt: skip
AGE_AFTER = {"years", "year", "yrs", "yo"}
# A hedge between the person and the age: "she's about ninety-six", "he's probably 93 by now".
# Only after a person's "is" ("she's", "i'm", "he'll be"), so "my sugar was about 95" is no age.
AGE_HEDGES = {"about", "around", "roughly", "probably", "maybe", "like", "over", "just", "only",
              "already", "now", "at", "well", "nearly", "almost", "easily", "really", "actually",
              "still"}  # fmt: skip
_PERSON_IS = AGE_BEFORE - {"age", "aged", "is", "am", "nearly", "almost", "pushing"}


def find_ages(toks: list[Token], runs: list[NumberRun]) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    for run in runs:
        if not 90 <= _age_value(run) <= 125:
            continue
        before = toks[run.first - 1].low if run.first > 0 else ""
        before2 = toks[run.first - 2].low if run.first > 1 else ""
        after = toks[run.last + 1].low if run.last + 1 < len(toks) else ""
        after2 = toks[run.last + 2].low if run.last + 2 < len(toks) else ""
        possessive = before.endswith(("'s", "’s")) and before not in ("it's", "that's", "what's", "there's")
        if after in AFTER_NEG:
            continue  # "ninety minutes"
        if _reading_before(toks, run.first):
            continue  # "my temperature is a hundred and three": a reading, not someone's age
        if found and found[-1][1] == run.first - 2 and before in ("or", "to"):
            found.append((run.first, run.last, "AGE"))  # "she's 94 or 95": the other age guessed
            continue
        if (
            after in AGE_AFTER
            or (after == "-" and after2 in AGE_AFTER)
            or (before == "," and after in (",", ".", ";", ""))  # "Ada Quill here, 93, from Ashcombe"
            or before in AGE_BEFORE
            or possessive
            or (before2 in ("age", "aged") and before in ("of", "is", ":"))  # "Age: 94"
            or (before2 == "going" and before == "on" and _age_before_going(toks, run.first - 3))
            or (before in AGE_HEDGES and (before2 in _PERSON_IS or _someone_is(before2)))
            or _claimed(toks, run.first)
        ):
            found.append((run.first, _and_a_half(toks, run.last), "AGE"))
    return found


# What a number over ninety measures when it is no age: a reading said with "is" or "was".
_READINGS = frozenset((
    "temperature", "temp", "fever", "pressure", "sugar", "sugars", "glucose", "pulse", "rate",
    "oxygen", "sats", "saturation", "weight", "reading", "readings", "level", "levels", "score",
))  # fmt: skip


def _reading_before(toks: list[Token], first: int) -> bool:
    """A reading's word up to three tokens before the number: "temperature is 102"."""
    return any(toks[k].low in _READINGS for k in range(max(0, first - 3), first))


def _age_before_going(toks: list[Token], k: int) -> bool:
    """ "ninety-two going on ninety-three", "she's going on ninety": an age or a person's "is"
    before "going on" (not "my heart rate was going on ninety-five")."""
    if k < 0:
        return False
    return toks[k].low in _PERSON_IS or is_number_or_digits(toks[k])


def _and_a_half(toks: list[Token], last: int) -> int:
    """ "ninety-nine and a half": the half is part of the age said."""
    words = tuple(t.low for t in toks[last + 1 : last + 4])
    return last + 3 if words == ("and", "a", "half") else last


# What someone says their age is: "she'll tell you a hundred and three", "he says ninety-five".
_CLAIMS = frozenset(("says", "say", "said", "claims", "claim", "claimed", "insists", "insisted"))
_TOLD = frozenset(("tell", "tells", "told"))
_TOLD_WHO = frozenset(("you", "everyone", "everybody", "people", "us", "me"))
_CLAIMANTS = frozenset(("she", "he", "she'll", "he'll", "she'd", "he'd", "they", "they'll"))


def _claimed(toks: list[Token], first: int) -> bool:
    """Is the number what a person says their age is ("she'll tell you 103", "my nan says ninety
    seven")? Said of a person by a pronoun or who they are to the caller; "the scale says 102" is
    no one's age."""
    k = first - 1
    if k >= 1 and toks[k].low in _TOLD_WHO and toks[k - 1].low in _TOLD:
        k -= 2
    elif k >= 0 and toks[k].low in _CLAIMS:
        k -= 1
    else:
        return False
    if k >= 1 and toks[k].low in ("will", "would", "always", "still", "just"):
        k -= 1  # "she will tell you", "he always says"
    return k >= 0 and (toks[k].low in _CLAIMANTS or toks[k].low in _PEOPLE)


def _someone_is(word: str) -> bool:
    """ "my nan's", "dad's", "grandpa's": a person named by who they are to the caller, with "is"."""
    return word.endswith(("'s", "’s")) and word[:-2] in _PEOPLE


_PEOPLE = RELATIVES | {"nan", "nana", "gran", "granny", "grandad", "granddad", "mum", "mom", "dad",
                       "patient", "resident", "man", "woman", "lady", "gentleman"}  # fmt: skip


def _age_value(run: NumberRun) -> int:
    """The run's value when it can be an age: one group, or tens then ones said apart ("ninety
    four", as recognizers print it without the hyphen); otherwise 0."""
    g = run.groups
    if len(g) == 1:
        return g[0].value
    if len(g) == 2 and not run.seps[0] and g[0].value in (90, 100) and 0 < g[1].value < 10:
        return g[0].value + g[1].value
    return 0
