"""The shared engine process's voice runs a pool: two calls' syntheses stream at once, and one long
reply never holds back another call's first audio. The real joe voice (its registry package),
served by the engine process's own server (appliance/speech/shared/server.py) on a Unix socket
and used through SharedTts as SIP workers use it.

The long reply's vocoder is held, mid-reply, on the thread making it (a wrapper around the
voice's real ONNX session): the other call's sentence must still be made and arrive, which it can
only do on another thread of the pool. No timing is measured; the hold makes the order certain.
"""

from __future__ import annotations

import asyncio
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from appliance.config import load_settings
from appliance.registry.engines import tts_pool
from appliance.speech.shared.client import SharedTts
from appliance.speech.shared.server import EngineServer
from appliance.speech.tts.piper import PiperTts

pytestmark = pytest.mark.slow

NET_S = 120.0  # a net for a loaded box, never a measurement
LONG_REPLY = " ".join(f"This is part {n} of a long answer about visiting hours." for n in range(1, 21))
SHORT_REPLY = "Which pharmacy should we send it to?"


class HeldOnOneThread:
    """The voice's vocoder session: once `hold` is set, every run on the thread that made the
    first piece waits for `release`; runs on any other thread go straight through."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.first_thread: int | None = None
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        me = threading.get_ident()
        if self.first_thread is None:
            self.first_thread = me
        if self.hold.is_set() and me == self.first_thread:
            self.holding.set()
            self.release.wait(NET_S)
        return self._session.run(*args, **kwargs)


def test_two_syntheses_stream_at_once_and_a_long_reply_never_holds_back_another(
    joe: Path, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    async def main() -> None:
        voice = PiperTts({"en": joe}, workers=2)
        await voice.start()
        assert "en" in voice._streams, voice.not_streamed  # joe streams inside sentences
        vocoder = HeldOnOneThread(voice._streams["en"].back)
        voice._streams["en"].back = vocoder
        server = EngineServer(None, voice, tmp_path / "engines.sock", models={"tts": "joe"})
        await server.start()
        tts = SharedTts(server.socket_path)
        await tts.start()
        long_bytes: list[int] = []
        first_long = asyncio.Event()

        async def long_reply() -> None:
            async for pcm in tts.synthesize(LONG_REPLY, 8000):
                long_bytes.append(len(pcm))
                first_long.set()

        async def short_reply() -> int:
            return sum([len(pcm) async for pcm in tts.synthesize(SHORT_REPLY, 8000)])

        try:
            long_task = asyncio.ensure_future(long_reply())
            await asyncio.wait_for(first_long.wait(), NET_S)  # the long reply streams
            vocoder.hold.set()  # ... and its thread now stops at its next piece
            await asyncio.wait_for(asyncio.to_thread(vocoder.holding.wait, NET_S), NET_S)
            assert vocoder.holding.is_set(), "the long reply finished before it could be held"
            held_at = sum(long_bytes)
            seen["short"] = await asyncio.wait_for(short_reply(), NET_S)
            seen["long_still_held"] = not long_task.done() and sum(long_bytes) == held_at
            vocoder.release.set()
            await asyncio.wait_for(long_task, NET_S)
            seen["long"] = sum(long_bytes)
            seen["load"] = (server.load.tts_served, server.load.tts_streams, server.load.failures)
        finally:
            vocoder.release.set()
            await server.close()

    asyncio.run(main())
    assert seen["short"] > 8000 * 2 * 1.0  # over a second of speech at 8 kHz: the whole sentence
    assert seen["long_still_held"]  # it came while the long reply was stopped mid-way
    assert seen["long"] > 10 * seen["short"]  # and the long one then finished, nothing lost
    assert seen["load"] == (2, 0, 0)


def test_the_engine_process_sizes_its_voice_pool_for_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert tts_pool(settings, 1) == 1  # one call: one synthesis at a time is enough
    assert 1 <= tts_pool(settings, 48) <= (os.cpu_count() or 1)
    monkeypatch.setenv("WARDLINE_SPEECH__TTS_WORKERS", "6")
    assert tts_pool(load_settings(), 48) == 6
