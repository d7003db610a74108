"""How a stretch of speech ended: did the voice fall, as at a sentence's end, or stay up?

A caller who pauses inside a thought ("I need a refill, [pause] for my mother's inhaler"; "Yes,
[pause] that's me") usually keeps the pitch level or lifts it at the pause (a continuation
contour); at a turn's end the pitch falls to the bottom of the voice's range. The words at such
a pause are whole, so only the voice tells them apart, and Smart Turn on 8 kHz phone audio does
not reliably hear it. This reads the pitch of the last voiced stretch before the pause against
the turn's own pitch range, with numpy: a normalised autocorrelation pitch tracker on 40 ms
frames every 10 ms (70-400 Hz, a phone line's voices), a few milliseconds of CPU for a turn.

Pure: bytes of 16-bit PCM in, numbers out. Read at a pause by endpointing.PauseJudge.hear, in
the worker thread that runs Smart Turn, never on the media clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

F0_MIN_HZ, F0_MAX_HZ = 70.0, 400.0
FRAME_S, HOP_S = 0.04, 0.01
VOICED_CORRELATION = 0.55  # a frame is voiced when its autocorrelation peak reaches this
SPAN_S = 6.0  # only the turn's last seconds are read (a turn's range, not the call's)
FINAL_S = 0.12  # the final pitch: the last voiced frames over this long


@dataclass(frozen=True)
class Ending:
    """The pitch at the end of the last voiced stretch, in semitones against the turn's own range."""

    final_vs_median: float  # final pitch minus the turn's median pitch (negative: below it)
    final_vs_low: float  # final pitch minus the turn's 10th percentile pitch
    slope: float  # semitones per second over the last voiced 250 ms (negative: falling)
    voiced_frames: int


def pitch_track(pcm16: bytes, rate_hz: int) -> np.ndarray:
    """F0 in Hz per 10 ms frame (0 where unvoiced) over the last SPAN_S of the audio."""
    x = np.frombuffer(pcm16, dtype="<i2").astype(np.float64)
    x = x[-int(SPAN_S * rate_hz) :]
    frame, hop = int(FRAME_S * rate_hz), int(HOP_S * rate_hz)
    if len(x) < frame:
        return np.zeros(0)
    n = 1 + (len(x) - frame) // hop
    frames = np.lib.stride_tricks.sliding_window_view(x, frame)[::hop][:n]
    frames = frames - frames.mean(axis=1, keepdims=True)
    energy = (frames**2).sum(axis=1)
    loud = energy > max(1e-9, 0.02 * np.percentile(energy, 95))
    lo, hi = int(rate_hz / F0_MAX_HZ), int(rate_hz / F0_MIN_HZ)
    size = 1 << int(np.ceil(np.log2(2 * frame)))
    spec = np.fft.rfft(frames, size, axis=1)
    ac = np.fft.irfft(spec * np.conj(spec), size, axis=1)[:, : hi + 2]
    # normalise by the energy of the overlapping parts, so long lags are not penalised
    cum = np.cumsum(frames**2, axis=1)
    lags = np.arange(hi + 2)
    head = cum[:, -1:] - np.concatenate([np.zeros((n, 1)), cum[:, :-1]], axis=1)[:, : hi + 2]
    tail = cum[:, frame - 1 - lags]  # the frame (320 samples at 8 kHz) is longer than any lag
    norm = np.sqrt(np.maximum(head * tail, 1e-9))
    r = ac / norm
    band = r[:, lo : hi + 1]
    best = band.argmax(axis=1)
    peak = band[np.arange(n), best]
    # the first lag whose correlation is near the best (octave errors: prefer the shorter period)
    near = band >= (peak[:, None] * 0.9)
    first = near.argmax(axis=1)
    lag = (first + lo).astype(np.float64)
    # parabolic refinement around the chosen lag
    i = first
    left = band[np.arange(n), np.maximum(i - 1, 0)]
    mid = band[np.arange(n), i]
    right = band[np.arange(n), np.minimum(i + 1, band.shape[1] - 1)]
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > 1e-9, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    lag = lag + np.clip(shift, -0.5, 0.5)
    f0 = np.where(loud & (peak >= VOICED_CORRELATION), rate_hz / lag, 0.0)
    return f0


def ending(pcm16: bytes, rate_hz: int) -> Ending | None:
    """How the last voiced stretch ended, or None when too little of the audio is voiced."""
    f0 = pitch_track(pcm16, rate_hz)
    voiced = np.flatnonzero(f0 > 0)
    if len(voiced) < 8:
        return None
    semis = 12 * np.log2(f0[voiced] / 100.0)
    # drop octave jumps: frames more than 7 semitones from the turn's median
    median = float(np.median(semis))
    keep = np.abs(semis - median) <= 7
    semis, voiced = semis[keep], voiced[keep]
    if len(voiced) < 8:
        return None
    final_n = max(3, int(FINAL_S / HOP_S))
    final = float(np.median(semis[-final_n:]))
    last = voiced[-1]
    recent = voiced >= last - int(0.25 / HOP_S)
    t = voiced[recent] * HOP_S
    slope = float(np.polyfit(t, semis[recent], 1)[0]) if recent.sum() >= 4 else 0.0
    return Ending(
        final_vs_median=final - median,
        final_vs_low=final - float(np.percentile(semis, 10)),
        slope=slope,
        voiced_frames=len(voiced),
    )


# Tuned on bench/turns.py's corpora 1-3 at 8 kHz (corpus 4 held out): a rise of more than 4
# semitones a second over the last voiced 250 ms, ending above the bottom of the turn's range.
# A sentence's end falls faster than that and to the bottom; a pause inside a thought seldom does.
RISE_ST_PER_S = 4.0


def voice_stayed_up(pcm16: bytes, rate_hz: int) -> bool:
    """The pitch rose into the end of the audio instead of falling: the speaker is not done."""
    end = ending(pcm16, rate_hz)
    return end is not None and end.slope > RISE_ST_PER_S and end.final_vs_low > 0
