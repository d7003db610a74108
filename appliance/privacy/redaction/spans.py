"""What redaction returns (spans and the redacted text) and how overlapping spans become one."""

from __future__ import annotations

from dataclasses import dataclass

LABELS = ("NAME", "DATE", "AGE", "PHONE", "EMAIL", "ADDRESS", "ZIP", "MRN", "SSN", "ID", "PLATE", "IP")
NUMERIC_LABELS = ("PHONE", "ZIP", "MRN", "SSN", "ID", "PLATE", "IP")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Redaction:
    text: str
    spans: tuple[Span, ...]


TokenSpan = tuple[int, int, str]  # token indexes
CharSpan = tuple[int, int, str]  # character offsets, before merging


_PRIORITY = {
    "EMAIL": 5, "IP": 5, "ADDRESS": 4, "DATE": 4, "SSN": 4, "MRN": 4, "PHONE": 3,
    "ZIP": 3, "PLATE": 3, "AGE": 3, "ID": 2, "NAME": 1,
}  # fmt: skip


def merge(spans: list[CharSpan]) -> list[Span]:
    """Overlapping spans become one, labelled by the most specific (then longest) of them."""
    merged: list[Span] = []
    if not spans:
        return merged
    spans.sort(key=lambda s: (s[0], -s[1]))
    start, end, label = spans[0]
    best = [spans[0]]
    for s in spans[1:]:
        if s[0] < end:
            best.append(s)
            end = max(end, s[1])
            label = _pick_label(best)
        else:
            merged.append(Span(start, end, label))
            start, end, label = s
            best = [s]
    merged.append(Span(start, end, label))
    return merged


def _pick_label(spans: list[CharSpan]) -> str:
    return max(spans, key=lambda s: (_PRIORITY[s[2]], s[1] - s[0]))[2]


def redacted(text: str, spans: list[Span]) -> Redaction:
    out: list[str] = []
    pos = 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(f"[{s.label}]")
        pos = s.end
    out.append(text[pos:])
    return Redaction("".join(out), tuple(spans))
