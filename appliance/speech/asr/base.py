"""The recognizer interface the call pipeline depends on.

An AsrEngine opens one AsrStream per caller turn. The pipeline feeds the stream every inbound
frame while the caller speaks (`feed` must return at once: engines that compute do it in a
worker), reads partial text when it likes, and awaits `finish` at the end of the turn for the
final text. Engines: pocketsphinx (embedded default, worker process), faster-whisper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class AsrError(Exception):
    """A recognizer failed; the call pipeline turns this into a transfer to a person."""

    code = "asr-failed"


class AsrStream(Protocol):
    def feed(self, pcm16: bytes) -> None:
        """Audio at the rate the stream was opened with. Never blocks."""

    @property
    def partial_text(self) -> str:
        """The best hypothesis so far (may be empty)."""

    async def finish(self) -> str:
        """End of turn: the final text of everything fed."""

    def cancel(self) -> None:
        """Drop the stream without a result (hang-up, barge-in of a discarded turn)."""


class AsrEngine(Protocol):
    name: str

    async def start(self) -> None:
        """Load models and warm up (worker processes start here, not per call)."""

    def open_stream(self, sample_rate_hz: int, hints: Sequence[str] = (), context: str = "") -> AsrStream:
        """A stream for one caller turn; `hints` are words the dialog expects next, `context`
        what it is listening for ("identity", or "" for anything): engines that can, bias to it."""

    async def close(self) -> None: ...
