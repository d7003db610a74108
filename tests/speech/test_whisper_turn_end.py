"""Whisper tiny.en keeps a turn's last words: a medication name of many tokens, or the last words
of a quick caller, are not cut off by the decode's token budget (faster_whisper.token_budget).

The budget stops a decode that repeats itself; it was 6 tokens a second of audio, and a quick
caller's "refill on my lisinopril" (l-is-in-op-ril) or "…at the front desk" did not fit: the
beam's best hypotheses ended at the budget ("listen app", "at the front"). Real tiny.en, the
piper caller higher and slower, over G.711 μ-law at 8 kHz, streamed as a call feeds it.
"""

from __future__ import annotations

import asyncio

import pytest

from appliance.audio import split_frames
from appliance.config import load_settings
from appliance.dialog.sitepack import load_site
from appliance.registry.engines import site_expectations, site_vocabulary
from appliance.sim.voices import CallerVoice, mulaw_round_trip
from appliance.speech.asr.faster_whisper import FasterWhisperAsr

ENDPOINT_MS = 260  # the endpoint silence a call ends a turn with


def hear(whisper_dir, joe, said: list[str]) -> list[str]:
    """The finals of `said`, each streamed in 20 ms frames as a call feeds it."""
    site = load_site(load_settings().site.policy_dir)

    async def run() -> list[str]:
        caller = CallerVoice("piper", str(joe), length_scale=1.1, pitch=1.15)
        engine = FasterWhisperAsr(
            whisper_dir,
            language="en",
            vocabulary=site_vocabulary(site),
            expectations=site_expectations(site),
            cpu_threads=1,
        )
        await engine.start()
        finals = []
        try:
            for text in said:
                pcm = mulaw_round_trip(await caller.speak(text, 8000), 8000)
                stream = engine.open_stream(8000)
                for frame in split_frames(pcm + b"\x00" * (2 * 8000 * ENDPOINT_MS // 1000), 8000):
                    stream.feed(frame)
                    while not stream.caught_up:  # the lockstep clock: decodes in flight finish first
                        await asyncio.sleep(0.001)
                finals.append(await stream.finish())
        finally:
            await engine.close()
        return finals

    return asyncio.run(run())


@pytest.fixture(scope="module")
def finals(models) -> list[str]:
    whisper_dir, joe = models
    return hear(
        whisper_dir,
        joe,
        ["I need a refill on my lisinopril.", "I want to speak to someone at the front desk."],
    )


def test_a_long_medication_name_at_the_end_of_a_refill_comes_out_whole(finals):
    assert "refill on my lisinopril" in finals[0].lower()


def test_the_last_words_of_a_quick_turn_are_kept(finals):
    assert finals[1].lower().rstrip(".").endswith("at the front desk")
