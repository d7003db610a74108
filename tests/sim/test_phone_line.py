"""The simulated caller's phone line: G.711 μ-law at 8 kHz, G.722 at 16 kHz.

A line keeps speech-band audio nearly intact (the recognizer hears the caller) but is not a
wire: μ-law quantizes each sample, G.722 codes two sub-bands by ADPCM.
"""

from __future__ import annotations

import numpy as np
import pytest

from appliance.sim.voices import g722_round_trip, line_round_trip, mulaw_round_trip


def _tone(hz: float, rate: int, seconds: float = 0.5, level: int = 8000) -> bytes:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * level).astype("<i2").tobytes()


def _snr_db(sent: bytes, heard: bytes) -> float:
    """Signal to error after aligning the codec's delay (at most 5 ms)."""
    a = np.frombuffer(sent, dtype="<i2").astype(np.float64)
    b = np.frombuffer(heard, dtype="<i2").astype(np.float64)
    best = -np.inf
    for lag in range(0, 80):
        x, y = a[200 : len(a) - 200], b[200 + lag : len(b) - 200 + lag]
        n = min(len(x), len(y))
        err = np.sum((x[:n] - y[:n]) ** 2) + 1e-9
        best = max(best, 10 * np.log10(np.sum(x[:n] ** 2) / err))
    return best


@pytest.mark.parametrize(("rate", "codec"), [(8000, mulaw_round_trip), (16000, g722_round_trip)])
def test_a_line_carries_a_speech_band_tone_nearly_intact(rate: int, codec) -> None:
    sent = _tone(1000, rate)
    heard = codec(sent, rate)
    assert len(heard) == len(sent)
    assert heard != sent  # the codec ran
    assert _snr_db(sent, heard) > 15


def test_a_call_at_each_rate_runs_on_its_line() -> None:
    sent = _tone(440, 16000)
    assert line_round_trip(sent, 16000) == g722_round_trip(sent, 16000)
    narrow = _tone(440, 8000)
    assert line_round_trip(narrow, 8000) == mulaw_round_trip(narrow, 8000)
    assert g722_round_trip(b"", 16000) == b""
