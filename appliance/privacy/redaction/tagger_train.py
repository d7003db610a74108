"""Train the name-and-place tagger (tagger.py) and write tagger_weights.json beside it.

    .venv/bin/python -m appliance.privacy.redaction.tagger_train            (rewrites both files)
    .venv/bin/python -m appliance.privacy.redaction.tagger_train --check    (writes nothing)

Deterministic: the same corpus (tagger_corpus.generate with SEED) and the development sets of
tests/privacy/data (utterances, heldout, corpus_dev, corpus_dev3: never a held-out set,
corpus_heldout*) give the same weights, byte for byte, whatever Python's hash seed or the BLAS
thread count (tests/privacy/test_tagger_training.py). It writes tagger_classes.json (the centres
of the word-embedding classes, word_classes.py), pinned by word_classes.CLASSES_SHA256, and the
weights, pinned by tagger.WEIGHTS_SHA256, and prints both sha256s. `--check` trains the same way,
writes nothing, and exits 1 unless both equal their pins (`make check-tagger`).

The features read words through tagger_lexicon.py's frozen word lists, not the rules' lists: a word
the rules learn must not move the features under the pinned weights. Change those lists, the
corpus or the features only together with retraining, re-pinning, and re-scoring every held-out
set with bench/redaction.py before and after.

An averaged perceptron (Collins 2002), decoded greedily left to right with the previous predicted
tag as a feature, as at use. Weights under PRUNE in every tag are dropped to keep the file small.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from appliance.privacy.redaction.tagger import (
    TAG_TOKEN,
    TAGS,
    WEIGHTS_FILE,
    WEIGHTS_SHA256,
    features_with_tag,
)
from appliance.privacy.redaction.tagger_corpus import Example, generate
from appliance.privacy.redaction.word_classes import (
    CLASSES_FILE,
    CLASSES_SHA256,
    SIZES,
    WordClasses,
    WordVectors,
    kmeans,
    use_classes,
)

SEED = 17
GENERATED = 40_000
EPOCHS = 8
PRUNE = 0.05
# The share of training words read without their own identity (their "w=" features), so the
# tagger learns to tell a name or a place from its letters, its embedding class and its frame, as
# it must for one it never saw: with every word's identity, it learns the corpus's names by heart.
WORD_DROPOUT = 0.3
_IDENTITY = ("w=", "t-1,w=")
DEV_SETS = ("utterances", "heldout", "corpus_dev", "corpus_dev3")
_LEARNED = ("NAME", "ADDRESS")


def development_examples(data: Path) -> list[Example]:
    out: list[Example] = []
    for name in DEV_SETS:
        for line in (data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                out.append((d["text"], [(s["start"], s["end"], s["label"]) for s in d["spans"]]))
    return out


def to_sequence(example: Example) -> tuple[list[str], list[str]]:
    text, spans = example
    words, gold = [], []
    for m in TAG_TOKEN.finditer(text):
        words.append(m.group())
        label = "O"
        for a, b, lab in spans:
            if lab in _LEARNED and a < m.end() and m.start() < b:
                label = lab
        gold.append(label)
    return words, gold


class _Perceptron:
    def __init__(self) -> None:
        self.w: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        self.totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        self.stamps: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        self.step = 0

    def predict(self, feats: list[str]) -> int:
        s = [0.0, 0.0, 0.0]
        for f in feats:
            v = self.w.get(f)
            if v is not None:
                s[0] += v[0]
                s[1] += v[1]
                s[2] += v[2]
        # ties go to O first, then NAME, as at use
        return 0 if s[0] >= s[1] and s[0] >= s[2] else (1 if s[1] >= s[2] else 2)

    def update(self, feats: list[str], truth: int, guess: int) -> None:
        self.step += 1
        if truth == guess:
            return
        for f in feats:
            for c, delta in ((truth, 1.0), (guess, -1.0)):
                self.totals[f][c] += (self.step - self.stamps[f][c]) * self.w[f][c]
                self.stamps[f][c] = self.step
                self.w[f][c] += delta

    def averaged(self) -> dict[str, list[float]]:
        out = {}
        for f, v in self.w.items():
            avg = []
            for c in range(3):
                total = self.totals[f][c] + (self.step - self.stamps[f][c]) * v[c]
                avg.append(round(total / self.step, 3))
            if any(abs(x) >= PRUNE for x in avg):
                out[f] = avg
        return out


def train(sequences: list[tuple[list[str], list[str]]], epochs: int = EPOCHS, seed: int = SEED) -> dict:
    model = _Perceptron()
    rng = random.Random(seed)
    drop = random.Random(seed + 1)
    order = list(range(len(sequences)))
    for epoch in range(epochs):
        rng.shuffle(order)
        wrong = total = 0
        for k in order:
            words, gold = sequences[k]
            prev = "<s>"
            for i in range(len(words)):
                feats = features_with_tag(words, i, prev)
                if drop.random() < WORD_DROPOUT:
                    feats = [f for f in feats if not f.startswith(_IDENTITY)]
                guess = model.predict(feats)
                truth = TAGS.index(gold[i])
                model.update(feats, truth, guess)
                wrong += guess != truth
                total += 1
                prev = TAGS[guess]
        print(f"epoch {epoch + 1}: {wrong / total:.4f} of tokens wrong", file=sys.stderr)
    return model.averaged()


def word_classes(
    sequences: list[tuple[list[str], list[str]]], dictionary: bool = True
) -> tuple[bytes, WordClasses]:
    """Centres of the embedding classes over the corpus's words (and the dictionary's), as the
    bytes of tagger_classes.json (pinned by word_classes.CLASSES_SHA256) and as the classes
    training reads (the centres rounded to 4 places, as the file holds them)."""
    vocab = {w.lower() for words, _ in sequences for w in words if w[:1].isalpha()}
    if dictionary:
        words_file = Path(__file__).with_name("english_words.txt")
        vocab |= {w for w in words_file.read_text(encoding="utf-8").split() if w.isalpha()}
    words = sorted(vocab)
    vectors = WordVectors()
    matrix = vectors.of(words)
    centres = {str(k): kmeans(matrix, k, SEED + k) for k in SIZES}
    rounded = {k: np.round(c.astype(np.float64), 4).tolist() for k, c in centres.items()}
    body = json.dumps(
        {"dims": matrix.shape[1], "words": len(words), "centres": rounded}, separators=(",", ":")
    )
    return (body + "\n").encode("utf-8"), WordClasses(vectors, [centres[str(k)] for k in SIZES])


def weights_bytes(weights: dict[str, list[float]]) -> bytes:
    """The bytes of tagger_weights.json (pinned by tagger.WEIGHTS_SHA256)."""
    body = json.dumps({"tags": list(TAGS), "weights": dict(sorted(weights.items()))},
                      ensure_ascii=False, separators=(",", ":"))  # fmt: skip
    return (body + "\n").encode("utf-8")


def build(generated: int = GENERATED, epochs: int = EPOCHS, full: bool = True) -> tuple[bytes, bytes]:
    """(tagger_classes.json's bytes, tagger_weights.json's bytes), trained from the repository
    alone. `full=False` (a slice, for the determinism test) leaves out the development sets and
    the dictionary's words."""
    data = Path(__file__).resolve().parents[3] / "tests" / "privacy" / "data"
    examples = generate(generated, SEED) + (development_examples(data) if full else [])
    sequences = [to_sequence(e) for e in examples]
    classes_body, classes = word_classes(sequences, dictionary=full)
    use_classes(classes)
    return classes_body, weights_bytes(train(sequences, epochs))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="write nothing; say whether both pinned files rebuild exactly"
    )
    parser.add_argument("--sentences", type=int, default=GENERATED, help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=argparse.SUPPRESS)
    parser.add_argument("--slice", action="store_true", help=argparse.SUPPRESS)  # the test's slice
    args = parser.parse_args(argv)
    full = not args.slice
    classes_body, weights_body = build(args.sentences, args.epochs, full)
    got = {CLASSES_FILE: _sha256(classes_body), WEIGHTS_FILE: _sha256(weights_body)}
    pinned = {CLASSES_FILE: CLASSES_SHA256, WEIGHTS_FILE: WEIGHTS_SHA256}
    if args.slice or args.check:
        for path, digest in got.items():
            if args.slice:
                print(f"{path.name}: sha256 {digest}")
            elif digest == pinned[path]:
                print(f"{path.name}: rebuilt byte for byte (sha256 {digest})")
            else:
                print(f"{path.name}: rebuilt with sha256 {digest}, not the pinned {pinned[path]}")
        return 0 if args.slice or got == pinned else 1
    CLASSES_FILE.write_bytes(classes_body)
    WEIGHTS_FILE.write_bytes(weights_body)
    for path, digest in got.items():
        note = "the pinned one" if digest == pinned[path] else f"pin it (was {pinned[path][:12]}…)"
        print(f"{path.name}: {path.stat().st_size:,} bytes, sha256 {digest}: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
