"""Word classes from word embeddings, so the tagger reads a word it never saw like ones it has.

The tagger (tagger.py) learns from a generated corpus; a name or a place it never saw there
("oluwadamilola", "brackenfold") or a relative word it never saw in a frame ("my stepmum X")
would be known to it only by its letters. Here every word gets the class of its nearest centre in
the token-embedding space of wordllama (the pip package, its l2_supercat_256 table, 32,000 Llama-2
tokens by 256 dimensions; a word is the mean of its tokens' rows, first DIMS dimensions, which
wordllama's training keeps meaningful on their own). The centres (two sizes, a coarse and a fine
class) are found by k-means over the words of the tagger's training corpus and the dictionary's
words, written to tagger_classes.json by tagger_train.py and pinned by sha256 here; wordllama's
files are pinned too. Nothing is downloaded: the files are read from the installed package.

A word's class costs one tokenizer call and one small product the first time it is seen; it is
cached after that.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from appliance.pinned_files import WORDLLAMA_FILES, PinnedFileError, read_pinned

CLASSES_FILE = Path(__file__).with_name("tagger_classes.json")
CLASSES_SHA256 = "6f5190a2c1e960bb014d00466dec85b9390ab8390ebd56cdfb5ed62f37ae7d0d"
DIMS = 64
SIZES = (64, 512)  # the coarse and the fine class


class WordClassesUnavailable(RuntimeError):
    """The embedding table or the class centres could not be loaded; the message says why."""


def _checked(path: Path, sha256: str) -> bytes:
    try:
        return read_pinned(path, sha256)
    except PinnedFileError as exc:
        raise WordClassesUnavailable(str(exc)) from None


class WordVectors:
    """Each word's embedding: the mean of its wordllama tokens' rows, unit length."""

    def __init__(self) -> None:
        spec = importlib.util.find_spec("wordllama")
        if spec is None or spec.origin is None:
            raise WordClassesUnavailable("the wordllama package is not installed")
        root = Path(spec.origin).parent
        for rel, sha in WORDLLAMA_FILES.items():
            _checked(root / rel, sha)
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer

            table = load_file(str(root / "weights/l2_supercat_256.safetensors"))["embedding.weight"]
            self._tok = Tokenizer.from_file(str(root / "tokenizers/l2_supercat_tokenizer_config.json"))
        except (ImportError, OSError, KeyError, ValueError, Exception) as exc:
            raise WordClassesUnavailable(f"wordllama's files would not load ({type(exc).__name__})") from None
        self._table = np.asarray(table[:, :DIMS], dtype=np.float32)

    def of(self, words: list[str]) -> np.ndarray:
        """One unit row per word (lower case as given)."""
        out = np.zeros((len(words), DIMS), dtype=np.float32)
        for i, enc in enumerate(self._tok.encode_batch(words, add_special_tokens=False)):
            if enc.ids:
                v = self._table[enc.ids].mean(axis=0)
                n = float(np.linalg.norm(v))
                if n > 0:
                    out[i] = v / n
        return out


def kmeans(vectors: np.ndarray, k: int, seed: int, rounds: int = 12) -> np.ndarray:
    """Centres of k classes of unit vectors (spherical k-means), deterministic for a seed."""
    rng = np.random.default_rng(seed)
    centres = vectors[rng.choice(len(vectors), size=k, replace=False)].copy()
    for _ in range(rounds):
        nearest = np.argmax(vectors @ centres.T, axis=1)
        for c in range(k):
            members = vectors[nearest == c]
            if len(members):
                m = members.sum(axis=0)
                centres[c] = m / max(float(np.linalg.norm(m)), 1e-9)
    return np.round(centres, 4)


class WordClasses:
    """The class of each word at each size, from the centres file."""

    def __init__(self, vectors: WordVectors, centres: list[np.ndarray]) -> None:
        self._vectors = vectors
        self._centres = [np.asarray(c, dtype=np.float32) for c in centres]
        self._lock = threading.Lock()

    @lru_cache(maxsize=200_000)  # noqa: B019 (one instance per process)
    def of(self, low: str) -> tuple[int, ...]:
        with self._lock:  # the tokenizer and the cache are shared between threads
            v = self._vectors.of([low])[0]
        return tuple(int(np.argmax(c @ v)) for c in self._centres)


def read_centres(path: Path | None = None, sha256: str | None = None) -> list[np.ndarray]:
    """The class centres, refused unless the file's sha256 is the pinned one."""
    path = CLASSES_FILE if path is None else path
    data = _checked(path, CLASSES_SHA256 if sha256 is None else sha256)
    try:
        raw = json.loads(data.decode("utf-8"))["centres"]
        return [np.asarray(raw[str(k)], dtype=np.float32) for k in SIZES]
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise WordClassesUnavailable(f"{path}: not a classes file ({type(exc).__name__})") from None


_shared: WordClasses | None = None
_load_lock = threading.Lock()


def shared_classes() -> WordClasses:
    """The process's word classes, loaded once; raises WordClassesUnavailable when they cannot."""
    global _shared
    if _shared is None:
        with _load_lock:
            if _shared is None:
                _shared = WordClasses(WordVectors(), read_centres())
    return _shared


def use_classes(classes: WordClasses) -> None:
    """Training's centres, before their file is pinned (tagger_train.py only)."""
    global _shared
    _shared = classes
