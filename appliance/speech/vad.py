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
    """Speech probability for one call's inbound audio, frame by frame.

    Per 32 ms window the model runs through an I/O binding over buffers this stream owns: the
    window is written in place after its context, the recurrent state alternates between two
    pairs of buffers (one pair in, the other out), and the probability lands in a one-element
    array. The plain `session.run` wraps every input in a new OrtValue and allocates every
    output on each call; on the event loop, once per window for every call, that was about a
    sixth of the model's cost. The numbers are the same: the same kernels on the same values.
    """

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
        # [context | window]: the model's input, filled in place as frames arrive
        self._input = np.zeros((1, CONTEXT_SAMPLES + WINDOW_SAMPLES), dtype=np.float32)
        self._states = [np.zeros(STATE_SHAPE, dtype=np.float32) for _ in range(4)]  # h, c in; h, c out
        self._out = np.zeros(1, dtype=np.float32)
        self._bindings = [self._binding(flip) for flip in (False, True)]
        self.reset()

    def _binding(self, flip: bool):  # -> onnxruntime.IOBinding: state in from one pair, out to the other
        from appliance.privacy.offline import offline_onnxruntime

        OrtValue = offline_onnxruntime().OrtValue
        h_in, c_in, h_out, c_out = (self._states[i] for i in ((2, 3, 0, 1) if flip else (0, 1, 2, 3)))
        binding = self._session.io_binding()
        # OrtValues over these arrays share their memory: binding them once is enough
        for name, array in (("input", self._input), ("h", h_in), ("c", c_in)):
            binding.bind_ortvalue_input(name, OrtValue.ortvalue_from_numpy(array))
        for name, array in (("speech_probs", self._out), ("hn", h_out), ("cn", c_out)):
            binding.bind_ortvalue_output(name, OrtValue.ortvalue_from_numpy(array))
        return binding

    def reset(self) -> None:
        """Forget everything heard so far (a new call, or after a long gap)."""
        for state in self._states:
            state.fill(0.0)
        self._input.fill(0.0)
        self._filled = 0  # new samples in the window so far
        self._flip = False  # which binding holds the current state as its input
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
        samples = np.frombuffer(frame, dtype="<i2").astype(np.float32)
        samples *= 1.0 / 32768.0  # a power of two: the same values as dividing
        if self._upsampler is not None:
            samples = self._upsampler.resample_chunk(samples)
        window = self._input[0, CONTEXT_SAMPLES:]
        while len(samples):
            take = min(WINDOW_SAMPLES - self._filled, len(samples))
            window[self._filled : self._filled + take] = samples[:take]
            self._filled += take
            samples = samples[take:]
            if self._filled == WINDOW_SAMPLES:
                self._probability = self._score()
                self._filled = 0
        return self._probability

    def _score(self) -> float:
        self._session.run_with_iobinding(self._bindings[self._flip])
        self._flip = not self._flip
        # the next window's context: this window's last samples
        self._input[0, :CONTEXT_SAMPLES] = self._input[0, -CONTEXT_SAMPLES:]
        return float(self._out[0])
