"""The tagger's weights are rebuilt from the repository byte for byte, so their sha256 pin means
something to an auditor.

Training a slice of the real recipe (the generated corpus, the embedding classes' k-means, the
averaged perceptron) in two processes that differ in Python's hash seed and in the number of BLAS
threads must give the same bytes: no set's or dict's order, no unseeded randomness and no thread
count may reach the weights. The full rebuild against the pins takes about a minute of one core:
`make check-tagger` runs it (README, "Reproducing the redaction tagger").

The tagger reads words through its own frozen word lists (tagger_lexicon.py), not the rules' lists
that grow every round: a word the rules learned after the weights were trained must not change the
tagger's features, or the pinned weights could no longer be rebuilt.
"""

from __future__ import annotations

import os
import subprocess
import sys

from appliance.privacy.redaction import dictionary, tagger, tagger_lexicon, word_classes


def _train_slice(hash_seed: str, threads: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads)
    done = subprocess.run(
        [sys.executable, "-m", "appliance.privacy.redaction.tagger_train", "--slice",
         "--sentences", "1500", "--epochs", "3"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_training_gives_the_same_bytes_whatever_the_hash_seed_and_thread_count() -> None:
    pinned = (tagger.WEIGHTS_FILE.read_bytes(), word_classes.CLASSES_FILE.read_bytes())
    first = _train_slice("1", "1")
    second = _train_slice("2", "2")
    assert "tagger_weights.json: sha256 " in first
    assert "tagger_classes.json: sha256 " in first
    assert first == second
    # a slice is printed, never written over the pinned files
    assert (tagger.WEIGHTS_FILE.read_bytes(), word_classes.CLASSES_FILE.read_bytes()) == pinned


def test_words_the_rules_learned_since_training_do_not_move_the_taggers_features() -> None:
    frozen = tagger_lexicon.FUNCTION_WORDS | tagger_lexicon.EVERYDAY_WORDS
    learned_since = sorted(
        w for w in dictionary.dictionary_words() if dictionary.tags(w) == "" and w not in frozen
    )
    # "honda", "cousin", "whoever", "niner": everyday words to the rules since the weights were trained
    assert {"honda", "cousin", "whoever", "niner"} <= set(learned_since)
    for word in learned_since:
        assert tagger.word_class(word) != "every", word


def test_the_frozen_words_read_as_they_did_at_training() -> None:
    assert tagger.word_class("whatever") == "fn"
    assert tagger.word_class("pharmacy") == "every"
    assert tagger.word_class("ottoline") == "unk"
