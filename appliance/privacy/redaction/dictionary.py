"""Which words are English dictionary words, and which of them can be verbs or adverbs.

Recognizers print names and places in lower case ("can you tell ottoline brask", "she lives in
great ormsby"), so capitals cannot say which words name someone. A dictionary can: a word in a
name's or a place's slot that no dictionary holds is far more likely a name than one that does
("ottoline" against "tomorrow"). The words are WordNet's (english_words.txt, written by
scripts/write_english_words.py from the pinned spaCy model package), read once on first use.
Names that are also words ("holly", "mill") are found by their cues, not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from appliance.privacy.redaction.lexicon import (
    COMMON_CAPITALISED,
    DIGIT_WORDS,
    FILLERS,
    MONTHS,
    NAME_STOP,
    ORDINAL_WORDS,
    RELATIVES,
    TEEN_WORDS,
    TENS_WORDS,
    WEEKDAYS,
)
from appliance.privacy.redaction.medicines import is_medicine

_WORDS_FILE = Path(__file__).with_name("english_words.txt")

# Everyday speech that WordNet leaves out (function words, contractions' parts, phone talk) or that
# callers use for medicine and care: never a name on its own.
_SPOKEN = frozenset((
    "i", "me", "my", "mine", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her",
    "hers", "they", "them", "their", "it", "its", "this", "that", "these", "those", "the", "a", "an",
    "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for", "with", "from", "about",
    "into", "onto", "over", "under", "than", "then", "there", "here", "what", "which", "who", "whom",
    "whose", "when", "where", "why", "how", "because", "while", "although", "though", "unless",
    "until", "since", "before", "after", "during", "without", "within", "upon", "among", "against",
    "would", "should", "could", "might", "must", "shall", "will", "can", "may", "does", "did",
    "done", "doing", "has", "had", "having", "was", "were", "been", "being", "am", "are", "is",
    "okay", "ok", "yeah", "yep", "nope", "hiya", "bye", "goodbye", "thanks", "thank", "please",
    "gonna", "wanna", "gotta", "kinda", "sorta", "dunno", "lemme", "gimme", "appt", "meds", "bloods",
    "covid", "wifi", "email", "emails", "online", "voicemail", "app", "texted", "tablets", "inhaler",
    "gp", "er", "icu", "mri", "ct", "ekg", "ecg", "ultrasound", "xray", "telehealth", "copay",
    "prescription", "prescriptions", "refill", "refills", "pharmacist", "physio", "physiotherapy",
    "paracetamol", "ibuprofen", "antibiotics", "insulin", "nebulizer", "epipen", "mum", "mom",
    "mommy", "mummy", "dad", "daddy", "nan", "nana", "gran", "granny", "grandma", "grandpa",
    "myself", "yourself", "himself", "herself", "itself", "ourselves", "yourselves", "themselves",
    "someone", "anyone", "everyone", "nobody", "anybody", "everybody", "something", "anything",
    "nothing", "everything", "somewhere", "anywhere", "everywhere", "whatever", "whenever", "each",
    "whoever", "whomever", "wherever", "whichever", "however",
    "every", "either", "neither", "both", "few", "several", "such", "own", "ours", "yours", "theirs",
    # houses of worship by the word of their own faith ("he leaves for shul at six", "after masjid")
    "shul", "masjid", "mandir",
    # care someone goes to or stays in, said short ("he's there for rehab"): no one's name
    "rehab",
    # determiners that open a span of time or a thing, never a name: "for another week"
    "another", "other", "others",
    # contractions as recognizers without punctuation print them ("and im calling about")
    "im", "ive", "youre", "youve", "youll", "hes", "shes", "theyre", "theyve", "theyll",
    "weve", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt",
    "hadnt", "couldnt", "wouldnt", "shouldnt", "thats", "whats", "theres", "aint", "itll", "yall",
))  # fmt: skip


@lru_cache(maxsize=1)
def _wordnet() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _WORDS_FILE.read_text(encoding="ascii").splitlines():
        word, _, tags = line.partition(" ")
        table[word] = tags
    return table


def table_with(everyday: Iterable[str]) -> dict[str, str]:
    """WordNet's words and their parts of speech, with these everyday words listed as having none
    (the tagger keeps its own everyday words, frozen with its weights: tagger_lexicon.py)."""
    table = dict(_wordnet())
    for word in everyday:
        table[word] = ""  # everyday words first: WordNet's "me" (Maine) is no noun here
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    return table_with(
        _SPOKEN | COMMON_CAPITALISED | NAME_STOP | RELATIVES | FILLERS | set(MONTHS) | WEEKDAYS
        | set(DIGIT_WORDS) | set(TEEN_WORDS) | set(TENS_WORDS) | set(ORDINAL_WORDS)
    )  # fmt: skip


_SUFFIXES = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
             ("ing", "e"), ("er", ""), ("est", ""), ("ly", ""), ("d", ""))  # fmt: skip


def _stems(low: str) -> list[str]:
    """The forms a dictionary lists for an inflected word: "needs" -> need, "carried" -> carry,
    "hoping" -> hope, "mum's" -> mum."""
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    out = [low]
    for suffix, repl in _SUFFIXES:
        if low.endswith(suffix) and len(low) - len(suffix) >= 2:
            stem = low[: len(low) - len(suffix)] + repl
            out.append(stem)
            if suffix in ("ed", "ing", "er", "est") and len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # "stopped" -> stop
    return out


@lru_cache(maxsize=65536)
def tags(low: str) -> str | None:
    """The parts of speech a dictionary gives this lower-case word ("n", "v", "a", "r"; "" for an
    everyday word with none), or None when no dictionary holds it."""
    return tags_in(_table(), low)


def tags_in(table: dict[str, str], low: str) -> str | None:
    """`tags` as a table from `table_with` gives them."""
    if ("'" in low or "’" in low) and not low.endswith(("'s", "’s")):
        return ""  # "don't", "i'm": contractions are everyday words
    if table.get(low) == "":
        return ""  # an everyday word ("has", "me"), whatever a stem of it may be
    found = None
    for stem in _stems(low):
        got = table.get(stem)
        if got is not None:
            found = got if found is None else found + got
    if found is None and is_medicine(low):
        return "n"  # "bisoprolol", "ozempic": a thing, though WordNet lists no such word
    return found


@lru_cache(maxsize=1)
def dictionary_words() -> frozenset[str]:
    """Every word the dictionary lists as it stands (inflected forms are found by tags())."""
    return frozenset(_table())


def is_dictionary_word(low: str) -> bool:
    return tags(low) is not None


def can_be_verb(low: str) -> bool:
    """A word that may be a verb or an adverb ("has", "fell", "needs", "just"): after "my daughter"
    it starts what she does, not her name."""
    t = tags(low)
    return t is not None and ("v" in t or "r" in t or low in _AUXILIARIES)


def is_function_word(low: str) -> bool:
    """A pronoun, article, preposition, auxiliary or the like ("me", "the", "would", "something")."""
    return low in _SPOKEN


def is_everyday(low: str) -> bool:
    """A function word or an everyday word of speech or of the site ("me", "okay", "pharmacy")."""
    return tags(low) == ""


_AUXILIARIES = frozenset(("has", "had", "is", "was", "were", "are", "am", "will", "would", "can", "could",
                          "should", "might", "must", "does", "did", "been", "being", "having", "gonna",
                          "wanna", "gotta", "keeps", "kept"))  # fmt: skip
