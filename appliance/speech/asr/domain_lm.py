"""A site's own language model for pocketsphinx, built from the sentences its callers say.

pocketsphinx's general English model knows 130 000 words and guesses among all of them; a
hospital's callers use a few hundred. `build_domain_model` counts the site's sentences into a
trigram back-off model (fixed discount, Katz-style back-off weights so each history is a proper
distribution) and mixes a share `general_weight` of the general model's commonest words into the
unigrams, so speech outside the corpus still comes out as ordinary words rather than as the
nearest site phrase. The result is an ARPA file and a matching pronunciation dictionary in a
cache directory, named by a hash of everything that went into them, so a site's model is built
once and then only loaded. Words the pronunciation dictionary lacks get espeak-ng's
pronunciation (g2p.py); those it cannot spell either are dropped (and listed).

Runs in whichever process calls it (the engine builds in the event-loop process before the
workers start; building takes well under a second for a few thousand sentences).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from appliance.numwords import number_words, year_words
from appliance.speech.asr.g2p import espeak_pronunciations

LOG10_OF_LOGMATH_UNIT = math.log10(1.0001)  # pocketsphinx scores are in log base 1.0001
DISCOUNT = 0.4  # probability mass each seen history leaves to its back-off
DEFAULT_GENERAL_WORDS = 4000
DEFAULT_GENERAL_WEIGHT = 0.0  # measured: mixing in general words lowered accuracy on our audio
SENTENCE_START, SENTENCE_END = "<s>", "</s>"


@dataclass(frozen=True)
class DomainModel:
    arpa_path: Path
    dict_path: Path
    words: int
    """Words in the model (site words plus the general words mixed in)."""
    dropped: tuple[str, ...]
    """Site words with no pronunciation, left out of the model."""
    contexts: dict[str, Path] = field(default_factory=dict)
    """Per dialog context ("identity", …), a model of only what callers say there, sharing the
    dictionary: the recognizer listens with it while the dialog waits for that answer."""


def model_paths() -> tuple[Path, Path, Path]:
    """(acoustic model dir, general LM, pronunciation dictionary) of the pocketsphinx wheel."""
    import pocketsphinx  # deferred: importing it loads the C library

    root = Path(pocketsphinx.get_model_path()) / "en-us"
    return root / "en-us", root / "en-us.lm.bin", root / "cmudict-en-us.dict"


def spell_number(n: int) -> str:
    """0..9999 as a recognizer writes them: no hyphens, years the way people say them."""
    words = year_words(n) if 1100 <= n <= 1999 else number_words(n)
    return words.replace("-", " ")


def normalize(sentence: str) -> list[str]:
    """Lower-case words as a recognizer would output them: digits spelled out, no punctuation."""
    text = sentence.lower().replace("-", " ").replace("’", "'")
    text = re.sub(r"\d{1,4}", lambda m: " " + spell_number(int(m.group())) + " ", text)
    text = re.sub(r"[^a-z' ]+", " ", text)
    return [w.strip("'") for w in text.split() if w.strip("'")]


@functools.lru_cache(maxsize=2)
def read_pronunciations(dict_path: Path) -> dict[str, list[str]]:
    """word -> its dictionary lines (a word may have several pronunciations: `word(2) ...`).

    Cached: the wheel's dictionary is 3 MB and never changes while the process runs.
    """
    lines: dict[str, list[str]] = defaultdict(list)
    with dict_path.open(encoding="utf-8") as f:
        for line in f:
            head = line.split(maxsplit=1)[0] if line.strip() else ""
            if head:
                lines[head.split("(", 1)[0]].append(line.rstrip("\n"))
    return lines


def with_spelled_words(
    pronunciations: dict[str, list[str]], sentences: Iterable[str]
) -> dict[str, list[str]]:
    """The dictionary plus espeak-ng's pronunciation of every corpus word it lacks (g2p.py)."""
    missing = sorted({w for s in sentences for w in normalize(s) if w not in pronunciations})
    spelled = espeak_pronunciations(missing)
    if not spelled:
        return pronunciations
    return {**pronunciations, **{w: [f"{w} {phones}"] for w, phones in spelled.items()}}


def general_unigrams(lm_path: Path, vocabulary: Iterable[str], top: int) -> dict[str, float]:
    """The `top` commonest words of the general model with their probabilities (renormalized)."""
    if top <= 0:
        return {}
    import pocketsphinx

    general = pocketsphinx.NGramModel.readfile(str(lm_path))
    scored = sorted(((general.prob([w]), w) for w in vocabulary), reverse=True)[:top]
    probs = {w: 10 ** (score * LOG10_OF_LOGMATH_UNIT) for score, w in scored}
    total = sum(probs.values())
    return {w: p / total for w, p in probs.items()}


def count_ngrams(sentences: Iterable[list[str]]) -> list[Counter[tuple[str, ...]]]:
    counts: list[Counter[tuple[str, ...]]] = [Counter(), Counter(), Counter()]
    for words in sentences:
        padded = [SENTENCE_START, *words, SENTENCE_END]
        for order in (1, 2, 3):
            for i in range(len(padded) - order + 1):
                counts[order - 1][tuple(padded[i : i + order])] += 1
    return counts


def compute_arpa(
    counts: list[Counter[tuple[str, ...]]], general: dict[str, float], general_weight: float
) -> list[dict[tuple[str, ...], tuple[float, float | None]]]:
    """Per order: n-gram -> (log10 prob, log10 back-off weight or None for the highest order)."""
    uni, bi, tri = counts
    tokens = sum(c for (w,), c in uni.items() if w != SENTENCE_START)
    weight = general_weight if general else 0.0
    p1: dict[str, float] = {}
    for word in {w for (w,) in uni if w != SENTENCE_START} | set(general):
        p1[word] = (1 - weight) * uni.get((word,), 0) / tokens + weight * general.get(word, 0.0)
    p2 = {gram: (1 - DISCOUNT) * c / uni[gram[:1]] for gram, c in bi.items()}
    p3 = {gram: (1 - DISCOUNT) * c / bi[gram[:2]] for gram, c in tri.items()}

    def backoff(seen_mass: float, backed_mass: float) -> float:
        # The left-over mass spread over the words this history has not been seen with.
        return math.log10(max(1.0 - seen_mass, 1e-9) / max(1.0 - backed_mass, 1e-9))

    next_of: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for gram in [*bi, *tri]:
        next_of[gram[:-1]].append(gram)
    order1: dict[tuple[str, ...], tuple[float, float | None]] = {
        (SENTENCE_START,): (
            -99.0,
            backoff(
                sum(p2[g] for g in next_of[(SENTENCE_START,)]),
                sum(p1[g[1]] for g in next_of[(SENTENCE_START,)]),
            ),
        )
    }
    for word, p in p1.items():
        follow = next_of[(word,)]
        order1[(word,)] = (math.log10(p), backoff(sum(p2[g] for g in follow), sum(p1[g[1]] for g in follow)))
    order2: dict[tuple[str, ...], tuple[float, float | None]] = {}
    for gram, p in p2.items():
        follow = next_of[gram]
        order2[gram] = (math.log10(p), backoff(sum(p3[g] for g in follow), sum(p2[g[1:]] for g in follow)))
    order3: dict[tuple[str, ...], tuple[float, float | None]] = {
        gram: (math.log10(p), None) for gram, p in p3.items()
    }
    return [order1, order2, order3]


def write_arpa(path: Path, orders: list[dict[tuple[str, ...], tuple[float, float | None]]]) -> None:
    lines = ["\\data\\", *(f"ngram {n + 1}={len(grams)}" for n, grams in enumerate(orders)), ""]
    for n, grams in enumerate(orders):
        lines.append(f"\\{n + 1}-grams:")
        for gram, (logp, bow) in sorted(grams.items()):
            tail = "" if bow is None else f" {bow:.4f}"
            lines.append(f"{logp:.4f} {' '.join(gram)}{tail}")
        lines.append("")
    lines.append("\\end\\")
    write_atomically(path, "\n".join(lines) + "\n")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: a worker never loads a half-written model.

    Several SIP workers may build the same model into one cache at once, so each writer has its own
    temporary file (its process and thread in the name), never a name another writer also renames."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def cache_key(
    sentences: Sequence[str],
    general_words: int,
    general_weight: float,
    contexts: Mapping[str, Sequence[str]] | None = None,
) -> str:
    digest = hashlib.sha256(f"v2|{general_words}|{general_weight}|{DISCOUNT}".encode())
    for sentence in sentences:
        digest.update(b"\n" + sentence.encode("utf-8"))
    for name, lines in sorted((contexts or {}).items()):
        digest.update(f"\n[{name}]".encode())
        for sentence in lines:
            digest.update(b"\n" + sentence.encode("utf-8"))
    return digest.hexdigest()[:16]


def build_domain_model(
    sentences: Sequence[str],
    cache_dir: Path,
    *,
    general_words: int = DEFAULT_GENERAL_WORDS,
    general_weight: float = DEFAULT_GENERAL_WEIGHT,
    contexts: Mapping[str, Sequence[str]] | None = None,
) -> DomainModel:
    """Build (or reuse from `cache_dir`) the ARPA model and dictionary for `sentences`, and one
    model per entry of `contexts` (its own sentences only; every word goes into the dictionary).

    Raises ValueError when no sentence has a word the dictionary knows.
    """
    if not 0.0 <= general_weight < 1.0:
        raise ValueError(f"general_weight must be in [0, 1), got {general_weight}")
    contexts = dict(contexts or {})
    _, lm_path, dict_path = model_paths()
    every = [*sentences, *(s for lines in contexts.values() for s in lines)]
    pronunciations = with_spelled_words(read_pronunciations(dict_path), every)

    def known(lines: Sequence[str]) -> list[list[str]]:
        kept = [[w for w in normalize(s) if w in pronunciations] for s in lines]
        return [words for words in kept if words]

    dropped = sorted({w for s in every for w in normalize(s) if w not in pronunciations})
    kept = known(sentences)
    if not kept:
        raise ValueError("the ASR corpus has no sentence with a word the pronunciation dictionary knows")
    kept_contexts = {name: known(lines) for name, lines in contexts.items()}
    for name, words in kept_contexts.items():
        if not words:
            raise ValueError(f"the ASR corpus for context {name!r} has no word the dictionary knows")

    key = cache_key(sentences, general_words, general_weight, contexts)
    cache_dir.mkdir(parents=True, exist_ok=True)
    arpa, dic = cache_dir / f"domain-{key}.arpa", cache_dir / f"domain-{key}.dict"
    context_arpa = {name: cache_dir / f"domain-{key}-{name}.arpa" for name in contexts}
    if not (arpa.exists() and dic.exists() and all(p.exists() for p in context_arpa.values())):
        general = general_unigrams(lm_path, pronunciations, general_words) if general_weight else {}
        orders = compute_arpa(count_ngrams(kept), general, general_weight)
        vocabulary = {w for (w,) in orders[0] if w not in (SENTENCE_START, SENTENCE_END)}
        for name, lines in kept_contexts.items():
            context_orders = compute_arpa(count_ngrams(lines), {}, 0.0)
            vocabulary |= {w for (w,) in context_orders[0] if w not in (SENTENCE_START, SENTENCE_END)}
            write_arpa(context_arpa[name], context_orders)
        entries = (line for w in sorted(vocabulary) for line in pronunciations[w])
        write_atomically(dic, "\n".join(entries) + "\n")
        write_arpa(arpa, orders)  # last: its presence says the whole set is built
    entries = dic.read_text(encoding="utf-8").splitlines()
    words = sum(1 for line in entries if "(" not in line.split(maxsplit=1)[0])
    return DomainModel(
        arpa_path=arpa, dict_path=dic, words=words, dropped=tuple(dropped), contexts=context_arpa
    )
