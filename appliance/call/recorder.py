"""CallRecorder: a call's audio, written encrypted from the first byte (appliance/privacy/store).

Caller and agent audio are two PCM16 objects (data class "recording"), created on the first
frame: the session only starts recording once the disclosure has played, so nothing said
before it is ever stored. A caller who refuses recording gets `stop()`: writing ends and what
was recorded is crypto-shredded.

Threads: `agent` runs on pjmedia's clock thread (next_frame), which serves every call of the
process, and `caller` on the call's event loop. Neither may wait on the database, the disk or
the cipher, so both only append the frame to a bounded queue (a short lock, no I/O under it);
the recorder's own writer thread creates the objects, seals the AEAD chunks and writes them.
`stop` and `close` only tell the writer; `join` waits for it (the session does, off the loop).

A writer that falls `max_queued_s` behind (a disk that has turned slow) is a fault, not a
stall: the recording is discarded and `on_failure` hears `RecordingOverrun`, as it hears a disk
that fills up or turns read-only. Either way no half object stays, `on_failure` is called once
and only from the writer thread, and the session hands the caller to a person.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from appliance.audio import FRAME_MS

MAX_QUEUED_S = 5.0  # of both sides' audio; beyond it the disk is too slow to keep the recording
SIDES = 2  # caller and agent: each sends a frame every FRAME_MS
# The writer wakes once per this many queued frames (both sides: 200 ms of the call), not per
# frame: each wake-up takes the interpreter lock, which pjmedia's clock thread then waits for,
# and 100 a second per call added up across a worker's calls.
WAKE_EVERY_FRAMES = 20
_End = Literal["close", "refused", "failed"]


class RecordingOverrun(Exception):
    """The writer fell too far behind the call: the recording was dropped, the call went on."""

    code = "recording-overrun"


class CallRecorder:
    def __init__(
        self,
        store: Any,
        call_id: str,
        sample_rate_hz: int,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        max_queued_s: float = MAX_QUEUED_S,
    ) -> None:
        self._store = store
        self._call_id = call_id
        self._media_type = f"audio/L16;rate={sample_rate_hz};channels=1"
        self._max_frames = max(1, round(max_queued_s * 1000 / FRAME_MS * SIDES))
        self._frames: deque[tuple[str, bytes]] = deque()
        self._cond = threading.Condition()
        self._end: _End | None = None  # set once; no frame is taken after it
        self._busy = False  # the writer holds frames it has not written yet
        self._writers: dict[str, Any] = {}  # the writer thread's alone
        self.on_failure = on_failure
        self.failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"recorder-{call_id[:8]}", daemon=True)
        self._thread.start()

    # -- the frame path (clock thread, event loop): never waits on I/O --------------------------
    def caller(self, frame: bytes) -> None:
        self._offer("caller", frame)

    def agent(self, frame: bytes) -> None:
        self._offer("agent", frame)

    def _offer(self, side: str, frame: bytes) -> None:
        with self._cond:
            if self._end is not None:
                return
            if len(self._frames) >= self._max_frames:
                self._frames.clear()
                self.failed = RecordingOverrun(f"the recording fell {self._max_frames} frames behind")
                self._end = "failed"
            else:
                self._frames.append((side, frame))
                if len(self._frames) % WAKE_EVERY_FRAMES:
                    return  # the writer wakes for a batch, not for every frame
            self._cond.notify()

    # -- the call's end (event loop): tell the writer, never wait for it ---------------------------
    def stop(self) -> None:
        """The caller refused recording: stop, and shred what was recorded."""
        self._finish("refused")

    def close(self) -> None:
        """The call is over: the writer seals what was recorded."""
        self._finish("close")

    def _finish(self, end: _End) -> None:
        with self._cond:
            if self._end is None:
                self._end = end
            elif self._end == "close" and end == "refused":
                self._end = end  # a refusal still shreds, even as the call ends
            self._cond.notify()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait (off the event loop) until the writer is done after `stop` or `close`."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def flush(self, timeout_s: float | None = None) -> bool:
        """Wait until every frame taken so far is written (tests, and reading what is recorded)."""
        with self._cond:
            self._cond.notify()  # frames short of a batch are written now
            return self._cond.wait_for(lambda: not self._frames and not self._busy, timeout_s)

    @property
    def object_ids(self) -> list[str]:
        with self._cond:
            return [w.id for w in self._writers.values()]

    # -- the writer thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._frames or self._end is not None)
                batch = list(self._frames)
                self._frames.clear()
                end = self._end  # once set, no frame arrives after this batch
                self._busy = bool(batch)
            failure = self._write(batch) if end not in ("failed", "refused") else None
            with self._cond:
                self._busy = False
                self._cond.notify_all()
                if failure is not None:
                    self.failed, self._end = failure, "failed"
                    end = "failed"
                failure = self.failed if end == "failed" else None
            if end is None:
                continue
            failure = self._end_recording(end) or failure
            if failure is not None:
                self.failed = failure
                if self.on_failure is not None:
                    self.on_failure(failure)
            return

    def _write(self, batch: list[tuple[str, bytes]]) -> BaseException | None:
        try:
            for side, frame in batch:
                writer = self._writers.get(side)
                if writer is None:
                    writer = self._store.create(
                        "recording", call_id=self._call_id, name=f"{side}.pcm", media_type=self._media_type
                    )
                    with self._cond:
                        self._writers[side] = writer
                writer.write(frame)
        except Exception as exc:  # full or read-only disk, or the database behind the store
            return exc
        return None

    def _end_recording(self, end: _End) -> BaseException | None:
        with self._cond:
            writers, self._writers = self._writers, {}
        if end == "failed":
            for writer in writers.values():
                writer.abort()  # nothing half-written stays
            return None
        failed = None
        for writer in writers.values():
            try:
                writer.close()
                if end == "refused":
                    self._store.shred(writer.id)
            except Exception as exc:  # sealing needs the disk too: then nothing of it stays
                failed = failed or exc
                writer.abort()
        return failed
