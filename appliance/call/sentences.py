"""Sentence chunking: a response is spoken one sentence at a time, so the first plays sooner."""

from __future__ import annotations

import re

# A sentence ends at . ! ? followed by space; abbreviations common on a hospital line stay whole.
_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.", "a.m.", "p.m.", "No.")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def split_sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    if not text:
        return []
    parts = _BOUNDARY.split(text)
    sentences: list[str] = []
    for part in parts:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {part}"
        else:
            sentences.append(part)
    return sentences
