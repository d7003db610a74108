"""The bridge between one pjsua2 call and one CallSession: audio both ways, DTMF, transfer, hang-up.

Threads, and what each one runs:
- pjmedia's clock thread (the conference bridge, driven by the null sound device): the media
  port's `onFrameRequested` / `onFrameReceived` for every call, every 20 ms. It only calls
  `FrameSwitch.pull` (the session's thread-safe `next_frame`) and `FrameSwitch.push` (append to a
  bounded deque, wake the loop at most once per batch, for every call of the process together:
  `InboundWake`). It never blocks and never runs dialog work.
- the "wardline-sip" thread (appliance.telephony.threads): every pjsua2 API call and the SIP
  callbacks; it hands events to the loop with `call_soon_threadsafe` and nothing else.
- the asyncio loop: `CallBridge` itself — it feeds inbound frames to the session, passes key
  presses, runs `session.run()`, and turns the session's `transfer` / `hang_up` into commands
  for the SIP thread, whose results come back as futures.

Inbound audio crosses through a deque of at most `INBOUND_QUEUE_FRAMES` frames: if the loop
falls a second behind, the oldest frames are dropped (and counted) rather than growing memory.
Outbound audio is the session's own queue; when nothing plays the switch returns silence.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from appliance.audio import frame_bytes, split_frames
from appliance.call.faults import Fault
from appliance.outcomes import CallOutcome
from appliance.telephony.refer import HANDOFF_HEADER, refer_to

if TYPE_CHECKING:
    from appliance.call.services import FaultHandover

log = logging.getLogger(__name__)

INBOUND_QUEUE_FRAMES = 50  # one second of audio between the clock thread and the loop
HANGUP_GRACE_S = 2.0  # after the caller hangs up, the session gets this long to finish by itself
LATE_FRAME_MS = 20.0  # an outbound frame requested more than a frame behind schedule is late
CLOCK_RESYNC_MS = 500.0  # pjmedia_clock's max jump: beyond this lag it restarts its schedule
FRAME_S = 0.020


class Session(Protocol):
    """What the bridge drives: appliance.call.session.CallSession has exactly this shape."""

    async def run(self) -> str: ...
    def feed(self, frame: bytes) -> None: ...
    def next_frame(self) -> bytes: ...
    def press(self, digits: str) -> None: ...
    def caller_hung_up(self) -> None: ...
    def fault(self, fault: Fault) -> None: ...


class CallControl(Protocol):
    """Commands the loop sends to the SIP thread for one call; each returns a thread-safe future."""

    def refer(
        self, target_uri: str, headers: tuple[tuple[str, str], ...]
    ) -> concurrent.futures.Future[None]: ...
    def hang_up(self) -> concurrent.futures.Future[None]: ...


@dataclass(frozen=True)
class CallInfo:
    call_id: str  # ours, not the SIP Call-ID
    sample_rate_hz: int  # what the session speaks: 16000 for G.722 (when configured), else 8000
    codec: str
    caller_id: str | None  # the From user part: caller data, never logged


@dataclass
class FrameStats:
    """Outbound timing as the clock thread saw it; read for the benchmark and the leak test."""

    requested: int = 0
    late: int = 0
    worst_late_ms: float = 0.0
    received: int = 0
    dropped_inbound: int = 0


class InboundWake:
    """One wake of the loop for the inbound frames of every call in the process.

    The clock thread hands each call its frame one after the other within the same 20 ms
    tick. Waking the loop once per call costs a Handle, a write to asyncio's self-pipe and a
    turn of the loop for each; one wake for the whole tick drains every call that has frames,
    and their VAD windows then run back to back, while the model's weights are still in cache.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._ready: deque[FrameSwitch] = deque()
        self._pending = False

    def ready(self, switch: FrameSwitch) -> None:
        """Clock thread: `switch` has inbound frames; wake the loop unless a wake is on its way."""
        self._ready.append(switch)
        if not self._pending:
            self._pending = True
            with contextlib.suppress(RuntimeError):  # the loop is closing: the calls are ending anyway
                self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:  # loop thread
        # Cleared first: a frame pushed while this runs wakes the loop again (at worst for nothing).
        self._pending = False
        ready = self._ready
        while ready:
            ready.popleft()._drain()


class FrameSwitch:
    """The clock thread's side of one call: pull outbound frames, push inbound ones."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, sample_rate_hz: int, wake: InboundWake | None = None
    ) -> None:
        self._loop = loop
        self._wake = wake if wake is not None else InboundWake(loop)
        self.frame_bytes = frame_bytes(sample_rate_hz)
        self._silence = b"\x00" * self.frame_bytes
        self._source: Callable[[], bytes] | None = None
        self._inbound: deque[bytes] = deque(maxlen=INBOUND_QUEUE_FRAMES)
        self._sink: Callable[[bytes], None] | None = None
        self._wake_pending = False
        self._due: float | None = None  # when the clock should ask for the next frame
        self.stats = FrameStats()
        self.closed = False
        self._mute_until = 0.0
        # Loop thread: the session's outbound audio raised; it now plays silence until told.
        self.on_outbound_failed: Callable[[], None] | None = None

    # -- clock thread -------------------------------------------------------------------------
    def pull(self) -> bytes:
        now = time.monotonic()
        due = self._due if self._due is not None else now
        self.stats.requested += 1
        late_ms = (now - due) * 1000.0
        if late_ms > LATE_FRAME_MS:
            self.stats.late += 1
            self.stats.worst_late_ms = max(self.stats.worst_late_ms, late_ms)
        # pjmedia's clock bursts to catch up small lags but restarts its schedule after a long
        # stall; follow it, or every later frame would count as late for one stall.
        self._due = (now if late_ms > CLOCK_RESYNC_MS else due) + FRAME_S
        source = self._source
        if source is None or self.closed:
            return self._silence
        try:
            frame = source()
        except Exception as exc:  # a session bug must not stall the clock that serves every call
            self._source = None
            # Nothing is logged here: this thread may run real-time, and an exception's message
            # may quote the caller. The loop logs the kind and hands the call to a person.
            with contextlib.suppress(RuntimeError):  # the loop is closing: the call is ending
                self._loop.call_soon_threadsafe(self._outbound_failed, type(exc).__name__)
            return self._silence
        return frame if len(frame) == self.frame_bytes else _fit(frame, self.frame_bytes)

    def push(self, frame: bytes) -> None:
        if self.closed:
            return
        self.stats.received += 1
        if len(self._inbound) == INBOUND_QUEUE_FRAMES:
            self.stats.dropped_inbound += 1
        if self._mute_until and time.monotonic() < self._mute_until:
            frame = self._silence
        elif len(frame) != self.frame_bytes:
            frame = _fit(frame, self.frame_bytes)
        self._inbound.append(frame)
        if not self._wake_pending and self._sink is not None:
            self._wake_pending = True
            self._wake.ready(self)

    def mute_inbound(self, seconds: float) -> None:
        """Replace inbound audio by silence for `seconds` (a DTMF tone is sounding); any thread."""
        self._mute_until = time.monotonic() + seconds

    # -- loop thread --------------------------------------------------------------------------
    def connect(self, source: Callable[[], bytes], sink: Callable[[bytes], None]) -> None:
        self._source = source
        self._sink = sink
        self._drain()  # whatever arrived before the session existed

    def close(self) -> None:
        self.closed = True
        self._source = None
        self._sink = None
        self._inbound.clear()

    def stop_inbound(self) -> None:
        """Stop handing inbound audio to the loop; outbound frames still play."""
        self._sink = None
        self._inbound.clear()

    def play_only(self, source: Callable[[], bytes]) -> None:
        """Outbound from `source` alone, inbound dropped (a fault's apology)."""
        self.stop_inbound()
        self._source = source

    def _outbound_failed(self, kind: str) -> None:
        log.error("outbound audio failed (%s); the call goes to a person", kind)
        if self.on_outbound_failed is not None and not self.closed:
            self.on_outbound_failed()

    def _drain(self) -> None:
        self._wake_pending = False
        sink = self._sink
        while self._inbound and sink is not None:
            sink(self._inbound.popleft())


def _fit(frame: bytes, size: int) -> bytes:
    return frame[:size] if len(frame) > size else frame + b"\x00" * (size - len(frame))


class TransferFailed(Exception):
    """The REFER was refused, the transfer target failed, or no final NOTIFY came in time."""


@dataclass
class SipTransport:
    """appliance.call.transport.CallTransport over SIP: REFER for transfer, BYE for hang-up."""

    control: CallControl
    pbx_host: str
    transfer_timeout_s: float
    name: str = "sip"
    hung_up: bool = False
    transferred_to: str | None = None
    _status: asyncio.Queue[tuple[int, bool]] = field(default_factory=asyncio.Queue)

    async def transfer(self, to: str, handoff_id: str) -> bool:
        if self.hung_up:
            return False
        while not self._status.empty():  # a late NOTIFY of an earlier attempt says nothing here
            self._status.get_nowait()
        headers = ((HANDOFF_HEADER, handoff_id),) if handoff_id else ()
        try:
            await asyncio.wrap_future(self.control.refer(refer_to(to, self.pbx_host, handoff_id), headers))
            async with asyncio.timeout(self.transfer_timeout_s):
                ok = await self._outcome()
        except (TimeoutError, TransferFailed, RuntimeError) as exc:
            log.warning("transfer to extension %s failed: %s", to, type(exc).__name__)
            return False
        if ok:
            self.transferred_to = to
        return ok

    async def _outcome(self) -> bool:
        while True:
            code, final = await self._status.get()
            # 202 is the REFER's own answer; the target's answer arrives in a NOTIFY (RFC 3515).
            if 200 <= code < 300 and (final or code != 202):
                return True
            if final or code >= 300:
                log.info("transfer refused with status %d", code)
                return False

    async def hang_up(self) -> None:
        if self.hung_up:
            return
        self.hung_up = True
        with contextlib.suppress(RuntimeError):
            await asyncio.wrap_future(self.control.hang_up())

    def transfer_status(self, code: int, final: bool) -> None:
        self._status.put_nowait((code, final))


SessionFactory = Callable[[CallInfo, SipTransport], Session]
# Where a call goes when its session failed outside its own boundary (or never started):
# (call, failed stage) -> the site's operator, a stored summary's id, the pre-rendered apology.
Handover = Callable[[CallInfo, str], "FaultHandover"]
APOLOGY_GRACE_S = 2.0  # beyond the apology's own length, before transferring regardless


class CallBridge:
    """One call on the loop: owns the session's task and everything the SIP side reports."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        info: CallInfo,
        control: CallControl,
        *,
        pbx_host: str,
        transfer_timeout_s: float,
        wake: InboundWake | None = None,
    ) -> None:
        self.loop = loop
        self.info = info
        self.switch = FrameSwitch(loop, info.sample_rate_hz, wake)
        self.switch.on_outbound_failed = self._outbound_failed
        self.transport = SipTransport(control, pbx_host, transfer_timeout_s)
        self.session: Session | None = None
        self.outcome: str | None = None
        self.disconnected = asyncio.Event()
        self._pending_digits = ""
        self._task: asyncio.Task[str] | None = None

    # -- events from the SIP thread (arrive through call_soon_threadsafe) ------------------------
    def on_dtmf(self, digit: str) -> None:
        if self.session is None:
            self._pending_digits += digit
        else:
            self.session.press(digit)

    def on_transfer_status(self, code: int, final: bool) -> None:
        self.transport.transfer_status(code, final)

    def on_disconnected(self) -> None:
        already = self.transport.hung_up
        self.transport.hung_up = True
        self.switch.close()
        self.disconnected.set()
        if self.session is not None and not already:
            self.session.caller_hung_up()
        # A session still waiting on audio that nobody will pull again must not hold the call.
        self.loop.call_later(HANGUP_GRACE_S, self._end_session)

    def _outbound_failed(self) -> None:
        # The session's own audio is what broke, so it cannot apologise itself (never silence
        # on a call): end its task, and run() plays the pre-rendered apology and transfers.
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def _end_session(self) -> None:
        if self._task is not None and not self._task.done():
            log.warning("call %s: session still running after hang-up; ending it", self.info.call_id)
            self._task.cancel()

    # -- the call -----------------------------------------------------------------------------
    async def run(self, factory: SessionFactory, handover: Handover | None = None) -> str:
        """Run the session to its end; any fault outside its own boundary goes to the site's
        operator through `handover` (without one, the call is ended: there is no one to name)."""
        task: asyncio.Task[str] | None = None
        stage = "call"
        try:
            self.session = factory(self.info, self.transport)
            self.switch.connect(self.session.next_frame, self._feed)
            if self._pending_digits:
                self.session.press(self._pending_digits)
                self._pending_digits = ""
            stage = "session"
            task = self._task = self.loop.create_task(self.session.run())
            await asyncio.wait({task})
            if task.cancelled() and self.disconnected.is_set():
                self.outcome = CallOutcome.CALLER_HUNG_UP
            elif task.cancelled():
                raise RuntimeError("the session stopped taking audio")
            else:
                self.outcome = task.result()
        except asyncio.CancelledError:
            if task is not None:
                task.cancel()
            raise
        except Exception as exc:
            log.error(
                "call %s: pipeline fault (%s); transferring to the operator",
                self.info.call_id,
                type(exc).__name__,
            )
            self.outcome = (
                CallOutcome.TRANSFERRED if await self._to_operator(handover, stage) else CallOutcome.FAILED
            )
        finally:
            self.switch.close()
            if not self.transport.hung_up:
                await self.transport.hang_up()
        return self.outcome

    def _feed(self, frame: bytes) -> None:
        session = self.session
        if session is None:
            return
        try:
            session.feed(frame)
        except Exception as exc:
            # The session's own boundary should have caught this. Stop feeding it, keep its
            # outbound audio, and ask it to hand the caller to a person (its apology, its summary).
            log.error("call %s: feed failed (%s)", self.info.call_id, type(exc).__name__)
            self.switch.stop_inbound()
            try:
                session.fault(Fault("call", "feed-failed"))
            except Exception:
                if self._task is not None:
                    self._task.cancel()  # run() then hands the caller over itself

    async def _to_operator(self, handover: Handover | None, stage: str) -> bool:
        """Fault path outside the session: the pre-rendered apology, then the site's operator
        with a stored summary's id (the REFER carries it)."""
        if self.transport.hung_up or handover is None:
            return False
        plan = handover(self.info, stage)
        await self._apologise(plan.apology)
        ok = await self.transport.transfer(plan.to, plan.handoff_id)
        plan.ended(CallOutcome.TRANSFERRED if ok else CallOutcome.FAILED)
        return ok

    async def _apologise(self, pcm: bytes) -> None:
        if not pcm or self.switch.closed:
            return
        frames = deque(split_frames(pcm, self.info.sample_rate_hz))
        silence = b"\x00" * self.switch.frame_bytes
        played = asyncio.Event()

        def source() -> bytes:  # the clock thread: pop or report the end; never blocks
            if frames:
                return frames.popleft()
            if not played.is_set():
                with contextlib.suppress(RuntimeError):
                    self.loop.call_soon_threadsafe(played.set)
            return silence

        self.switch.play_only(source)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(played.wait(), len(frames) * FRAME_S + APOLOGY_GRACE_S)
