"""pocketsphinx speech recognition (the embedded default) behind the AsrEngine interface.

Decoding runs in a small pool of warm worker processes (appliance/speech/asr/pocketsphinx_worker.py),
never in the event-loop process: the binding holds the interpreter lock while it decodes. Each
open stream borrows one worker until `finish` or `cancel`.

Threads and processes:
- The event loop calls `open_stream`, `feed`, `finish`, `cancel`. `feed` only appends to a queue.
- One sender thread per worker takes audio off that queue and writes it into the worker's inbox
  pipe, so a worker that falls behind (a full pipe) blocks that thread, never the loop.
- The worker decodes each chunk as it arrives and writes partial and final hypotheses to its
  outbox pipe, which the loop watches with `add_reader`; results land on the loop directly.
A worker that dies fails its current stream with AsrError (the call goes to a person) and is
replaced at once, so later calls get a warm worker again.

With a `corpus`, the engine builds a site language model (appliance/speech/asr/domain_lm.py)
at `start` and every worker loads it; without one, the wheel's general English model is used.
With `contexts` too (dialog context -> sentences, appliance/dialog/corpus.py), every worker also
loads one small model per context, and a turn opened with `context="identity"` is decoded with
that model: while the dialog waits for a name and date of birth, "maria" is no longer heard as
"real" (the site model's "a real person"). `hints` are accepted and ignored: pocketsphinx cannot
bias an n-gram search per turn cheaply, and the context models carry what the dialog expects.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import queue
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from appliance.audio import SUPPORTED_RATES_HZ
from appliance.config import default_data_dir
from appliance.speech.asr.base import AsrError
from appliance.speech.asr.domain_lm import (
    DEFAULT_GENERAL_WEIGHT,
    DEFAULT_GENERAL_WORDS,
    DomainModel,
    build_domain_model,
    model_paths,
)
from appliance.speech.asr.pocketsphinx_worker import WorkerSpec, serve

log = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0
FINISH_TIMEOUT_S = 10.0
# Word accuracy on scenario audio (8 kHz / 16 kHz) by language weight: 6.5 (the model's default)
# 0.42/0.67, 10: 0.45/0.73, 14: 0.33/0.62.
DOMAIN_LANGUAGE_WEIGHT = 10.0
_STOP = None  # sender-thread sentinel


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """While a decoder is spawned: spawn re-imports the parent's main module in the child, and
    under `wardline` (or `python -m appliance.cli.main`) that is the whole CLI with every command
    group: about 20 MiB more per decoder and seconds of imports at start, for nothing (the
    decoder runs pocketsphinx_worker.serve alone). Without a spec or a file, spawn skips it."""
    main = sys.modules.get("__main__")
    saved = {name: main.__dict__[name] for name in ("__spec__", "__file__") if main and name in main.__dict__}
    try:
        if main is not None:
            main.__dict__.pop("__file__", None)
            main.__dict__["__spec__"] = None
        yield
    finally:
        if main is not None:
            main.__dict__.pop("__spec__", None)
            main.__dict__.update(saved)


class _WorkerHandle:
    """The engine's side of one worker process: its pipes, its sender thread, its current stream."""

    def __init__(self, spec: WorkerSpec, loop: asyncio.AbstractEventLoop, on_death: Any) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork: the parent has threads and a loop
        inbox_read, self._inbox = ctx.Pipe(duplex=False)
        self._outbox, outbox_write = ctx.Pipe(duplex=False)
        self.process: BaseProcess = ctx.Process(
            target=serve, args=(spec, inbox_read, outbox_write), name="wardline-pocketsphinx", daemon=True
        )
        with _main_module_hidden():
            self.process.start()
        inbox_read.close()
        outbox_write.close()
        self._loop = loop
        self._on_death = on_death
        self.ready: asyncio.Future[None] = loop.create_future()
        self.stream: PocketsphinxStream | None = None
        self.alive = True
        self.was_ready = False
        self._queue: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._sender = threading.Thread(target=self._send_loop, name="wardline-asr-sender", daemon=True)
        self._sender.start()
        loop.add_reader(self._outbox.fileno(), self._on_readable)

    def send(self, message: tuple[Any, ...]) -> None:
        """Queue a message for the worker; never blocks."""
        self._queue.put(message)

    def _send_loop(self) -> None:
        while (message := self._queue.get()) is not _STOP:
            try:
                self._inbox.send(message)
            except (OSError, ValueError):
                return  # the worker is gone; the reader sees EOF and reports it on the loop

    def _on_readable(self) -> None:
        try:
            while self._outbox.poll():
                self._dispatch(self._outbox.recv())
        except (EOFError, OSError):
            self._died("the recognizer worker exited")

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            self.was_ready = True
            if not self.ready.done():
                self.ready.set_result(None)
        elif kind == "error":
            self._died(f"the recognizer worker failed: {message[2]}")
        elif self.stream is not None and message[1] == self.stream.stream_id:
            self.stream._on_result(kind, message[2])

    def _died(self, reason: str) -> None:
        if not self.alive:
            return
        self.alive = False
        self._detach()
        if not self.ready.done():
            self.ready.set_exception(AsrError(reason))
        if self.stream is not None:
            self.stream._on_failure(AsrError(reason))
            self.stream = None
        self._on_death(self, reason)

    def _detach(self) -> None:
        self._loop.remove_reader(self._outbox.fileno())
        self._queue.put(_STOP)

    def kill(self) -> None:
        """For tests and shutdown: stop the worker process at once."""
        self.process.kill()

    def close(self) -> None:
        """Detach from the loop and tell the worker to exit (it sees EOF); see `reap`."""
        if self.alive or not self._inbox.closed:
            self.alive = False
            self._detach()
            self._queue.put(_STOP)
            self._sender.join(timeout=1.0)  # it only ever waits on a full pipe to a live worker
            self._inbox.close()

    def reap(self, timeout_s: float = 2.0) -> None:
        """Wait for the process to exit, killing it if it will not (blocking: run off the loop)."""
        self.process.join(timeout=timeout_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=timeout_s)
        self._outbox.close()


class PocketsphinxStream:
    """One caller turn on one worker (implements AsrStream)."""

    def __init__(self, engine: PocketsphinxAsr, worker: _WorkerHandle, stream_id: int, rate_hz: int) -> None:
        self.stream_id = stream_id
        self.sample_rate_hz = rate_hz
        self._engine = engine
        self._worker: _WorkerHandle | None = worker
        self._partial = ""
        self._fed = 0  # bytes of audio sent to the worker …
        self._heard = 0  # … and acknowledged as decoded (partials for them already in)
        self._final: asyncio.Future[str] = worker._loop.create_future()
        self._failure: AsrError | None = None
        self._ended = False
        self.finish_latency_s: float | None = None
        """Seconds from the `finish` call to the final text (for latency reports)."""

    @property
    def partial_text(self) -> str:
        return self._partial

    @property
    def caught_up(self) -> bool:
        """Everything fed is decoded and its partial text is in (or the stream is over)."""
        return self._heard >= self._fed or self._worker is None or self._ended

    def feed(self, pcm16: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        if self._ended or self._worker is None:
            raise AsrError("audio fed to a recognizer stream that has already finished")
        if pcm16:
            self._fed += len(pcm16)
            self._worker.send(("audio", self.stream_id, bytes(pcm16)))

    async def finish(self) -> str:
        if self._failure is not None:
            raise self._failure
        if self._worker is None:
            raise AsrError("finish on a recognizer stream that was cancelled")
        if not self._ended:
            self._ended = True
            self._worker.send(("end", self.stream_id))
        started = time.perf_counter()
        try:
            text = await asyncio.wait_for(asyncio.shield(self._final), self._engine.finish_timeout_s)
        except TimeoutError as exc:
            if self._worker is not None:
                self._worker.kill()  # stuck: its death handler fails this turn and starts a fresh one
            raise AsrError(
                f"the recognizer gave no final text within {self._engine.finish_timeout_s:.0f} s"
            ) from exc
        self.finish_latency_s = time.perf_counter() - started
        return text

    def cancel(self) -> None:
        if self._worker is not None and not self._final.done():
            self._worker.send(("cancel", self.stream_id))
        self._release()

    def _on_result(self, kind: str, text: Any) -> None:
        if kind == "heard":
            self._heard = text
        elif kind == "partial":
            self._partial = text
        elif kind == "final" and not self._final.done():
            self._partial = text
            self._final.set_result(text)
            self._release()

    def _on_failure(self, error: AsrError) -> None:
        self._failure = error
        self._worker = None
        if not self._final.done():
            self._final.set_exception(error)
            self._final.exception()  # mark retrieved: nobody may be awaiting a cancelled turn

    def _release(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None and worker.stream is self:
            worker.stream = None
            self._engine._idle(worker)


class PocketsphinxAsr:
    """The embedded recognizer: pocketsphinx en-US in `workers` warm worker processes.

    `corpus`: sentences the site's callers say; when given, a domain language model is built
    from them (mixed with the general model's `general_words` commonest words at weight
    `general_weight`; 0 by default: on our audio the mix never beat the site model alone) and
    used instead of the general English model. `fwdflat` turns on pocketsphinx's second pass at
    end of turn (more accurate, but it adds ~40 ms per second of speech to the reply latency).
    """

    name = "pocketsphinx"

    def __init__(
        self,
        corpus: Sequence[str] = (),
        *,
        contexts: Mapping[str, Sequence[str]] | None = None,
        workers: int = 2,
        cache_dir: Path | None = None,
        general_words: int = DEFAULT_GENERAL_WORDS,
        general_weight: float = DEFAULT_GENERAL_WEIGHT,
        fwdflat: bool = False,
        finish_timeout_s: float = FINISH_TIMEOUT_S,
    ) -> None:
        if workers < 1:
            raise ValueError(f"pocketsphinx needs at least one worker, got {workers}")
        self.corpus = tuple(corpus)
        self.contexts = {name: tuple(lines) for name, lines in (contexts or {}).items()}
        self.workers = workers
        self.cache_dir = cache_dir
        self.general_words = general_words
        self.general_weight = general_weight
        self.fwdflat = fwdflat
        self.finish_timeout_s = finish_timeout_s
        self.domain_model: DomainModel | None = None
        self._spec: WorkerSpec | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: list[_WorkerHandle] = []
        self._idle_workers: list[_WorkerHandle] = []
        self._ids = itertools.count(1)
        self._closed = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._spec = await self._loop.run_in_executor(None, self._make_spec)
        self._pool = [self._spawn() for _ in range(self.workers)]
        await self._await_ready(self._pool)

    def _make_spec(self) -> WorkerSpec:
        hmm, general_lm, general_dict = model_paths()
        if not self.corpus:
            return WorkerSpec(str(hmm), str(general_lm), str(general_dict), fwdflat=self.fwdflat)
        cache = self.cache_dir or default_data_dir() / "cache" / "pocketsphinx"
        try:
            model = build_domain_model(
                self.corpus,
                cache,
                general_words=self.general_words,
                general_weight=self.general_weight,
                contexts=self.contexts,
            )
        except (OSError, ValueError) as exc:
            raise AsrError(f"cannot build the pocketsphinx language model in {cache}: {exc}") from exc
        if model.dropped:
            log.info(
                "pocketsphinx: %d corpus words have no pronunciation and were left out", len(model.dropped)
            )
        self.domain_model = model
        return WorkerSpec(
            str(hmm),
            str(model.arpa_path),
            str(model.dict_path),
            fwdflat=self.fwdflat,
            language_weight=DOMAIN_LANGUAGE_WEIGHT,
            contexts=tuple((name, str(path)) for name, path in model.contexts.items()),
        )

    def _spawn(self) -> _WorkerHandle:
        assert self._spec is not None and self._loop is not None
        return _WorkerHandle(self._spec, self._loop, self._on_worker_death)

    async def _await_ready(self, workers: list[_WorkerHandle]) -> None:
        # Decoders start together and share the CPUs: the shared engine process starts one per
        # call of the box (12 did not start within 30 s on a loaded 2-core box), so the net
        # grows with their number: START_TIMEOUT_S for each 3, a worker's own count.
        timeout_s = START_TIMEOUT_S * max(1, -(-len(workers) // 3))
        _, pending = await asyncio.wait([w.ready for w in workers], timeout=timeout_s)
        if pending:
            for worker in workers:
                worker.kill()
            raise AsrError(f"pocketsphinx workers did not start within {timeout_s:.0f} s")
        for worker in workers:
            if worker.ready.exception() is not None:
                raise worker.ready.exception()  # type: ignore[misc]
        for worker in workers:
            if worker.alive and worker.stream is None and worker not in self._idle_workers:
                self._idle_workers.append(worker)

    def _on_worker_death(self, worker: _WorkerHandle, reason: str) -> None:
        log.warning("pocketsphinx worker pid %s stopped (%s); starting a new one", worker.process.pid, reason)
        if worker in self._idle_workers:
            self._idle_workers.remove(worker)
        if worker in self._pool:
            self._pool.remove(worker)
        worker.close()
        worker.reap()  # it has exited already (EOF came from its death), so this returns at once
        if self._closed or not worker.was_ready:
            return  # one that never came up would only fail again: start() reports it instead
        fresh = self._spawn()
        self._pool.append(fresh)
        task = asyncio.ensure_future(self._await_ready([fresh]))
        task.add_done_callback(_log_restart_failure)

    def _idle(self, worker: _WorkerHandle) -> None:
        if worker.alive and not self._closed and worker not in self._idle_workers:
            self._idle_workers.append(worker)

    def open_stream(
        self, sample_rate_hz: int, hints: Sequence[str] = (), context: str = ""
    ) -> PocketsphinxStream:
        if sample_rate_hz not in SUPPORTED_RATES_HZ:
            raise ValueError(f"ASR sample rate must be one of {SUPPORTED_RATES_HZ}, got {sample_rate_hz}")
        if self._loop is None or self._closed:
            raise AsrError("the pocketsphinx engine is not started")
        if not self._idle_workers:
            raise AsrError(f"all {self.workers} pocketsphinx workers are busy or restarting")
        worker = self._idle_workers.pop(0)
        stream = PocketsphinxStream(self, worker, next(self._ids), sample_rate_hz)
        worker.stream = stream
        worker.send(("begin", stream.stream_id, sample_rate_hz, context))
        return stream

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for `wardline doctor` and tests)."""
        return [w.process.pid for w in self._pool if w.alive and w.process.pid is not None]

    async def close(self) -> None:
        self._closed = True
        pool, self._pool, self._idle_workers = self._pool, [], []
        for worker in pool:
            if worker.stream is not None:
                worker.stream._on_failure(AsrError("the recognizer was shut down"))
            worker.close()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, worker.reap) for worker in pool))


def _log_restart_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("pocketsphinx worker restart failed: %s", task.exception())
