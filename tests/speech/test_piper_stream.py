"""piper streaming inside a sentence, with the real joe voice from its registry package.

The voice is cut where its vocoder begins (speech/tts/vits_stream.py): a long sentence must start
to sound before the vocoder has made the rest of it, the pieces must be the voice's own audio,
and a barge-in must stop the vocoder within a piece.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import numpy as np

from appliance.speech.tts.piper import PiperTts
from appliance.speech.tts.vits_stream import FIRST_PIECE_FRAMES, MAX_PIECE_FRAMES, Pacer, pieces
from tests.fixtures.tiny_models import build_piper_voice

LONG = (
    "Doctor Anita Patel has Tuesday at eight in the morning, eight twenty in the morning, "
    "or eight forty in the morning, and Wednesday at nine."
)


class HeldVocoder:
    """The voice's vocoder session, counting its runs and holding the second until released."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.runs = 0
        self.release = threading.Event()
        self.second_started = threading.Event()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.runs += 1
        if self.runs == 2:
            self.second_started.set()
            self.release.wait(60)
        return self._session.run(*args, **kwargs)


def test_pieces_cover_the_sentence_short_first_then_doubling():
    for frames in (1, 15, 16, 17, 40, 112, 628, 2000):
        spans = pieces(frames)
        assert spans[0][0] == 0 and spans[-1][1] == frames
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # contiguous
        sizes = [end - start for start, end in spans]
        assert sizes[0] <= FIRST_PIECE_FRAMES + FIRST_PIECE_FRAMES // 2
        assert max(sizes) <= MAX_PIECE_FRAMES + MAX_PIECE_FRAMES // 2
    assert len(pieces(628)) > 4  # a long sentence is made in several pieces


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def paced(frames: int, seconds_per_frame: float, frame_s: float = 0.0116) -> list[bool]:
    """What the pacer says after each piece when the vocoder makes a frame in this time."""
    clock = Clock()
    pacer = Pacer(pieces(frames), frame_s, clock)
    said = []
    for start, end in pieces(frames):
        clock.now += (end - start) * seconds_per_frame
        said.append(pacer.made(end - start))
    return said


def test_the_first_piece_plays_at_once_when_the_vocoder_keeps_ahead():
    assert paced(300, 0.001) == [True] * len(pieces(300))  # ten times faster than speech


def test_a_slow_vocoder_holds_the_start_rather_than_pause_inside_the_sentence():
    said = paced(300, 0.0116 * 0.8)  # barely faster than speech
    first = said.index(True)
    assert first > 0 and all(said[first:])  # held at first, then it plays to the end
    made = pieces(300)[first][1]
    for start, end in pieces(300)[first + 1 :]:  # each later piece is made before it is due
        assert (end - made) * 0.8 <= start
    assert paced(300, 0.0116 * 5)[-1]  # however slow, the sentence plays once it is all made


def test_a_long_sentence_sounds_before_the_vocoder_has_made_the_rest(joe):
    async def run() -> tuple[int, int, int, int]:
        tts = PiperTts({"en": joe}, clock=lambda: 0.0)  # a vocoder that keeps ahead of speech
        await tts.start()
        held = HeldVocoder(tts._streams["en"].back)
        tts._streams["en"].back = held
        try:
            stream = tts.synthesize(LONG, 8000)
            # The second piece is held until the first audio is here: had the sentence been made
            # whole before anything was handed over, this would time out.
            first = await asyncio.wait_for(anext(stream), 30)
            runs_at_first = held.runs
            held.release.set()
            rest = [chunk async for chunk in stream]
            return len(first), runs_at_first, len(rest), held.runs
        finally:
            held.release.set()
            await tts.close()

    first, runs_at_first, later_chunks, runs = asyncio.run(run())
    assert first > 0 and runs_at_first <= 2
    assert later_chunks >= 3 and runs >= 4  # the sentence went on, piece by piece


def test_streamed_pieces_are_the_voice_s_own_one_pass_audio(joe):
    from piper import PiperVoice, SynthesisConfig

    sentence = "Which pharmacy should we send your new prescription to this afternoon?"  # one clause

    async def streamed() -> tuple[bytes, float, int]:
        tts = PiperTts({"en": joe}, sampled=False, clock=lambda: 0.0)  # mean prosody: same audio
        await tts.start()
        try:
            rate = tts.voice_rate_hz()  # the voice's own rate: no resampling in between
            chunks = [c async for c in tts.synthesize(sentence, rate)]
            assert len(chunks) > 2
            return b"".join(chunks), tts._streams["en"].gain, rate
        finally:
            await tts.close()

    pcm, gain, rate = asyncio.run(streamed())
    voice = PiperVoice.load(joe)
    quiet = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    whole = np.concatenate(
        [
            voice.phoneme_ids_to_audio(voice.phonemes_to_ids(p), quiet).reshape(-1)
            for p in voice.phonemize(sentence)
        ]
    )
    expected = np.clip(whole * gain * 32767.0, -32767, 32767).astype(np.int32)
    got = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    assert rate == 22050 and len(got) == len(expected)
    assert np.abs(got - expected).max() <= 2  # the same samples, to rounding
    assert np.abs(got).max() > 8000  # and spoken at a telephone's loudness


def test_barge_in_stops_the_vocoder_inside_a_sentence(joe):
    async def run() -> int:
        tts = PiperTts({"en": joe}, clock=lambda: 0.0)
        await tts.start()
        held = HeldVocoder(tts._streams["en"].back)
        tts._streams["en"].back = held
        try:
            stream = tts.synthesize(LONG, 8000)
            await asyncio.wait_for(anext(stream), 30)
            await stream.aclose()  # the caller spoke over the first piece
            held.release.set()
        finally:
            await tts.close()  # waits for the worker to stop
        return held.runs

    runs = asyncio.run(run())
    assert runs == 2  # the piece in progress finished; no piece was started after the barge-in


def test_a_voice_that_cannot_be_cut_speaks_whole_sentences(tmp_path):
    voice = build_piper_voice(tmp_path / "en_US-tiny.onnx")

    async def run() -> tuple[dict[str, str], list[bytes]]:
        tts = PiperTts({"en": voice})
        await tts.start()
        try:
            return tts.not_streamed, [c async for c in tts.synthesize("Good morning. Goodbye.", 8000)]
        finally:
            await tts.close()

    why, chunks = asyncio.run(run())
    assert "vocoder" in why["en"] and len(chunks) == 2 and all(chunks)
