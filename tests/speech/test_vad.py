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


def _model_frame_by_frame(frames: list[bytes], rate: int) -> list[float | None]:
    """The oracle: the model as its authors run it (16 kHz windows of 512 new samples, each after
    the previous window's last 64, the state carried), and after each frame the latest score."""
    import soxr

    from appliance.speech.vad import CONTEXT_SAMPLES, STATE_SHAPE, WINDOW_SAMPLES, shared_session

    resampler = soxr.ResampleStream(rate, 16000, 1, dtype="float32", quality="HQ") if rate != 16000 else None
    h = c = np.zeros(STATE_SHAPE, dtype=np.float32)
    context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)
    pending = np.zeros(0, dtype=np.float32)
    latest: float | None = None
    out: list[float | None] = []
    for frame in frames:
        audio = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0
        pending = np.concatenate([pending, resampler.resample_chunk(audio) if resampler else audio])
        while len(pending) >= WINDOW_SAMPLES:
            window, pending = pending[:WINDOW_SAMPLES], pending[WINDOW_SAMPLES:]
            x = np.concatenate([context, window])[np.newaxis, :]
            prob, h, c = shared_session().run(None, {"input": x, "h": h, "c": c})
            context = window[-CONTEXT_SAMPLES:]
            latest = float(np.asarray(prob).reshape(-1)[0])
        out.append(latest)
    return out


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("frame_ms", (10, 20, 30, 70))
def test_frame_by_frame_scores_are_the_models_own(rate: int, frame_ms: int) -> None:
    """Fed in frames of any size, a stream gives after every frame exactly the model's latest
    score: no window lost, none scored twice, context and state carried across frames and
    windows."""
    pcm = (
        silence(rate, 300)
        + synthesize_caller("I need to talk to a nurse", rate)
        + noise(rate, 500, level_dbfs=-40.0)
        + silence(rate, 400)
    )
    step = rate * frame_ms // 1000 * 2
    frames = [pcm[i : i + step] for i in range(0, len(pcm) - step + 1, step)]
    expected = _model_frame_by_frame(frames, rate)
    assert max(p for p in expected if p is not None) > 0.9  # the recording has speech in it
    stream = VadStream(rate)
    assert [stream.process(f) for f in frames] == expected
