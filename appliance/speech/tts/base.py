"""The synthesizer interface the call pipeline depends on.

`synthesize` yields PCM16 mono chunks at the requested rate as soon as the engine has them, so
the first frames of a sentence can play while the rest is still being made. Cancelling the
iteration (barge-in) must stop the engine's work. Engines: espeak-ng (embedded default), piper.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol


class TtsError(Exception):
    code = "tts-failed"


class TtsEngine(Protocol):
    name: str

    async def start(self) -> None: ...

    def synthesize(self, text: str, sample_rate_hz: int, language: str | None = None) -> AsyncIterator[bytes]:
        """PCM16 mono at `sample_rate_hz`, in chunks of any length; `language` (ISO 639-1) picks
        the engine's voice for it, and without one the default voice speaks (never silence)."""

    async def close(self) -> None: ...
