"""espeak-ng synthesis: streamed as it is made, audible at the requested rate, killed on cancel."""

from __future__ import annotations

import asyncio
import os
import struct
import time

import numpy as np
import pytest

from appliance.audio import rms_dbfs
from appliance.speech.tts.base import TtsError
from appliance.speech.tts.espeak import EspeakTts, WavStreamParser

SENTENCE = "Thanks, I can help with that."
LONG = "This sentence goes on and on. " * 40  # a minute of speech, megabytes of WAV


async def collect(tts: EspeakTts, text: str, rate: int) -> bytes:
    chunks = [chunk async for chunk in tts.synthesize(text, rate)]
    assert chunks, "no audio at all"
    return b"".join(chunks)


def process_gone(pid: int, within_s: float = 0.0) -> bool:
    deadline = time.monotonic() + within_s
    while True:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split()[2] == "Z":  # a zombie has exited already
                    return True
        except FileNotFoundError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)


@pytest.mark.parametrize("rate", [8000, 16000])
def test_audible_audio_of_the_right_length_at_the_requested_rate(rate: int) -> None:
    pcm = asyncio.run(collect(EspeakTts(), SENTENCE, rate))
    seconds = len(pcm) / 2 / rate  # samples, not wall time
    assert 1.0 < seconds < 4.0  # right length at this rate, so resampled (espeak makes 22 050 Hz)
    assert rms_dbfs(pcm) > -35.0


def test_the_first_audio_comes_while_espeak_is_still_speaking() -> None:
    async def body() -> tuple[bool, int, int]:
        tts = EspeakTts()
        stream = tts.synthesize(LONG, 8000)
        first = await anext(stream)
        assert tts.last_process_id is not None
        # espeak writes far more than a pipe holds for this text, so it can only still be
        # running if its output is being handed on as it comes, not collected to the end.
        still_speaking = not process_gone(tts.last_process_id)
        rest = [chunk async for chunk in stream]
        return still_speaking, len(first), len(rest)

    still_speaking, first, more = asyncio.run(body())
    assert still_speaking and first > 0 and more > 1


def test_rate_changes_sample_count_not_duration() -> None:
    async def both() -> tuple[bytes, bytes]:
        tts = EspeakTts()
        return await collect(tts, SENTENCE, 8000), await collect(tts, SENTENCE, 16000)

    narrow, wide = asyncio.run(both())
    assert abs(len(wide) / len(narrow) - 2.0) < 0.01


def test_faster_speech_is_shorter() -> None:
    async def both() -> tuple[bytes, bytes]:
        slow = await collect(EspeakTts(words_per_minute=120), SENTENCE, 8000)
        fast = await collect(EspeakTts(words_per_minute=300), SENTENCE, 8000)
        return slow, fast

    slow, fast = asyncio.run(both())
    assert len(fast) < 0.7 * len(slow)


def test_closing_the_iteration_kills_espeak_at_once() -> None:
    async def body() -> int:
        tts = EspeakTts()
        stream = tts.synthesize(LONG, 8000)
        await anext(stream)
        pid = tts.last_process_id
        assert pid is not None and not process_gone(pid)
        await stream.aclose()
        assert process_gone(pid)
        return pid

    asyncio.run(body())


def test_cancelling_the_consuming_task_kills_espeak() -> None:
    async def body() -> int:
        tts = EspeakTts()
        started = asyncio.Event()
        # Still referenced after the task ends (as a pipeline may hold it), so no garbage
        # collection closes the stream: the kill must come from the task's end itself.
        held: list[object] = []

        async def play() -> None:
            stream = tts.synthesize("Please hold while I look that up for you. " * 40, 8000)
            held.append(stream)
            async for _ in stream:
                started.set()
                await asyncio.sleep(0.02)  # paced like playback

        task = asyncio.create_task(play())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert tts.last_process_id is not None
        # Checked inside the loop: killed when the task ends, not at loop shutdown. Left alone,
        # espeak would block on its full pipe for as long as the loop runs; the wait is a net.
        assert process_gone(tts.last_process_id, within_s=30)
        return tts.last_process_id

    asyncio.run(body())


def test_text_starting_with_a_dash_is_spoken_not_parsed() -> None:
    pcm = asyncio.run(collect(EspeakTts(), "--help -v xx", 8000))
    assert len(pcm) / 2 / 8000 > 0.5 and rms_dbfs(pcm) > -40.0


def test_bad_settings_and_text_are_refused() -> None:
    with pytest.raises(ValueError, match="voice"):
        EspeakTts(voice="-x")
    with pytest.raises(ValueError, match="words_per_minute"):
        EspeakTts(words_per_minute=10)
    with pytest.raises(ValueError, match="sample rate"):
        EspeakTts().synthesize("hello", 44100)
    with pytest.raises(TtsError, match="limit"):
        EspeakTts().synthesize("a" * 6000, 8000)


def wav_header(rate: int, extra_chunk: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF\xff\xff\xff\xffWAVE"
        + extra_chunk
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data\xff\xff\xff\xff"  # what a streaming writer leaves: sizes unknown
    )


def test_wav_parser_handles_a_header_split_anywhere() -> None:
    pcm = np.arange(100, dtype="<i2").tobytes()
    stream = wav_header(22050, extra_chunk=b"LIST" + struct.pack("<I", 3) + b"abc\x00") + pcm
    parser = WavStreamParser()
    out = b"".join(parser.feed(stream[i : i + 1]) for i in range(len(stream)))
    assert out == pcm and parser.sample_rate_hz == 22050


def test_wav_parser_refuses_what_is_not_wav() -> None:
    with pytest.raises(TtsError, match="WAV"):
        WavStreamParser().feed(b"ID3\x04" + b"\x00" * 20)
    with pytest.raises(TtsError, match="unexpected audio"):
        WavStreamParser().feed(wav_header(8000).replace(b"\x01\x00\x01\x00", b"\x03\x00\x01\x00", 1))


def test_a_missing_engine_is_a_clear_error() -> None:
    with pytest.raises(TtsError, match="not installed"):
        asyncio.run(EspeakTts(executable="espeak-ng-absent").start())
    assert os.path.exists("/proc/self")  # sanity: /proc is what the kill tests rely on
