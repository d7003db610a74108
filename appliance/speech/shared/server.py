"""The engine process's side: one loaded AsrEngine and TtsEngine, many streams over a Unix socket.

Each connection is one Wyoming request (protocol.py). Recognition streams open on the engine as
the worker's `audio-start` arrives; every 20 ms while one is open, the stream's hypothesis is
looked at and sent as a `wardline-partial` when it (or how far the engine got) changed. A
closed connection cancels its stream or synthesis at once: that is barge-in across the socket.

Threads: everything runs on the engine process's event loop. The engines keep their own rule
(feed never blocks; decodes in their worker threads or processes; synthesis streamed), so one
loop serves every stream of the box.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import AsrModel, AsrProgram, Attribution, Describe, Info, TtsProgram, TtsVoice
from wyoming.server import AsyncEventHandler, AsyncUnixServer
from wyoming.tts import Synthesize

from appliance.model_slot import ModelSlot
from appliance.speech.shared.protocol import CHANNELS, SAMPLE_WIDTH, Partial

log = logging.getLogger(__name__)

POLL_S = 0.02  # how often an open stream's hypothesis is looked at (one media frame)
DEFAULT_TTS_RATE_HZ = 8000
_ATTRIBUTION = Attribution(name="Wardline", url="")


@dataclass
class EngineLoad:
    """Streams in use now, and served since start, per kind (`wardline status`)."""

    asr_streams: int = 0
    tts_streams: int = 0
    asr_served: int = 0
    tts_served: int = 0
    asr_refused: int = 0  # no free recognizer (pocketsphinx: every worker process busy)
    failures: int = 0
    listeners: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def changed(self) -> None:
        for listener in self.listeners:
            listener()


class EngineServer:
    """Serves `asr` and `tts` (started engines) on `socket_path`.

    The engines sit in ModelSlots: a stream leases the engine it opened on, and `swap` (SIGHUP
    after `wardline models activate`) gives new streams the new engine while the old one closes
    after its last stream.
    """

    def __init__(
        self, asr: Any, tts: Any, socket_path: Path, *, models: dict[str, str] | None = None
    ) -> None:
        self.models = dict(models or {})
        self.slots: dict[str, ModelSlot[Any]] = {
            "asr": ModelSlot(asr, self.models.get("asr", "")),
            "tts": ModelSlot(tts, self.models.get("tts", "")),
        }
        self.socket_path = socket_path
        self.load = EngineLoad()
        self._server: AsyncUnixServer | None = None

    async def start(self) -> None:
        self.socket_path.parent.mkdir(parents=True, exist_ok=True)
        self._server = AsyncUnixServer(self.socket_path)
        await self._server.start(lambda reader, writer: _Connection(self, reader, writer))
        self.socket_path.chmod(0o660)  # the service user's group only

    @property
    def asr(self) -> Any:
        return self.slots["asr"].engine

    @property
    def tts(self) -> Any:
        return self.slots["tts"].engine

    async def swap(self, kind: str, engine: Any, model: str) -> None:
        """New streams get `engine` (started); the old one closes after its last stream."""
        self.models[kind] = model
        await self.slots[kind].swap(engine, model)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop()
            self._server = None

    async def close(self) -> None:
        """Stop serving and close the engines."""
        await self.stop()
        for slot in self.slots.values():
            with contextlib.suppress(Exception):
                await slot.engine.close()

    def info(self) -> Info:
        asr_name = getattr(self.asr, "name", "asr")
        tts_name = getattr(self.tts, "name", "tts")
        asr = AsrProgram(
            name=asr_name, attribution=_ATTRIBUTION, installed=True, description="Wardline recognizer",
            version=None, supports_transcript_streaming=False,  # partials are our extension
            models=[AsrModel(name=self.models.get("asr", asr_name), attribution=_ATTRIBUTION,
                             installed=True, description=None, version=None, languages=["en"])],
        )  # fmt: skip
        tts = TtsProgram(
            name=tts_name, attribution=_ATTRIBUTION, installed=True, description="Wardline voice",
            version=None,
            voices=[TtsVoice(name=self.models.get("tts", tts_name), attribution=_ATTRIBUTION,
                             installed=True, description=None, version=None, languages=["en"])],
        )  # fmt: skip
        return Info(asr=[asr], tts=[tts])


class _Connection(AsyncEventHandler):
    """One worker's request: a recognition stream or a synthesis."""

    def __init__(
        self, server: EngineServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        super().__init__(reader, writer)
        self.server = server
        self._request: Transcribe | None = None
        self._stream: Any = None
        self._fed = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._reporter: asyncio.Task[None] | None = None
        self._counted: str | None = None  # "asr" or "tts" while this connection holds a stream
        self._lease: contextlib.AbstractAsyncContextManager[Any] | None = None

    async def handle_event(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.server.info().event())
        elif Transcribe.is_type(event.type):
            self._request = Transcribe.from_event(event)
        elif AudioStart.is_type(event.type) and self._request is not None and self._stream is None:
            return await self._open(AudioStart.from_event(event))
        elif AudioChunk.is_type(event.type) and self._stream is not None:
            return await self._feed(event.payload or b"")
        elif AudioStop.is_type(event.type) and self._stream is not None:
            self._spawn(self._finish())
        elif Synthesize.is_type(event.type) and not self._tasks:
            engine = await self._hold("tts")
            self._served("tts")
            self._spawn(self._synthesize(engine, Synthesize.from_event(event)))
        return True  # anything else is dropped, as Wyoming peers do

    async def _open(self, start: AudioStart) -> bool:
        request = self._request
        assert request is not None
        context = request.context or {}
        if start.width != SAMPLE_WIDTH or start.channels != CHANNELS:
            await self._refuse(ValueError("audio must be 16-bit mono PCM"), "asr-failed")
            return True
        engine = await self._hold("asr")
        try:
            self._stream = engine.open_stream(
                start.rate,
                tuple(request.transcript_terms or ()),
                context=str(context.get("listening_for", "")),
            )
        except Exception as exc:  # every recognizer busy, or the engine failed
            busy = "busy" in str(exc)
            if busy:
                self.server.load.asr_refused += 1
                self.server.load.changed()
            await self._refuse(exc, "asr-busy" if busy else "asr-failed")
            await self._release()
            return True
        self._served("asr")
        self._reporter = self._spawn(self._report_partials())
        return True

    async def _feed(self, pcm: bytes) -> bool:
        try:
            self._stream.feed(pcm)
        except Exception as exc:
            with contextlib.suppress(Exception):
                self._stream.cancel()
            self._stream = None
            await self._refuse(exc, "asr-failed")
            await self._release()
            return True
        self._fed += len(pcm)
        return True

    async def _report_partials(self) -> None:
        stream, last = self._stream, None
        while True:
            heard = self._fed  # read before caught_up: nothing feeds between the two reads
            partial = Partial(stream.partial_text, heard, bool(getattr(stream, "caught_up", True)))
            if partial != last:
                await self.write_event(partial.event())
                last = partial
            await asyncio.sleep(POLL_S)

    async def _finish(self) -> None:
        stream = self._stream
        try:
            text = await stream.finish()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._error(exc, "asr-failed")
            return
        if self._reporter is not None:  # the final says the last word
            self._reporter.cancel()
        language = getattr(stream, "detected_language", None)
        await self.write_event(Transcript(text=text, language=language).event())
        self._stream = None  # finished: nothing to cancel at disconnect
        await self._release()

    async def _synthesize(self, engine: Any, request: Synthesize) -> None:
        context = request.context or {}
        rate = int(context.get("sample_rate_hz", DEFAULT_TTS_RATE_HZ))
        language = request.voice.language if request.voice is not None else None
        try:
            await self.write_event(AudioStart(rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS).event())
            async for pcm in engine.synthesize(request.text, rate, language=language):
                await self.write_event(
                    AudioChunk(rate=rate, width=SAMPLE_WIDTH, channels=CHANNELS, audio=pcm).event()
                )
            await self.write_event(AudioStop().event())
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            await self._error(exc, "tts-failed")
        finally:
            await self._release()

    async def _refuse(self, exc: BaseException, code: str) -> None:
        """Say why, then drop the rest of the request; the worker hangs up when it reads it.

        Closing here instead would race the worker's audio still in flight: its failed write
        tears the connection down before it reads the error, and the code (asr-busy) is lost.
        """
        self._request = None
        if self._reporter is not None:
            self._reporter.cancel()
        await self._error(exc, code)

    async def _error(self, exc: BaseException, code: str) -> None:
        # an engine's own message names the engine and the cause, never what the caller said
        text = str(exc) if getattr(exc, "code", "") in ("asr-failed", "tts-failed") else type(exc).__name__
        if code != "asr-busy":
            self.server.load.failures += 1
            log.warning("engine request failed (%s: %s)", code, type(exc).__name__)
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.write_event(Error(text=text or code, code=code).event())

    def _spawn(self, coro: Any) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.append(task)
        return task

    async def _hold(self, kind: str) -> Any:
        """Lease the current engine of `kind` for this connection, and count the stream."""
        self._lease = self.server.slots[kind].lease()
        engine = await self._lease.__aenter__()
        load = self.server.load
        self._counted = kind
        setattr(load, f"{kind}_streams", getattr(load, f"{kind}_streams") + 1)
        load.changed()
        return engine

    def _served(self, kind: str) -> None:
        setattr(self.server.load, f"{kind}_served", getattr(self.server.load, f"{kind}_served") + 1)

    async def _release(self) -> None:
        if self._counted is None:
            return
        load, kind, self._counted = self.server.load, self._counted, None
        setattr(load, f"{kind}_streams", getattr(load, f"{kind}_streams") - 1)
        load.changed()
        lease, self._lease = self._lease, None
        if lease is not None:  # the last stream on a swapped-out engine closes it
            with contextlib.suppress(Exception):
                await lease.__aexit__(None, None, None)

    async def disconnect(self) -> None:
        """The worker closed the connection (barge-in, hang-up, its turn is over) or died."""
        for task in self._tasks:
            task.cancel()
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.cancel()
            self._stream = None
        await self._release()
