"""piper (piper-tts, VITS voices in ONNX): streaming inside sentences, one warm voice per language.

Threads: synthesis runs in a pool of `workers` threads that share the loaded voice (ONNX Runtime
sessions run concurrently; piper locks its own phonemizer; the sentence cache is locked), so one
long reply never holds back another call's first audio; the shared engine process sizes the pool
to the box's calls. Audio is handed to the event loop as soon as it is made, resampled from the
voice's rate to the call's with a streaming resampler. A voice streams inside each sentence
(speech/tts/vits_stream.py): the first fifth of a second of a sentence plays while the vocoder
makes the rest; a voice that cannot be cut that way is made a sentence at a time. Closing the
iteration (barge-in) stops its thread before its next piece. Every voice's ONNX sessions are
created once at `start` and warmed, so the first sentence of a call pays no load or first-run
cost. A sentence said before plays from memory (speech/tts/cache.py): the agent repeats its
questions across calls, and a repeat then costs no synthesis. Phonemes come from the espeak-ng
data bundled with piper-tts.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from appliance.audio import resample
from appliance.privacy.offline import local_model_path, offline_onnxruntime
from appliance.speech.tts.base import TtsError
from appliance.speech.tts.cache import SentenceAudioCache
from appliance.speech.tts.vits_stream import HOP_SAMPLES, NotStreamable, Pacer, StreamingVits, pieces

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_CLAUSE_END = re.compile(r"(?<=,)\s+")
FIRST_CLAUSE_WORDS = 4  # a first clause at least this long is synthesized alone
_DONE = object()


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def split_for_streaming(text: str) -> list[str]:
    """Sentences, the first one cut after its first clause when that clause is long enough.

    A VITS voice makes a whole utterance at once, so the first audio waits for the first piece:
    a long first sentence ("Doctor Patel has Tuesday, December eighth at eight, ...") took
    1.3 s before anything played. Its first clause alone sounds the same (the comma is a pause
    anyway) and plays while the rest is made; later pieces are made while earlier ones play."""
    pieces = split_sentences(text)
    if not pieces:
        return pieces
    head, *rest = _CLAUSE_END.split(pieces[0], maxsplit=1)
    if rest and len(head.split()) >= FIRST_CLAUSE_WORDS:
        return [head, rest[0], *pieces[1:]]
    return pieces


class PiperTts:
    name = "piper"

    def __init__(
        self,
        voices: Mapping[str, str | os.PathLike[str]],
        *,
        default_language: str | None = None,
        use_cuda: bool = False,
        length_scale: float | None = None,
        sampled: bool = True,
        stream: bool = True,
        threads: int = 0,
        workers: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not voices:
            raise TtsError("piper: no voice given (a voice per language: {'en': 'path/voice.onnx'})")
        self._paths = {lang: Path(os.fspath(p)) for lang, p in voices.items()}
        self.default_language = default_language or next(iter(self._paths))
        self._use_cuda = use_cuda
        self._length_scale = length_scale
        # VITS samples its prosody and timing from noise: each synthesis of a sentence differs a
        # little. `sampled=False` takes the mean instead, so a simulated caller says a line the
        # same way on every run (a scripted call is then the same call every time).
        self._noise = None if sampled else 0.0
        self._stream = stream  # False: a sentence at a time, as piper makes it (bench/tts.py compares)
        self._threads = threads  # onnxruntime intra-op threads (0: its default)
        self._clock = clock  # paces a sentence's first audio (vits_stream.Pacer)
        self._voices: dict[str, Any] = {}
        self._streams: dict[str, StreamingVits] = {}  # voices cut for streaming inside sentences
        self.not_streamed: dict[str, str] = {}  # language -> why its voice is made whole
        self.cache = SentenceAudioCache()
        # syntheses at once; each reads the voices, which nothing changes after `load`
        self.workers = max(1, workers)
        self._worker = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="piper")

    @property
    def languages(self) -> list[str]:
        return list(self._paths)

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._worker, self.load)

    def load(self) -> None:
        offline_onnxruntime()  # piper makes its own onnxruntime session: telemetry off first
        from piper import PiperVoice

        for lang, path in self._paths.items():
            if lang in self._voices:
                continue
            try:
                onnx = local_model_path(path, what=f"piper voice for {lang!r}")
                config = Path(f"{onnx}.json")
                if not config.is_file():
                    raise TtsError(f"{onnx}: no {config.name} beside it (piper needs the voice config)")
                voice = PiperVoice.load(onnx, config_path=config, use_cuda=self._use_cuda)
                self._voices[lang] = voice
                streaming = self._streaming(lang, voice, onnx) if self._stream else None
                if streaming is None:
                    self._pcm(voice, "Ready.")  # warm the ONNX session: the first call pays nothing
                else:
                    # checked and warmed on the calibration sentences; the one-pass session piper
                    # made is never used for this voice, so its memory goes now
                    self._streams[lang] = streaming
                    voice.session = None
            except TtsError:
                raise
            except Exception as exc:
                raise TtsError(
                    f"{path}: piper cannot load this voice ({type(exc).__name__}: {exc})"
                ) from None

    def _streaming(self, lang: str, voice: Any, onnx: Path) -> StreamingVits | None:
        onnxruntime = offline_onnxruntime()
        options = onnxruntime.SessionOptions()
        if self._threads:
            options.intra_op_num_threads = self._threads
        providers = ["CUDAExecutionProvider"] if self._use_cuda else ["CPUExecutionProvider"]
        try:
            streaming = StreamingVits.load(onnx, options, providers)
            streaming.check_and_calibrate(
                lambda text: [self._feeds(voice, p, noise=0.0) for p in voice.phonemize(text) if p]
            )
        except NotStreamable as exc:
            self.not_streamed[lang] = str(exc)
            return None
        except Exception as exc:  # a graph onnx cannot cut: the voice still speaks, whole sentences
            self.not_streamed[lang] = f"{type(exc).__name__}: {exc}"
            return None
        return streaming

    def _feeds(self, voice: Any, phonemes: list[str], noise: float | None = None) -> dict[str, np.ndarray]:
        """The voice's ONNX inputs for one sentence of phonemes, as piper builds them."""
        config = voice.config
        noise = self._noise if noise is None else noise
        ids = np.array([voice.phonemes_to_ids(phonemes)], dtype=np.int64)
        scales = np.array(
            [
                config.noise_scale if noise is None else noise,
                config.length_scale if self._length_scale is None else self._length_scale,
                config.noise_w_scale if noise is None else noise,
            ],
            dtype=np.float32,
        )
        feeds = {"input": ids, "input_lengths": np.array([ids.shape[1]], dtype=np.int64), "scales": scales}
        if config.num_speakers > 1:
            feeds["sid"] = np.array([config.default_speaker_id or 0], dtype=np.int64)
        return feeds

    async def close(self) -> None:
        self._worker.shutdown(wait=True, cancel_futures=True)
        self._voices.clear()
        self._streams.clear()
        self.cache.clear()

    def voice_rate_hz(self, language: str | None = None) -> int:
        return int(self._voice(language).config.sample_rate)

    def _has(self, language: str) -> bool:
        return language in self._voices or language.split("_")[0].split("-")[0] in self._voices

    def _key(self, language: str | None) -> str:
        lang = language or self.default_language
        if lang in self._voices:
            return lang
        base = lang.split("_")[0].split("-")[0]
        if base in self._voices:
            return base
        raise TtsError(f"piper: no voice for language {lang!r} (have {', '.join(self._paths)})")

    def _voice(self, language: str | None) -> Any:
        return self._voices[self._key(language)]

    def _sentence_audio(
        self, key: str, sentence: str, sample_rate_hz: int, stop: threading.Event
    ) -> Iterator[bytes]:
        """One sentence's PCM16 at the call's rate, piece by piece as it is made."""
        voice = self._voices[key]
        voice_rate = int(voice.config.sample_rate)
        streaming = self._streams.get(key)
        if streaming is None:
            yield resample(self._pcm(voice, sentence), voice_rate, sample_rate_hz)
            return
        import soxr

        resampler = (
            soxr.ResampleStream(voice_rate, sample_rate_hz, 1, dtype="int16", quality="HQ")
            if voice_rate != sample_rate_hz
            else None
        )
        held: list[bytes] = []
        for phonemes in voice.phonemize(sentence):
            if not phonemes:
                continue
            latent = streaming.latent(self._feeds(voice, phonemes))
            frames = max(t.shape[-1] for t in latent)
            spans = pieces(frames)
            pacer = Pacer(spans, HOP_SAMPLES / voice_rate, self._clock)
            for audio, (start, end) in zip(streaming.audio_pieces(latent), spans, strict=True):
                if stop.is_set():
                    return
                pcm = streaming.pcm16(audio)
                held.append((pcm if resampler is None else resampler.resample_chunk(pcm)).tobytes())
                if pacer.made(end - start):
                    yield b"".join(held)
                    held.clear()
        if resampler is not None:
            held.append(resampler.resample_chunk(np.zeros(0, dtype="<i2"), last=True).tobytes())
        yield b"".join(held)

    def _pcm(self, voice: Any, sentence: str) -> bytes:
        from piper import SynthesisConfig

        config = SynthesisConfig(
            length_scale=self._length_scale, noise_scale=self._noise, noise_w_scale=self._noise
        )
        parts = [chunk.audio_int16_bytes for chunk in voice.synthesize(sentence, syn_config=config)]
        return b"".join(parts)

    def speak_blocking(
        self,
        text: str,
        sample_rate_hz: int,
        language: str | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[bytes]:
        """The synthesis itself, piece by piece as it is made. Blocking: `synthesize` runs it in
        the worker thread (bench/tts.py also times it on one core). Stops before its next piece
        once `stop` is set."""
        stop = stop or threading.Event()
        # a language without a voice here is spoken with the default voice: never silence
        key = self._key(language if language and self._has(language) else None)
        for sentence in split_for_streaming(text):
            if stop.is_set():
                return
            pcm = self.cache.get(key, sentence, sample_rate_hz)
            if pcm is not None:
                yield pcm
                continue
            made: list[bytes] = []
            for piece in self._sentence_audio(key, sentence, sample_rate_hz, stop):
                made.append(piece)
                yield piece
            if not stop.is_set():  # a sentence cut short by barge-in is not kept
                self.cache.put(key, sentence, sample_rate_hz, b"".join(made))

    async def synthesize(
        self, text: str, sample_rate_hz: int, language: str | None = None
    ) -> AsyncIterator[bytes]:
        lang = language if language and self._has(language) else None
        self._key(lang)  # a closed engine, or one without voices, says so here
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def work() -> None:
            try:
                for piece in self.speak_blocking(text, sample_rate_hz, language, stop):
                    loop.call_soon_threadsafe(queue.put_nowait, piece)
            except TtsError as exc:
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            except Exception as exc:
                err = TtsError(f"piper synthesis failed ({type(exc).__name__}: {exc})")
                loop.call_soon_threadsafe(queue.put_nowait, err)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _DONE)

        loop.run_in_executor(self._worker, work)
        try:
            while (item := await queue.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                if item:
                    yield item
        finally:
            stop.set()


def pcm_peak(pcm16: bytes) -> int:
    """Largest absolute sample (0 for silence): the health check's proof of sound."""
    return int(np.abs(np.frombuffer(pcm16, dtype="<i2").astype(np.int32)).max()) if pcm16 else 0
