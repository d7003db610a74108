"""Silero VAD on 20 ms frames: speech scores high, silence and line hiss score low, at both rates."""

from __future__ import annotations

import numpy as np
import pytest

from appliance.audio import split_frames
from appliance.speech.vad import VadStream
from tests.fixtures.audio import clipped, noise, silence, synthesize_caller

RATES = (8000, 16000)


def probabilities(stream: VadStream, pcm: bytes, rate: int) -> list[float]:
    return [p for p in (stream.process(f) for f in split_frames(pcm, rate)) if p is not None]


@pytest.mark.parametrize("rate", RATES)
def test_speech_scores_high_and_silence_low(rate: int) -> None:
    speech = synthesize_caller("How much is parking for visitors?", rate)
    stream = VadStream(rate)
    before = probabilities(stream, silence(rate, 600), rate)
    during = probabilities(stream, speech, rate)
    assert max(before) < 0.1
    assert max(during) > 0.9
    assert sum(p > 0.5 for p in during) > 0.6 * len(during)


@pytest.mark.parametrize("rate", RATES)
def test_low_level_noise_is_not_speech(rate: int) -> None:
    stream = VadStream(rate)
    assert max(probabilities(stream, noise(rate, 2000, level_dbfs=-50.0), rate)) < 0.3


@pytest.mark.parametrize("rate", RATES)
def test_clipped_speech_is_still_speech(rate: int) -> None:
    speech = clipped(synthesize_caller("I need to talk to a nurse", rate), gain_db=14.0)
    samples = np.frombuffer(speech, dtype="<i2")
    assert np.mean(np.abs(samples) >= 32767) > 0.01  # really clipped, not just louder
    assert max(probabilities(VadStream(rate), speech, rate)) > 0.8


def test_first_frame_has_no_score_yet_and_reset_forgets() -> None:
    stream = VadStream(16000)
    frame = silence(16000, 20)
    assert stream.process(frame) is None  # 320 samples: the model's window is 512
    assert stream.process(frame) is not None
    stream.reset()
    assert stream.probability is None


def test_streams_are_independent() -> None:
    speech = synthesize_caller("yes please", 8000)
    talking, quiet = VadStream(8000), VadStream(8000)
    for frame in split_frames(speech, 8000):
        talking.process(frame)
        quiet.process(silence(8000, 20))
    assert quiet.probability is not None and quiet.probability < 0.1


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="sample rate"):
        VadStream(44100)
    with pytest.raises(ValueError, match="odd byte count"):
        VadStream(8000).process(b"\x00" * 319)
