"""Runs of capitalised words that are not everyday or site words: a name ("Ngozi Oyelowo-Hart") or
a place ("Tillerman Crescent", "Maplewood Gardens", "lives in Ashcombe")."""

from __future__ import annotations

from appliance.privacy.redaction.addresses import (
    CARE_WORDS,
    RESIDENCE_WORDS,
    SCHOOL_LEVELS,
    STAY_CARE_WORDS,
    STREET_SUFFIXES,
    after_place_cue,
)
from appliance.privacy.redaction.dictionary import can_be_verb, is_dictionary_word, is_function_word, tags
from appliance.privacy.redaction.lexicon import COMMON_CAPITALISED, MONTHS, RELATIVES
from appliance.privacy.redaction.medicines import is_medicine
from appliance.privacy.redaction.names import NAME_PARTICLES, NOT_A_PERSON, STAFF_TITLES, titled_relative
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import WORD_TOKEN, Token, TokenIndex, is_cap


def find_capitalised_phrases(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Runs of capitalised words that are not everyday or site words, read as a name or a place.

    A run may hold hyphens ("Mbeki-Ashdown"), name particles ("Ferreira da Silva", "Ó Briain") and
    "St." ("St. Brigid's Residence"). It is a place (ADDRESS) when it ends in a street or residence
    word ("Tillerman Crescent", "Maplewood Gardens") or follows a place cue ("lives in Ashcombe",
    "from Fresno"); otherwise two name words or more are a full name.
    """
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    for i in index.capitalisable(NOT_NAME_CAPS):
        if i < done or not toks[i].text[0].isupper() or toks[i].text.isupper():
            continue  # "MRN", "RCH": an acronym opens no name
        first = _phrase_start(toks, i)
        j, words = i, 1 + (first < i)
        while True:
            k = j + 1
            if k + 1 < n and toks[k].text == "-" and WORD_TOKEN.fullmatch(toks[k + 1].text):
                j = k + 1
                continue
            p = k
            while p < n and toks[p].low in NAME_PARTICLES and p - k < 3:
                p += 1
            if p < n and (
                _phrase_word(toks[p]) or (toks[p].low in STAY_CARE_WORDS and _care_word_before_home(toks, p))
            ):
                j, words = p, words + 1
                continue
            break
        rehab = _and_rehab(toks, j)
        if rehab is not None:
            j, words = rehab, words + 2
        done = j + 1
        last = toks[j].low
        staff = _after_staff_title(toks, first)
        if staff and titled_relative(toks[first].match.string, toks[first].start):
            staff = False  # "my father, Dr. Farhad …": family, no member of staff
        if last in ("centre", "center", "facility") and toks[j - 1].low not in _CARE_KINDS:
            last = ""  # "Riverside Medical Center" is no one's home; "Hollybrook Care Centre" is
        # "Elmwood Post-Acute": post-acute care is where someone stays after a hospital
        post_acute = last == "acute" and j > 1 and toks[j - 1].text == "-" and toks[j - 2].low == "post"
        # "Ashgrove Middle School": a school is where a child studies, said with its name
        school = last in _SCHOOL_ENDS and any(t.low not in SCHOOL_LEVELS for t in toks[first:j])
        if rehab is not None or post_acute or school or last in STREET_SUFFIXES or last in RESIDENCE_WORDS:
            if words >= 2:
                if last in RESIDENCE_WORDS and first > 0 and toks[first - 1].low == "the":
                    first -= 1  # "the Marigold Residence": the article is part of its name
                found.append((first, _place_tail(toks, j), "ADDRESS"))
        elif after_place_cue(toks, first):
            found.append((first, j, "ADDRESS"))
        elif (words >= 2 and not staff) or (words == 1 and first == j and _asked_about(toks, first)):
            found.append((first, j, "NAME"))
    return found


# Auxiliaries that open a question about someone: "Can Hunter come in with me?", "Will Rose be …".
_QUESTION_AUXILIARIES = frozenset(("can", "could", "will", "would", "does", "did", "is", "was", "has",
                                   "should", "may", "might"))  # fmt: skip


def _asked_about(toks: list[Token], i: int) -> bool:
    """Is the one capitalised everyday noun at i the subject of a question that opens a sentence,
    between its auxiliary and its verb ("Can Hunter come in with me?", "Does Grant need a
    referral?")? Said so mid-sentence, a capital is a name's; not a relative's ("Can Mom come"),
    a medicine's, or anyone's ("Can Security …")."""
    if i < 1 or i + 1 >= len(toks) or toks[i - 1].low not in _QUESTION_AUXILIARIES:
        return False
    if i >= 2 and toks[i - 2].text not in (".", "?", "!") and toks[i - 2].low not in _OPENERS:
        return False
    low = toks[i].low
    t = tags(low)
    if not t or "n" not in t or low in RELATIVES or low in NOT_A_PERSON or low in _NOT_ASKED_ABOUT:
        return False
    if is_medicine(low) or low.endswith(("'s", "’s", "ing", "ology", "ics", "aincy", "therapy")):
        return False
    verb = toks[i + 1].low
    if verb in _EVERYDAY_VERBS:
        return True
    return is_dictionary_word(verb) and can_be_verb(verb) and not is_function_word(verb)


_OPENERS = frozenset(("so", "and", "but", "oh", "hi", "hello", "yes", "yeah", "okay", "ok", ",", "um", "uh"))
_NOT_ASKED_ABOUT = frozenset(("mommy", "daddy", "mummy", "papa", "mama", "nanny", "grandpa", "grandma",
                              "chaplain", "dialysis", "physio", "occupational", "hospice"))  # fmt: skip
# Verbs the dictionary counts as everyday words, said after the subject of a question.
_EVERYDAY_VERBS = frozenset(("need", "be", "have", "had", "get", "go", "take", "make", "call", "ring",
                             "use", "want", "bring", "know", "been", "got", "still"))  # fmt: skip


def _phrase_start(toks: list[Token], i: int) -> int:
    """Back over what cannot open a phrase on its own: "St." and possessives ("St. Brigid's Home")."""
    while i > 0:
        prev = toks[i - 1]
        if i > 1 and prev.text == "." and toks[i - 2].low == "st":
            i -= 2
        elif i > 1 and prev.text == "-" and prev.start == toks[i].start - 1 and is_cap(toks[i - 2]):
            i -= 2  # "Jan-Willem": the part before the hyphen may be an everyday word
        elif is_cap(prev) and prev.low.endswith(("'s", "’s")) and prev.low not in COMMON_CAPITALISED:
            i -= 1
        elif is_cap(prev) and prev.low in STREET_SUFFIXES and i > 1 and not _sentence_start(toks, i - 1):
            i -= 1  # "Pike Hollow Road", "Park Lane": a suffix word may open a street's name
        else:
            break
    return i


def _sentence_start(toks: list[Token], i: int) -> bool:
    return i == 0 or toks[i - 1].text in (".", "?", "!")


def _phrase_word(tok: Token) -> bool:
    """A capitalised word that may continue a name or place ("Hollow", "Care", "Home", "Oyelowo")."""
    if not is_cap(tok) or not WORD_TOKEN.fullmatch(tok.text) or (tok.text.isupper() and len(tok.text) > 1):
        return False
    low = tok.low
    return low not in COMMON_CAPITALISED or low in STREET_SUFFIXES or low in RESIDENCE_WORDS


def _care_word_before_home(toks: list[Token], p: int) -> bool:
    """A capitalised everyday word ("Family") that names the kind of home next ("Sagebrush Family
    Shelter"): inside a place's name, though it opens none."""
    return (
        toks[p].low in STAY_CARE_WORDS
        and p + 1 < len(toks)
        and is_cap(toks[p + 1])
        and toks[p + 1].low in RESIDENCE_WORDS
    )


# The care a home gives said after "and" in its name: "Hazelwood Nursing and Rehab", "Elm Park Health
# & Rehabilitation Center": one place where someone stays, not a place and a name.
_JOINED_CARE = frozenset(("rehab", "rehabilitation", "recovery"))
_HEALTH_WORDS = frozenset(("health", "healthcare", "wellness"))
_SCHOOL_ENDS = frozenset(("school", "daycare", "preschool"))


def _and_rehab(toks: list[Token], j: int) -> int | None:
    """Where a home's name ends that goes on past j with "and Rehab" (and a residence word after
    it, "and Rehabilitation Center"), or None."""
    n = len(toks)
    if not (j + 2 < n and toks[j + 1].low in ("and", "&") and toks[j + 2].low in _JOINED_CARE):
        return None
    if toks[j].low not in _CARE_KINDS and toks[j].low not in _HEALTH_WORDS:
        return None  # "Smith and Rehab": the care is joined to the care before it, not to a name
    if not is_cap(toks[j + 2]):
        return None
    k = j + 2
    if k + 1 < n and is_cap(toks[k + 1]) and toks[k + 1].low in RESIDENCE_WORDS:
        k += 1
    return k


def _after_staff_title(toks: list[Token], i: int) -> bool:
    return i > 0 and (
        toks[i - 1].low in STAFF_TITLES
        or (toks[i - 1].text == "." and i > 1 and toks[i - 2].low in STAFF_TITLES)
    )


def _place_tail(toks: list[Token], j: int) -> int:
    """A street or home named with its town: "Old Mill Road in Brookhaven", "Kestrel Way, Dayton"."""
    k = j + 1
    if k + 1 < len(toks) and toks[k].low in ("in", ",") and _phrase_word(toks[k + 1]):
        k += 1
        while k + 1 < len(toks) and _phrase_word(toks[k + 1]):
            k += 1
        return k
    return j


_CARE_KINDS = frozenset(CARE_WORDS | STAY_CARE_WORDS)
NOT_NAME_CAPS = frozenset(COMMON_CAPITALISED | set(MONTHS) | STREET_SUFFIXES)
