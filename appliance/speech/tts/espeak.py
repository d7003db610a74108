"""espeak-ng speech synthesis (the embedded default) behind the TtsEngine interface.

Each `synthesize` call runs `espeak-ng --stdout` as an asyncio subprocess (no shell; the text
is one argument after "--", so text starting with "-" is spoken, never parsed as an option) and
streams its WAV output as espeak writes it: the RIFF header is parsed as soon as it arrives
(its length fields are unset while streaming, so the data runs to end of file), and each chunk is
resampled to the requested rate with a streaming soxr resampler and yielded at once. Leaving
the iteration early kills the process: `aclose()` on it, or cancelling the task that consumes it
(barge-in) even while that task waits elsewhere between chunks.

Everything runs on the event loop; the per-chunk work is a resample of a few kilobytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import struct
from collections.abc import AsyncIterator

import numpy as np
import soxr

from appliance.audio import SUPPORTED_RATES_HZ
from appliance.speech.tts.base import TtsError

READ_BYTES = 4096
MAX_TEXT_CHARS = 5000


class WavStreamParser:
    """Finds the PCM data in a streamed RIFF/WAVE file whose size fields may be unset."""

    def __init__(self) -> None:
        self._buffer = b""
        self.sample_rate_hz: int | None = None
        self.in_data = False

    def feed(self, chunk: bytes) -> bytes:
        """Bytes of the file in order; returns the PCM payload bytes they complete."""
        if self.in_data:
            return chunk
        self._buffer += chunk
        return self._parse_header()

    def _parse_header(self) -> bytes:
        buf = self._buffer
        if len(buf) < 12:
            return b""
        if buf[:4] != b"RIFF" or buf[8:12] != b"WAVE":
            raise TtsError("espeak-ng did not write a WAV stream")
        pos = 12
        while len(buf) >= pos + 8:
            chunk_id, size = buf[pos : pos + 4], struct.unpack("<I", buf[pos + 4 : pos + 8])[0]
            if chunk_id == b"data":
                self.in_data = True
                self._buffer = b""
                return buf[pos + 8 :]
            if len(buf) < pos + 8 + size:
                return b""
            if chunk_id == b"fmt ":
                self._read_format(buf[pos + 8 : pos + 8 + size])
            pos += 8 + size + (size & 1)
        return b""

    def _read_format(self, fmt: bytes) -> None:
        tag, channels, rate, _, _, bits = struct.unpack("<HHIIHH", fmt[:16])
        if tag != 1 or channels != 1 or bits != 16:
            raise TtsError(f"espeak-ng wrote unexpected audio (format {tag}, {channels} ch, {bits} bit)")
        self.sample_rate_hz = rate


# espeak-ng's voices for languages a caller may speak when the site does not (`espeak-ng --voices`).
VOICES = {
    "en": "en-us", "es": "es", "fr": "fr-fr", "pt": "pt", "de": "de", "it": "it", "pl": "pl",
    "vi": "vi", "ru": "ru", "ar": "ar", "zh": "cmn", "ja": "ja", "ko": "ko", "hi": "hi", "el": "el",
}  # fmt: skip


class EspeakTts:
    """espeak-ng voice `voice` at `words_per_minute`, streamed as PCM16 mono."""

    name = "espeak-ng"

    def __init__(
        self, voice: str = "en-us", words_per_minute: int = 175, executable: str = "espeak-ng"
    ) -> None:
        if not 80 <= words_per_minute <= 450:
            raise ValueError(f"espeak-ng words_per_minute must be 80-450, got {words_per_minute}")
        if not voice or voice.startswith("-") or any(c.isspace() for c in voice):
            raise ValueError(f"bad espeak-ng voice name {voice!r}")
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.executable = executable
        self.last_process_id: int | None = None
        """Process id of the latest synthesis (tests check that cancelling kills it)."""

    async def start(self) -> None:
        if shutil.which(self.executable) is None:
            raise TtsError(f"{self.executable} is not installed (apt-get install espeak-ng)")

    async def close(self) -> None:
        return None

    def synthesize(self, text: str, sample_rate_hz: int, language: str | None = None) -> AsyncIterator[bytes]:
        """`language` (ISO 639-1): speak with espeak-ng's voice for it (VOICES), else the configured one."""
        if sample_rate_hz not in SUPPORTED_RATES_HZ:
            raise ValueError(f"TTS sample rate must be one of {SUPPORTED_RATES_HZ}, got {sample_rate_hz}")
        voice = VOICES.get(language or "", self.voice)
        return self._stream(_clean(text), sample_rate_hz, voice)

    def _command(self, text: str, voice: str | None = None) -> list[str]:
        return [
            self.executable,
            "-v", voice or self.voice,
            "-s", str(self.words_per_minute),
            "--stdout",
            "--",  # everything after this is text, even "-rf /"
            text,
        ]  # fmt: skip

    async def _stream(self, text: str, sample_rate_hz: int, voice: str | None = None) -> AsyncIterator[bytes]:
        if not text:
            return
        try:
            process = await asyncio.create_subprocess_exec(
                *self._command(text, voice),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
        except OSError as exc:
            raise TtsError(f"cannot run {self.executable}: {exc}") from exc
        self.last_process_id = process.pid
        # A consumer cancelled between chunks never re-enters this generator, so it would only
        # be closed when garbage-collected; tie the process to the consuming task instead.
        consumer = asyncio.current_task()
        stop = functools.partial(_kill, process)
        if consumer is not None:
            consumer.add_done_callback(stop)
        assert process.stdout is not None
        parser = WavStreamParser()
        resampler: soxr.ResampleStream | None = None
        carry = b""  # an odd byte left between reads
        try:
            while chunk := await process.stdout.read(READ_BYTES):
                pcm = parser.feed(chunk)
                if not pcm:
                    continue
                if resampler is None:
                    resampler = _resampler(parser.sample_rate_hz, sample_rate_hz)
                pcm, carry = _whole_samples(carry + pcm)
                out = _resample(resampler, pcm, last=False)
                if out:
                    yield out
            if resampler is not None and (tail := _resample(resampler, b"", last=True)):
                yield tail
            if await process.wait() != 0:
                raise TtsError(f"espeak-ng exited with status {process.returncode}")
        finally:
            if consumer is not None:
                consumer.remove_done_callback(stop)
            _kill(process)  # barge-in: stop now, not at the end of the sentence
            # Drain to EOF and reap, so the pipe transport closes while its loop still runs.
            await asyncio.shield(process.communicate())


def _kill(process: asyncio.subprocess.Process, _: object = None) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()


def _clean(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise TtsError(f"text to speak is {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
    # Control characters would reach espeak's SSML-ish parser; replace them with spaces.
    return "".join(" " if ord(c) < 32 else c for c in text).strip()


def _resampler(source_hz: int | None, target_hz: int) -> soxr.ResampleStream | None:
    if source_hz is None:
        raise TtsError("espeak-ng wrote audio before its format")
    if source_hz == target_hz:
        return None
    return soxr.ResampleStream(source_hz, target_hz, 1, dtype="int16", quality="HQ")


def _whole_samples(pcm: bytes) -> tuple[bytes, bytes]:
    cut = len(pcm) - (len(pcm) % 2)
    return pcm[:cut], pcm[cut:]


def _resample(resampler: soxr.ResampleStream | None, pcm: bytes, *, last: bool) -> bytes:
    if resampler is None:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")
    return np.asarray(resampler.resample_chunk(samples, last=last), dtype="<i2").tobytes()
