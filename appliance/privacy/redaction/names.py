"""People's names known by the words around them: "my name is …", "this is … calling", "Mrs.
Novak", "my daughter Priya", names written in lower case as recognizers print them, and names
spelled letter by letter ("R A H M A N"). Names after "Dr." are staff and are kept."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from appliance.privacy.redaction.cues import context_label, spelled_word_ends
from appliance.privacy.redaction.dictionary import (
    can_be_verb,
    is_dictionary_word,
    is_everyday,
    is_function_word,
    tags,
)
from appliance.privacy.redaction.gazetteer import PersonNames, person_names
from appliance.privacy.redaction.lexicon import (
    CARS,
    COMMON_CAPITALISED,
    DIGIT_WORDS,
    FILLERS,
    KIN_MODIFIERS,
    MONTHS,
    NAME_STOP,
    RELATIVES,
    SENTENCE_END,
    TEEN_WORDS,
    TENS_WORDS,
    WEEKDAYS,
)
from appliance.privacy.redaction.medicines import is_medicine
from appliance.privacy.redaction.not_names import fold
from appliance.privacy.redaction.spans import TokenSpan
from appliance.privacy.redaction.tokens import (
    WORD_TOKEN,
    Token,
    TokenIndex,
    is_cap,
    is_word,
    line_break_between,
    single_letter,
)

# Lower-case particles inside a name: "Ferreira da Silva", "van der Berghe", "Ó Briain".
NAME_PARTICLES = {
    "de", "la", "le", "del", "della", "di", "da", "das", "do", "dos", "du", "van", "von", "der",
    "den", "ter", "ten", "bin", "ibn", "bint", "al", "el", "mac", "mc", "ó", "o", "ní", "nic", "ua", "y",
}  # fmt: skip

STRONG_NAME_CUES = (
    ("my", "name", "is"),
    ("name", "is"),
    ("name's",),
    ("my", "names"),  # "my names pádraig …": the apostrophe a recognizer leaves out
    ("named",),
    ("called",),
    ("surname", "is"),
    ("spelled",),
    ("spell", "it"),
    ("spelling", "is"),
    ("it's", "spelled"),
    ("first", "name"),
    ("last", "name"),
    ("middle", "name"),
    ("full", "name"),
    ("maiden", "name"),
    ("family", "name"),
    ("given", "name"),
    ("christian", "name"),
    ("surname",),
    ("name", ":"),
)
WEAK_NAME_CUES = (
    ("this", "is"),
    ("i'm",),
    ("im",),  # "i'm" as recognizers print it: "my dad is kalnins and im kalnina"
    ("i", "am"),
    ("it's",),
    ("its",),  # "its lazarus from flat eleven": "it's" as recognizers print it, opening a turn only
    ("for",),
    ("about",),
    ("behalf", "of"),
    ("mr",),
    ("mrs",),
    ("ms",),
    ("miss",),
    ("mister",),
    ("patient",),
    # who a caller speaks for, by their role: "our resident florence quenneville", "my client"
    ("resident",),
    ("client",),
    ("inmate",),
    ("with",),
    ("patient", "is"),
    ("tell",),
    ("ask",),
    # who else is named beside the caller, or spoken to in the room: "me and teodor both got the
    # letter", "it's me again marcelo", "thanks siosaia you can give me the phone", "hold on parisa"
    ("me", "and"),
    ("me", "again"),
    ("thanks",),
    ("thank", "you"),
    ("hold", "on"),
    ("hang", "on"),
    # whom a fax or a letter is for: "… attention kerstin", "attn: Ingeborg Lund"
    ("attention",),
    ("attn",),
)
STAFF_TITLES = {"dr", "doctor", "nurse", "pharmacist"}
# Animals whose names are no one's: a pet's name is not PHI ("my cat is called bishop").
PETS = frozenset((
    "dog", "dogs", "cat", "cats", "puppy", "pup", "kitten", "horse", "pony", "parrot", "budgie",
    "rabbit", "bunny", "hamster", "guinea", "pig", "ferret", "tortoise", "turtle", "snake", "lizard",
    "bird", "goldfish", "fish", "pet", "pets",
))  # fmt: skip
# What is said between a pet and its name: "my cat is called", "our dog's name is", "a pup named".
_PET_LINKS = frozenset(("is", "was", "called", "named", "name", "name's", "names", "'s", ",", "-"))


def names_a_pet(lows_before: list[str]) -> bool:
    """Do the words just before a name (lower case, in order) say whose it is a pet's: "my cat is
    called", "the dog's name is", "a puppy named"? The pet's word may be said with "'s"."""
    for w in reversed(lows_before[-5:]):
        base = w[:-2] if w.endswith(("'s", "’s")) else w
        if base in PETS:
            return True
        if w not in _PET_LINKS:
            return False
    return False


# What a newborn is called until named ("the baby's name is baby boy for now"): the same words for
# every unnamed baby, which name no one. A surname said with them ("Baby Girl Okafor") is read apart.
_PLACEHOLDER_WORDS = frozenset(("baby", "boy", "girl", "infant", "newborn", "twin", "unnamed"))


def is_placeholder_name(lows: list[str]) -> bool:
    return bool(lows) and all(w in _PLACEHOLDER_WORDS for w in lows)


# Who someone is to the caller outside the family, said after "my", "our" …: "my landlord nikos
# petrakis-obi", "our lodger ingrid". A weak cue (kind "other"): in lower case only a name with a
# word no dictionary holds is read after it ("my boss says" names no one).
PERSON_ROLES = frozenset((
    "landlord", "landlady", "boss", "manager", "supervisor", "employer", "colleague", "coworker", "tenant",
    "lodger", "teacher", "tutor", "coach", "pastor", "priest", "vicar", "rabbi", "imam", "sponsor",
    "babysitter", "nanny", "childminder", "housekeeper", "caseworker", "lawyer", "solicitor",
    "attorney", "neighbour", "interpreter", "translator",
))  # fmt: skip


def find_spelled(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Three or more single letters in a row: a spelled name, plate or id ("R A H M A N")."""
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    for i in index.single_letters():
        if i < done or not single_letter(toks[i]):
            continue
        j, last, count = i, i, 0
        while j < n:
            if single_letter(toks[j]):
                last, count = j, count + 1
                j += 1
            elif toks[j].text in ("-", ".", ",") and j + 1 < n and single_letter(toks[j + 1]):
                j += 1
            else:
                break
        if spelled_word_ends(toks, last, "dob") and count == 3:
            pass  # "D.O.B.", "d o b": date of birth, a cue and no name
        elif _spelled_abbreviation(toks, i, last):
            pass  # "in i c u bed six", "an e c g": a ward or a test, spelled as it is said
        elif count >= 3 and not all(t.low in ("a", "i") for t in toks[i : last + 1] if is_word(t)):
            label, _ = context_label(toks, i, window=6)
            found.append((i, last, label if label in ("PLATE", "MRN", "ID") else "NAME"))
        elif count == 2 and _spells_word_before(toks, i, last):
            found.append((i, last, "NAME"))  # "Hamadou Bâ, B, A with an accent": a short surname spelled
        done = last + 1
    return found


def _spells_word_before(toks: list[Token], first: int, last: int) -> bool:
    """Do the two letters first..last spell the capitalised word said just before them, accents
    aside ("Ng, N G", "Bâ, B, A")? A surname of two letters is spelled as readily as a long one."""
    k = first - 1
    if k >= 0 and toks[k].text in (",", ":", "-"):
        k -= 1
    if k < 0 or not is_word(toks[k]) or not is_cap(toks[k]) or len(toks[k].text) != 2:
        return False
    letters = "".join(t.low for t in toks[first : last + 1] if single_letter(t))
    return fold(toks[k].text) == letters


# Abbreviations said letter by letter on calls, which spell no one's name.
SPELLED_ABBREVIATIONS = frozenset((
    "icu", "nicu", "picu", "ccu", "hdu", "mri", "ecg", "ekg", "eeg", "ent", "cpr", "copd", "adhd",
    "hiv", "ptsd", "ibs", "dvt", "uti", "std", "als", "asap", "rsvp", "usa", "atm", "pdf", "gp",
    "er", "ct", "iv", "ob", "gyn", "obgyn", "pt", "ot", "bp", "ed", "md", "rn", "np", "dna",
    # the names of the identifiers themselves, said as letters: "the m r n is …", "my s s n"
    "mrn", "ssn", "vin", "npi", "pcp", "hmo", "ppo",
))  # fmt: skip


def _spelled_abbreviation(toks: list[Token], first: int, last: int) -> bool:
    letters = "".join(t.low for t in toks[first : last + 1] if single_letter(t))
    return letters in SPELLED_ABBREVIATIONS


def find_context_names(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    found: list[TokenSpan] = []
    n = len(toks)
    # "." is a cue only in "Mrs. Novak": start from the title there, not from every full stop.
    dots = [i + 1 for i in index.positions(_TITLES) if i + 1 < n and toks[i + 1].text == "."]
    cues = index.among(_CONTEXT_NAME_TRIGGERS)
    for i in sorted(cues + dots) if dots else cues:
        strength = _cue_strength(toks, i)
        if not strength:
            continue
        weak = strength == _WEAK
        k = i + 1
        apposition = k < n and toks[k].text == "," and toks[i].low in RELATIVES
        if k < n and toks[k].text in (",", ":", "-"):
            k += 1
        if apposition and not toks[k - 1].text[:1].isupper():
            end = _apposition_name(toks, k)  # "it's for my wife, opal harrow"
            if end is not None:
                found.append((k, end, "NAME"))
                continue
        while k < n and (toks[k].low in FILLERS or (toks[k].text == "," and toks[k - 1].low in FILLERS)):
            if _hyphened_given_name(toks, k):
                break  # "my name is ah-young": no filler, the name's first part
            k += 1  # "this is um priya shah": a filler before the name
        first, words = k, 0
        while k + 2 < n and _initial(toks[k]) and toks[k + 1].text == ".":
            k += 2  # "I'm A. J. Ferreira-Lomax": initials before the name are part of it
        if k > first and not _name_word(toks[k], need_cap=True):
            k = first
        # three words, or a fourth after a particle ("maría josé castillo de vargas") or, after a
        # strong cue, one no dictionary holds ("christopher john paul mcgillicuddy")
        while k < n and (
            words < 3 or (words == 3 and (toks[k].low in NAME_PARTICLES or (not weak and _unlisted(toks[k]))))
        ):
            if words and (toks[k].low in NAME_PARTICLES or _catalan_i(toks, first, k)):
                # "Ferreira da Silva", "Mrs. van der Berghe", "Vilanova i Puig"
                p = k
                while p < n and (toks[p].low in NAME_PARTICLES or _catalan_i(toks, first, p)):
                    p += 1
                # after a strong cue, in lower case too: "my name is maría josé castillo de vargas"
                if p < n and _name_word(toks[p], need_cap=weak or is_cap(toks[first])):
                    k = p
            elif not words and toks[k].low in NAME_PARTICLES:
                p = k  # "Mr. van Houtte", "Mrs. de la Fuente"
                while p < n and toks[p].low in NAME_PARTICLES and p - k < 3:
                    p += 1
                if p < n and is_cap(toks[p]):
                    k = p
            if not _name_word(toks[k], need_cap=weak or (words > 0 and is_cap(toks[first]))) and not (
                not weak and _hyphened_given_name(toks, k)
            ):
                break
            words += 1
            k += 1
            if k + 1 < n and toks[k].text == "-" and _name_word(toks[k + 1], need_cap=False):
                k += 2
        if words and toks[i].low == "called" and not is_cap(toks[first]):
            k = first + _listed_name_words(toks, first, k)  # "called back tomorrow" names no one
            words = k - first
        if words and is_placeholder_name([t.low for t in toks[first:k]]):
            continue
        if words and _said_of_names(toks, i, first):
            continue  # "in latvian the surname changes for a woman": what names do, no one's name
        if toks[i].low in ("attention", "attn") and first < n and toks[first].low in NOT_A_PERSON:
            continue  # "attention Records", "attn: billing": a desk of the site, no one
        if words:
            found.append((first, k - 1, "NAME"))
        elif weak and first < n and toks[i].low in ("i'm", "im") and toks[first].low.endswith(_STATE_ENDINGS):
            continue  # "i'm tachycardic again": how the caller is, in a word no dictionary holds
        elif weak:
            end = _lower_name_before_closer(toks, first, _opens_turn(toks, i), toks[i].low in _FROM_CLOSES)
            if end is None:
                end = _unlisted_name(toks, first, _cue_kind(toks, i))
            if end is not None:
                found.append((first, end, "NAME"))
    found += _names_after_is(toks, index)
    found += _nicknames(toks, index)
    found += _words_said_to_be_names(toks, index)
    return found


_WHICH_NAME = frozenset(("first", "last", "middle", "given", "christian", "real", "actual", "full"))
_THAT_IS = frozenset(("that's", "thats", "it's", "its"))
_SAID_BEFORE_A_NAME = frozenset(("is", "was", "named", "called"))
# Words before "is his name" that ask or point, and name no one: "what is his name", "that is her name".
_NOT_SAID_AS_A_NAME = frozenset(("what", "that", "this", "it", "which", "who", "there", "here"))


def _words_said_to_be_names(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Words the caller says are a name, everyday or rank words though they be: "major is his first
    name", and what was said before "no that's his name" ("my dad is major flint no that's his
    name not his rank")."""
    found: list[TokenSpan] = []
    for i in index.among(frozenset(("name",))):
        k = i - 1
        if k >= 0 and toks[k].low in _WHICH_NAME:
            k -= 1
        if k < 1 or toks[k].low not in _POSSESSIVES:
            continue
        if toks[k - 1].low in ("is", "was") and k >= 2:
            w = toks[k - 2]  # "major | is his first name"
            if _lower_name_word(w) and not is_function_word(w.low) and w.low not in _NOT_SAID_AS_A_NAME:
                found.append((k - 2, k - 2, "NAME"))
        elif toks[k - 1].low in _THAT_IS and k >= 2:
            end = k - 2  # "major flint | no | that's his name"
            while end >= 0 and (toks[end].low in ("no", "yes", "yeah", "well") or toks[end].text == ","):
                end -= 1
            start = end
            while start >= 0 and end - start < 3 and _lower_name_word(toks[start]):
                if toks[start].low in _SAID_BEFORE_A_NAME or is_function_word(toks[start].low):
                    break
                start -= 1
            if start < end and start >= 0 and toks[start].low in _SAID_BEFORE_A_NAME:
                found.append((start + 1, end, "NAME"))
    return found


# Words after a verb said of names in general: "the surname changes for a woman", "the name
# comes from her grandmother".
_AFTER_A_VERB = frozenset((
    "for", "to", "from", "when", "if", "with", "in", "on", "after", "because", "depending", "like",
    "a", "the", "differently", "back",
))  # fmt: skip


def _said_of_names(toks: list[Token], i: int, first: int) -> bool:
    """Is the word after "name" or "surname" (with no "is" between) a verb said of what names do,
    not a name ("the surname changes for a woman"; not "the surname Banks is common")?"""
    if toks[i].low not in ("name", "surname", "names", "surnames"):
        return False
    if first != i + 1 or first + 1 >= len(toks):
        return False
    word = toks[first].low
    return (
        word.endswith("s")
        and is_dictionary_word(word)
        and can_be_verb(word)
        and toks[first + 1].low in _AFTER_A_VERB
    )


def _catalan_i(toks: list[Token], first: int, k: int) -> bool:
    """Is token k the Catalan "i" ("and") joining two surnames of a capitalised name ("Jordi
    Vilanova i Puig")? Only in a capitalised transcript, where the pronoun is "I"."""
    return (
        toks[k].text == "i"
        and is_cap(toks[first])
        and k + 1 < len(toks)
        and is_cap(toks[k + 1])
        and is_cap(toks[k - 1])
    )


# Who a nickname is said of: "he goes by ted", "everybody calls her dee", "say thandi for short".
_GO_BY = frozenset(("go", "goes", "went", "going"))
_CALL_AS = frozenset(("call", "calls", "called", "say"))
# How one goes by, or what one is called, that is no name: "go by bus", "call her doctor".
_NOT_A_NICKNAME = frozenset((
    "bus", "car", "train", "taxi", "cab", "bike", "foot", "plane", "boat", "ambulance",
    *STAFF_TITLES,
))  # fmt: skip


def _nicknames(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A name someone goes by: after "goes by" or "calls him" (the word closing the clause) or
    before "for short". One word; a function word, an adverb ("call me back"), a relative or staff
    ("call her doctor") or a way of travelling ("go by bus") is none."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(("by", "him", "her", "me", "them", "for", "says", "say")):
        low = toks[i].low
        if low in ("says", "say"):
            # "everybody just says kowalczyk": what everyone calls someone, a name no dictionary holds
            k = i + 1
            who = {t.low for t in toks[max(0, i - 2) : i]}
            if who.isdisjoint(_EVERYONE) or k >= n or not (_unlisted(toks[k]) or is_cap(toks[k])):
                continue
            after = toks[k + 1] if k + 1 < n else None
            if after is not None and WORD_TOKEN.fullmatch(after.text) and after.low not in _CLAUSE_OPENERS:
                continue
        elif low == "for":
            k = i - 1  # "thandi for short"
            if k < 1 or i + 1 >= n or toks[i + 1].low != "short":
                continue
        else:
            k = i + 1
            before = toks[i - 1].low if i else ""
            if k >= n or (before not in _GO_BY if low == "by" else before not in _CALL_AS):
                continue
            after = toks[k + 1] if k + 1 < n else None
            closes = after is None or not WORD_TOKEN.fullmatch(after.text) or after.low in _CLAUSE_OPENERS
            if not closes and not (k + 2 < n and toks[k + 1].low == "for" and toks[k + 2].low == "short"):
                continue
        t = toks[k]
        if not _lower_name_word(t) or len(t.text) < 2 or is_function_word(t.low) or _can_be_adverb(t.low):
            continue
        if t.low in _NOT_A_NICKNAME or t.low in NOT_A_PERSON or t.low in COMMON_CAPITALISED:
            continue
        found.append((k, k, "NAME"))
    return found


_EVERYONE = frozenset(("everybody", "everyone", "people", "they", "folks"))
# What can open a new clause right after a nickname: "he goes by ted everybody calls him ted".
_CLAUSE_OPENERS = frozenset((
    "and", "but", "so", "or", "because", "cause", "everybody", "everyone", "i", "he", "she", "we", "they",
    "you", "now", "though", "too", "mostly", "usually", "instead", *FILLERS,
))  # fmt: skip


# Who someone is, then "is" and their name: "His daughter is Lorraine", "my cousin is lamont",
# "her mother's name was golnar".
_IS_WORDS = frozenset(("is", "was", "'s"))


def _names_after_is(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """A name after a relative (with "my", "his" …) or "name" and "is"/"was". Written with a
    capital, a word that can be no adjective or verb ("my son is Catholic" names no one); in lower
    case, only words no dictionary holds ("my son is diabetic")."""
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.among(_IS_TRIGGERS):
        if i + 2 >= n or toks[i + 1].low not in _IS_WORDS:
            continue
        low = toks[i].low
        if low in RELATIVES and not (i > 0 and toks[i - 1].low in _POSSESSIVES):
            continue
        k = i + 2
        if is_cap(toks[k]):
            t = tags(toks[k].low) or ""
            if not _name_word(toks[k], need_cap=True) or "a" in t or "v" in t or is_everyday(toks[k].low):
                continue
            last = k
            while last + 1 < n and last - k < 2 and _name_word(toks[last + 1], need_cap=True):
                last += 1
        else:
            last = k - 1
            while last + 1 < n and last + 1 - k < 3 and _unlisted(toks[last + 1]):
                last += 1
            if last < k:
                continue
        found.append((k, last, "NAME"))
    return found


def _hyphened_given_name(toks: list[Token], k: int) -> bool:
    """ "my name is ah-young", "so-yeon", "do-hyun": a given name of two parts joined by a hyphen,
    whose first part is a word of speech on its own (after a strong cue only)."""
    return (
        k + 2 < len(toks)
        and toks[k].text.isalpha()
        and toks[k + 1].text == "-"
        and toks[k + 1].start == toks[k].end
        and toks[k + 2].start == toks[k + 1].end
        and toks[k + 2].text.isalpha()
    )


def _initial(tok: Token) -> bool:
    return len(tok.text) == 1 and tok.text.isupper()


def _listed_name_words(toks: list[Token], first: int, end: int) -> int:
    """How many of the lower-case words first..end-1 after "called" can be a name: up to the first
    that can be a verb or an adverb ("back", "yesterday"), unless no dictionary holds it."""
    for k in range(first, end):
        if is_dictionary_word(toks[k].low) and (can_be_verb(toks[k].low) or is_everyday(toks[k].low)):
            return k - first
    return end - first


_TITLE, _RELATIVE, _OTHER = "title", "relative", "other"


def _cue_kind(toks: list[Token], i: int) -> str:
    low = toks[i].low
    if low in _TITLES or low in ("mister", "missus") or (low == "." and toks[i - 1].low in _TITLES):
        return _TITLE
    if low in RELATIVES or (low == "law" and _in_law(toks, i)):
        return _RELATIVE
    return _OTHER


def _unlisted_name(toks: list[Token], first: int, kind: str) -> int | None:
    """A lower-case name after a weak cue, told from other words by a dictionary: "for maude
    tremlett", "can you tell lucinda vayle", "mrs haverley", "my daughter poppy has …".

    Up to three words are read, stopping at a function word, a closer or (after the first) a word
    that can be a verb; dictionary words at the end are dropped ("for maude tremlett tomorrow").
    What is left is a name when no dictionary holds one of its words; after a title ("mrs baker")
    any word is a name; after a relative ("my daughter poppy") so is a word that cannot be a verb.
    """
    if kind == _OTHER and toks[first - 1].low in _TELL_CUES:
        told = _name_before_to(toks, first)
        if told is not None:
            return told  # "ask holly to ring me"
    if kind == _RELATIVE and _name_said_of_age_or_doing(toks, first):
        return first  # "her daughter june is eighty", "my husband ander is flying in"
    if kind == _RELATIVE and _brand_named_child(toks, first):
        return first  # "my son lexus has the appointment": a brand is a child's name too
    n, k, last, words = len(toks), first, first - 1, 0
    while k < n and words < 3:
        t = toks[k]
        short = len(t.text) < 2 and (k == first or t.low not in NAME_PARTICLES)  # "niamh o connell"
        if not _lower_name_word(t) or t.low in NAME_CLOSERS or short or t.low in COMMON_CAPITALISED:
            break  # "with doctor okafor", "about billing": staff and the site's own words
        joined = toks[k - 1].text == "-" or toks[k - 1].low in NAME_PARTICLES
        particle = t.low in NAME_PARTICLES
        if k > first and not joined and not particle and is_dictionary_word(t.low) and can_be_verb(t.low):
            break  # but "kowalczyk-brown", "nour el din haddadin": a word joined to the name is part of it
        words += not particle
        if k == first and kind != _TITLE and _not_a_name_after_cue(t.low):
            return None
        last = k
        k += 1
        if k + 1 < n and toks[k].text == "-" and _lower_name_word(toks[k + 1]):
            k += 1  # "summers-field": the part after the hyphen is read next
    if last < first:
        return None
    if kind == _TITLE:
        return last if toks[first - 1].low != "miss" or not is_dictionary_word(toks[first].low) else None
    end = last
    while end >= first and (toks[end].text == "-" or is_dictionary_word(toks[end].low)):
        if end > first and _surname_before_auxiliary(toks, end):
            break  # "my dad cuthbert cole is ninety one": a noun between the name and "is" is its surname
        if end > first + 1 and toks[end - 1].low in _SURNAME_PARTICLES:
            break  # "my brother liam o sullivan": a word after a particle is the surname
        end -= 1
    while end >= first and end + 2 <= last and toks[end + 1].text == "-":
        end += 2  # "kowalczyk-brown": what a name is joined to by a hyphen is the name
    if end >= first:
        return end
    word = toks[first].low
    if (
        kind == _RELATIVE
        and not can_be_verb(word)
        and not is_everyday(word)
        and _verb_or_end_after(toks, first + 1)
    ):
        return first  # "my daughter poppy has …", not "my friend texted me"
    if kind == _RELATIVE and _name_before_auxiliary(toks, first):
        return first  # "my husband grant is poorly": two verbs in a row, so the first is a name
    if kind == _RELATIVE and _name_before_another_relative(toks, first):
        return first  # "my daughter summer and my son …": two people named the same way
    if kind == _RELATIVE and _name_before_a_pronoun(toks, first):
        return first  # "about my daughter journey and her inhaler": "her" is the daughter
    if kind == _OTHER and toks[first - 1].low in _FRAME_CUES:
        return _name_frame(toks, first)
    return None


def _brand_named_child(toks: list[Token], k: int) -> bool:
    """Is the word after a relative a car's name ("lexus", "tesla") said before "is", "has" or a
    verb in the past? Such words are no one's name elsewhere ("a grey Lexus"), but parents give
    them: "my son Lexus has …", "my daughter Tesla was …"."""
    if k + 1 >= len(toks) or toks[k].low not in CARS:
        return False
    after = toks[k + 1].low
    return after in _AUXILIARIES_AFTER or _past_verb(after)


# Words said between a relative and "is" that are no name: "my son also is …", "my mum still is …".
_BEFORE_IS = frozenset((
    "also", "still", "now", "just", "really", "too", "always", "never", "already", "usually", "often",
    "then", "currently", "here", "there", "who", "that", "which", "she", "he", "they", "it", "and",
))  # fmt: skip
_AGE_WORDS = frozenset((*DIGIT_WORDS, *TEEN_WORDS, *TENS_WORDS, "hundred", "a"))


def _name_said_of_age_or_doing(toks: list[Token], k: int) -> bool:
    """Is the one lower-case word at k, after a relative, followed by "is" and an age or a verb in
    "-ing" ("her daughter june is eighty", "my husband ander is flying in")? What is said of the
    relative then is said of a name, be it a month's or an everyday word; not an adverb ("my son
    still is …")."""
    if k + 2 >= len(toks) or toks[k + 1].low not in ("is", "was"):
        return False
    t = toks[k]
    if not is_word(t) or t.text != t.low or len(t.low) < 3 or t.low in _BEFORE_IS or t.low in NAME_STOP:
        return False
    if t.low in _PRONOUNS or is_function_word(t.low) or is_medicine(t.low) or t.low in RELATIVES:
        return False
    after = toks[k + 2]
    if after.low in _AGE_WORDS or after.text.isdigit():
        return after.low != "a" or (k + 3 < len(toks) and toks[k + 3].low == "hundred")
    low = after.low
    return len(low) > 4 and low.endswith("ing") and is_dictionary_word(low) and can_be_verb(low)


# Endings of the clinical words a caller says of themself after "i'm" ("hypoglycemic",
# "normotensive", "septic", "anemic"), which a dictionary may not hold and no name has.
_STATE_ENDINGS = ("emic", "cardic", "tensive", "ptic", "otic", "atic", "etic", "ous", "ive", "ated")

_TELL_CUES = frozenset(("tell", "ask"))
# Particles that a surname follows, in lower case too ("o sullivan", "van dijk"), not "y" or "la".
_SURNAME_PARTICLES = frozenset(NAME_PARTICLES - {"y", "la", "le"})
# Months that are given names too, read as a name's first word here: "tell april shaw to …".
_MONTH_NAMES = frozenset(("april", "may", "june", "august"))
# Who is told to do something without being a name: staff, places of the site, everyone.
NOT_A_PERSON = frozenset((
    "reception", "receptionist", "surgery", "clinic", "ward", "staff", "team", "office", "desk",
    "everyone", "everybody", "someone", "somebody", "anyone", "anybody", "nobody", "people", "them",
    "carer", "carers", "consultant", "surgeon", "midwife", "physio", "dentist", "gp", "matron",
    "sister", "porter", "security", "admin", "switchboard", "ambulance", "paramedics", "police",
    "patient", "family", "visitor", "caller", "pharmacist", "volunteer", "driver", "manager",
    "admissions", "billing", "records", "radiology", "pathology", "outpatients", "maternity",
    "accounts", "housekeeping", "catering", "transport", "scheduling", "appointments", "triage",
))  # fmt: skip


def _name_before_to(toks: list[Token], first: int) -> int | None:
    """One or two words between "tell"/"ask" and "to" and a verb are who is asked: a name, even
    one made of everyday words ("ask holly to ring me", "tell august wren to call me back"); not
    staff, the site's own words, a relative or anyone ("tell reception to call me")."""
    n, k = len(toks), first
    while k < n and k - first < 2 and toks[k].low != "to" and not (k > first and toks[k].low in _TOLD_WHAT):
        t = toks[k]
        low = t.low
        if low in _MONTH_NAMES and k == first:
            k += 1
            continue
        if not _lower_name_word(t) or len(low) < 3 or is_everyday(low) or is_function_word(low):
            return None
        if low in COMMON_CAPITALISED or low in NOT_A_PERSON or low in RELATIVES or is_medicine(low):
            return None
        k += 1
    if k == first or k + 1 >= n or (toks[k].low != "to" and toks[k].low not in _TOLD_WHAT):
        return None
    one = toks[first].low
    if k == first + 1 and one.endswith("s") and is_dictionary_word(one[:-1]):
        return None  # "tell patients to …", "ask the kids to …": a plural, not a name
    if toks[k].low in _TOLD_WHAT:
        return k - 1 if toks[first - 1].low == "tell" else None  # "tell melody her test came back"
    verb = toks[k + 1].low  # "to ring", "to call" ("call" is an everyday word with no tags)
    if is_function_word(verb) or not (is_everyday(verb) or (is_dictionary_word(verb) and can_be_verb(verb))):
        return None
    return k - 1


# What is told to someone named after "tell": "tell melody her results are in", "tell jem that …".
_TOLD_WHAT = frozenset(("that", "her", "his", "their", "i", "i'm", "i've", "we", "we're"))
# Cues after which two everyday words that end where a name would end are taken for a name.
_FRAME_CUES = frozenset(("for", "about", "tell", "ask", "of"))


def _name_frame(toks: list[Token], first: int) -> int | None:
    """Two or three content words after "for", "about", "tell", "ask", "behalf of", ending the
    turn or followed by a mark or a function word: a name even when each is an everyday word
    ("for holly frost", "about merry walker, she's…", "tell hunter gale the results"). Adverbs
    and function words open no name ("about right now", "for my …")."""
    n, k = len(toks), first
    while k < n and k - first < 3:
        low = toks[k].low
        if not _lower_name_word(toks[k]) or len(low) < 3 or is_everyday(low) or low in COMMON_CAPITALISED:
            break
        t = tags(low)
        if t is not None and "r" in t and "n" not in t:
            break  # "about yesterday", "for sure"
        k += 1
    if k - first < 2:
        return None
    if k < n and not (toks[k].text in (",", ".", "?", "!", ";") or is_function_word(toks[k].low)):
        return None
    return k - 1


def _surname_before_auxiliary(toks: list[Token], k: int) -> bool:
    """Is the dictionary word at k, after a word no dictionary holds and before "is", "was", "has",
    "had", "she's", "who", a mark or the end, a surname ("cuthbert cole is …", "for winifred
    pargeter she's …")? Only a noun that is nothing else ("cole", not
    "today" or "still") and only when the word before it is no dictionary word."""
    after = k + 1
    if after < len(toks) and toks[after].low not in _AUXILIARIES_AFTER and not _person_after(toks, after):
        return False
    # a noun by every stem the dictionary finds ("n", or "nn" for "greaves": "greave" and "greaves")
    return set(tags(toks[k].low) or "-") == {"n"} and not is_dictionary_word(toks[k - 1].low)


_AUXILIARIES_AFTER = frozenset(("is", "was", "has", "had"))


def _person_after(toks: list[Token], k: int) -> bool:
    """Does token k go on about the person just named ("… she's ninety", "… who lives", a mark)?"""
    return toks[k].low in _PERSON_AFTER or toks[k].text in (",", ".", "?", "!", ";")


def _name_before_auxiliary(toks: list[Token], k: int) -> bool:
    """Between a relative and "is", "was", "has", "had" or a verb in the past ("fell", "fainted")
    stands a name, even one that can be a verb or is a noun ("my husband frank fell", "my daughter
    lily threw up"), unless it can be an adverb ("my son still has …", "my son really hurt …") or is
    an everyday word ("my son can't …")."""
    if k + 1 >= len(toks):
        return False
    after = toks[k + 1].low
    if after not in ("is", "was", "has", "had", "hasn't", "isn't", "wasn't"):
        t = tags(toks[k].low)
        if not _past_verb(after) or _past_verb(toks[k].low) or not t or "n" not in t:
            return False  # "my son got hurt": a verb, not a name, before the verb
        if toks[k].low.endswith("s") and "v" in t:
            return False  # "my brother gets confused": a verb said of him
    word = toks[k].low
    t = tags(word)
    return len(word) > 2 and t is not None and "r" not in t and not is_everyday(word)


# Verbs in the past that callers say of a relative: irregular ones; the rest end in "-ed".
_IRREGULAR_PAST = frozenset((
    "fell", "broke", "threw", "went", "took", "got", "came", "ate", "drank", "ran", "hit", "cut",
    "hurt", "woke", "bit", "caught", "felt", "lost", "left", "said", "told", "split", "stood", "sat",
    "began", "swallowed", "slept", "spent", "shook", "wrote", "rang", "brought", "bled", "burnt",
    "forgot", "stuck", "swam", "tore", "wore", "became", "kept", "made", "had", "needs", "keeps",
    "can't", "won't", "didn't", "doesn't", "couldn't",
))  # fmt: skip


def _past_verb(low: str) -> bool:
    if low in _IRREGULAR_PAST:
        return True
    return len(low) > 4 and low.endswith("ed") and is_dictionary_word(low) and can_be_verb(low)


def _name_before_another_relative(toks: list[Token], k: int) -> bool:
    """ "my daughter summer and my son …", "my wife hazel, my son …": a noun between a relative and
    "and my" or ", my" is the first one's name (not "my wife rose and my son …": a verb there)."""
    n = len(toks)
    j = k + 1
    if j < n and toks[j].text == ",":
        j += 1
    if j < n and toks[j].low == "and":
        j += 1
    if not (j + 1 < n and j > k + 1 and toks[j].low in _POSSESSIVES and toks[j + 1].low in RELATIVES):
        return False
    word = toks[k].low
    t = tags(word)
    if t and "v" in t and _verb_may_follow(toks, k - 1):
        return False  # "can my son stay and my daughter …": what they may do, not a name
    return len(word) > 2 and bool(t) and t is not True and "n" in t and "r" not in t and not _past_verb(word)


# Who a name is said before: "my daughter journey and her …", "my son hunter, he's …", "… who …".
_PERSON_AFTER = frozenset(("she", "he", "she's", "he's", "shes", "hes", "who", "who's", "whos"))
_PERSON_AFTER_AND = frozenset(("her", "his", "she", "he", "she's", "he's", "shes", "hes"))


def _name_before_a_pronoun(toks: list[Token], k: int) -> bool:
    """Between a relative and a pronoun that points back to them ("my daughter journey and her
    asthma", "my son hunter he's six", "my wife clover who …") stands the relative's name, even an
    everyday noun: nothing else fits there. Not a word that can only be a verb or an adverb, nor a
    verb's form ("my son fell and his …", "my son plays and his …", "my son coughing and he …")."""
    n = len(toks)
    j = k + 1
    if j < n and toks[j].text == ",":
        j += 1
    if j < n and toks[j].low == "and":
        if j + 1 >= n or toks[j + 1].low not in _PERSON_AFTER_AND:
            return False
    elif j >= n or toks[j].low not in _PERSON_AFTER:
        return False
    word = toks[k].low
    t = tags(word)
    if len(word) < 3 or not t or "n" not in t or "r" in t or is_everyday(word) or _past_verb(word):
        return False
    if "v" in t and _verb_may_follow(toks, k - 1):
        return False  # "help my dad walk and his …", "can my son stay and his …"
    return not word.endswith("ing") and (not word.endswith("s") or word.endswith("ss"))


# Words before "my son" after which he may do something in a verb's bare form: "let my son stay",
# "can my daughter come".
_BARE_VERB_BEFORE = frozenset((
    "help", "let", "make", "have", "get", "see", "watch", "hear", "can", "could", "will", "would",
    "should", "shall", "may", "might", "must", "does", "did", "do", "to",
))  # fmt: skip


def _verb_may_follow(toks: list[Token], relative: int) -> bool:
    """Is the relative at token `relative` ("my (foster) son") one who may do something next in a
    verb's bare form, after "help", "let", "can" …?"""
    k = relative - 1
    if k >= 0 and toks[k].low in KIN_MODIFIERS:
        k -= 1
    return k >= 1 and toks[k].low in _POSSESSIVES and toks[k - 1].low in _BARE_VERB_BEFORE


def _verb_or_end_after(toks: list[Token], k: int) -> bool:
    if k >= len(toks) or toks[k].text in (",", ".", "?", "!", ";"):
        return True
    return is_word(toks[k]) and is_dictionary_word(toks[k].low) and can_be_verb(toks[k].low)


# Words that close a self-introduction: "it's ada quill calling", "this is ada quill here".
NAME_CLOSERS = {"calling", "here", "speaking", "again", "ringing"}


def _opens_turn(toks: list[Token], i: int) -> bool:
    """Does the cue ending at token i ("this is", "it's", "i'm", "i am") open the turn
    ("uh hi, this is …", "yes it's …")?"""
    low = toks[i].low
    if low in ("it's", "its", "i'm"):
        before = i
    elif i >= 1 and (low, toks[i - 1].low) in (("is", "this"), ("am", "i")):
        before = i - 1
    else:
        return False
    # back to the start of the line (a transcript holds many turns), over openers only
    line_start = toks[i].match.string.rfind("\n", 0, toks[i].start)
    k = before - 1
    while k >= 0 and toks[k].start > line_start:
        if toks[k].low not in _TURN_OPENERS:
            return False
        k -= 1
    return True


# What follows "this is" when no one is introduced: "this is really bad um", "this is so annoying".
_NOT_A_NAME_AFTER_THIS = frozenset((
    "really", "so", "very", "quite", "pretty", "too", "getting", "going", "taking", "what", "how",
    "why", "where", "urgent", "important", "serious", "bad", "good", "great", "terrible", "awful",
    "ridiculous", "frustrating", "annoying", "weird", "strange", "odd", "crazy", "new", "the",
    "regarding", "concerning", "re", "literally", "totally", "definitely", "probably", "kind", "sort",
    "fine", "sorry", "worried", "scared", "tired", "sick", "ill", "unwell", "better", "worse", "confused",
    "done", "ready", "late", "here", "back", "still", "only", "all", "gone", "gotten", "been", "over",
    "due", "booked", "trying", "hoping", "okay", "alright", "afraid", "concerned", "upset", "pregnant",
    "diabetic", "allergic", "nearly", "almost", "like", "said", "told", "asked", "now", "calling",
    "nothing", "something", "everything", "anything", "ringing", "phoning", "some", "any", "very",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "thirty",
    "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hurting", "bleeding", "dizzy", "fine",
    "happening", "urgent", "wrong", "right", "correct", "true", "false", "possible", "same", "different",
    "probly", "prolly",
))  # fmt: skip
TURN_INTRO = re.compile(
    r"(?:[\s,.]*(?:uh|um|er|erm|ah|hmm|mm|hi|hello|hey|yes|yeah|so|oh|good|morning|afternoon|evening|okay|ok)\b)*"
    r"[\s,.]*(?:this is|it's|it’s|its|i'm|i’m|i am)\b"
)
_TURN_OPENERS = frozenset((*FILLERS, ",", ".", "hi", "hello", "hey", "yes", "yeah", "so", "oh", "good",
                           "morning", "afternoon", "evening", "okay", "ok"))  # fmt: skip


def _lower_name_before_closer(
    toks: list[Token], first: int, opening: bool = False, from_closes: bool = False
) -> int | None:
    """A name ASR wrote in lower case, known by what closes it: "it's josé al-khatib calling".

    When the cue opens the turn ("uh hi, this is …", "yes it's …", "i'm …"), more closes a name
    of two or three words: a filler ("uh this is tobias etcheverry um …"), the end of the turn
    ("yes it's lucía fernández") or a comma ("i'm kemi adeyemi, i had a scan"); and a filler may
    sit between its words ("this is anil um sharma"). Few other things are said that way there,
    and the words that are (ages, feelings: "i'm feeling unwell") are left out by their form. After
    "this is" or "it's" opening the turn, "from" closes a name of one or two words that are not
    everyday words ("its lazarus from flat eleven", "this is ambrose from number nine"); not after
    "i'm" ("i'm home from work").
    """
    k, words, n = first, 0, len(toks)
    last = first - 1
    while k < n and words < 4:
        t = toks[k]
        if t.low in NAME_CLOSERS:
            break
        if opening and from_closes and t.low == "from" and 1 <= words <= 2:
            return last if all(_introduced_from(x.low) for x in toks[first:k]) else None
        if opening and t.low in FILLERS:
            if not words:
                return None
            m = k
            while m < n and toks[m].low in FILLERS:
                m += 1
            if words < 2 and m < n and _lower_name_word(toks[m]):
                k = m  # "anil um sharma": the filler is inside the name
                continue
            return last if words >= 2 else None
        if opening and t.text == "," and words == 1 and k + 1 < n and toks[k + 1].low == toks[last].low:
            k += 1  # "it's kit, kit rowntree": the name said again, now in full
            continue
        if opening and (t.text in (",", ".", "?", "!") or t.low == "and"):
            return last if words >= 2 else None  # "i'm mark bishop and i need a refill"
        if opening and words >= 2 and t.low in _NEW_CLAUSE:
            return last  # "this is sandy shore i need a refill": unpunctuated, the next clause opens
        if opening and words >= 2 and t.low in _DETAILS_AFTER_A_NAME:
            return last  # "its anselm kruger date of birth …": what is asked after a name comes next
        if not words and _not_a_name_after_cue(t.low):
            return None  # "i'm only here", "this is just here": no name opens with an adverb
        if t.text == "-" and words:
            k += 1
            continue
        if not _lower_name_word(t):
            return None
        words += 1
        last = k
        k += 1
    if words and k < n and toks[k].low in NAME_CLOSERS and k > first:
        return last
    if opening and k >= n and 2 <= words <= 3:
        return last
    return None


def _introduced_from(low: str) -> bool:
    """Can this word be a name said before "from" ("its lazarus from …"): no adjective, adverb or
    verb ("it's wonderful from here"), no everyday, site or staff word ("this is reception from …")."""
    t = tags(low)
    if t is not None and (t == "" or any(c in t for c in "arv")):
        return False
    return low not in COMMON_CAPITALISED and low not in NOT_A_PERSON and not is_medicine(low)


# The cues after which "from" closes a self-introduction: "this is", "it's", "its" (not "i'm").
_FROM_CLOSES = frozenset(("is", "it's", "its"))
# What a caller says right after giving their name, unpunctuated: "… date of birth", "… first name
# spelled", "… born in", "… d o b".
_DETAILS_AFTER_A_NAME = frozenset(("date", "dob", "born", "birthday", "first", "last", "surname", "spelled",
                                   "spelt", "spelling", "d"))  # fmt: skip
# Words that open a new clause after an introduction the recognizer left unpunctuated.
_NEW_CLAUSE = frozenset(("i", "i'm", "im", "i've", "ive", "i'd", "i'll", "we", "we're", "my"))


def _lower_name_word(t: Token) -> bool:
    if WORD_TOKEN.fullmatch(t.text) is None:
        return False
    if t.low in _PRONOUNS or is_medicine(t.low):
        return False  # "it's me again", "give my mum simvastatin"
    return t.low not in _NOT_NAME_WORDS or t.low in NAME_PARTICLES


# no one's name after "first name": "I don't know his first name, everybody says Kowal"
_NO_ONE = frozenset(("everybody", "everyone", "somebody", "someone", "anybody", "anyone", "nobody"))
_PRONOUNS = frozenset(("me", "him", "us", "them", "myself", "mine", "you", "it", "one", *_NO_ONE))


def _not_a_name_after_cue(low: str) -> bool:
    """Words that open no name after "this is"/"it's"/"i'm": "really", "feeling", "worried"."""
    return (
        low in _NOT_A_NAME_AFTER_THIS
        or low in _NEW_CLAUSE  # "thanks, i'm still here": the caller goes on, no one is named
        or (low.endswith("ly") and _can_be_adverb(low))  # "really", not "lily", "holly" or "emily"
        or (low.endswith("ing") and len(low) > 5)
    )


def _can_be_adverb(low: str) -> bool:
    t = tags(low)
    return t is not None and (not t or "r" in t)  # "" is an everyday word no dictionary tags


# Gates (compose.py) for lower-case names after weak cues. Relatives, titles and a name's frame
# ("for holly frost") open one even when every word is in the dictionary; the other weak cues
# only when some word of the turn is in none (checked first: it is the rarer).
FRAME_GATE = frozenset(("for", "about", "tell", "ask", "mr", "mrs", "ms", "miss", "mister", *RELATIVES))
WEAK_GATE = frozenset((
    "is", "of", "with", "i'm", "im", "it's", "its", "and", "again", "thanks", "thank", "on", "resident",
    "client", "attention", "attn",
    "inmate", *FRAME_GATE, *PERSON_ROLES,
))  # fmt: skip
_CUE_LAST_WORDS = frozenset(c[-1] for c in STRONG_NAME_CUES + WEAK_NAME_CUES)
_CONTEXT_NAME_TRIGGERS = _CUE_LAST_WORDS | RELATIVES | PERSON_ROLES | {"law"}
_IS_TRIGGERS = frozenset((*RELATIVES, "name", "names", "name's"))
_TITLES = ("mr", "mrs", "ms")
_APOSTROPHE_NAME = re.compile(r"[A-Za-z]+['’][A-Za-z]+")
_NOT_NAME_WORDS = frozenset(NAME_STOP | set(DIGIT_WORDS) | set(MONTHS) | RELATIVES)
_STRONG, _WEAK = 2, 1
_POSSESSIVES = frozenset(("my", "our", "his", "her", "their", "your"))


def _cues_by_last_word() -> dict[str, tuple[tuple[tuple[str, ...], int], ...]]:
    """Last word of a cue -> (the words before it, strength), strong cues first."""
    table: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for cues, strength in ((STRONG_NAME_CUES, _STRONG), (WEAK_NAME_CUES, _WEAK)):
        for cue in cues:
            assert len(cue) <= 3, cue  # _cue_strength compares at most two words before
            table.setdefault(cue[-1], []).append((cue[:-1], strength))
    return {last: tuple(entries) for last, entries in table.items()}


_CUES_BY_LAST = _cues_by_last_word()


def _cue_strength(toks: list[Token], i: int) -> int:
    """_STRONG when a strong name cue ends at token i ("my name is"), _WEAK for a weak one ("this
    is", "Mrs.", "my daughter"), 0 for none."""
    low = toks[i].low
    if low == "its" and not _opens_turn(toks, i):
        return 0  # "the dog hurt its leg": the possessive, not "it's"
    weak = False
    for before, strength in _CUES_BY_LAST.get(low, ()):
        m = len(before)
        if m and (i < m or toks[i - 1].low != before[-1] or (m == 2 and toks[i - 2].low != before[0])):
            continue
        if strength == _STRONG:
            return _STRONG
        if not m and low in _TITLES and i + 1 < len(toks) and toks[i + 1].text == ".":
            continue  # "Mrs. Novak": the cue ends at the dot
        weak = True
    if weak or (toks[i].text == "." and i > 0 and toks[i - 1].low in _TITLES):
        return _WEAK
    if (low in RELATIVES or low in PERSON_ROLES) and i > 0 and toks[i - 1].low in _POSSESSIVES:
        return _WEAK
    if low in RELATIVES and i > 1 and toks[i - 1].low in KIN_MODIFIERS and toks[i - 2].low in _POSSESSIVES:
        return _WEAK  # "our foster daughter precious", "my twin sister"
    if low in RELATIVES and i > 2 and toks[i - 1].low == "door" and toks[i - 2].low == "next":
        return _WEAK if toks[i - 3].low in _POSSESSIVES else 0  # "my next door neighbour ember"
    if low == "law" and _in_law(toks, i):
        return _WEAK  # "my sister-in-law delphine", "my father in law kenji"
    if low in _KIN_TITLES and i > 0 and _opens_turn(toks, i - 1):
        return _WEAK  # "hello its auntie losana calling": a kin word said as a title, before the name
    return 0


# Kin words said as a title before a name by a caller introducing themselves: "it's uncle tevita".
_KIN_TITLES = frozenset((
    "auntie", "aunty", "aunt", "uncle", "nana", "nan", "grandma", "grandpa", "granny", "grandad",
    "nanna", "cousin", "papa", "mama", "koro", "kuia",
))  # fmt: skip


def _in_law(toks: list[Token], i: int) -> bool:
    """Does token i end "my mother-in-law" / "my father in law"?"""
    k = i - 1
    if k >= 0 and toks[k].text == "-":
        k -= 1
    if k < 0 or toks[k].low != "in":
        return False
    k -= 1
    if k >= 0 and toks[k].text == "-":
        k -= 1
    return k >= 1 and toks[k].low in RELATIVES and toks[k - 1].low in _POSSESSIVES


def _name_word(tok: Token, need_cap: bool) -> bool:
    if not WORD_TOKEN.fullmatch(tok.text):
        return False
    if tok.low in _NOT_NAME_WORDS or tok.low in _NO_ONE or is_medicine(tok.low):
        return False
    if need_cap:
        return is_cap(tok) and tok.low not in COMMON_CAPITALISED
    return len(tok.text) > 1


def find_listed_names(toks: list[Token], names: list[TokenSpan]) -> list[TokenSpan]:
    """The next name of a list that began with one found: "the kids are obinna chiamaka and
    somto", "Yosef and Shira Abramowitz", "my wife Ines, Tomás and Luca". After "and" or a comma, a
    word that is written as a name (a capital, where the name before had one) or that no dictionary
    holds (in lower case) is the next name, with up to two more such words after it."""
    found: list[TokenSpan] = []
    n = len(toks)
    pending = sorted(s for s in names if s[2] == "NAME")
    while pending:
        a, b, _ = pending.pop(0)
        k = b + 1
        if k < n and toks[k].text == ",":
            k += 1
        if k < n and toks[k].low == "and":
            k += 1
        if k == b + 1 or k >= n:
            continue
        capital = is_cap(toks[a])
        last = k - 1
        while last + 1 < n and last + 1 - k < 3 and _listed_name_word(toks[last + 1], capital):
            last += 1
        if last >= k:
            found.append((k, last, "NAME"))
            pending.append((k, last, "NAME"))
    found += _given_names_before(toks, names)
    return found


def _given_names_before(toks: list[Token], names: list[TokenSpan]) -> list[TokenSpan]:
    """Given names said before "and" and a full name, sharing its surname: "the son of teodor and
    vesna babić", "Ferenc, Ilona and Kata Takács". One word each, written as a name (a capital,
    where the full name has one) or, in lower case, one no dictionary holds."""
    found: list[TokenSpan] = []
    for a, b, label in names:
        if label != "NAME" or b == a or a < 2 or toks[a - 1].low != "and":
            continue
        capital = is_cap(toks[a])
        k = a - 2
        while k >= 0 and _listed_name_word(toks[k], capital) and not is_function_word(toks[k].low):
            if capital and is_dictionary_word(toks[k].low) and (k == 0 or toks[k - 1].text in SENTENCE_END):
                break  # "Coffee and Ilona Takács": a sentence's first word has a capital whatever it is
            found.append((k, k, "NAME"))
            if k < 2 or toks[k - 1].text != ",":
                break
            k -= 2  # "Ferenc, Ilona and …": the list goes on before the comma
    return found


def find_names_said_again(toks: list[Token], names: list[TokenSpan]) -> list[TokenSpan]:
    """A first name found, said again at once with the surname after it, as callers correct
    themselves ("my nan winifred winifred sallow", "its hemi hemi walker"): the word after the
    repeat is the surname, even a dictionary word, unless it is a function word or can be a verb."""
    found: list[TokenSpan] = []
    n = len(toks)
    for a, b, label in names:
        if label != "NAME" or b - a > 1:
            continue
        if a == b and b + 1 < n and toks[b + 1].low == toks[a].low:
            c = b + 2  # "winifred" found, then "winifred sallow"
        elif b == a + 1 and toks[b].low == toks[a].low:
            c = b + 1  # "winifred winifred" found, then "sallow"
        else:
            continue
        if c >= n:
            continue
        t = toks[c]
        if _name_word(t, need_cap=is_cap(toks[a])) and _lower_name_word(t) and _can_be_surname(t.low):
            found.append((c - 1, c, "NAME"))
    return found


def find_surnames_after_spelling(toks: list[Token], spelled: list[TokenSpan]) -> list[TokenSpan]:
    """ "its ingrid i n g r i d halvorsen": the given name, spelled, then the surname, which no
    dictionary holds; read after a name spelled letter by letter."""
    found: list[TokenSpan] = []
    n = len(toks)
    for a, b, label in spelled:
        k = b + 1
        if label == "NAME" and b > a and k < n and single_letter(toks[b]) and _unlisted(toks[k]):
            last = k
            while last + 1 < n and last - k < 1 and _unlisted(toks[last + 1]):
                last += 1
            found.append((k, last, "NAME"))
    return found


def find_words_spelled_out(toks: list[Token], spelled: list[TokenSpan]) -> list[TokenSpan]:
    """ "uh petrosyan p e t r o s y a n", "k a r i m o v a karimova": the word said right before
    or after the letters that spell it is what is being spelled, whatever else it may be."""
    found: list[TokenSpan] = []
    n = len(toks)
    for a, b, label in spelled:
        letters = "".join(t.low for t in toks[a : b + 1] if single_letter(t))
        for k in (a - 1, b + 1):
            if 0 <= k < n and is_word(toks[k]) and toks[k].low.replace("'", "") == letters:
                found.append((k, k, label))
    return found


def _can_be_surname(low: str) -> bool:
    """No dictionary holds it, or it can be a noun ("walker", "sallow"): not "rang", not "is"."""
    t = tags(low)
    return t is None or "n" in t


def _listed_name_word(tok: Token, capital: bool) -> bool:
    if len(tok.text) < 2 or not _name_word(tok, need_cap=capital) or tok.low in NAME_CLOSERS:
        return False
    return capital or (_lower_name_word(tok) and not is_dictionary_word(tok.low))


def drop_staff(toks: list[Token], spans: list[TokenSpan]) -> list[TokenSpan]:
    """A name right after "Dr." is a provider: staff names are not PHI."""
    kept = []
    for a, b, label in spans:
        if label == "NAME" and a > 0:
            prev = toks[a - 1]
            prev2 = toks[a - 2] if a > 1 else None
            title = a - 1 if prev.low in STAFF_TITLES else a - 2
            dotted = prev.text == "." and prev2 is not None and prev2.low in STAFF_TITLES
            titled = prev.low in STAFF_TITLES or dotted
            family = titled and titled_relative(prev.match.string, toks[a].start)  # "my father, Dr. …"
            if titled and not family and not _introduces_self(toks, title):
                continue
        kept.append((a, b, label))
    return kept


# A relative of the caller's said with a title: "my father, Dr. Farhad …", "my wife is doctor …":
# family, not the site's staff.
_RELATIVE_TITLED = re.compile(
    r"\b(?:my|our|his|her|their|your)\s+(?:late\s+)?(?:"
    + "|".join(sorted(RELATIVES, key=len, reverse=True))
    + r")\s*(?:,|\s(?:is|was|being))?\s*(?:dr|doctor)\.?\s*$",
    re.IGNORECASE,
)


def titled_relative(text: str, start: int) -> bool:
    """Is the name at `start` said after a relative and a doctor's title ("my father, Dr. …")?"""
    return _RELATIVE_TITLED.search(text, max(0, start - 40), start) is not None


def _introduces_self(toks: list[Token], title: int) -> bool:
    """ "My name is Dr. Amara Osei, I'm a patient": a caller who gives their own name with a title
    is no member of staff being mentioned ("Dr. Patel said …")."""
    words = tuple(t.low for t in toks[max(0, title - 3) : title])
    return words[-2:] == ("name", "is") or words[-1:] == ("name's",) or words[-3:] == ("my", "names", "is")


def find_unlisted_names(toks: list[Token], index: TokenIndex) -> list[TokenSpan]:
    """Names known by being in no dictionary, where no cue stands before them.

    - Two or three such words together, in lower case: "can you ask ottoline brask to call".
    - A capitalised word no dictionary holds (and no site word): "Isidore's temperature is high".
    - A turn that opens with a name and a closer or a comma: "wynne ashcroft here", "jonas ebbe,
      nine mill lane": one to three words, one of them unlisted.
    """
    found: list[TokenSpan] = []
    n, done = len(toks), 0
    for i in index.unlisted():
        if i < done or not _lower_name_word(toks[i]) or toks[i].low in COMMON_CAPITALISED:
            continue
        first, last = i, i
        if first >= 2 and _hyphened_name(toks, first - 2):
            first -= 2  # "rasmussen-iheanacho": found at its second part
        elif last + 2 < n and _hyphened_name(toks, last):
            last += 2  # "juha-pekka", "stavridakis-emenike"
        while True:  # more name words before, one or two joined by a hyphen each
            if first > 0 and _unlisted(toks[first - 1]):
                first -= 1
            elif first >= 3 and _hyphened_name(toks, first - 3):
                first -= 3
            else:
                break
        while True:  # and after: "cheryl greaves-blenman", "juha-pekka niskala"
            if last + 1 < n and _unlisted(toks[last + 1]):
                last += 1
            elif last + 3 < n and _hyphened_name(toks, last + 1):
                last += 3
            else:
                break
        done = last + 1
        # one hyphened pair alone is a name when both its parts are in no dictionary ("kool-aid" is
        # a drink); beside another such word, a part may be a noun too ("cheryl greaves-blenman")
        lone_pair = last == first + 2 and not (_unlisted(toks[first]) and _unlisted(toks[last]))
        if (is_cap(toks[i]) and not toks[i].text.isupper() and not _after_staff(toks, first)) or (
            last > first and not toks[first].text[:1].isupper() and not lone_pair
        ):
            if first > 0 and is_cap(toks[first]) and _calendar_given_name(toks[first - 1]):
                first -= 1  # "Sunday Adeleke", "April Nwosu": a day or month that is a given name
            found.append((first, last, "NAME"))
        else:
            opening = _opening_name(toks, first, last)
            if opening is not None:
                found.append(opening)
            elif _name_after_a_role(toks, first, last):
                found.append((first, last, "NAME"))
    return found


# Who someone is by their work, said before their name and a comma: "the care coordinator again,
# kerenza", "this is the scheduler, ottilie". A role and then, after a comma, a word no
# dictionary holds that ends the clause: the name of the one in that role.
_ROLE_WORDS = frozenset((
    *PERSON_ROLES, "coordinator", "nurse", "worker", "scheduler", "receptionist", "aide", "therapist",
    "assistant", "navigator", "advocate", "chaplain", "pharmacist", "technician", "tech", "counselor",
    "counsellor", "secretary", "dispatcher", "agent", "rep", "representative", "volunteer", "doula",
    "midwife", "paramedic", "driver", "caller", "student", "intern", "resident", "clerk",
))  # fmt: skip
_AFTER_A_ROLE = frozenset(("again", "here", "too", "now", "today", "there"))


def _name_after_a_role(toks: list[Token], first: int, last: int) -> bool:
    """Are the unlisted words first..last a name said after a role and a comma, to the clause's
    end ("hes the new social worker, imelda.")?"""
    if first < 2 or toks[first - 1].text != "," or last - first > 1:
        return False
    if last + 1 < len(toks) and toks[last + 1].text not in (",", ".", "?", "!", ";"):
        return False
    k = first - 2
    while k > 0 and toks[k].low in _AFTER_A_ROLE and first - k < 4:
        k -= 1
    return toks[k].low in _ROLE_WORDS


# Parts that open a hyphened everyday word ("pre-op", "non-urgent"), never a name's first part.
_WORD_PREFIXES = frozenset((
    "pre", "post", "non", "anti", "self", "multi", "semi", "sub", "over", "under", "out", "half",
    "mid", "cross", "inter", "intra", "ultra", "mini", "micro", "super", "extra", "ex", "co", "re",
))  # fmt: skip


def _hyphened_name(toks: list[Token], k: int) -> bool:
    """Are tokens k, k+1, k+2 two parts of a name joined by a hyphen with no space ("rasmussen-
    iheanacho", "juha-pekka")? One part is in no dictionary and has four letters or more; the other
    is in none either or can be a noun ("greaves-blenman"), and opens no everyday word ("non-")."""
    if k + 2 >= len(toks) or toks[k + 1].text != "-":
        return False
    a, b = toks[k], toks[k + 2]
    if toks[k + 1].start != a.end or b.start != toks[k + 1].end or a.low in _WORD_PREFIXES:
        return False
    if not (_lower_name_word(a) and _lower_name_word(b)) or len(a.text) < 3 or len(b.text) < 3:
        return False
    if not ((_unlisted(a) and len(a.text) > 3) or (_unlisted(b) and len(b.text) > 3)):
        return False
    return all(_unlisted(t) or _can_be_surname_noun(t.low) for t in (a, b))


def _can_be_surname_noun(low: str) -> bool:
    return "n" in (tags(low) or "") and low not in COMMON_CAPITALISED


def _calendar_given_name(tok: Token) -> bool:
    return is_cap(tok) and len(tok.text) > 3 and (tok.low in WEEKDAYS or tok.low in MONTHS)


def _unlisted(tok: Token) -> bool:
    return (
        len(tok.text) > 2
        and _lower_name_word(tok)
        and tok.low not in COMMON_CAPITALISED
        and not is_dictionary_word(tok.low)
    )


def _after_staff(toks: list[Token], i: int) -> bool:
    """Is token i part of a provider's name: "Dr. Sofia Alvarez", "doctor okafor"?"""
    k = i - 1
    while k >= 0 and i - k < 3 and is_cap(toks[k]) and toks[k].low not in STAFF_TITLES:
        k -= 1
    if k >= 0 and toks[k].text == ".":
        k -= 1
    return k >= 0 and toks[k].low in STAFF_TITLES


def _opening_name(toks: list[Token], first: int, last: int) -> TokenSpan | None:
    """ "wynne ashcroft here", "jonas ebbe, …": name words from the start of the line (past
    fillers and greetings) to a closer or a comma, one of them the unlisted word first..last."""
    line_start = toks[first].match.string.rfind("\n", 0, toks[first].start)
    k = first - 1
    while k >= 0 and toks[k].start > line_start and _lower_name_word(toks[k]) and first - k < 3:
        k -= 1
    start = k + 1
    if k >= 0 and toks[k].start > line_start and toks[k].low not in _TURN_OPENERS:
        return None
    end = last + 1
    while (
        end < len(toks)
        and end - start < 3
        and _lower_name_word(toks[end])
        and toks[end].low not in NAME_CLOSERS
    ):
        end += 1
    if end < len(toks) and (toks[end].low in NAME_CLOSERS or toks[end].text == ","):
        return (start, end - 1, "NAME")
    return None


def _apposition_name(toks: list[Token], k: int) -> int | None:
    """ "my husband, earl fletcher": after a relative and a comma, one to three name words that run
    to the end of the turn or to a mark."""
    n, first = len(toks), k
    while k < n and k - first < 3 and _lower_name_word(toks[k]) and not is_function_word(toks[k].low):
        k += 1
    if k == first or (k < n and toks[k].text not in (",", ".", "?", "!", ";")):
        return None
    if k - 1 > first and line_break_between(toks, first, k - 1):
        return None
    return k - 1


# A full name of dictionary words after a person's frame ("his mom is tiffany rich", "a student
# jordan rich", "my father leroy young"): the Census's given names and surnames (gazetteer.py) tell
# it from speech where neither a capital nor the dictionary can. How much the frame must say grows
# with how everyday the words are, a cost each: a given name no dictionary holds costs 0; one the
# dictionary holds only as a noun and that at least GIVEN_COMMON per cent of people bear costs 1
# ("tiffany", "jordan", "holly"), as does a noun and verb that GIVEN_VERY_COMMON per cent bear
# ("grace", "mark"); any other (an adjective, or a name rarer as a name than as a word: "grant",
# "young", "rose", "hope") costs 2; a function or everyday word ("will", "may", "an") is none. A
# surname no dictionary holds costs 0; a dictionary noun (not an adverb, not an everyday word) in
# the Census's surnames costs 1 ("rich", "king", "young"); anything else is no surname here
# ("early", "still", "and"). A person's frame (a relative or a role: "my son", "a student", "his
# mom is"; a title; "my name is") allows 2, so two everyday words pass only when both are the
# ordinary kind ("jordan rich") and "my son will cook" never does; a weak cue ("for", "this is",
# "thanks") allows 1.
GIVEN_COMMON = 0.01
GIVEN_VERY_COMMON = 0.1  # one in a thousand: "grace", "mark", "jack"
_PERSON_FRAME, _WEAK_FRAME = 2, 1
_DETERMINERS = frozenset(("a", "an", "the", "another", "this", "that", *_POSSESSIVES))
_SAID_OF = frozenset((*RELATIVES, *PERSON_ROLES, *_ROLE_WORDS, "patient"))
# compose.py's gate: a word of some frame above (with a given name among the text's words)
GAZETTEER_GATE = frozenset((*WEAK_GATE, *_SAID_OF, *_CUE_LAST_WORDS, *_IS_WORDS, "name"))


def _given_cost(low: str, share: float) -> int | None:
    t = tags(low)
    if t is None:
        return 0
    if t == "" or is_function_word(low):
        return None  # "an", "in", "so", "else": in the Census's lists, never read as a name here
    parts = set(t)
    if (parts == {"n"} and share >= GIVEN_COMMON) or (parts == {"n", "v"} and share >= GIVEN_VERY_COMMON):
        return 1
    return 2


def _surname_cost(tok: Token, surnames: dict[str, float]) -> int | None:
    if not _name_word(tok, need_cap=False) or tok.low in NAME_CLOSERS or not _lower_name_word(tok):
        return None
    if _unlisted(tok):
        return 0
    t = tags(tok.low)
    if tok.low in surnames and t and "n" in t and "r" not in t and not is_function_word(tok.low):
        return 1
    return None


def _person_said(toks: list[Token], k: int) -> bool:
    """Does token k end a person said by who they are: "my son", "a student", "the new patient"?"""
    if k < 1 or toks[k].low not in _SAID_OF:
        return False
    j = k - 1
    while j > 0 and (toks[j].low in KIN_MODIFIERS or toks[j].low in ("new", "other")) and k - j < 3:
        j -= 1
    return toks[j].low in _DETERMINERS


def _frame_allows(toks: list[Token], i: int) -> int:
    """How much the words before token i say that a name follows (see GIVEN_COMMON)."""
    k = i - 1
    if k < 0:
        return 0
    if toks[k].text == "," and k > 0:
        k -= 1  # "my husband, leroy young"
    strength = _cue_strength(toks, k)
    if strength == _STRONG or _person_said(toks, k) or toks[k].low in _TITLES:
        return _PERSON_FRAME
    if toks[k].low in _IS_WORDS and k > 0 and (_person_said(toks, k - 1) or toks[k - 1].low in _IS_TRIGGERS):
        return _PERSON_FRAME  # "his mom is tiffany rich", "her name is …"
    if toks[k].text == "." and k > 0 and toks[k - 1].low in _TITLES:
        return _PERSON_FRAME  # "Mrs. …"
    return _WEAK_FRAME if strength == _WEAK else 0


def gazetteer_given_words() -> frozenset[str]:
    """compose.py's gate: the given names that may open a name here (not "an", "my", "see")."""
    return _usable_given(person_names())


@lru_cache(maxsize=2)
def _usable_given(lists: PersonNames) -> frozenset[str]:  # once per list read (an empty one if refused)
    return frozenset(w for w, share in lists.given.items() if _given_cost(w, share) is not None)


def find_gazetteer_names(toks: list[Token], index: TokenIndex, given_here: Iterable[str]) -> list[TokenSpan]:
    """A given name and a surname from the Census's lists after a person's frame, lower case or
    written: "his mom is tiffany rich", "a student Jordan Rich". compose.py gates it on a frame's
    word and passes the given names among the text's words (`given_here`)."""
    lists = person_names()
    given, surnames = lists.given, lists.surnames
    found: list[TokenSpan] = []
    n = len(toks)
    for i in index.positions(given_here):
        share = given.get(toks[i].low)
        if i + 1 >= n or share is None or not _name_word(toks[i], need_cap=False):
            continue
        g = _given_cost(toks[i].low, share)
        if g is None:
            continue
        s = _surname_cost(toks[i + 1], surnames)
        if s is None or g + s > _PERSON_FRAME:
            continue
        if g + s <= _frame_allows(toks, i):
            found.append((i, i + 1, "NAME"))
    return found
