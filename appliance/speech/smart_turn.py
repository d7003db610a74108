"""Smart Turn v3.2: does the caller's audio sound finished? (the ONNX the pipecat-ai wheel carries)

Pipecat's end-of-turn model (BSD-2, 8.7 MB, a Whisper-tiny encoder and a classifier) takes the
last 8 s of a turn at 16 kHz as Whisper log-mel features and gives the probability that the
speaker has finished. Only the model file and its license are taken from the pipecat-ai wheel
(scripts/fetch-smart-turn, run by scripts/setup, puts them in smart_turn_data/ and checks the
sha256 pinned here); pipecat itself is not a dependency.

Phone audio (8 kHz) is resampled to 16 kHz with soxr first, as Pipecat does. The features are
Whisper's log-mel spectrogram with the waveform normalised to zero mean and unit variance
(what the model was trained on), computed here with numpy.

One onnxruntime session per process, single-threaded; an inference takes a few tens of
milliseconds on a CPU core, so callers run it in a worker thread, never on the event loop.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import soxr

from appliance.pinned_files import PinnedFileError, read_pinned

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
MODEL_SHA256 = "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"
# Where the file comes from: the pipecat-ai wheel, this version and this member.
SOURCE_PACKAGE = "pipecat-ai"
SOURCE_VERSION = "1.14.0"
SOURCE_MEMBER = "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
DATA_DIR = Path(__file__).resolve().parent / "smart_turn_data"

MODEL_RATE_HZ = 16000
WINDOW_S = 8  # the model sees the last 8 s of the turn (zero-padded in front when shorter)
_N_FFT, _HOP, _N_MELS = 400, 160, 80


class SmartTurnUnavailable(Exception):
    """The model file is missing, altered or will not load; the caller falls back to silence."""

    code = "smart-turn-unavailable"


def model_path(data_dir: Path = DATA_DIR) -> Path:
    return data_dir / MODEL_FILE


def verify(path: Path) -> None:
    """The file is there and is the pinned one."""
    if not path.is_file():
        raise SmartTurnUnavailable(f"{path}: missing (run scripts/fetch-smart-turn)")
    try:
        read_pinned(path, MODEL_SHA256)
    except PinnedFileError as exc:
        raise SmartTurnUnavailable(str(exc)) from None


_lock = threading.Lock()
_sessions: dict[Path, object] = {}


def _session(path: Path):  # -> onnxruntime.InferenceSession (onnxruntime ships no stubs)
    with _lock:
        if path not in _sessions:
            verify(path)
            from appliance.privacy.offline import offline_onnxruntime

            onnxruntime = offline_onnxruntime()
            opts = onnxruntime.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            try:
                _sessions[path] = onnxruntime.InferenceSession(
                    str(path), sess_options=opts, providers=["CPUExecutionProvider"]
                )
            except Exception as exc:  # a corrupt graph, an incompatible runtime
                raise SmartTurnUnavailable(f"{path}: will not load ({type(exc).__name__})") from exc
        return _sessions[path]


class SmartTurn:
    """The model, loaded once per process; `probability` is thread-safe (onnxruntime's run is)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or model_path()
        self._session = _session(self.path)

    def probability(self, pcm16: bytes, sample_rate_hz: int) -> float:
        """Probability in [0, 1] that the speech in `pcm16` (mono PCM16) is a finished turn."""
        x = np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0
        if sample_rate_hz != MODEL_RATE_HZ:
            x = soxr.resample(x, sample_rate_hz, MODEL_RATE_HZ, quality="HQ").astype(np.float32)
        features = log_mel(fit_window(x))[np.newaxis, :, :]
        out = self._session.run(None, {"input_features": features})  # type: ignore[attr-defined]
        return float(np.asarray(out[0]).reshape(-1)[0])


def fit_window(x: np.ndarray) -> np.ndarray:
    """The last WINDOW_S seconds, zero-padded in front when the turn is shorter."""
    n = WINDOW_S * MODEL_RATE_HZ
    return x[-n:] if len(x) >= n else np.pad(x, (n - len(x), 0))


def _mel_filters() -> np.ndarray:
    """Slaney-scale, area-normalised triangular filters (Whisper's), shape (n_mels, n_fft/2+1)."""

    def hz_to_mel(f: np.ndarray) -> np.ndarray:
        f = np.asarray(f, dtype=np.float64)
        linear = 3.0 * f / 200.0
        return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-9) / 1000.0) * 27.0 / np.log(6.4), linear)

    def mel_to_hz(m: np.ndarray) -> np.ndarray:
        linear = 200.0 * m / 3.0
        return np.where(m >= 15.0, 1000.0 * np.exp((m - 15.0) * np.log(6.4) / 27.0), linear)

    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(MODEL_RATE_HZ / 2), _N_MELS + 2))
    bins = np.linspace(0, MODEL_RATE_HZ // 2, _N_FFT // 2 + 1)
    slopes = edges[np.newaxis, :] - bins[:, np.newaxis]
    down = -slopes[:, :-2] / np.diff(edges)[:-1]
    up = slopes[:, 2:] / np.diff(edges)[1:]
    filters = np.maximum(0.0, np.minimum(down, up)) * (2.0 / (edges[2:] - edges[:-2]))
    return filters.T


_FILTERS = _mel_filters()
_WINDOW = np.hanning(_N_FFT + 1)[:-1]  # periodic Hann


def log_mel(x: np.ndarray) -> np.ndarray:
    """Whisper log-mel features of a 16 kHz waveform, normalised first; (80, frames) float32."""
    x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    padded = np.pad(x.astype(np.float64), (_N_FFT // 2, _N_FFT // 2), mode="reflect")
    frames = np.lib.stride_tricks.sliding_window_view(padded, _N_FFT)[::_HOP]
    power = np.abs(np.fft.rfft(frames * _WINDOW, axis=-1)) ** 2
    mel = np.log10(np.maximum(_FILTERS @ power.T, 1e-10))[:, :-1]
    mel = np.maximum(mel, mel.max() - 8.0)
    return ((mel + 4.0) / 4.0).astype(np.float32)
