"""`wardline serve`: the SIP agent plus one CallSession per answered call, on one asyncio loop.

The loop thread runs this module; pjsua2 lives on the SIP thread (appliance.telephony.endpoint)
and audio crosses in appliance.telephony.bridge. A call whose pipeline fails is transferred to
the operator by its bridge while the process and every other call go on. SIGTERM stops taking
calls (new INVITEs get 503 with Retry-After) and waits up to sip.drain_timeout_s for the
active ones before the library is shut down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from appliance.config import Settings, SipSettings
from appliance.telephony.bridge import (
    CallBridge,
    CallInfo,
    Handover,
    Session,
    SessionFactory,
    SipTransport,
)
from appliance.telephony.endpoint import SipAgent

log = logging.getLogger(__name__)

# How long a thread may keep the interpreter lock while another waits for it. pjmedia's clock
# thread takes the lock for every call's frame, twice a tick; at Python's default 5 ms it waited
# up to 5 ms each time behind the loop's work (VAD, dialog, the recorder), so a worker's three
# calls could miss the 20 ms tick together. 1 ms bounds each wait; the loop's throughput barely
# changes (bench/sip_load.py --full, 12 calls, two runs each in turn on the same loaded box: late
# frames 2.1 and 1.0 % at 5 ms, 0.55 and 0.26 % at 1 ms).
GIL_SWITCH_S = 0.001


def listening(sip: SipSettings) -> str:
    """Where each transport listens, as the startup line says it: "udp and tcp 0.0.0.0:5060, tls …"."""
    plain = [t for t in sip.transports if t != "tls"]
    parts = [f"{' and '.join(plain)} {sip.address}:{sip.port}"] if plain else []
    if "tls" in sip.transports:
        parts.append(f"tls {sip.address}:{sip.tls_port}")
    return ", ".join(parts)


@dataclass
class CallRecord:
    """What the server remembers about a finished call (no caller data)."""

    call_id: str
    codec: str
    sample_rate_hz: int
    outcome: str | None
    frames_out: int
    late_frames: int
    worst_late_ms: float
    frames_in: int
    dropped_in: int
    started: datetime | None = None  # UTC, when the call was answered
    ended: datetime | None = None  # UTC


CallFinished = Callable[[CallRecord], None]


class SipServer:
    """Takes calls until `drain()`; one task per call, each driven by a CallBridge."""

    def __init__(
        self,
        settings: Settings,
        factory: SessionFactory,
        handover: Handover | None = None,
        on_finished: CallFinished | None = None,
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.handover = handover
        self.on_finished = on_finished  # `wardline serve`: one journal line per call
        self.agent: SipAgent | None = None
        self.finished: list[CallRecord] = []
        self._tasks: set[asyncio.Task[None]] = set()  # one per call
        self._watch: asyncio.Task[None] | None = None
        self.bridges: set[CallBridge] = set()

    async def start(self) -> None:
        sys.setswitchinterval(GIL_SWITCH_S)
        loop = asyncio.get_running_loop()
        self.agent = SipAgent(
            self.settings.sip, loop, self._on_call, sample_rate_hz=self.settings.call.sample_rate_hz
        )
        # libCreate/libInit/transport binding take a moment: keep them off the loop.
        await loop.run_in_executor(None, self.agent.start)
        log.info("SIP agent listening on %s", listening(self.settings.sip))

    @property
    def active_calls(self) -> int:
        return len(self.bridges)

    def _on_call(self, bridge: CallBridge) -> None:
        self.bridges.add(bridge)
        task = asyncio.get_running_loop().create_task(self._run_call(bridge), name=bridge.info.call_id)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_call(self, bridge: CallBridge) -> None:
        started = datetime.now(UTC)
        try:
            await bridge.run(self.factory, self.handover)
        except Exception:  # run() has its own boundary; this keeps the server alive regardless
            log.exception("call %s: bridge failed", bridge.info.call_id)
        finally:
            stats = bridge.switch.stats
            record = CallRecord(
                bridge.info.call_id,
                bridge.info.codec,
                bridge.info.sample_rate_hz,
                bridge.outcome,
                stats.requested,
                stats.late,
                stats.worst_late_ms,
                stats.received,
                stats.dropped_inbound,
                started,
                datetime.now(UTC),
            )
            self.finished.append(record)
            self.bridges.discard(bridge)
            if self.on_finished is not None:
                try:
                    self.on_finished(record)
                except Exception as exc:  # a journal that fails must not take the server down
                    log.warning("call %s: could not record its end (%s)", record.call_id, type(exc).__name__)

    def refuse_while(
        self, problem: Callable[[], str], on_problem: Callable[[str], None], interval_s: float = 5.0
    ) -> None:
        """Check `problem()` every `interval_s` (off the loop: it may touch the disk). While it
        says something, new calls get 503 with Retry-After (calls in progress go on); each new
        problem, and its end (""), is passed to `on_problem` once."""

        async def watch() -> None:
            loop = asyncio.get_running_loop()
            told = ""
            while self.agent is not None:
                found = await loop.run_in_executor(None, problem)
                if self.agent is None:
                    return
                self.agent.refusing = found
                if found != told:
                    if found:
                        log.error("refusing new calls: %s", found)
                    else:
                        log.warning("taking calls again: the problem has cleared")
                    on_problem(found)
                    told = found
                await asyncio.sleep(interval_s)

        self._watch = asyncio.get_running_loop().create_task(watch(), name="wardline-store-watch")

    async def drain(self, timeout_s: float | None = None) -> None:
        """Refuse new calls, let active ones finish (up to the timeout), then stop the agent."""
        timeout_s = self.settings.sip.drain_timeout_s if timeout_s is None else timeout_s
        if self.agent is None:
            return
        self.agent.draining = True
        if self._tasks:
            log.info("draining: waiting up to %.0f s for %d active calls", timeout_s, len(self._tasks))
            _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()
            for task in pending:
                with contextlib.suppress(BaseException):
                    await task
        await self.stop()

    async def stop(self) -> None:
        if self.agent is None:
            return
        agent, self.agent = self.agent, None
        if self._watch is not None:
            self._watch.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.get_running_loop().run_in_executor(None, agent.stop)


async def serve(
    settings: Settings,
    factory: SessionFactory,
    *,
    on_ready: Callable[[SipServer], Awaitable[None] | None] | None = None,
    handover: Handover | None = None,
    on_finished: CallFinished | None = None,
    stopping: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM or SIGINT (or `stopping`, set by a signal that came while the service
    was still starting), then drain (the systemd unit's stop path)."""
    server = SipServer(settings, factory, handover=handover, on_finished=on_finished)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if stopping is not None:

        async def forward() -> None:
            await stopping.wait()
            stop.set()

        forwarder = loop.create_task(forward(), name="wardline-stop-forward")
    if on_ready is not None:
        result = on_ready(server)
        if asyncio.iscoroutine(result):
            await result
    try:
        await stop.wait()
        log.info("stopping: no new calls")
    finally:
        if stopping is not None:
            forwarder.cancel()
        await server.drain()


def call_session_factory(services: object) -> SessionFactory:
    """The production factory: one appliance.call.session.CallSession per call, its parts built by
    the composition root (appliance.call.assembly.open_call)."""
    from appliance.call.assembly import open_call

    def make(info: CallInfo, transport: SipTransport) -> Session:
        return open_call(
            services,  # type: ignore[arg-type]
            call_id=info.call_id,
            sample_rate_hz=info.sample_rate_hz,
            transport=transport,
            caller_id=info.caller_id,
        )

    return make


def call_fault_handover(services: object) -> Handover:
    """The production handover: the site pack's operator, a stored summary, the pre-rendered
    apology (appliance.call.services.CallServices.fault_handover)."""

    def hand_over(info: CallInfo, stage: str) -> object:
        return services.fault_handover(info.call_id, stage, info.sample_rate_hz)  # type: ignore[attr-defined]

    return hand_over  # type: ignore[return-value]
