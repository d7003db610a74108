"""The worker's side: AsrEngine and TtsEngine that use the box's shared engine process.

`SharedAsr` and `SharedTts` implement the interfaces the call pipeline already uses
(speech/asr/base.py, speech/tts/base.py), so a CallSession cannot tell them from in-process
engines: partial text while the caller speaks, `finish` for the final, `cancel` at barge-in;
synthesis streamed chunk by chunk and stopped by cancelling its consumer.

Each stream or synthesis is one connection to the engine socket (protocol.py). `feed` only
queues audio; a task on the worker's loop connects and writes it, so nothing here blocks the
loop or a media callback. An engine process that dies or stops answering fails the streams that
needed it with AsrError or TtsError (the call boundary turns that into a transfer to a person,
DESIGN invariant 4); the next stream connects afresh, to the restarted process.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import soxr
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event, async_read_event, async_write_event
from wyoming.info import Describe, Info
from wyoming.tts import Synthesize, SynthesizeVoice

from appliance.speech.asr.base import AsrError
from appliance.speech.shared.protocol import CHANNELS, SAMPLE_WIDTH, Partial
from appliance.speech.tts.base import TtsError

CONNECT_TIMEOUT_S = 2.0
START_TIMEOUT_S = 300.0  # the engine process loads its models first (Whisper on a busy box)
FINISH_TIMEOUT_S = 10.0
DESCRIBE_TIMEOUT_S = 5.0

_Failure = TypeVar("_Failure", AsrError, TtsError)  # how a request fails: the ASR or the TTS side


class EnginesUnreachable(OSError):
    """No engine process answers on the socket."""


async def describe(socket_path: Path, timeout_s: float = DESCRIBE_TIMEOUT_S) -> Info:
    """Ask the engine process what it serves (Wyoming `describe` → `info`)."""

    async def ask() -> Info:
        reader, writer = await asyncio.open_unix_connection(path=str(socket_path))
        try:
            await async_write_event(Describe().event(), writer)
            while (event := await async_read_event(reader)) is not None:
                if Info.is_type(event.type):
                    return Info.from_event(event)
            raise EnginesUnreachable(f"{socket_path}: the engine process closed the connection")
        finally:
            writer.close()

    try:
        return await asyncio.wait_for(ask(), timeout_s)
    except TimeoutError:
        raise EnginesUnreachable(f"{socket_path}: no answer within {timeout_s:.0f} s") from None
    except OSError as exc:
        if isinstance(exc, EnginesUnreachable):
            raise
        raise EnginesUnreachable(f"{socket_path}: {exc.strerror or exc}") from None


async def wait_for_engines(socket_path: Path, timeout_s: float) -> Info:
    """`describe` until the engine process answers (it may still be loading its models)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await describe(socket_path, min(DESCRIBE_TIMEOUT_S, max(0.1, deadline - time.monotonic())))
        except EnginesUnreachable:
            if time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.2)


async def _served_name(socket_path: Path, timeout_s: float, failure: type[_Failure]) -> str:
    """Once the engine process answers: the name of its recognizer (AsrError) or voice
    (TtsError); `failure` when it does not answer in time or serves none."""
    try:
        info = await wait_for_engines(socket_path, timeout_s)
    except EnginesUnreachable as exc:
        raise failure(f"the shared engine process is not answering: {exc}") from None
    programs, what = (info.asr, "recognizer") if failure is AsrError else (info.tts, "voice")
    if not programs:
        raise failure(f"{socket_path}: the engine process serves no {what}")
    return f"shared/{programs[0].name}"


async def _connect(
    socket_path: Path, failure: type[_Failure]
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """One request's connection to the engine process, or `failure` saying it is not reachable."""
    try:
        return await asyncio.wait_for(asyncio.open_unix_connection(path=str(socket_path)), CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        raise failure(f"the shared engine process is not reachable ({type(exc).__name__})") from None


async def _next_event(reader: asyncio.StreamReader) -> Event | None:
    """The engine's next event; None once the connection is gone (it closed it, or died)."""
    try:
        return await async_read_event(reader)
    except (ConnectionError, OSError):
        return None


def _refusal(error: Error, failure: type[_Failure], what: str) -> _Failure:
    """The engine's `error` event as the worker's own error, with the engine's stable code."""
    refused = failure(f"{what}: {error.text}")
    refused.code = error.code or failure.code
    return refused


class SharedAsr:
    """The recognizer in the shared engine process (implements AsrEngine)."""

    def __init__(
        self,
        socket_path: Path,
        *,
        language: str | None = None,
        start_timeout_s: float = START_TIMEOUT_S,
        finish_timeout_s: float = FINISH_TIMEOUT_S,
    ) -> None:
        self.socket_path = Path(socket_path)
        self.language = language
        self.start_timeout_s = start_timeout_s
        self.finish_timeout_s = finish_timeout_s
        self.name = "shared"
        self._streams: set[SharedAsrStream] = set()

    async def start(self) -> None:
        self.name = await _served_name(self.socket_path, self.start_timeout_s, AsrError)

    def open_stream(
        self, sample_rate_hz: int, hints: Sequence[str] = (), context: str = ""
    ) -> SharedAsrStream:
        stream = SharedAsrStream(self, sample_rate_hz, tuple(hints), context)
        self._streams.add(stream)
        return stream

    async def close(self) -> None:
        for stream in list(self._streams):
            stream.cancel()
        self._streams.clear()


class SharedAsrStream:
    """One caller turn on the shared recognizer (implements AsrStream)."""

    def __init__(self, engine: SharedAsr, sample_rate_hz: int, hints: tuple[str, ...], context: str) -> None:
        loop = asyncio.get_running_loop()
        self._engine = engine
        self.sample_rate_hz = sample_rate_hz
        self._hints = hints
        self._context = context
        self._outbox: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self._changed = asyncio.Event()
        self._final: asyncio.Future[str] = loop.create_future()
        self._partial = ""
        self._reported = Partial("", 0, True)
        self._fed = 0
        self._ended = False
        self._failure: AsrError | None = None
        self.detected_language: str | None = None
        self._task = loop.create_task(self._run(), name="wardline-shared-asr")

    # -- the AsrStream interface (on the loop; never blocks) ----------------------------------
    def feed(self, pcm16: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        if self._ended:
            raise AsrError("audio fed to a recognizer stream that has already finished")
        if pcm16:
            self._outbox.append(bytes(pcm16))
            self._fed += len(pcm16)
            self._wake.set()

    @property
    def partial_text(self) -> str:
        return self._partial

    @property
    def caught_up(self) -> bool:
        """The engine has decoded all audio fed, and its partial for it is here (or it is over)."""
        if self._failure is not None or self._final.done():
            return True
        return self._reported.caught_up and self._reported.heard >= self._fed

    async def settled(self) -> None:
        """Wait until the engine has caught up with everything fed so far."""
        while not self.caught_up:
            self._changed.clear()
            await self._changed.wait()

    async def finish(self) -> str:
        if self._failure is not None:
            raise self._failure
        if not self._ended:
            self._ended = True
            self._wake.set()
        try:
            return await asyncio.wait_for(asyncio.shield(self._final), self._engine.finish_timeout_s)
        except TimeoutError:
            self.cancel()
            raise AsrError(
                f"the shared recognizer gave no final text within {self._engine.finish_timeout_s:.0f} s"
            ) from None
        finally:
            self._engine._streams.discard(self)

    def cancel(self) -> None:
        """Close the connection: the engine drops the stream at once."""
        self._ended = True
        self._task.cancel()
        if not self._final.done():
            self._fail(AsrError("the recognizer stream was cancelled"))
        self._engine._streams.discard(self)

    # -- the connection ------------------------------------------------------------------------
    async def _run(self) -> None:
        try:
            reader, writer = await _connect(self._engine.socket_path, AsrError)
        except AsrError as exc:
            self._fail(exc)
            return
        reading = asyncio.get_running_loop().create_task(self._read(reader))
        try:
            request = Transcribe(
                language=self._engine.language,
                context={"listening_for": self._context},
                transcript_terms=list(self._hints) or None,
            )
            await async_write_event(request.event(), writer)
            await async_write_event(AudioStart(self.sample_rate_hz, SAMPLE_WIDTH, CHANNELS).event(), writer)
            while not reading.done():
                if self._outbox:
                    audio = b"".join(self._outbox)  # what queued while the last write drained
                    self._outbox.clear()
                    chunk = AudioChunk(self.sample_rate_hz, SAMPLE_WIDTH, CHANNELS, audio)
                    await async_write_event(chunk.event(), writer)
                    continue
                if self._ended:
                    await async_write_event(AudioStop().event(), writer)
                    await reading
                    break
                self._wake.clear()
                await self._wake.wait()
        except (ConnectionError, OSError):
            # the engine closed its end: what it said last (an `error` with its code) is the
            # reason, when it said anything; the reader has it or sees the end
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(reading), 1.0)
            self._fail(AsrError("the shared engine process closed the stream (it stopped?)"))
        finally:
            reading.cancel()
            writer.close()

    async def _read(self, reader: asyncio.StreamReader) -> None:
        while True:
            event = await _next_event(reader)
            if event is None:
                self._fail(AsrError("the shared engine process closed the stream (it stopped?)"))
                return
            if Partial.is_type(event.type):
                self._reported = Partial.from_event(event)
                self._partial = self._reported.text
            elif Transcript.is_type(event.type):
                final = Transcript.from_event(event)
                self._partial = final.text
                self.detected_language = final.language
                if not self._final.done():
                    self._final.set_result(final.text)
                self._changed.set()
                return
            elif Error.is_type(event.type):
                self._fail(_refusal(Error.from_event(event), AsrError, "shared recognizer"))
                return
            self._changed.set()

    def _fail(self, error: AsrError) -> None:
        if self._failure is None:
            self._failure = error
        self._wake.set()  # the writer stops waiting for audio that will never be sent
        if not self._final.done():
            self._final.set_exception(error)
            self._final.exception()  # retrieved: nobody may be awaiting a turn that was dropped
        self._changed.set()


class SharedTts:
    """The voice in the shared engine process (implements TtsEngine)."""

    def __init__(self, socket_path: Path, *, start_timeout_s: float = START_TIMEOUT_S) -> None:
        self.socket_path = Path(socket_path)
        self.start_timeout_s = start_timeout_s
        self.name = "shared"

    async def start(self) -> None:
        self.name = await _served_name(self.socket_path, self.start_timeout_s, TtsError)

    async def close(self) -> None:
        return None

    def synthesize(self, text: str, sample_rate_hz: int, language: str | None = None) -> AsyncIterator[bytes]:
        return self._stream(text, sample_rate_hz, language)

    async def _stream(self, text: str, rate_hz: int, language: str | None) -> AsyncIterator[bytes]:
        reader, writer = await _connect(self.socket_path, TtsError)
        # A consumer cancelled between chunks never re-enters this generator: close the
        # connection with the consuming task, so the engine stops synthesizing at once.
        consumer = asyncio.current_task()
        hang_up = _closer(writer)
        if consumer is not None:
            consumer.add_done_callback(hang_up)
        resampler: soxr.ResampleStream | None = None
        try:
            voice = SynthesizeVoice(language=language) if language else None
            request = Synthesize(text=text, voice=voice, context={"sample_rate_hz": rate_hz})
            await async_write_event(request.event(), writer)
            while True:
                event = await _next_event(reader)
                if event is None:
                    raise TtsError("the shared engine process closed the synthesis (it stopped?)")
                if AudioStart.is_type(event.type):
                    start = AudioStart.from_event(event)
                    if start.width != SAMPLE_WIDTH or start.channels != CHANNELS:
                        raise TtsError(
                            f"the engine process sent {start.width}-byte, {start.channels}-channel audio"
                        )
                    if start.rate != rate_hz:  # a Wyoming voice that speaks at its own rate
                        resampler = soxr.ResampleStream(start.rate, rate_hz, 1, dtype="int16", quality="HQ")
                elif AudioChunk.is_type(event.type) and event.payload:
                    yield _resample(resampler, event.payload, last=False)
                elif AudioStop.is_type(event.type):
                    if resampler is not None and (tail := _resample(resampler, b"", last=True)):
                        yield tail
                    return
                elif Error.is_type(event.type):
                    raise _refusal(Error.from_event(event), TtsError, "shared voice")
        finally:
            if consumer is not None:
                consumer.remove_done_callback(hang_up)
            writer.close()


def _closer(writer: asyncio.StreamWriter) -> Any:
    def close(_: object = None) -> None:
        with contextlib.suppress(Exception):
            writer.close()

    return close


def _resample(resampler: soxr.ResampleStream | None, pcm: bytes, *, last: bool) -> bytes:
    if resampler is None:
        return pcm
    samples = np.frombuffer(pcm, dtype="<i2")
    return np.asarray(resampler.resample_chunk(samples, last=last), dtype="<i2").tobytes()
