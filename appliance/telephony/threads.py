"""The threads pjsua2 runs on, the one thread that owns it (`PjsipThread`), and the guard every
pjsua2 callback wears (`pj_callback`).

Threads, and what each one runs:
- "wardline-sip" (`PjsipThread`): created by SipAgent; the only thread that calls the pjsua2 API. It
  creates and destroys the library, polls SIP events (`libHandleEvents`, uaConfig.threadCnt=0,
  so every SIP callback — onIncomingCall, onCallState, onCallMediaState, onCallTransferStatus —
  runs on it), and runs the jobs the loop submits (answer, REFER, BYE). Every pjsua2 object is
  created, kept referenced and released on it, so none is ever freed from an unregistered thread.
- pjmedia's media worker: RTP reception and `onDtmfDigit`; it only posts the digit to the loop.
- pjmedia's clock thread: the conference bridge and `MediaPort.onFrameRequested/Received`
  (see appliance.telephony.bridge); it only moves bytes through `FrameSwitch`. It runs SCHED_RR
  when the system permits (appliance.telephony.realtime_clock), so nothing on it may block.
- the asyncio loop: everything in appliance.telephony.bridge.CallBridge and the CallSession.
No callback blocks: each one reads what it needs from pjsua2 and posts to the loop or queues a
job for the next turn of the SIP thread.
"""

from __future__ import annotations

import concurrent.futures
import functools
import heapq
import itertools
import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

# Longest a job from the loop (a REFER, a BYE) waits for the SIP thread: SIP messages, pjsip's
# own timers and ours (call_later) end the wait as soon as they are due, so this only bounds the
# loop's rare commands. Each wake costs the thread about 75 µs on this class of VM whether or not
# anything happened; at 10 ms that was 0.75 % of a core per worker process with no call at all.
POLL_MS = 50


def pj_callback(fn: Callable[..., None]) -> Callable[..., None]:
    """Wrap a pjsua2 callback: an exception must never unwind into pjsip's C++ stack.

    It is logged by type only: a kept traceback would hold pjsua2 objects, which then could be
    freed later on a thread pjlib does not know.
    """

    @functools.wraps(fn)
    def guarded(*args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:
            log.error("%s failed: %s", fn.__qualname__, type(exc).__name__)

    return guarded


class PjsipThread:
    """The one thread that talks to pjsua2: polls its events and runs submitted jobs in order."""

    def __init__(self, name: str = "wardline-sip") -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]] = (
            queue.SimpleQueue()
        )
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._setup: Callable[[], None] | None = None
        self._teardown: Callable[[], None] | None = None
        self._poll: Callable[[int], None] = lambda ms: time.sleep(ms / 1000)
        self._started = concurrent.futures.Future[None]()
        self._finished = threading.Event()

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def start(
        self, setup: Callable[[], None], poll: Callable[[int], None], teardown: Callable[[], None]
    ) -> None:
        """Run `setup` on the thread; re-raises here whatever it raised. `poll(ms)` waits at most
        `ms` for SIP events and handles them."""
        self._setup, self._poll, self._teardown = setup, poll, teardown
        self._thread.start()
        self._started.result()

    def submit(self, fn: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self._stop.is_set():
            fut.set_exception(RuntimeError("the SIP thread has stopped"))
            return fut
        self._jobs.put((fn, fut))
        return fut

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> None:
        """Run `fn` on this thread after `delay_s`; only from this thread (callbacks, jobs)."""
        heapq.heappush(self._timers, (time.monotonic() + delay_s, next(self._seq), fn))

    def stop(self, timeout_s: float = 15.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._finished.wait(timeout_s)
            self._thread.join(timeout_s)

    def discard_pending(self) -> None:
        """Drop queued timers and fail queued jobs (teardown, on this thread)."""
        self._timers.clear()
        while True:
            try:
                _, fut = self._jobs.get_nowait()
            except queue.Empty:
                return
            if fut.set_running_or_notify_cancel():
                fut.set_exception(RuntimeError("the SIP thread has stopped"))

    def _main(self) -> None:
        try:
            assert self._setup is not None
            self._setup()
        except BaseException as exc:
            try:  # pjsua2 objects must be destroyed on this thread, even after a failed start
                if self._teardown is not None:
                    self._teardown()
            finally:
                self._started.set_exception(exc)
                self._finished.set()
            return
        self._started.set_result(None)
        try:
            while not self._stop.is_set():
                self.run_due()
                self._poll(self._wait_ms())
            self.run_due()
        finally:
            try:
                if self._teardown is not None:
                    self._teardown()
            finally:
                self._finished.set()

    def _wait_ms(self) -> int:
        """How long the next poll may wait: POLL_MS, or until our next timer is due."""
        if not self._timers:
            return POLL_MS
        due_ms = (self._timers[0][0] - time.monotonic()) * 1000.0
        return max(0, min(POLL_MS, math.ceil(due_ms)))

    def run_due(self) -> None:
        """Run the timers that are due, then every queued job (this thread only)."""
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, fn = heapq.heappop(self._timers)
            self._guard(fn)
        while True:
            try:
                fn, fut = self._jobs.get_nowait()
            except queue.Empty:
                return
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:
                # Without its traceback: the frames hold pjsua2 objects the loop must not own.
                fut.set_exception(exc.with_traceback(None))

    @staticmethod
    def _guard(fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:
            log.exception("SIP thread job failed")
