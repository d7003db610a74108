"""Whisper tiny.en from its registry package: the short encoder window hears what 30 s hears.

Each decode encodes the turn and a few seconds, and takes the rest of Whisper's 30 s window from
the padding's encoding (speech/asr/faster_whisper.py). On a clear caller turn, the final must be
what a decode of the full 30 s window says, and partials must keep coming while the caller speaks.
"""

from __future__ import annotations

import asyncio

from appliance.audio import split_frames
from appliance.sim.voices import CallerVoice, mulaw_round_trip
from appliance.speech.asr.faster_whisper import FasterWhisperAsr


async def feed_in_lockstep(stream, pcm: bytes) -> None:  # type: ignore[no-untyped-def]
    """The turn and 260 ms of silence, a frame at a time; each frame waits for the decodes in
    flight (the simulator's lockstep clock), so what is decoded is the same on any machine."""
    for frame in split_frames(pcm + b"\x00" * (2 * 8000 * 260 // 1000), 8000):
        stream.feed(frame)
        while not stream.caught_up:
            await asyncio.sleep(0.001)


SAID = "My name is Maria Gonzalez and my date of birth is March third nineteen eighty."


def test_the_final_from_the_short_window_is_what_the_full_window_hears(models):
    whisper_dir, joe = models

    async def run() -> tuple[str, str, list[int]]:
        caller = CallerVoice("piper", str(joe), length_scale=0.9, pitch=0.85)
        pcm = mulaw_round_trip(await caller.speak(SAID, 8000), 8000)
        short = FasterWhisperAsr(whisper_dir, language="en")
        full = FasterWhisperAsr(whisper_dir, language="en", spliced_margin_s=None)
        await short.start()
        await full.start()
        try:
            stream = short.open_stream(8000)
            await feed_in_lockstep(stream, pcm)
            final = await stream.finish()
            whole = await asyncio.wrap_future(full.submit(full.decode, pcm, 8000, "en"))
            return final, whole.text, [ms for ms, _ in stream.partials]
        finally:
            await short.close()
            await full.close()

    final, whole, partial_ms = asyncio.run(run())
    assert final == whole
    assert "maria gonzalez" in final.lower() and "nineteen eighty" in final.lower()
    audio_ms = partial_ms[-1]
    assert len(partial_ms) >= audio_ms // 300 - 1  # a partial for every 300 ms the caller spoke


def test_partials_are_one_quick_guess_and_the_final_is_the_sites_best_of_four(models):
    """Partials, every 300 ms while the caller speaks, are a greedy decode of a short window
    (cheap: they are most of a call's decodes); the final is the decode made when the caller
    paused, the 4-best beam chosen among with the site's words, and it is what one such decode
    of the whole turn hears. No decode follows the end of turn."""
    whisper_dir, joe = models
    site_words = ["Maria Gonzalez", "Doctor Anita Patel", "lisinopril"]

    async def run() -> tuple[str, str, list[int], list[tuple[bool, int]], bool]:
        caller = CallerVoice("piper", str(joe), length_scale=0.9, pitch=0.85)
        pcm = mulaw_round_trip(await caller.speak(SAID, 8000), 8000)
        asr = FasterWhisperAsr(whisper_dir, language="en", vocabulary=site_words)
        decodes: list[tuple[bool, int]] = []  # (read as the final, hypotheses it kept)
        decode = asr.decode

        def recorded(*args):  # type: ignore[no-untyped-def]
            result = decode(*args)
            decodes.append((bool(args[3]), len(result.hypotheses)))
            return result

        asr.decode = recorded  # type: ignore[method-assign]
        await asr.start()
        try:
            stream = asr.open_stream(8000)
            await feed_in_lockstep(stream, pcm)
            final = await stream.finish()
            whole = await asyncio.wrap_future(asr.submit(decode, pcm, 8000, "en", True, ""))
            return final, whole.text, [ms for ms, _ in stream.partials], decodes, stream.final_decoded
        finally:
            await asr.close()

    final, whole, partial_ms, decodes, final_decoded = asyncio.run(run())
    assert final == whole
    assert "maria gonzalez" in final.lower() and "nineteen eighty" in final.lower()
    partials = [kept for at_pause, kept in decodes if not at_pause]
    assert len(partials) >= 10 and set(partials) == {1}  # 3.5 s spoken: greedy partials
    assert [kept for at_pause, kept in decodes if at_pause][-1] == 4  # the final: the 4-best beam
    assert final_decoded is False  # decoded at the pause, not after the end of turn
    assert len(partial_ms) >= partial_ms[-1] // 300 - 1  # a partial for every 300 ms the caller spoke
