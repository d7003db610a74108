"""Voice activity: Silero VAD (v6, the ONNX file the faster-whisper wheel ships) on 20 ms frames.

One onnxruntime session per process, single-threaded (it runs on the event loop, once per
32 ms of audio, at a fraction of a millisecond), shared by every call; each call keeps its own
recurrent state, context and buffer in a `VadStream`. The model takes 16 kHz audio in windows
of 512 new samples with the previous window's last 64 samples prepended, so 8 kHz frames are
upsampled by a streaming resampler first (no clicks at frame edges) and buffered.

`VadStream.process` only scores audio; deciding when a turn starts and ends is the turn taker's
job (appliance/call/turns.py).
"""

from __future__ import annotations

import importlib.resources
import threading
from pathlib import Path

import numpy as np
import soxr

from appliance.audio import SUPPORTED_RATES_HZ

MODEL_RATE_HZ = 16000
WINDOW_SAMPLES = 512  # new samples per model call at 16 kHz (32 ms)
CONTEXT_SAMPLES = 64  # tail of the previous window the model sees again
STATE_SHAPE = (1, 1, 128)


class VadError(Exception):
    code = "vad-failed"


def model_path() -> Path:
    """The Silero VAD model inside the installed faster-whisper package."""
    path = Path(str(importlib.resources.files("faster_whisper") / "assets" / "silero_vad_v6.onnx"))
    if not path.is_file():
        raise VadError(f"Silero VAD model not found at {path}; is faster-whisper installed?")
    return path


_session_lock = threading.Lock()
_session = None


def shared_session():  # -> onnxruntime.InferenceSession (typed loosely: onnxruntime ships no stubs)
    """The process-wide session, created on first use."""
    global _session
    with _session_lock:
        if _session is None:
            from appliance.privacy.offline import offline_onnxruntime

            onnxruntime = offline_onnxruntime()  # telemetry off before the session exists
            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            _session = onnxruntime.InferenceSession(
                str(model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        return _session


class VadStream:
    """Speech probability for one call's inbound audio, frame by frame."""

    def __init__(self, sample_rate_hz: int) -> None:
        if sample_rate_hz not in SUPPORTED_RATES_HZ:
            raise ValueError(f"VAD sample rate must be one of {SUPPORTED_RATES_HZ}, got {sample_rate_hz}")
        self.sample_rate_hz = sample_rate_hz
        self._session = shared_session()
        self._upsampler = (
            soxr.ResampleStream(sample_rate_hz, MODEL_RATE_HZ, 1, dtype="float32", quality="HQ")
            if sample_rate_hz != MODEL_RATE_HZ
            else None
        )
        self.reset()

    def reset(self) -> None:
        """Forget everything heard so far (a new call, or after a long gap)."""
        self._h = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._c = np.zeros(STATE_SHAPE, dtype=np.float32)
        self._context = np.zeros(CONTEXT_SAMPLES, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._probability: float | None = None

    @property
    def probability(self) -> float | None:
        """The latest speech probability (None until the first full window)."""
        return self._probability

    def process(self, frame: bytes) -> float | None:
        """Feed one frame of PCM16 at the stream's rate; returns the latest speech probability.

        A 20 ms frame is shorter than the model's 32 ms window, so some frames complete no
        window and return the previous probability (None before the first window).
        """
        if len(frame) % 2:
            raise ValueError(f"VAD frame has an odd byte count ({len(frame)}): not PCM16")
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32) / 32768.0
        if self._upsampler is not None:
            samples = self._upsampler.resample_chunk(samples)
        self._pending = np.concatenate([self._pending, samples])
        while len(self._pending) >= WINDOW_SAMPLES:
            window, self._pending = self._pending[:WINDOW_SAMPLES], self._pending[WINDOW_SAMPLES:]
            self._probability = self._score(window)
        return self._probability

    def _score(self, window: np.ndarray) -> float:
        x = np.concatenate([self._context, window])[np.newaxis, :]
        out, self._h, self._c = self._session.run(None, {"input": x, "h": self._h, "c": self._c})
        self._context = window[-CONTEXT_SAMPLES:]
        return float(np.asarray(out).reshape(-1)[0])
