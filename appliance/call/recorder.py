"""CallRecorder: a call's audio, written encrypted from the first byte (appliance/privacy/store).

Caller and agent audio are two PCM16 objects (data class "recording"), created on the first
frame: the session only starts recording once the disclosure has played, so nothing said
before it is ever stored. A caller who refuses recording gets `stop()`: writing ends and what
was recorded is crypto-shredded.

Threads: `caller` runs on the call's loop, `agent` on the media clock's thread (next_frame); a
lock keeps the two writers and `stop` apart. Each write is one AEAD chunk's worth of buffering,
microseconds, so the 20 ms frame path is not held up.

A disk that fills up or turns read-only never raises into the frame path: the recording is
discarded whole (no half object stays) and `on_failure` hears it once, from whichever thread
wrote; the session then hands the caller to a person.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class CallRecorder:
    def __init__(
        self,
        store: Any,
        call_id: str,
        sample_rate_hz: int,
        on_failure: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._store = store
        self._call_id = call_id
        self._media_type = f"audio/L16;rate={sample_rate_hz};channels=1"
        self._writers: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self.on_failure = on_failure
        self.failed: BaseException | None = None

    def caller(self, frame: bytes) -> None:
        self._write("caller", frame)

    def agent(self, frame: bytes) -> None:
        self._write("agent", frame)

    def _write(self, side: str, frame: bytes) -> None:
        with self._lock:
            if self._stopped:
                return
            try:
                writer = self._writers.get(side)
                if writer is None:
                    writer = self._store.create(
                        "recording", call_id=self._call_id, name=f"{side}.pcm", media_type=self._media_type
                    )
                    self._writers[side] = writer
                writer.write(frame)
            except Exception as exc:  # full or read-only disk, or the database behind the store
                self._fail_locked(exc)
                failed = exc
            else:
                return
        if self.on_failure is not None:
            self.on_failure(failed)

    def _fail_locked(self, exc: BaseException) -> None:
        self._stopped = True
        self.failed = exc
        writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.abort()

    def stop(self) -> None:
        """The caller refused recording: stop, and shred what was recorded."""
        with self._lock:
            self._stopped = True
            writers, self._writers = self._writers, {}
        for writer in writers.values():
            writer.close()
            self._store.shred(writer.id)

    def close(self) -> None:
        with self._lock:
            writers, self._writers = self._writers, {}
        failed = None
        for writer in writers.values():
            try:
                writer.close()
            except Exception as exc:  # sealing needs the disk too: then nothing of it stays
                failed = failed or exc
                writer.abort()
        if failed is not None:
            self.failed = failed
            if self.on_failure is not None:
                self.on_failure(failed)

    @property
    def object_ids(self) -> list[str]:
        with self._lock:
            return [w.id for w in self._writers.values()]
