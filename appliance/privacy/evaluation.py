"""Scoring a redactor against a labeled set of utterances (tests/privacy/data/utterances.jsonl).

What matters for privacy is coverage, so scoring is about characters, not label names:
- a gold span is *found* when the predicted spans together cover every letter and digit in it;
- a predicted span is *correct* when it overlaps some gold span.
Recall is per gold label; precision is per predicted label. `label_agreement` says how often a
found gold span was also given its own label (informative only: "[ID]" for a ZIP still hides it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SpanT = tuple[int, int, str]
Predictor = Callable[[str], Sequence[SpanT]]


@dataclass(frozen=True)
class Example:
    text: str
    spans: tuple[SpanT, ...]


def load_examples(path: Path) -> list[Example]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            rows.append(Example(d["text"], tuple((s["start"], s["end"], s["label"]) for s in d["spans"])))
    return rows


@dataclass
class LabelScore:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    same_label: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


@dataclass
class Scores:
    labels: dict[str, LabelScore] = field(default_factory=dict)
    misses: list[tuple[str, SpanT]] = field(default_factory=list)
    false_positives: list[tuple[str, SpanT]] = field(default_factory=list)

    def of(self, label: str) -> LabelScore:
        return self.labels.setdefault(label, LabelScore())

    def overall(self, labels: Iterable[str] | None = None) -> LabelScore:
        total = LabelScore()
        for name, s in self.labels.items():
            if labels is None or name in labels:
                total.gold += s.gold
                total.found += s.found
                total.predicted += s.predicted
                total.correct += s.correct
                total.same_label += s.same_label
        return total


def _covered(text: str, start: int, end: int, predicted: Sequence[SpanT]) -> bool:
    for i in range(start, end):
        if text[i].isalnum() and not any(a <= i < b for a, b, _ in predicted):
            return False
    return True


def score(examples: Iterable[Example], predict: Predictor) -> Scores:
    scores = Scores()
    for ex in examples:
        predicted = list(predict(ex.text))
        for start, end, label in ex.spans:
            s = scores.of(label)
            s.gold += 1
            if _covered(ex.text, start, end, predicted):
                s.found += 1
                if any(a < end and start < b and lab == label for a, b, lab in predicted):
                    s.same_label += 1
            else:
                scores.misses.append((ex.text, (start, end, label)))
        for a, b, label in predicted:
            s = scores.of(label)
            s.predicted += 1
            if any(a < end and start < b for start, end, _ in ex.spans):
                s.correct += 1
            else:
                scores.false_positives.append((ex.text, (a, b, label)))
    return scores


def table_rows(scores: Scores, labels: Sequence[str]) -> list[tuple[str, int, str, str]]:
    rows = []
    for label in labels:
        s = scores.labels.get(label, LabelScore())
        rows.append((label, s.gold, f"{s.recall:.3f}", f"{s.precision:.3f}"))
    total = scores.overall()
    rows.append(("ALL", total.gold, f"{total.recall:.3f}", f"{total.precision:.3f}"))
    return rows
