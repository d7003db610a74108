"""Does a short sound over the agent sound like a backchannel, whatever words the recognizer wrote?

A recognizer asked to write words for a short "I see" writes "by C", "Icy" or "aye, see"; for
"right" it writes "write"; for "uh-huh" "a ha". Matched letter by letter these ask something and
would stop the agent. Matched by how they sound they are what the caller said: the words are
turned into phonemes with the CMU pronouncing dictionary (the one the pocketsphinx wheel, already
a dependency, carries) and compared with the backchannels' own phonemes. A sound is a
backchannel when it is at most one phoneme away from one (an added, dropped or changed sound),
and only for backchannels of three phonemes or more: "no" and "oh" are one phoneme apart.

Words the dictionary does not know never match. The dictionary's short words are read once per
process, when the call services start (`load`), and then looked up in memory.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from appliance.speech.asr.rescoring import edit_distance

log = logging.getLogger(__name__)

# What a listening caller says, as phrases (the dictionary has their phonemes).
BACKCHANNEL_PHRASES = (
    "uh-huh", "mhm", "mm hmm", "okay", "right", "alright", "all right", "i see", "got it", "gotcha",
    "yeah", "yep", "sure", "yes", "oh okay", "okay okay", "yeah yeah", "right right", "oh i see",
)  # fmt: skip
_MIN_PHONES = 3  # shorter backchannels match exactly or not at all
# Only short words are kept (about 23,000, 4 MB a process): the recognizer writes short words
# for a short sound, and a longer one is not one phoneme from a backchannel anyway.
_MAX_WORD_PHONES = 4
_WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True)
class _Lexicon:
    words: dict[str, str]  # word -> its phonemes, space-separated, without stress marks
    backchannels: tuple[tuple[str, ...], ...]


_lock = threading.Lock()
_loaded: list[_Lexicon] = []


def load() -> None:
    """Read the dictionary now (blocking, once per process) rather than over a caller's sound."""
    _lexicon()


def _dictionary_path() -> Path:
    from appliance.speech.asr.domain_lm import model_paths

    return model_paths()[2]


def _lexicon() -> _Lexicon:
    with _lock:
        if not _loaded:
            wanted = {w for phrase in BACKCHANNEL_PHRASES for w in _WORD.findall(phrase)}
            words: dict[str, str] = {}
            try:
                with _dictionary_path().open(encoding="utf-8") as lines:
                    for line in lines:
                        word, _, phones = line.partition(" ")
                        split = phones.split()
                        if "(" in word or (len(split) > _MAX_WORD_PHONES and word not in wanted):
                            continue  # a second pronunciation, or a long word
                        words[word] = " ".join(p.rstrip("012") for p in split)
            except OSError as exc:  # no dictionary: backchannels are matched by their letters only
                log.warning("barge-in: pronouncing dictionary unavailable (%s)", exc)
            phrases = (_phones(phrase, words) for phrase in BACKCHANNEL_PHRASES)
            _loaded.append(_Lexicon(words, tuple(p for p in phrases if p)))
        return _loaded[0]


def _phones(text: str, words: dict[str, str]) -> tuple[str, ...] | None:
    """The text's phonemes, or None when a word of it is not in the dictionary."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        phones = words.get(word) or words.get(word.replace("-", ""))
        if phones is None and "-" in word:  # "uh-huh" spelled as its parts
            parts = [words.get(w) for w in word.split("-")]
            phones = " ".join(p for p in parts if p) if all(parts) else None
        if phones is None:
            return None
        out.extend(phones.split())
    return tuple(out) or None


def sounds_like_backchannel(words: list[str]) -> bool:
    """The words, said aloud, are within one phoneme of a backchannel of three or more."""
    if not words:
        return False
    lexicon = _lexicon()
    heard = _phones(" ".join(words), lexicon.words)
    if heard is None:
        return False
    for phrase in lexicon.backchannels:
        if heard == phrase:
            return True
        if len(phrase) >= _MIN_PHONES and edit_distance(heard, phrase) <= 1:
            return True
    return False
