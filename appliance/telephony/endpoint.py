"""The SIP user agent (`SipAgent`): owns the pjsua2 library on its own thread and every call on
it. It starts and stops the library, admits or refuses each INVITE (appliance.telephony.access),
and hands each answered call's audio to a CallBridge on the loop.

Where the rest of it lives: the threads and the one that owns pjsua2 (threads.py); the library's
configuration, with why the jitter buffer, session timer and codec settings are what they are
(library.py); a call's callbacks and its control (agent_call.py); the pooled media ports
(media_port.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pjsua2 as pj

from appliance.config import SipSettings
from appliance.telephony.access import Admission, DigestAuth, admit, parse_message
from appliance.telephony.agent_call import AgentAccount, AgentCall, SipCallControl, add_headers
from appliance.telephony.bridge import CallBridge, CallInfo, InboundWake
from appliance.telephony.connection import arrival_connection
from appliance.telephony.library import (
    LIBRARY_CALL_SLOTS,
    PjLogWriter,
    account_config,
    create_transports,
    endpoint_config,
    prefer_codecs,
)
from appliance.telephony.media_address import contact_host, front_door_arrival
from appliance.telephony.media_port import PortPool
from appliance.telephony.realtime_clock import ClockScheduling, RealtimeClock, probe
from appliance.telephony.stray_ack import StrayAckGuard
from appliance.telephony.threads import POLL_MS, PjsipThread

log = logging.getLogger(__name__)
security_log = logging.getLogger("appliance.security")


@dataclass
class _Counters:
    accepted: int = 0
    refused: dict[int, int] = field(default_factory=dict)


CallStarted = Callable[[CallBridge], None]


class SipAgent:
    """The appliance's SIP side: owns the pjsua2 library on its own thread and every call on it.

    `on_call(bridge)` is called on the loop for each answered call whose audio is up; the server
    runs the bridge from there. `draining` refuses new calls with 503 while active ones go on.
    """

    def __init__(
        self,
        sip: SipSettings,
        loop: asyncio.AbstractEventLoop,
        on_call: CallStarted,
        *,
        sample_rate_hz: int = 8000,
    ) -> None:
        usable = LIBRARY_CALL_SLOTS - 1
        if sip.max_calls > usable:
            log.warning(
                "sip.max_calls is %d but this pjsua2 build has %d call slots: taking at most %d calls "
                "per process (run more instances behind the PBX for more)",
                sip.max_calls,
                LIBRARY_CALL_SLOTS,
                usable,
            )
            sip = sip.model_copy(update={"max_calls": usable})
        self.sip = sip
        self.loop = loop
        self.on_call = on_call
        self.sample_rate_hz = sample_rate_hz
        self.thread = PjsipThread()
        self.draining = False
        self.refusing = ""  # why new calls are refused for now (the store is gone or full), or ""
        self.counters = _Counters()
        self.calls: dict[str, AgentCall] = {}  # our call name -> call (SIP thread only)
        self._digest = (
            DigestAuth(sip.digest_user, sip.digest_password, sip.digest_realm) if sip.digest_user else None
        )
        self._ep: pj.Endpoint | None = None
        self.stray_acks = StrayAckGuard()
        self._account: AgentAccount | None = None
        self._log_writer: PjLogWriter | None = None
        # The media clock thread asks for SCHED_RR on its first tick (realtime_clock.py); until
        # then `clock_scheduling` is what a probe of this process found at start.
        self.clock = RealtimeClock(sip.clock_priority, lambda done: self.post(self._clock_scheduled, done))
        self.clock_scheduling: ClockScheduling | None = None
        self._ports = PortPool(self.clock)
        self._wake = InboundWake(loop)  # one loop wake per clock tick for all calls' inbound audio
        self._active = 0  # admitted calls not yet released; read from the loop for status

    # -- lifecycle (loop thread) --------------------------------------------------------------
    def start(self) -> None:
        self.clock_scheduling = probe(self.sip.clock_priority)
        if not self.clock_scheduling.realtime and self.sip.clock_priority:
            log.warning("the media clock will run with %s", self.clock_scheduling.describe())
        self.thread.start(self._setup, self._poll, self._teardown)

    def _clock_scheduled(self, result: ClockScheduling) -> None:  # loop thread
        if result.realtime != (self.clock_scheduling is not None and self.clock_scheduling.realtime):
            log.warning("the media clock runs with %s", result.describe())
        self.clock_scheduling = result

    def stop(self) -> None:
        self.thread.stop()

    @property
    def active_calls(self) -> int:
        return self._active

    def post(self, fn: Callable[..., None], *args: Any) -> None:
        """From any pjsip thread: run `fn(*args)` on the loop, never waiting for it."""
        with contextlib.suppress(RuntimeError):  # the loop has closed: the process is exiting
            self.loop.call_soon_threadsafe(fn, *args)

    # -- SIP thread ---------------------------------------------------------------------------
    def _setup(self) -> None:
        ep = self._ep = pj.Endpoint()
        ep.libCreate()
        self._log_writer = PjLogWriter()
        ep.libInit(endpoint_config(self.sip, self.sample_rate_hz, self._log_writer))
        ep.audDevManager().setNullDev()  # no sound card: the null device still clocks the bridge
        prefer_codecs(ep)
        create_transports(ep, self.sip)
        self.stray_acks.install()  # before any request can arrive: see stray_ack.py
        ep.libStart()
        self._account = AgentAccount(self)
        self._account.create(account_config(self.sip), True)

    def _poll(self, timeout_ms: int) -> None:
        assert self._ep is not None
        self._ep.libHandleEvents(timeout_ms)

    def _teardown(self) -> None:
        ep = self._ep
        if ep is None:
            return
        ep.hangupAllCalls()
        deadline = time.monotonic() + 2.0
        while self.calls and time.monotonic() < deadline:
            ep.libHandleEvents(POLL_MS)
            self.thread.run_due()
        for call in list(self.calls.values()):
            self.release(call)
        self._ports.disown_all()
        self.thread.discard_pending()  # nothing may hold a pjsua2 object past libDestroy
        self._account = None
        self.stray_acks.remove()
        ep.libDestroy()
        self._ep = None

    def media_address(self, call: AgentCall) -> str | None:
        """The address our SDP answer gives (SIP thread): see media_address.py."""
        if self.sip.media_address:
            return self.sip.media_address
        if call.arrival:  # behind the front door: the address the caller reached it on
            return call.arrival
        if self.sip.address not in ("0.0.0.0", "::"):
            return None  # bound to one address: pjsua already uses it
        return contact_host(call.getInfo().localContact)

    def incoming(self, account: AgentAccount, prm: pj.OnIncomingCallParam) -> None:
        message = parse_message(prm.rdata.wholeMsg)
        caller = _user_part(message.header("from") or "")
        call = AgentCall(self, account, prm.callId, caller)
        call.connection = arrival_connection(prm.rdata.pjRxData, prm.rdata.wholeMsg)
        call.arrival = front_door_arrival(message, self.sip)
        self.calls[call.name] = call
        decision = admit(
            message,
            prm.rdata.srcAddress,
            sip=self.sip,
            active_calls=self._active,
            draining=self.draining or bool(self.refusing),
            digest=self._digest,
        )
        if not decision.accepted:
            # Answered on the SIP thread's next turn, not inside this callback: for an INVITE
            # whose body pjsua ignored (no Content-Type), a final answer given here trips an
            # assertion in pjsip_rx_data_free_cloned and aborts the whole process.
            source = prm.rdata.srcAddress
            self.thread.call_later(0, lambda: None if call.ended else self._refuse(call, decision, source))
            return
        call.admitted = True
        self._active += 1
        self.counters.accepted += 1
        ringing = pj.CallOpParam()
        ringing.statusCode = 180
        call.answer(ringing)
        name = call.name
        self.thread.call_later(self.sip.ring_ms / 1000, lambda: self._answer(name))

    def _answer(self, name: str) -> None:
        call = self.calls.get(name)
        if call is None or call.ended:
            return  # CANCEL while ringing
        ok = pj.CallOpParam()
        ok.statusCode = 200
        call.answer(ok)

    def _refuse(self, call: AgentCall, decision: Admission, source: str) -> None:
        self.counters.refused[decision.status] = self.counters.refused.get(decision.status, 0) + 1
        if decision.security:
            security_log.warning(
                "refused INVITE from %s with %d: %s", source, decision.status, decision.reason
            )
        else:
            log.info("refused a call with %d: %s", decision.status, decision.reason)
        prm = pj.CallOpParam()
        prm.statusCode = decision.status
        add_headers(prm, decision.headers)
        # answer() with a final status sends our headers (Retry-After, Contact, the challenge);
        # hangup() on a ringing call would drop them.
        call.answer(prm)

    def media_ready(self, call: AgentCall, index: int) -> None:
        stream = call.getStreamInfo(index)
        codec = str(stream.codecName)
        rate = 16000 if self.sample_rate_hz == 16000 and int(stream.codecClockRate) >= 16000 else 8000
        info = CallInfo(call_id=call.name, sample_rate_hz=rate, codec=codec, caller_id=call.caller_id)
        bridge = CallBridge(
            self.loop,
            info,
            SipCallControl(self, call.name),
            pbx_host=self.sip.pbx_host,
            transfer_timeout_s=self.sip.transfer_timeout_s,
            wake=self._wake,
        )
        port = self._ports.take(rate)
        port.switch = bridge.switch
        audio = call.getAudioMedia(index)
        audio.startTransmit(port)
        port.startTransmit(audio)
        call.port, call.bridge = port, bridge
        self.post(self.on_call, bridge)

    def release_by_name(self, name: str) -> None:
        call = self.calls.get(name)
        if call is not None:
            self.release(call)

    def release(self, call: AgentCall) -> None:
        """Free one ended call's media port and pjsua2 object (SIP thread, outside callbacks)."""
        if self.calls.pop(call.name, None) is None:
            return
        if call.admitted:
            self._active -= 1
        if call.bridge is not None:
            self.post(call.bridge.on_disconnected)
        port, call.port, call.bridge = call.port, None, None
        if port is not None:
            self._ports.give_back(port)


def _user_part(from_header: str) -> str | None:
    start = from_header.find("sip:")
    if start < 0:
        return None
    user = from_header[start + 4 :].split("@", 1)[0]
    return user if user and ">" not in user and ";" not in user else None
