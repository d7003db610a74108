"""Pre-rendered prompts: what the agent must be able to say when an engine has failed.

The apology before a fault transfer and the sentences of a failed transfer are synthesized once,
when the service starts (and again after a voice swap), at every rate a call may run at. A call
whose synthesizer, recognizer or dialog fails still plays them: playing them needs no engine.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from appliance.audio import SUPPORTED_RATES_HZ
from appliance.call.sentences import split_sentences
from appliance.dialog import responses as R

log = logging.getLogger(__name__)

LINE_DID_NOT_ANSWER = "I'm sorry, that line didn't answer. Let me get you the operator."
NO_ONE_AVAILABLE = (
    "I'm sorry, no one can take your call right now. Please call back, or dial 911 in an emergency. Goodbye."
)
FIXED = (R.FAULT, LINE_DID_NOT_ANSWER, NO_ONE_AVAILABLE)


@dataclass(frozen=True)
class Prompts:
    """PCM16 mono for fixed sentences, by (sentence, sample rate)."""

    audio: dict[tuple[str, int], bytes] = field(default_factory=dict)

    def get(self, sentence: str, sample_rate_hz: int) -> bytes | None:
        return self.audio.get((sentence.strip(), sample_rate_hz))

    def sentences(self, text: str, sample_rate_hz: int) -> list[tuple[str, bytes]] | None:
        """Every sentence of `text` with its audio, or None unless all are pre-rendered."""
        out = []
        for sentence in split_sentences(text):
            pcm = self.get(sentence, sample_rate_hz)
            if pcm is None:
                return None
            out.append((sentence, pcm))
        return out or None

    def speech(self, text: str, sample_rate_hz: int) -> bytes:
        """All of `text` as one stretch of audio (empty when not pre-rendered)."""
        parts = self.sentences(text, sample_rate_hz)
        return b"".join(pcm for _, pcm in parts) if parts else b""


async def render_prompts(
    tts: Any, texts: Iterable[str] = FIXED, rates: Iterable[int] = SUPPORTED_RATES_HZ
) -> Prompts:
    """Synthesize every sentence of `texts` at every rate with `tts` (a started TtsEngine)."""
    audio: dict[tuple[str, int], bytes] = {}
    for text in texts:
        for sentence in split_sentences(text):
            for rate in rates:
                chunks = [chunk async for chunk in tts.synthesize(sentence, rate)]
                audio[(sentence.strip(), rate)] = b"".join(chunks)
    return Prompts(audio)
