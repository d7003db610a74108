"""A piper caller heard by the real Whisper tiny.en listening for the site (its vocabulary and
expectations), over G.711 μ-law at 8 kHz: what the context-listening tests share."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from appliance.audio import split_frames
from appliance.registry.engines import site_expectations, site_names, site_topics, site_vocabulary
from appliance.sim.voices import CallerVoice, mulaw_round_trip
from appliance.speech.asr.faster_whisper import FasterWhisperAsr

DEEPER_QUICKER = (0.9, 0.85)  # the piper caller's (length scale, pitch)
HIGHER_SLOWER = (1.1, 1.15)


def listening_whisper(whisper_dir: Path, site: Any) -> FasterWhisperAsr:
    return FasterWhisperAsr(
        whisper_dir,
        language="en",
        vocabulary=site_vocabulary(site),
        expectations=site_expectations(site),
        topics=site_topics(site),
        names=site_names(site),
        cpu_threads=1,
    )


async def caller_audio(joe: Path, text: str, voice: tuple[float, float] = DEEPER_QUICKER) -> bytes:
    caller = CallerVoice("piper", str(joe), length_scale=voice[0], pitch=voice[1])
    return mulaw_round_trip(await caller.speak(text, 8000), 8000)


def hear(
    models: tuple[Path, Path],
    site: Any,
    said: list[str],
    *,
    context: str = "",
    voice: tuple[float, float] = DEEPER_QUICKER,
    tail_ms: int = 260,
    streamed: bool = False,
) -> list[str]:
    """The finals of `said`, each a turn of its own followed by `tail_ms` of silence. `streamed`
    feeds 20 ms frames and lets each decode in flight finish (the lockstep clock), as a call does;
    otherwise the turn's audio arrives at once."""
    whisper_dir, joe = models

    async def run() -> list[str]:
        engine = listening_whisper(whisper_dir, site)
        await engine.start()
        finals = []
        try:
            for text in said:
                pcm = await caller_audio(joe, text, voice) + b"\x00" * (2 * 8000 * tail_ms // 1000)
                stream = engine.open_stream(8000, context=context)
                for frame in split_frames(pcm, 8000) if streamed else [pcm]:
                    stream.feed(frame)
                    while streamed and not stream.caught_up:
                        await asyncio.sleep(0.001)
                finals.append(await stream.finish())
        finally:
            await engine.close()
        return finals

    return asyncio.run(run())
