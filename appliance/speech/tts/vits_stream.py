"""A piper voice that streams inside a sentence: the first audio before the rest is made.

VITS makes a sentence in one ONNX pass: a text encoder and a duration predictor over the
phonemes and a normalizing flow over the latent frames (the front), then the HiFi-GAN vocoder,
which turns each latent frame into 256 samples (the back). The vocoder is two thirds of the work
(en_US-joe-medium, "How can I help you today?", one thread: front 35 ms of CPU, vocoder 74 ms),
and it is local: a frame's audio depends only on the latent frames within a few of it (its
convolutions). So the voice's graph is cut, in memory, where the vocoder begins; the front runs
once per sentence, and the vocoder runs piece by piece, each piece with `CONTEXT_FRAMES` of its
neighbours on either side whose audio is dropped. The pieces join into the samples one pass makes
(checked at load), and the first piece is short, so a sentence starts to sound after the front
and a fifth of a second of audio instead of after all of it. Later pieces double, so the stream
keeps ahead of playback with little repeated work (about a third more vocoder work in all).

A pause inside a sentence sounds worse than a later start: on a loaded box the vocoder can run
slower than speech, so `Pacer` holds a sentence's first pieces until, at the pace measured so far,
the rest will be made before the held audio has played. On a quiet box that is the first piece.

A voice whose graph cannot be cut there (another export, a tiny test voice), or whose pieces do
not join into the one-pass audio at load, is spoken a sentence at a time.

Piper scales each sentence so its loudest sample is full scale. A stream cannot know a sentence's
loudest sample before its end, so a voice gets one gain, measured at load on calibration
sentences: every sentence then has the voice's own loudness (piper's per-sentence scaling moved
sentences by up to 6 dB against each other).

Threads: after `load` and `check_and_calibrate` nothing here changes, and ONNX Runtime runs a
session from several threads at once: a voice serves every thread of its synthesis pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from appliance.privacy.offline import offline_onnxruntime

VOCODER_SCOPE = "/dec/"  # piper's export names the vocoder's nodes after its module, `dec`
HOP_SAMPLES = 256  # audio samples per latent frame in piper's VITS voices
CONTEXT_FRAMES = 10  # neighbours each piece is computed with (joe: 5 differ by 1 %, 10 by 1e-6)
FIRST_PIECE_FRAMES = 16  # the first piece: 0.19 s of audio at 22,050 Hz
MAX_PIECE_FRAMES = 128  # pieces double up to this
JOIN_TOLERANCE = 1e-3  # largest sample difference (full scale 1.0) between pieces and one pass
PEAK_TARGET = 0.9  # the calibration sentences' loudest sample lands here
CALIBRATION = (
    "Thank you for calling. How can I help you today?",
    "Okay, goodbye!",
    "That could be a medical emergency. Please hang up and dial 911 now.",
)  # the agent's kind of speech; loud and soft sentences alike


class Pacer:
    """Whether a sentence's audio made so far may start to play: once, at the pace the vocoder
    has kept on this sentence, every piece still to come will be made before the audio ahead of
    it has played. After that everything plays as it comes. The clock is injected (seconds,
    monotonic)."""

    def __init__(self, spans: Sequence[tuple[int, int]], frame_s: float, clock: Callable[[], float]) -> None:
        self._spans = list(spans)  # pieces(): the frames of each piece, in order
        self._frame_s = frame_s  # audio seconds per latent frame
        self._clock = clock
        self._started = clock()
        self._made = 0
        self.playing = False

    def made(self, frames: int) -> bool:
        """`frames` more were made; True when the audio may play (and from then on)."""
        self._made += frames
        if not self.playing:
            # playing from now, the piece [start, end) is due when the audio before it has
            # played, (start - made) frames after the held ones: it must be made by then
            pace = (self._clock() - self._started) / max(1, self._made) / self._frame_s  # 1: real time
            self.playing = all(
                pace * (end - self._made) <= start for start, end in self._spans if end > self._made
            )
        return self.playing


class NotStreamable(Exception):
    """The voice's graph has no flow to cut at, or its pieces do not join into one pass."""


def pieces(frames: int) -> list[tuple[int, int]]:
    """[start, end) frame ranges covering `frames`: a short first piece, then doubling ones."""
    out: list[tuple[int, int]] = []
    start, size = 0, FIRST_PIECE_FRAMES
    while start < frames:
        end = min(frames, start + size)
        if frames - end < size // 2:  # a sliver left over joins this piece: a run costs its context
            end = frames
        out.append((start, end))
        start, size = end, min(MAX_PIECE_FRAMES, size * 2)
    return out


def _cut_tensors(graph: Any) -> list[str]:
    """The tensors the vocoder consumes from the front: the inputs of the vocoder and of
    everything computed from it, that are made outside it (not weights, not constants)."""
    consumers: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    back: set[int] = set()
    todo = [n for n in graph.node if n.name.startswith(VOCODER_SCOPE)]
    while todo:
        node = todo.pop()
        if id(node) in back:
            continue
        back.add(id(node))
        for out in node.output:
            todo.extend(consumers.get(out, []))
    if not back:
        raise NotStreamable("no vocoder scope in the voice's graph")
    made_in_back = {o for n in graph.node if id(n) in back for o in n.output}
    constants = {i.name for i in graph.initializer} | {
        o for n in graph.node if n.op_type == "Constant" for o in n.output
    }
    cut = sorted(
        {
            name
            for n in graph.node
            if id(n) in back
            for name in n.input
            if name and name not in made_in_back and name not in constants
        }
    )
    if not cut:
        raise NotStreamable("the vocoder takes nothing from the front")
    return cut


@dataclass
class StreamingVits:
    """A piper VITS voice cut in two: `front` (phoneme ids -> latent frames) and `back` (the
    vocoder: latent frames -> audio), with the gain that stands in for piper's per-sentence scaling."""

    front: Any  # onnxruntime.InferenceSession
    back: Any
    cut: list[str]  # front outputs = back inputs, each [batch, channels, frames]
    gain: float = 1.0

    @classmethod
    def load(cls, onnx_path: Path, session_options: Any, providers: Sequence[Any]) -> StreamingVits:
        import onnx
        from onnx.utils import Extractor

        onnxruntime = offline_onnxruntime()

        model = onnx.load(str(onnx_path))
        cut = _cut_tensors(model.graph)
        inputs = [i.name for i in model.graph.input]
        outputs = [o.name for o in model.graph.output]
        extractor = Extractor(model)
        front = extractor.extract_model(inputs, cut)
        back = extractor.extract_model(cut, outputs)

        def session(part: Any) -> Any:
            return onnxruntime.InferenceSession(
                part.SerializeToString(), sess_options=session_options, providers=list(providers)
            )

        return cls(front=session(front), back=session(back), cut=cut)

    def latent(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        """The front: the back's inputs for the whole sentence, in `cut` order. Each is a frame
        sequence [batch, channels, frames], or [batch, channels, 1] (a speaker embedding)."""
        outs = [np.asarray(o) for o in self.front.run(self.cut, feeds)]
        frames = max((o.shape[-1] for o in outs), default=0)
        if any(o.ndim != 3 or o.shape[-1] not in (1, frames) for o in outs):
            raise NotStreamable(f"the cut tensors are not frame sequences ({[o.shape for o in outs]})")
        return outs

    def audio_pieces(self, latent: Sequence[np.ndarray]) -> Iterator[np.ndarray]:
        """Float audio, piece by piece, each piece ready before the next is computed (pieces()
        gives their frames)."""
        frames = max(t.shape[-1] for t in latent)
        for start, end in pieces(frames):
            lo, hi = max(0, start - CONTEXT_FRAMES), min(frames, end + CONTEXT_FRAMES)
            feeds = {
                name: np.ascontiguousarray(t[:, :, lo:hi]) if t.shape[-1] == frames else t
                for name, t in zip(self.cut, latent, strict=True)
            }
            audio = np.asarray(self.back.run(None, feeds)[0]).reshape(-1)
            skip = (start - lo) * HOP_SAMPLES
            yield audio[skip : skip + (end - start) * HOP_SAMPLES]

    def one_pass(self, latent: Sequence[np.ndarray]) -> np.ndarray:
        feeds = dict(zip(self.cut, latent, strict=True))
        return np.asarray(self.back.run(None, feeds)[0]).reshape(-1)

    def check_and_calibrate(self, feeds_for: Any) -> None:
        """Pieces must join into the one-pass audio (checked on the first calibration sentence,
        else NotStreamable); the gain puts the calibration sentences' loudest sample at
        PEAK_TARGET. `feeds_for(text)` gives the front's inputs for each sentence piper makes of
        the text (its phonemes and scales, noise off). Also warms both sessions."""
        peak = 0.0
        for i, feeds in enumerate(f for text in CALIBRATION for f in feeds_for(text)):
            latent = self.latent(feeds)
            whole = self.one_pass(latent)
            if i == 0:
                joined = np.concatenate([np.zeros(0, np.float32), *self.audio_pieces(latent)])
                if joined.shape != whole.shape:
                    raise NotStreamable(f"pieces give {joined.shape[0]} samples, one pass {whole.shape[0]}")
                worst = float(np.abs(joined - whole).max()) if len(whole) else 0.0
                if worst > JOIN_TOLERANCE:
                    raise NotStreamable(f"pieces differ from one pass by {worst:.4f} of full scale")
            peak = max(peak, float(np.abs(whole).max()) if len(whole) else 0.0)
        if peak <= 1e-4:
            raise NotStreamable("the voice is silent on the calibration sentences")
        self.gain = PEAK_TARGET / peak

    def pcm16(self, audio: np.ndarray) -> np.ndarray:
        """Float audio at the voice's gain as PCM16 samples (clipped at full scale)."""
        return np.clip(audio * (self.gain * 32767.0), -32767.0, 32767.0).astype("<i2")
