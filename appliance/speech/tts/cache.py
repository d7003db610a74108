"""Audio of sentences the agent has said before, so that saying them again costs nothing.

An agent repeats itself across calls: "Is there anything else I can help you with?", "Which
pharmacy should we send it to?", the greeting. A neural voice takes a few hundred milliseconds
per sentence on a CPU before the first sample exists; a sentence it has made once is kept here,
bounded by bytes and evicting the least recently used, and plays at once the next time.

Sentences are the agent's own words, which may carry a caller's details (a name, a date read
back): the cache lives in the TTS process's memory only, never on disk, and goes with it.

Threads: used by every synthesis thread of the voice's pool; one lock around each lookup and store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

DEFAULT_MAX_BYTES = 32 * 1024 * 1024  # about 30 minutes of 8 kHz speech


class SentenceAudioCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._audio: OrderedDict[tuple[str, str, int], bytes] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0
        self._lock = threading.Lock()

    def get(self, voice: str, sentence: str, sample_rate_hz: int) -> bytes | None:
        key = (voice, sentence, sample_rate_hz)
        with self._lock:
            pcm = self._audio.get(key)
            if pcm is None:
                self.misses += 1
                return None
            self._audio.move_to_end(key)
            self.hits += 1
            return pcm

    def put(self, voice: str, sentence: str, sample_rate_hz: int, pcm: bytes) -> None:
        if len(pcm) > self.max_bytes:
            return
        key = (voice, sentence, sample_rate_hz)
        with self._lock:
            if (old := self._audio.pop(key, None)) is not None:
                self._bytes -= len(old)
            self._audio[key] = pcm
            self._bytes += len(pcm)
            while self._bytes > self.max_bytes:
                _, evicted = self._audio.popitem(last=False)
                self._bytes -= len(evicted)

    def clear(self) -> None:
        with self._lock:
            self._audio.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._audio)
