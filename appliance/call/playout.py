"""Outbound audio: the frames the agent is about to play, and what of each sentence was played.

Threads: `next_frame` is called by the transport's media clock (pjsip's media thread on a SIP
call, the simulator's loop otherwise) and must never block, so the queue is a deque under a
short lock. Everything else (pushing synthesized audio, clearing on barge-in) runs on the call's
asyncio loop. When a sentence finishes playing, or the queue runs dry, `on_progress` is handed
to the loop with call_soon_threadsafe so the session can react on its own thread.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from appliance.audio import frame_bytes, silence


@dataclass
class Segment:
    """One sentence on its way out: text, the frames made so far, how many have played."""

    text: str
    frames_total: int = 0
    frames_played: int = 0
    synthesis_done: bool = False
    first_played_at: float | None = None  # monotonic seconds
    done: bool = False

    def played_text(self) -> str:
        """The words played so far, proportionally to the frames played."""
        if self.synthesis_done and self.frames_played >= self.frames_total:
            return self.text
        words = self.text.split()
        if not self.frames_total or not words:
            return ""
        share = self.frames_played / max(self.frames_total, 1)
        return " ".join(words[: int(len(words) * share)])


@dataclass
class PlayedReport:
    text: str
    complete: bool
    segments: list[Segment] = field(default_factory=list)


class OutboundAudio:
    def __init__(
        self,
        sample_rate_hz: int,
        loop: asyncio.AbstractEventLoop,
        on_progress: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._frame_bytes = frame_bytes(sample_rate_hz)
        self._silence = silence(sample_rate_hz)
        self._lock = threading.Lock()
        self._frames: deque[tuple[Segment, bytes]] = deque()
        self._segments: deque[Segment] = deque()  # not yet fully played, in order
        self._partial = b""
        self._loop = loop
        self._on_progress = on_progress
        self._clock = clock
        self.first_frame_at: float | None = None  # first agent frame since `mark_turn`
        self._paused = False  # caller sound is being judged (call/bargein.py): hold, keep the queue
        self.frames_out = 0  # agent frames played since the call started (silence not counted)

    # -- the media clock's side (any thread) ------------------------------------------------
    def next_frame(self) -> bytes:
        notify = False
        with self._lock:
            if not self._frames or self._paused:
                return self._silence
            segment, frame = self._frames.popleft()
            self.frames_out += 1
            now = self._clock()
            if segment.first_played_at is None:
                segment.first_played_at = now
            if self.first_frame_at is None:
                self.first_frame_at = now
            segment.frames_played += 1
            if segment.synthesis_done and segment.frames_played >= segment.frames_total:
                segment.done = True
                notify = True
            if not self._frames:
                notify = True
        if notify:
            self._loop.call_soon_threadsafe(self._on_progress)
        return frame

    # -- the loop's side ----------------------------------------------------------------------
    def begin(self, text: str) -> Segment:
        segment = Segment(text)
        with self._lock:
            self._segments.append(segment)
        self._partial = b""
        return segment

    def push(self, segment: Segment, pcm16: bytes) -> None:
        data = self._partial + pcm16
        cut = len(data) - len(data) % self._frame_bytes
        self._partial = data[cut:]
        with self._lock:
            for i in range(0, cut, self._frame_bytes):
                self._frames.append((segment, data[i : i + self._frame_bytes]))
                segment.frames_total += 1

    def end(self, segment: Segment) -> None:
        if self._partial:
            self.push(segment, b"\x00" * (self._frame_bytes - len(self._partial)))
        notify = False
        with self._lock:
            segment.synthesis_done = True
            if segment.frames_played >= segment.frames_total:
                segment.done = True
                notify = True
        if notify:
            self._loop.call_soon_threadsafe(self._on_progress)

    @property
    def busy(self) -> bool:
        """Audio queued, or a sentence not yet fully played."""
        with self._lock:
            return bool(self._frames) or any(not s.done for s in self._segments)

    def take_finished(self) -> list[Segment]:
        """Sentences that finished playing since the last call, in order."""
        out = []
        with self._lock:
            while self._segments and self._segments[0].done:
                out.append(self._segments.popleft())
        return out

    def pause(self) -> None:
        """Hold playback at the next frame; the queued audio stays for `resume`."""
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False

    def pending_text(self) -> str:
        """The sentences on their way out (begun, not yet fully played)."""
        with self._lock:
            return " ".join(s.text for s in self._segments)

    def nearly_done(self, frames: int = 50) -> bool:
        """At most `frames` left to play of what has been synthesized, and nothing still coming."""
        with self._lock:
            return len(self._frames) <= frames and all(s.synthesis_done for s in self._segments)

    @property
    def paused(self) -> bool:
        return self._paused

    def clear(self) -> PlayedReport:
        """Barge-in: drop everything queued at once; report what of it had played."""
        with self._lock:
            self._frames.clear()
            pending = list(self._segments)
            self._segments.clear()
            self._paused = False
        self._partial = b""
        played = [s for s in pending if s.frames_played]
        text = " ".join(t for t in (s.played_text() for s in played) if t)
        complete = all(s.done for s in pending)
        return PlayedReport(text=text, complete=complete, segments=pending)

    def mark_turn(self) -> None:
        """Start timing a new reply (first_frame_at is set by the next frame played)."""
        with self._lock:
            self.first_frame_at = None
