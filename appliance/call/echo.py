"""Is the caller's sound the agent's own voice coming back? (line echo the far end did not cancel)

A phone line with poor echo cancellation returns the agent's audio, delayed (tens to a few
hundred milliseconds) and quieter. The VAD hears speech; it is not the caller. The guard keeps
the last `history_ms` of what was played and, per inbound frame, measures how well the last
`window_ms` of inbound audio matches any delayed stretch of it (normalised cross-correlation,
by FFT: well under a millisecond). A close match is echo. A caller talking over the echo
(double talk) breaks the match, so their words still count.

Threads: `played` is called from the media clock's thread; a deque append is atomic. `is_echo`
runs on the call's loop.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from appliance.audio import FRAME_MS

ECHO_CORRELATION = 0.6  # above this the inbound audio is a copy of what was played
QUIET_RMS = 150.0  # inbound this quiet (about -47 dBFS) holds no words of the caller's


class EchoGuard:
    def __init__(self, sample_rate_hz: int, history_ms: int = 600, window_ms: int = 100) -> None:
        self._frame = sample_rate_hz * FRAME_MS // 1000  # samples per frame
        self._played: deque[bytes] = deque(maxlen=history_ms // FRAME_MS)
        self._window_frames = window_ms // FRAME_MS
        self._loud_played = 0  # recent frames with agent audio in them

    def played(self, frame: bytes) -> None:
        """An outbound frame, as it goes out (any thread)."""
        self._played.append(frame)

    def is_echo(self, recent_inbound: list[bytes]) -> bool:
        """The last inbound frames (oldest first) hold nothing of the caller's: they match
        something just played, or are a near-silent gap between the echoed words."""
        played = list(self._played)
        if len(recent_inbound) < self._window_frames or len(played) < self._window_frames:
            return False
        x = np.frombuffer(b"".join(recent_inbound[-self._window_frames :]), dtype="<i2").astype(np.float64)
        y = np.frombuffer(b"".join(played), dtype="<i2").astype(np.float64)
        if not y.any():
            return False  # the agent said nothing lately: no echo to hear
        if np.sqrt(np.mean(x * x)) < QUIET_RMS:
            return True
        return normalised_match(x, y) >= ECHO_CORRELATION


def normalised_match(x: np.ndarray, y: np.ndarray) -> float:
    """Best normalised cross-correlation of `x` against every stretch of `y` as long as `x`."""
    n, m = len(x), len(y)
    if m < n:
        return 0.0
    x = x - x.mean()
    size = 1 << (n + m - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(y, size) * np.conj(np.fft.rfft(x, size)), size)[: m - n + 1]
    energy = np.convolve(y * y, np.ones(n), mode="valid")  # each stretch's energy
    sums = np.convolve(y, np.ones(n), mode="valid")
    centred = np.maximum(energy - sums * sums / n, 1e-9)
    score = corr / (np.sqrt(centred) * (np.linalg.norm(x) + 1e-9))
    return float(np.max(np.abs(score)))
