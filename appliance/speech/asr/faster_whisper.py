"""faster-whisper (CTranslate2 Whisper): streaming partials, a quick final, language detection.

Threads: `feed` runs on the caller's thread (the event loop) and only appends bytes; decodes run
in the engine's worker threads (CTranslate2 releases the GIL while it computes, and the lazy
`segments` generator is consumed there, never on the loop). Each stream re-decodes its growing
buffer after every 300 ms of new caller audio, at most one decode in flight, and only while some
of the caller's speech is in no decode yet (the silence after the last word says nothing new, and
its decodes held the worker when the final, Smart Turn and the voice needed the CPU); the partial text
follows LocalAgreement-2 (a word is stable once two consecutive hypotheses agree on it), so the
partial never takes back a stable word, except for the final to be: a decode of the final window
that holds every loud frame of the turn replaces the partial, since `finish` will return it (the
end of turn reads the partial, and must read the words the dialog will get).

The final comes without a decode after the end of turn: the stream also decodes as soon as the
caller pauses (100 ms quieter than 3 % of the turn's loudest frame, or than the line's own
noise, after speech: QUIET_RATIO); that decode covers every word of the turn and runs while the
turn taker is still waiting out its endpoint silence (260 ms or more). At `finish`, when that
decode covers the last loud frame, its text is the final; only speech after it (a caller who
went on in the last moment) costs one more decode.
Partials are not the final. They are most of a call's decodes (one every 300 ms of speech, each
re-reading the turn so far), so each is one greedy guess (`greedy_partials`: no 4-best beam; the
site's words still read into it) over a shorter spliced window (the turn and 2 s,
`partial_spliced_margin_s`, against the final's 6 s). The decode at the pause keeps the beam and
the final's window, so the dialog gets what it got before. A partial still waiting for the model
when the caller pauses (other calls' decodes hold it) is withdrawn for the pause's decode, which
holds its words and no longer waits behind it. Where partials do read what the final reads (the
same window and beam: `partial_spliced_margin_s=None` and no site words, or `greedy_partials`
off), a partial that covers the last loud frame is the final as well: the pause then needs no
decode of its own, and a partial in flight when the caller stops is awaited and kept.

Whisper was trained on 30 s windows, and faster-whisper pads every decode to 30 s, so a 2 s turn
paid the encoder for 30 s (tiny.en on one core: 590 ms of CPU a decode, most of it attention
over the padding). CTranslate2 takes a shorter window, but a decoder that sees only the turn and
a few seconds reads worse than one that sees 30 s: on bench/asr.py the turn and 10 s cost names
and dates of birth 0.109 -> 0.145 word error. The padding's encoding hardly depends on the
turn, so it is computed once, at load, for a whole window of padding; each decode encodes the
turn and `spliced_margin_s`, and the rest of the 30 s is taken from that encoding. The decoder then
sees what it was trained on, and the encoder pays for about a third of the window:
tiny.en, 100 corpus sentences x 2 voices, word error full window -> turn + 6 s spliced: 8 kHz
u-law 0.243 -> 0.241 (0.263 with the turn + 10 s alone), 16 kHz G.722 0.223 -> 0.216 (names and
dates of birth 0.237 -> 0.241 and 0.209 -> 0.234: within a few words), at 163 ms of CPU a decode
instead of 593. This was measured on
English-only tiny.en; on multilingual base the same splice cost 0.239 -> 0.320 (100 utterances),
so a multilingual model, and any model on CUDA (where 30 s is cheap), reads as before: partials
the turn and 10 s, the final the whole 30 s (`spliced_margin_s=None` asks for that on tiny.en).
With the window mostly speech Whisper tends to repeat itself at the end, so a decode may not run
past ten tokens a second of audio (and four). Six was too few: a medication is many tokens
("lisinopril": l-is-in-op-ril), and a quick caller's "refill on my lisinopril" or "…at the front
desk" did not fit, so the beam's best hypotheses were cut at the budget ("listen app", "at the
front"). bench/asr.py, tiny.en+context, 48 held-out sentences x 2 piper callers, 8 kHz μ-law:
word error 0.077 -> 0.043 (medication 0.116 -> 0.049); 9, 12 and 16 tokens a second measured the
same on both halves, and the most any turn needed was 6.3.

No decoder prompt: Whisper's `hotwords` and `initial_prompt` are text the decoder continues, and
with the dialog's expected words (names, months) tiny.en invented them ("june june june" for a
name and a date of birth, "november december" for a goodbye) and decoded 2 to 4 times slower; a
site-wide prompt (providers, medications, topics) changed word error by 0.4 points on 120
corpus sentences, so none is used. `hints` are accepted for the protocol and not used. The
site's own words (names, medications, providers: `vocabulary`) reach Whisper only through n-best
rescoring (rescoring.py): the decoder's 4 best hypotheses, and among those heard nearly as well,
the one naming site words wins. bench/asr.py, tiny.en at 8 kHz μ-law, 40 sentences: word error
0.157 greedy, 0.095 rescored (name and date of birth 0.218 -> 0.109). Each stream is opened for
what the dialog listens for (`context`: "medication", "pharmacy", "identity", …), and where it
expects a term of the site (`expectations`: the formulary after "which medication?", or in the
place the site's refill grammar names one), words that sound close to one are read as it. Whisper
writes ("March 3rd, 1980", "Dr. Patel", "2:30", "555-0167"); `spoken_form` turns that into the
words a caller said, so the dialog and the redaction read Whisper as they read any recognizer.

Telephone audio (8 kHz) is upsampled to Whisper's 16 kHz at decode time, over the whole buffer,
so no frame edge is resampled alone. int8 on CPU, float16 on CUDA. Offline only: the model
folder must hold tokenizer.json, else faster-whisper would fetch one from the hub.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from appliance.audio import SAMPLE_WIDTH, resample
from appliance.numwords import spoken_form
from appliance.privacy.offline import enforce_offline, local_model_path
from appliance.speech.asr.base import AsrError
from appliance.speech.asr.rescoring import Expectation, Listening, heard_again

WHISPER_RATE_HZ = 16000
SPLICED_MARGIN_S = 6.0  # encoded beyond the turn; the rest of 30 s is the padding's encoding (bench/asr.py)
PARTIAL_SPLICED_MARGIN_S = 2.0  # a partial's, spliced: not the final, and the margin is most of its cost
PARTIAL_MARGIN_S = 10.0  # a partial's window when nothing is spliced: the turn and this much
TOKENS_PER_SECOND = 10  # a ceiling on speech: medication names are many tokens a word (bench/asr.py)
FULL_WINDOW_FRAMES = 3000  # Whisper's 30 s window, 100 feature frames a second
PAUSE_MS = 100  # quiet after speech that starts a decode at once: it will hold the turn's last word
FRAME_MS = 20
# A frame is quiet (a pause, after speech) below QUIET_RATIO of the turn's loudest frame, or
# NOISE_MARGIN times the line's own noise (its quietest frame) where that is higher, and never
# above LOUD_RATIO of the loudest: the frame's loudness that stops and breaths inside a sentence
# also fall below at 10 %, and each of those pauses cost a beam decode (bench/asr.py, piper
# callers: 264 quiet runs of 100 ms or more in 96 sentences at 10 %, 104 at 3 %); a noisy line,
# whose noise is above 3 % of the caller, still pauses on its noise, as at 10 %.
QUIET_RATIO = 0.03
NOISE_MARGIN = 4.0
LOUD_RATIO = 0.1
QUIET_FLOOR = 150  # RMS (PCM16) below which a frame is quiet however soft the caller is
_WORD_KEY = re.compile(r"[^\w']+")
# Decodes that wait together go through the model as one batch (`decode_many`): a batch is what
# queued while the model was busy, so nothing waits for one to fill. On a GPU the batch is the
# point (Whisper's 30 s window costs about the same for 16 streams as for one; bench/
# gpu_projection.py confirms it there). On the CPU, tiny.en int8 on this shared 2-core box
# (bench/gpu_projection.py --device cpu, 4 finals of 3.6 s turns, batched against one by one in
# turn): 2 at once 0.64 s against 0.77 s (and less in each of three runs), 4 at once 1.00 against
# 1.12 s (worse in one run of three), 8 at once 2.91 against 2.23 s. So the CPU batches 2.
# `[speech] asr_batch` sets it for a site.
GPU_BATCH = 16
CPU_BATCH = 2


class LocalAgreement:
    """LocalAgreement-2 over word hypotheses: commit the prefix two consecutive hypotheses share."""

    def __init__(self) -> None:
        self.committed: list[str] = []
        self._previous: list[str] = []

    @staticmethod
    def _key(word: str) -> str:
        return _WORD_KEY.sub("", word.lower())

    def update(self, words: Sequence[str]) -> list[str]:
        """Feed the newest hypothesis; returns the words it newly made stable."""
        words = list(words)
        agreed = 0
        for a, b in zip(self._previous, words, strict=False):
            if self._key(a) != self._key(b):
                break
            agreed += 1
        self._previous = words
        n = len(self.committed)
        if agreed <= n:
            return []
        # Only extend: a hypothesis that disagrees with committed words cannot take them back.
        if [self._key(w) for w in words[:n]] != [self._key(w) for w in self.committed]:
            return []
        fresh = words[n:agreed]
        self.committed.extend(fresh)
        return fresh

    def adopt(self, words: Sequence[str]) -> None:
        """A hypothesis that heard every word of the turn on the final's window (the final to
        be): it becomes the stable text, over stable words it disagrees with. Without this, a
        whole-turn decode that reads an early word differently ("book" for "work") was shown
        only as the old stable words ("I need to work on a"), and the end of turn judged the
        turn unfinished on them."""
        self.committed = list(words)
        self._previous = list(words)

    def text(self) -> str:
        """Stable words, then the newest hypothesis's unstable tail."""
        n = len(self.committed)
        tail = (
            self._previous[n:]
            if [self._key(w) for w in self._previous[:n]] == [self._key(w) for w in self.committed]
            else []
        )
        return " ".join([*self.committed, *tail])


@dataclass(frozen=True)
class Decoded:
    text: str
    language: str | None
    language_probability: float
    audio_ms: int
    seconds: float
    hypotheses: tuple[tuple[str, float], ...] = ()  # the decoder's n best as written, with scores (figures)


class FasterWhisperAsr:
    name = "faster-whisper"

    def __init__(
        self,
        model_dir: str | os.PathLike[str],
        *,
        device: str = "auto",
        compute_type: str | None = None,
        language: str | None = None,
        partial_interval_ms: int = 300,
        cpu_threads: int = 0,
        num_workers: int = 1,
        max_new_tokens: int = 128,
        vocabulary: Iterable[str] = (),
        expectations: Iterable[Expectation] = (),
        topics: Iterable[str] = (),
        names: Iterable[str] = (),
        nbest: int = 4,
        partial_margin_s: float = PARTIAL_MARGIN_S,
        final_margin_s: float | None = None,
        spliced_margin_s: float | None = SPLICED_MARGIN_S,
        partial_spliced_margin_s: float | None = PARTIAL_SPLICED_MARGIN_S,
        greedy_partials: bool = True,
        batch_size: int | None = None,
    ) -> None:
        self.model_dir = Path(os.fspath(model_dir))
        self.device = device
        self.compute_type = compute_type
        self.language = language  # None: detect per stream
        self.partial_interval_ms = partial_interval_ms
        self._cpu_threads = cpu_threads
        self._num_workers = num_workers
        self.max_new_tokens = max_new_tokens
        # the site's words, and per dialog context the terms it expects: none, plain greedy decoding
        # and the site's topics (knowledge titles), heard again where a final sounds somewhat like one
        self.listening = Listening.of(vocabulary, expectations, topics, names)
        self.nbest = nbest
        self.partial_margin_s = partial_margin_s
        self.final_margin_s = final_margin_s
        self.spliced_margin_s = spliced_margin_s  # None: never splice
        # spliced, a partial's margin (None: the final's), and whether partials skip the beam:
        # either makes a partial cheaper than the final's decode, and no longer the final
        self.partial_spliced_margin_s = partial_spliced_margin_s
        self.greedy_partials = greedy_partials
        self._model: Any = None
        self._padding: np.ndarray | None = None  # the encoder's output for a window of padding
        self._pool = ThreadPoolExecutor(max_workers=num_workers, thread_name_prefix="faster-whisper")
        # decodes of several streams in one model call (None: decided at load, by device)
        self.batch_size = batch_size
        self._batch_lock = threading.Lock()
        self._waiting: list[tuple[tuple[Any, ...], Future[Decoded]]] = []
        self._draining = 0  # batch loops running in the pool

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, self.load)

    def load(self) -> None:
        if self._model is not None:
            return
        enforce_offline()
        try:
            folder = local_model_path(self.model_dir, what="faster-whisper model")
        except Exception as exc:
            raise AsrError(str(exc)) from None
        for needed in ("model.bin", "tokenizer.json"):
            if not (folder / needed).is_file():
                raise AsrError(
                    f"{folder}: no {needed} (a CTranslate2 Whisper folder needs it; nothing is downloaded)"
                )
        import ctranslate2
        from faster_whisper import WhisperModel

        device = self.device
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        compute_type = self.compute_type or ("float16" if device == "cuda" else "int8")
        try:
            self._model = WhisperModel(
                str(folder),
                device=device,
                compute_type=compute_type,
                cpu_threads=self._cpu_threads,
                num_workers=self._num_workers,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise AsrError(f"{folder}: faster-whisper cannot load this model ({exc})") from None
        self.device, self.compute_type = device, compute_type
        if self.batch_size is None:
            self.batch_size = GPU_BATCH if device == "cuda" else CPU_BATCH
        if device == "cpu" and not self._model.model.is_multilingual and self.spliced_margin_s is not None:
            n_mels = self._model.model.n_mels
            padding = self._model.encode(np.zeros((n_mels, FULL_WINDOW_FRAMES), dtype=np.float32))
            self._padding = np.asarray(padding)  # [1, 1500, width]: float32 on the CPU

    def open_stream(
        self, sample_rate_hz: int, hints: Sequence[str] = (), context: str = ""
    ) -> FasterWhisperStream:
        if self._model is None:
            raise AsrError("faster-whisper: not started (await start() first)")
        return FasterWhisperStream(self, sample_rate_hz, context)

    async def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._model = None

    def decode(
        self, pcm16: bytes, sample_rate_hz: int, language: str | None, final: bool = True, context: str = ""
    ) -> Decoded:
        """One decode of a whole buffer (blocking: runs in a worker; CTranslate2 releases the GIL).
        A partial (`final` false) reads a short encoder window, a final the final window; the
        hypotheses are chosen among for the dialog `context` the turn answers (rescoring.py)."""
        return self.decode_many([(pcm16, sample_rate_hz, language, final, context)])[0]

    def decode_many(self, requests: Sequence[tuple[bytes, int, str | None, bool, str]]) -> list[Decoded]:
        """Several streams' decodes (`decode`'s arguments each) in as few passes of the model as
        their windows allow: the streams whose encoder windows are the same length (on a GPU,
        Whisper's whole 30 s: all of them) go through one encoder call and one `generate`, with
        a prompt per stream. The batch shares one token budget, the largest, and each stream's
        tokens are cut at its own, so a decoder repeating itself is still stopped; a stream
        whose decode alone would have stopped at its ceiling may get its last word whole."""
        started = time.perf_counter()
        groups: dict[tuple[int, int], list[int]] = {}
        prepared = []
        for i, (pcm16, rate, language, final, _) in enumerate(requests):
            audio16 = resample(pcm16, rate, WHISPER_RATE_HZ)
            samples = np.frombuffer(audio16, dtype="<i2").astype(np.float32) / 32768.0
            features = self._model.feature_extractor(samples)
            frames = self.encoder_frames(features.shape[-1], self.window_margin(final))
            groups.setdefault((frames, self.beam(final)), []).append(i)
            prepared.append((features, len(samples) / WHISPER_RATE_HZ, language))
        decoded: dict[int, tuple[list[tuple[str, float]], str, float]] = {}
        encodings: dict[int, np.ndarray | None] = {}
        for (frames, beam), members in groups.items():
            keep = beam > 1 and bool(self.listening.topics)  # a final: its topics may be heard again
            results, encoded = self._decode_features(
                [prepared[i][0] for i in members], frames, [prepared[i][1:] for i in members], beam, keep
            )
            decoded.update(zip(members, results, strict=True))
            encodings.update(zip(members, encoded, strict=True))
        out = []
        for i, (pcm16, rate, _, final, context) in enumerate(requests):
            written, language, probability = decoded[i]
            # the words a caller said ("March 3rd, 1980" -> "March third, nineteen eighty"): the
            # dialog, the redaction and the choice below read Whisper as they read any recognizer
            said = [(spoken_form(text), score) for text, score in written]
            text = self.listening.choose(said, context)
            encoding = encodings.get(i)
            if final and encoding is not None:
                text = self._topic_heard_again(text, context, encoding, language)
            audio_ms = len(pcm16) // SAMPLE_WIDTH * 1000 // rate
            out.append(Decoded(text, language, probability, audio_ms, 0.0, tuple(written)))
        seconds = time.perf_counter() - started
        return [dataclasses.replace(d, seconds=seconds) for d in out]

    def _topic_heard_again(self, text: str, context: str, encoding: np.ndarray, language: str) -> str:
        """`text`, or a respelling with a site topic where the model, forced through both on the
        same audio, finds the topic nearly as likely as the words it wrote (rescoring.py)."""
        respelled = self.listening.respellings(text, context)
        if not respelled:
            return text
        scores = self.forced_scores(encoding, language, [text, *respelled])
        return heard_again(text, scores[0], list(zip(respelled, scores[1:], strict=True)))

    def forced_scores(self, encoding: np.ndarray, language: str, texts: Sequence[str]) -> list[float]:
        """Each text's sum of token log-probabilities under the decoder, forced through its tokens
        on one stream's encoded audio ([positions, width]: the turn and its margin)."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        tokens = [tokenizer.encode(" " + t.strip()) for t in texts]
        batch = np.ascontiguousarray(np.broadcast_to(encoding, (len(texts), *encoding.shape)))
        results = model.model.align(
            ctranslate2.StorageView.from_array(batch),
            list(tokenizer.sot_sequence),
            tokens,
            [encoding.shape[0] * 2] * len(texts),
        )
        del batch  # the memory the StorageView views lives till here
        return [float(np.log(np.maximum(r.text_token_probs, 1e-12)).sum()) for r in results]

    def window_margin(self, final: bool) -> float | None:
        """The encoder margin a decode reads: spliced, the final's or a partial's margin; else
        the partial's short window or the final's (None: the whole 30 s)."""
        if self._padding is not None:
            if final or self.partial_spliced_margin_s is None:
                return self.spliced_margin_s
            return self.partial_spliced_margin_s
        return self.final_margin_s if final else self.partial_margin_s

    def beam(self, final: bool) -> int:
        """Hypotheses a decode keeps: the n best where the site's words choose among them (the
        final, and partials unless `greedy_partials`), else one."""
        if not self.listening.rescores or (self.greedy_partials and not final):
            return 1
        return self.nbest

    @property
    def partials_read_final_window(self) -> bool:
        """A partial decode is what the final's decode is (the same window and beam): one that
        holds the whole turn is the final."""
        return self.window_margin(False) == self.window_margin(True) and self.beam(False) == self.beam(True)

    @staticmethod
    def encoder_frames(frames: int, margin_s: float | None) -> int:
        """The encoder window for `frames` of features (100 a second): the turn and a margin, or
        Whisper's full 30 s when `margin_s` is None."""
        if margin_s is None:
            return FULL_WINDOW_FRAMES
        wanted = frames + int(margin_s * 100)
        return min(FULL_WINDOW_FRAMES, -(-wanted // 100) * 100)  # whole seconds: even, as the encoder needs

    def _encode(self, features: np.ndarray) -> tuple[Any, np.ndarray | None]:
        """The encoder's output for a whole 30 s window per stream: `features` ([batch, mels,
        frames]: the turns and their margin) encoded, and the positions after them taken from
        the padding's encoding. Also the array the output views, which must outlive it."""
        import ctranslate2

        encoded = self._model.encode(features)
        if self._padding is None or features.shape[-1] >= FULL_WINDOW_FRAMES:
            return encoded, None
        turn = np.asarray(encoded)  # [batch, positions, width]
        padding = np.broadcast_to(
            self._padding[:, turn.shape[1] :], (turn.shape[0], *self._padding[0, turn.shape[1] :].shape)
        )
        whole = np.ascontiguousarray(np.concatenate([turn, padding], axis=1))
        return ctranslate2.StorageView.from_array(whole), whole

    def token_budget(self, seconds: float) -> int:
        """At most this many tokens for `seconds` of audio. A caller says about 3 words a second,
        up to 6 tokens with medication names and numbers; a decoder that goes on far past that is
        repeating itself, which Whisper does when its window is mostly padding. A budget that
        is only just enough cuts the turn's last word: the beam keeps hypotheses that end at it."""
        return min(self.max_new_tokens, int(seconds * TOKENS_PER_SECOND) + 4)

    def _decode_features(
        self,
        batch: Sequence[np.ndarray],
        frames: int,
        streams: Sequence[tuple[float, str | None]],
        beam: int,
        keep_encoding: bool = False,
    ) -> tuple[list[tuple[list[tuple[str, float]], str, float]], list[np.ndarray | None]]:
        """Per stream, the decoder's hypotheses as Whisper writes them, with their scores, best
        first (`beam` of them; one when greedy), from one encoder pass over `frames` of each
        stream's features. `streams`: each one's audio seconds and language (None: detect it).
        Also, with `keep_encoding` on the CPU, each stream's encoded turn and margin (else None)."""
        from faster_whisper.audio import pad_or_trim
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        model = self._model
        window = np.stack([pad_or_trim(features, frames) for features in batch])
        encoded, held = self._encode(window)
        languages: list[str | None] = [language for _, language in streams]
        probabilities = [1.0] * len(batch)
        if not model.model.is_multilingual:
            languages = ["en"] * len(batch)
        elif any(language is None for language in languages):
            detected = model.model.detect_language(encoded)
            languages = list(languages)
            for i, language in enumerate(languages):
                if language is None:
                    token, probabilities[i] = detected[i][0]
                    languages[i] = token[2:-2]  # "<|es|>"
        tokenizers = [
            Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language)
            for language in languages
        ]
        prompts = [model.get_prompt(tokenizer, [], without_timestamps=True) for tokenizer in tokenizers]
        budgets = [self.token_budget(seconds) for seconds, _ in streams]
        results = model.model.generate(
            encoded,
            prompts,
            beam_size=beam,
            num_hypotheses=beam,
            return_scores=True,
            max_length=max(len(p) + b for p, b in zip(prompts, budgets, strict=True)),
            suppress_blank=True,
            suppress_tokens=get_suppressed_tokens(tokenizers[0], (-1,)),
        )
        kept: list[np.ndarray | None] = [None] * len(batch)
        if keep_encoding and self.device == "cpu":  # the turn and its margin: no padding to hear again
            whole = held if held is not None else np.asarray(encoded)
            kept = [np.array(whole[i, : frames // 2]) for i in range(len(batch))]
        del held  # the memory `encoded` views (a StorageView from numpy does not own it) lives till here
        out = []
        for result, tokenizer, budget, language, probability in zip(
            results, tokenizers, budgets, languages, probabilities, strict=True
        ):
            hypotheses = [
                (tokenizer.decode(ids[:budget]).strip(), float(score))
                for ids, score in zip(result.sequences_ids, result.scores, strict=True)
            ]
            out.append((hypotheses, str(language), float(probability)))
        return out, kept

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        if fn != self.decode or (self.batch_size or 1) <= 1:
            return self._pool.submit(fn, *args)
        future: Future[Decoded] = Future()
        with self._batch_lock:
            self._waiting.append((args, future))
            if self._draining < self._num_workers:
                self._pool.submit(self._drain)  # raises once the engine is closed, as before
                self._draining += 1
        return future

    def _drain(self) -> None:
        """A batch loop (a pool thread): decode what waits, up to batch_size at once, until
        nothing does. No decode waits for a batch to fill: a batch is what queued while the
        model was busy, so a lone stream is decoded at once, as it would be unbatched. Decodes at
        a pause go first: a caller's turn may be ending on one (the end-of-turn verdict and the
        final wait for it), while a partial that waits a little is only a little older."""
        while True:
            with self._batch_lock:
                # stable: in order of arrival within each kind (`decode`'s `final`, else True)
                self._waiting.sort(key=lambda waiting: not self._request(*waiting[0])[3])
                taken, self._waiting = self._waiting[: self.batch_size], self._waiting[self.batch_size :]
                if not taken:
                    self._draining -= 1
                    return
            # a stream that was cancelled (barge-in, hang-up) meanwhile is left out
            live = [(args, f) for args, f in taken if f.set_running_or_notify_cancel()]
            if not live:
                continue
            try:
                if len(live) == 1:  # alone: the plain decode (a bench may time it)
                    results = [self.decode(*live[0][0])]
                else:
                    results = self.decode_many([self._request(*args) for args, _ in live])
            except Exception as exc:  # the batch failed: every stream in it hears why
                for _, future in live:
                    future.set_exception(exc)
                continue
            for (_, future), result in zip(live, results, strict=True):
                future.set_result(result)

    @staticmethod
    def _request(
        pcm16: bytes, sample_rate_hz: int, language: str | None, final: bool = True, context: str = ""
    ) -> tuple[bytes, int, str | None, bool, str]:
        return pcm16, sample_rate_hz, language, final, context


class FasterWhisperStream:
    """One caller turn. `feed` never blocks; decodes run in the engine's workers."""

    def __init__(self, engine: FasterWhisperAsr, sample_rate_hz: int, context: str = "") -> None:
        self._engine = engine
        self.sample_rate_hz = sample_rate_hz
        self.context = context  # what the dialog listens for: the hypotheses are chosen for it
        self._buffer = bytearray()
        self._lock = threading.RLock()  # a decode done before add_done_callback calls back at once
        self._interval_bytes = sample_rate_hz * engine.partial_interval_ms // 1000 * SAMPLE_WIDTH
        self._frame_bytes = sample_rate_hz * FRAME_MS // 1000 * SAMPLE_WIDTH
        self._measured = 0  # buffer bytes whose loudness is measured (whole frames)
        self._peak_rms = 0.0
        self._noise_rms = float("inf")  # the turn's quietest frame: the line's own noise
        self._speech_end = 0  # buffer length up to the last loud frame
        self._quiet_ms = 0
        self._decoded_upto = 0  # buffer length the newest scheduled decode covers
        self._final_upto = 0  # … and the newest scheduled decode of the final window
        self._in_flight: Future[Decoded] | None = None
        self._in_flight_covers = -1  # buffer length the decode in flight covers, if it reads the final window
        # (buffer length, result) of the newest decode that read the final window
        self._newest: tuple[int, Decoded] | None = None
        self._agreement = LocalAgreement()
        self._cancelled = False
        self.language: str | None = engine.language
        self.detected_language: str | None = None
        self.partials: list[tuple[int, str]] = []  # (audio ms decoded, partial text), for figures
        self.final_decoded = False  # whether the final needed a decode after `finish` (figures)

    def feed(self, pcm16: bytes) -> None:
        with self._lock:
            if self._cancelled:
                return
            self._buffer.extend(pcm16)
            self._measure_locked()
            self._maybe_decode_locked()

    def _measure_locked(self) -> None:
        """Loudness per 20 ms frame: where the caller's speech ends, and whether they paused."""
        while len(self._buffer) - self._measured >= self._frame_bytes:
            end = self._measured + self._frame_bytes
            frame = np.frombuffer(bytes(self._buffer[self._measured : end]), dtype="<i2")
            rms = float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))
            self._peak_rms = max(self._peak_rms, rms)
            self._noise_rms = min(self._noise_rms, rms)
            ratio = QUIET_RATIO * self._peak_rms
            quiet_below = min(LOUD_RATIO * self._peak_rms, max(ratio, NOISE_MARGIN * self._noise_rms))
            if rms >= max(QUIET_FLOOR, quiet_below):
                self._speech_end, self._quiet_ms = end, 0
            else:
                self._quiet_ms += FRAME_MS
            self._measured = end

    def _maybe_decode_locked(self) -> None:
        # at a pause, a decode of the final window that holds the last word (a partial may not)
        pause = self._quiet_ms >= PAUSE_MS and self._speech_end > self._final_upto
        if self._in_flight is not None:
            # A partial still waiting for the model (other calls' decodes hold it) when the caller
            # pauses is withdrawn: the pause's decode holds its words, and would wait behind it.
            # (Cancelling calls `_on_partial` at once, which clears `_in_flight`.)
            withdrawn = pause and self._in_flight_covers < 0 and self._in_flight.cancel()
            if not withdrawn or self._in_flight is not None:
                return
        new = len(self._buffer) - self._decoded_upto
        unheard_speech = self._speech_end > self._decoded_upto
        # Once every loud frame is in a decode, more audio is the caller's silence: decoding it
        # again says the same words and would hold the worker (and the final behind it) while
        # the turn taker, Smart Turn and the voice need the CPU.
        if (new < self._interval_bytes or not unheard_speech) and not pause:
            return
        snapshot = bytes(self._buffer)
        self._decoded_upto = len(snapshot)
        # The decode at a pause may be the final (no more words): it reads the final window. So
        # does every partial where the engine reads one window for both (tiny.en spliced).
        final = pause or self._engine.partials_read_final_window
        future = self._engine.submit(
            self._engine.decode, snapshot, self.sample_rate_hz, self.language, pause, self.context
        )
        self._in_flight = future
        self._in_flight_covers = len(snapshot) if final else -1
        if final:
            self._final_upto = len(snapshot)
        future.add_done_callback(lambda f, n=len(snapshot), final=final: self._on_partial(f, n, final))

    def _on_partial(self, future: Future[Decoded], covered: int, final: bool) -> None:
        with self._lock:
            self._in_flight = None
            self._in_flight_covers = -1
            if self._cancelled or future.cancelled() or future.exception() is not None:
                return
            result = future.result()
            if final:
                self._newest = (covered, result)
            self._adopt_language(result)
            if final and covered >= self._speech_end:
                self._agreement.adopt(result.text.split())  # what `finish` will return
            else:
                self._agreement.update(result.text.split())
            self.partials.append((result.audio_ms, self._agreement.text()))
            self._maybe_decode_locked()  # audio that arrived meanwhile

    def _adopt_language(self, result: Decoded) -> None:
        # Fix the language once the model is sure, so later partials skip detection drift.
        if self.language is None and result.language and result.language_probability >= 0.5:
            self.language = result.language
        self.detected_language = result.language

    @property
    def partial_text(self) -> str:
        with self._lock:
            return self._agreement.text()

    @property
    def stable_text(self) -> str:
        with self._lock:
            return " ".join(self._agreement.committed)

    @property
    def caught_up(self) -> bool:
        """No decode in flight (one would finish without more audio): a simulated media clock
        waits until this holds, so a scripted call hears the same partials on every run."""
        with self._lock:
            return self._in_flight is None

    async def settled(self) -> None:
        """Wait until no decode is in flight (the partial then covers everything fed)."""
        while True:
            with self._lock:
                pending = self._in_flight
            if pending is None:
                return
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(pending)

    def _final_at_hand_locked(self) -> tuple[str | None, Future[Decoded] | None]:
        """The final without a new decode: a finished decode of the final window that holds
        every loud frame (its text), else one such decode in flight (to await)."""
        if self._newest is not None and self._newest[0] >= self._speech_end:
            return self._newest[1].text, None
        if self._in_flight is not None and self._in_flight_covers >= self._speech_end:
            return None, self._in_flight
        return None, None

    async def finish(self) -> str:
        with self._lock:
            if self._cancelled:
                raise AsrError("faster-whisper: stream was cancelled")
            if not self._buffer or self._peak_rms == 0.0:
                return ""
            text, pending = self._final_at_hand_locked()
        if text is not None:
            return text  # the decode at the pause (or a partial after the last word) holds the turn
        if pending is None:
            # A partial in flight that misses the last words: its result is not the final.
            await self.settled()
        else:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(pending)
        with self._lock:
            audio = bytes(self._buffer)
            text, _ = self._final_at_hand_locked()
            if text is not None:
                return text
            self.final_decoded = True
        try:
            result = await asyncio.wrap_future(
                self._engine.submit(
                    self._engine.decode, audio, self.sample_rate_hz, self.language, True, self.context
                )
            )
        except AsrError:
            raise
        except Exception as exc:
            raise AsrError(f"faster-whisper decode failed ({type(exc).__name__}: {exc})") from exc
        self._adopt_language(result)
        return result.text

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            if self._in_flight is not None:
                self._in_flight.cancel()
            self._buffer.clear()
