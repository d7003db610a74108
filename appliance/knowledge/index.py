"""Site documents indexed for retrieval: SQLite FTS5 with bm25 over spoken-style passages.

Each markdown file in the site's knowledge folder is split at its `##` headings; a section is
one passage (heading = title, body = the text the agent reads aloud). Questions and passages go
through the same light normalization (stop words out, a few synonyms folded together, then the
Porter stemmer inside FTS5), and a passage is returned only when its bm25 relevance clears a
threshold, so an unrelated question gets nothing rather than the least-bad passage.

The index is built in memory when the KnowledgeBase is made; searching is a single SQL query,
fast enough to run on the event loop. A lock makes it safe to search from worker threads too.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from appliance.knowledge.base import Passage

# Calibrated on the Riverside questions in tests/knowledge: a question whose best match is a
# single common word scores below it, a question about a topic the site covers scores above.
DEFAULT_MIN_SCORE = 1.5
# Passages far weaker than the best one are left out: they answer a different question.
RELATIVE_CUT = 0.5

_STOP_WORDS_TEXT = """
    a about am an and any anything are as at be been but by can could did do does for from get
    got had has have hello hey hi how i i'd i'm if in into is it it's just know let like me might
    more my need of ok okay on or our please say should so some tell than thank thanks that the
    their them then there these they this those to up us want was we well were what what's whats
    when where which who why will with would yeah yes you your you're hospital riverside
    time times take bring go come see wondering busy
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Phrases first (they span words), then single words; the right side is the canonical token.
PHRASES = {
    "car park": "parking",
    "parking lot": "parking",
    "how much": "cost",
    "intensive care": "icu",
    "opening times": "hours",
    "open hours": "hours",
    "main line": "phone",
    "phone number": "phone",
}
SYNONYMS = {
    "visitor": "visit",
    "visitors": "visit",
    "visiting": "visit",
    "visits": "visit",
    "visitation": "visit",
    "park": "parking",
    "parked": "parking",
    "garage": "parking",
    "insurance": "insurance",
    "insurances": "insurance",
    "insurer": "insurance",
    "coverage": "insurance",
    "cover": "insurance",
    "covers": "insurance",
    "covered": "insurance",
    "plan": "insurance",
    "plans": "insurance",
    "accepted": "accept",
    "accepts": "accept",
    "price": "cost",
    "prices": "cost",
    "costs": "cost",
    "fee": "cost",
    "fees": "cost",
    "charge": "cost",
    "dollars": "cost",
    "dollar": "cost",
    "free": "cost",
    "open": "hours",
    "opening": "hours",
    "closed": "hours",
    "close": "hours",
    "prescription": "refill",
    "prescriptions": "refill",
    "refills": "refill",
    "medication": "refill",
    "medications": "refill",
    "medicine": "refill",
    "meds": "refill",
    "bill": "billing",
    "bills": "billing",
    "invoice": "billing",
    "statement": "billing",
    "located": "address",
    "location": "address",
    "directions": "address",
    "number": "phone",
    "telephone": "phone",
    "cardiologist": "cardiology",
    "heart": "cardiology",
    "pediatrician": "pediatrics",
    "paediatrics": "pediatrics",
    "children": "pediatrics",
    "kids": "pediatrics",
    "orthopedic": "orthopedics",
    "orthopaedics": "orthopedics",
    "orthopedist": "orthopedics",
    "er": "emergency",
    "doctors": "doctor",
    "physician": "doctor",
    "physicians": "doctor",
}

_WORD = re.compile(r"[a-z0-9']+")


class KnowledgeError(Exception):
    """The site's knowledge folder cannot be used; the message names the folder or file."""


def normalize(text: str) -> list[str]:
    """Lower-case words, stop words dropped, synonyms folded to one canonical token."""
    lowered = " " + " ".join(_WORD.findall(text.lower().replace("’", "'"))) + " "
    for phrase, token in PHRASES.items():
        lowered = lowered.replace(f" {phrase} ", f" {token} ")
    tokens = []
    for word in lowered.split():
        word = word.strip("'")
        if not word or word in STOP_WORDS:
            continue
        tokens.append(SYNONYMS.get(word, word))
    return tokens


@dataclass(frozen=True)
class Section:
    document: str
    title: str
    text: str


def split_sections(path: Path) -> list[Section]:
    """One section per `##` heading (or per `#` heading when a file has no `##`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    level = "## " if any(line.startswith("## ") for line in lines) else "# "
    sections: list[Section] = []
    title: str | None = None
    body: list[str] = []

    def close() -> None:
        text = " ".join(" ".join(body).split())
        if title is not None and text:
            sections.append(Section(path.name, title, text))

    for line in lines:
        if line.startswith(level):
            close()
            title, body = line[len(level) :].strip(), []
        elif not line.startswith("#"):
            body.append(line.strip())
    close()
    return sections


class KnowledgeBase:
    """The site's documents, searchable by question (implements KnowledgeBaseProtocol)."""

    def __init__(self, docs_dir: Path, *, min_score: float = DEFAULT_MIN_SCORE) -> None:
        docs_dir = Path(docs_dir)
        files = sorted(docs_dir.glob("*.md"))
        if not files:
            raise KnowledgeError(f"{docs_dir}: no knowledge documents (*.md) found")
        self._sections = [s for f in files for s in split_sections(f)]
        if not self._sections:
            raise KnowledgeError(f"{docs_dir}: the documents have no sections with text")
        self.min_score = min_score
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE passages USING fts5(title, body, tokenize='porter unicode61')")
        self._db.executemany(
            "INSERT INTO passages(rowid, title, body) VALUES (?, ?, ?)",
            [
                (i, " ".join(normalize(s.title)), " ".join(normalize(s.text)))
                for i, s in enumerate(self._sections)
            ],
        )

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(self._sections)

    def search(self, question: str, limit: int = 3) -> list[Passage]:
        """Relevant passages, best first; empty when nothing clears the relevance threshold."""
        tokens = list(dict.fromkeys(normalize(question)))
        if not tokens or limit < 1:
            return []
        query = " OR ".join('"' + t.replace('"', "") + '"' for t in tokens)
        with self._lock:
            rows = self._db.execute(
                # Titles count double: a heading names what its section answers.
                "SELECT rowid, -bm25(passages, 2.0, 1.0) AS score FROM passages "
                "WHERE passages MATCH ? ORDER BY score DESC LIMIT ?",
                (query, limit),
            ).fetchall()
        passages: list[Passage] = []
        for rowid, score in rows:
            if score < self.min_score or (passages and score < RELATIVE_CUT * passages[0].score):
                break
            section = self._sections[rowid]
            passages.append(Passage(section.document, section.title, section.text, round(score, 3)))
        return passages

    def close(self) -> None:
        with self._lock:
            self._db.close()
