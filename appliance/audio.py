"""Audio as it travels inside the appliance: mono PCM16 bytes with an explicit sample rate.

Every stage speaks 20 ms frames of signed 16-bit little-endian mono PCM at 8 kHz (telephone)
or 16 kHz (wideband). Resampling uses soxr; nothing here blocks for long.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import soxr

FRAME_MS = 20
SAMPLE_WIDTH = 2  # bytes per sample, PCM16
SUPPORTED_RATES_HZ = (8000, 16000)


@dataclass(frozen=True)
class AudioFormat:
    sample_rate_hz: int
    sample_width: int = SAMPLE_WIDTH
    channels: int = 1

    @property
    def frame_bytes(self) -> int:
        """Bytes in one 20 ms frame."""
        return self.sample_rate_hz * FRAME_MS // 1000 * self.sample_width * self.channels

    @property
    def frame_samples(self) -> int:
        return self.sample_rate_hz * FRAME_MS // 1000


def frame_bytes(sample_rate_hz: int) -> int:
    return AudioFormat(sample_rate_hz).frame_bytes


def silence(sample_rate_hz: int, duration_ms: int = FRAME_MS) -> bytes:
    return b"\x00" * (sample_rate_hz * duration_ms // 1000 * SAMPLE_WIDTH)


def resample(pcm16: bytes, from_hz: int, to_hz: int) -> bytes:
    """Resample mono PCM16; returns the input unchanged when the rates match."""
    if from_hz == to_hz or not pcm16:
        return pcm16
    samples = np.frombuffer(pcm16, dtype="<i2")
    out = soxr.resample(samples, from_hz, to_hz, quality="HQ")
    return np.asarray(out, dtype="<i2").tobytes()


def split_frames(pcm16: bytes, sample_rate_hz: int, *, pad: bool = True) -> list[bytes]:
    """Cut PCM16 into 20 ms frames; the last one is padded with silence when `pad`."""
    size = frame_bytes(sample_rate_hz)
    frames = [pcm16[i : i + size] for i in range(0, len(pcm16), size)]
    if frames and len(frames[-1]) < size:
        if pad:
            frames[-1] = frames[-1] + b"\x00" * (size - len(frames[-1]))
        else:
            frames.pop()
    return frames


def rms_dbfs(pcm16: bytes) -> float:
    """Level of a frame in dBFS (-inf for digital silence)."""
    if not pcm16:
        return float("-inf")
    x = np.frombuffer(pcm16, dtype="<i2").astype(np.float32)
    rms = float(np.sqrt(np.mean(x * x)))
    return 20.0 * np.log10(rms / 32768.0) if rms > 0 else float("-inf")
