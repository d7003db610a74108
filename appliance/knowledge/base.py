"""The knowledge interface: site documents retrieved for grounded answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Passage:
    document: str  # file name of the site document, for citing
    title: str
    text: str
    score: float  # higher is more relevant


class KnowledgeBaseProtocol(Protocol):
    def search(self, question: str, limit: int = 3) -> list[Passage]:
        """Relevant passages, best first; empty when nothing relevant is found."""
