"""Does a short sound over the agent sound like a backchannel, whatever words the recognizer wrote?

A recognizer asked to write words for a short "I see" writes "by C", "Icy" or "aye, see"; for
"right" it writes "write"; for "uh-huh" "a ha". Matched letter by letter these ask something and
would stop the agent. Matched by how they sound they are what the caller said: the words are
turned into phonemes with the CMU pronouncing dictionary (the one the pocketsphinx wheel, already
a dependency, carries) and compared with the backchannels' own phonemes. A sound is a
backchannel when it is at most one phoneme away from one (an added, dropped or changed sound),
and only for backchannels of three phonemes or more: "no" and "oh" are one phoneme apart.

Words the dictionary does not know never match. The dictionary (135,000 words) is read once per
process, on first use (about a quarter of a second), and then looked up in memory.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# What a listening caller says, as phrases (the dictionary has their phonemes).
BACKCHANNEL_PHRASES = (
    "uh-huh", "mhm", "mm hmm", "okay", "right", "alright", "all right", "i see", "got it", "gotcha",
    "yeah", "yep", "sure", "yes", "oh okay", "okay okay", "yeah yeah", "right right", "oh i see",
)  # fmt: skip
_MIN_PHONES = 3  # shorter backchannels match exactly or not at all
# Letters the recognizer writes for a sound ("by C"): the dictionary spells them as their names.
_WORD = re.compile(r"[a-z][a-z'-]*")

_lock = threading.Lock()
_state: dict[str, object] = {}


def load() -> None:
    """Read the dictionary now (blocking, once per process) rather than over a caller's sound."""
    _dictionary()


def _dictionary_path() -> Path:
    import pocketsphinx  # deferred: importing it loads the C library

    return Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"


def _dictionary() -> dict[str, tuple[str, ...]]:
    with _lock:
        if "dict" not in _state:
            table: dict[str, tuple[str, ...]] = {}
            try:
                for line in _dictionary_path().read_text(encoding="utf-8").splitlines():
                    word, _, phones = line.partition(" ")
                    if word and "(" not in word:  # the first pronunciation of each word
                        table[word] = tuple(p.rstrip("012") for p in phones.split())
            except OSError as exc:  # no dictionary: backchannels are matched by their letters only
                log.warning("barge-in: pronouncing dictionary unavailable (%s)", exc)
            _state["dict"] = table
            _state["phrases"] = [p for p in (_phones(phrase, table) for phrase in BACKCHANNEL_PHRASES) if p]
        return _state["dict"]  # type: ignore[return-value]


def _phones(text: str, table: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        phones = table.get(word) or table.get(word.replace("-", ""))
        if phones is None and "-" in word:
            parts = [table.get(w) for w in word.split("-")]
            phones = tuple(p for part in parts if part for p in part) if all(parts) else None
        if phones is None:
            return None
        out.extend(phones)
    return tuple(out) or None


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """Edit distance between two phoneme sequences."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]


def sounds_like_backchannel(words: list[str]) -> bool:
    """The words, said aloud, are within one phoneme of a backchannel of three or more."""
    if not words:
        return False
    table = _dictionary()
    heard = _phones(" ".join(words), table)
    if heard is None:
        return False
    for phrase in _state.get("phrases", []):  # type: ignore[union-attr]
        if heard == phrase:
            return True
        if len(phrase) >= _MIN_PHONES and _distance(heard, phrase) <= 1:
            return True
    return False
