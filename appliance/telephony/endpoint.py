"""The SIP user agent on pjsua2: endpoint, transports, account, incoming calls, media ports.

Threads, and what each one runs:
- "wardline-sip" (`PjsipThread`): created here; the only thread that calls the pjsua2 API. It
  creates and destroys the library, polls SIP events (`libHandleEvents`, uaConfig.threadCnt=0,
  so every SIP callback — onIncomingCall, onCallState, onCallMediaState, onCallTransferStatus —
  runs on it), and runs the jobs the loop submits (answer, REFER, BYE). Every pjsua2 object is
  created, kept referenced and released on it, so none is ever freed from an unregistered thread.
- pjmedia's media worker: RTP reception and `onDtmfDigit`; it only posts the digit to the loop.
- pjmedia's clock thread: the conference bridge and `MediaPort.onFrameRequested/Received`
  (see appliance.telephony.bridge); it only moves bytes through `FrameSwitch`.
- the asyncio loop: everything in appliance.telephony.bridge.CallBridge and the CallSession.
No callback blocks: each one reads what it needs from pjsua2 and posts to the loop or queues a
job for the next turn of the SIP thread.

Jitter buffer. pjsua2's defaults let the buffer prefetch and grow adaptively, which on a LAN
adds 60-150 ms of mouth-to-ear delay for jitter that is not there. A hospital PBX on the same
LAN delivers packets within a few milliseconds of each other, so the defaults in SipSettings
are: start playing after 40 ms buffered (jb_init_ms: two frames, enough for one late packet),
never prefetch less than one frame (jb_min_pre_ms 20), cap adaptive growth at 80 ms
(jb_max_pre_ms) so a one-off burst cannot leave the call permanently delayed, and hold at most
200 ms (jb_max_ms) before discarding. Sites with a WAN hop can raise them in [sip].

Session timers (RFC 4028). timerUse is OPTIONAL: used whenever the PBX supports them (it
says `Supported: timer`), never required, since a PBX without them must still reach us (REQUIRED
would refuse its calls with 420). Session-Expires 1800 s is the RFC's recommended default: a
dead peer (a PBX restarted mid-call, a lost BYE) is noticed within half an hour while a normal
call costs at most one refresh per 15 minutes. Min-SE 90 s is the RFC's floor, so any interval a
PBX asks for that the RFC allows is accepted rather than answered 422. pjsip does the rest: as
refresher it re-INVITEs (UPDATE when the peer allows it) at half the interval; otherwise it
sends BYE at Session-Expires minus max(32 s, a third) when no refresh came. That BYE comes
from pjsip, so the call ends like a remote hang-up (the session sees `caller_hung_up`).
Both are configurable in [sip] (session_expires_s, min_se_s). tests/telephony/
test_session_timers.py checks both roles against sipp.

Codecs: G.722, then PCMU, then PCMA; every other codec is disabled. The media port runs at the
session's rate (16 kHz for G.722 when call.sample_rate_hz is 16000, otherwise 8 kHz) and the
conference bridge resamples between it and the codec.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import functools
import heapq
import itertools
import logging
import queue
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pjsua2 as pj

from appliance.config import SipSettings
from appliance.telephony.access import Admission, DigestAuth, admit, parse_message
from appliance.telephony.bridge import CallBridge, CallInfo, FrameSwitch
from appliance.telephony.connection import arrival_connection, pin_dialog
from appliance.telephony.errors import SipStartError
from appliance.telephony.media_address import contact_host, front_door_arrival, with_media_address
from appliance.telephony.pjlog import journal_line
from appliance.telephony.sdp import answer_with_preference
from appliance.telephony.stray_ack import StrayAckGuard

log = logging.getLogger(__name__)
security_log = logging.getLogger("appliance.security")

CODEC_PRIORITY = ("G722/16000/1", "PCMU/8000/1", "PCMA/8000/1")
CODEC_NAMES = tuple(c.split("/")[0] for c in CODEC_PRIORITY)
POLL_MS = 10  # longest a submitted job waits for the SIP thread
# From the start of an RFC 4733 event, inbound audio is replaced by silence for this long: a
# phone that also plays the tone in band must not put it (or a secure digit) into ASR or a
# recording. Key presses last 40-250 ms.
DTMF_MUTE_S = 0.3
# pjsua's compile-time PJSUA_MAX_CALLS in the pjsua2-python wheel (pjsua.h's default): no more
# call slots exist in one process, whatever uaConfig.maxCalls says. One slot stays free so a
# call beyond the limit still gets our 503/302 rather than pjsua's bare 486.
LIBRARY_CALL_SLOTS = 4
_PJ_LOG_LEVELS = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}


def _callback(fn: Callable[..., None]) -> Callable[..., None]:
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


def vector_bytes(vec: Any) -> bytes:
    """The bytes of a pjsua2 ByteVector without iterating it element by element in Python.

    SWIG's iterator costs ~450 µs per 20 ms frame; this reads std::vector's data pointer (its
    first member in libstdc++) and copies once with ctypes (~8 µs).
    """
    n = len(vec)
    if not n:
        return b""
    data = ctypes.c_void_p.from_address(int(vec.this)).value
    return ctypes.string_at(data, n) if data else b""


class MediaPort(pj.AudioMediaPort):
    """A conference port whose frames come from and go to a FrameSwitch (clock thread).

    Ports are pooled and reused, never destroyed while the library runs: pjsip 2.15's
    conference bridge removes ports asynchronously (on its clock thread, at the next tick), so
    freeing an AudioMediaPort after removing it is a use-after-free (pjproject #3928, #4200).
    Between calls a port has no switch and plays silence to nobody.
    """

    def __init__(self, sample_rate_hz: int, name: str) -> None:
        super().__init__()
        self.switch: FrameSwitch | None = None
        self.switch_rate = sample_rate_hz
        self.silence = b"\x00" * (sample_rate_hz // 50 * 2)
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = sample_rate_hz
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        self.createPort(name, fmt)

    @_callback
    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        switch = self.switch
        data = switch.pull() if switch is not None else self.silence
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        frame.buf = pj.ByteVector(data)
        frame.size = len(data)

    @_callback
    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        switch = self.switch
        if switch is None:
            return
        if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            switch.push(vector_bytes(frame.buf))
        else:  # no audio this tick (jitter buffer empty): keep the session's clock running
            switch.push(b"")


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
        self._poll: Callable[[], None] = lambda: time.sleep(POLL_MS / 1000)
        self._started = concurrent.futures.Future[None]()
        self._finished = threading.Event()

    @property
    def ident(self) -> int | None:
        return self._thread.ident

    def start(
        self, setup: Callable[[], None], poll: Callable[[], None], teardown: Callable[[], None]
    ) -> None:
        """Run `setup` on the thread; re-raises here whatever it raised."""
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
                self._run_due()
                self._poll()
            self._run_due()
        finally:
            try:
                if self._teardown is not None:
                    self._teardown()
            finally:
                self._finished.set()

    def _run_due(self) -> None:
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


def _reason(exc: pj.Error) -> str:
    text = str(getattr(exc, "info", lambda: "")() or exc)
    match = re.search(r"error: (.*?) \(", text)
    return match.group(1) if match else text.splitlines()[0][:120]


class _LogWriter(pj.LogWriter):
    """pjsip's own log into Python logging (any pjsip thread; warnings and errors only)."""

    def write(self, entry: pj.LogEntry) -> None:
        # Never the message itself: pjsip dumps whole packets (caller numbers) at ERROR.
        log.log(_PJ_LOG_LEVELS.get(entry.level, logging.DEBUG), "pjsip: %s", journal_line(entry.msg))


@dataclass
class _Counters:
    accepted: int = 0
    refused: dict[int, int] = field(default_factory=dict)


class AgentCall(pj.Call):
    """One pjsua2 call; its callbacks run on the SIP thread and only post to the loop."""

    def __init__(self, agent: SipAgent, account: pj.Account, call_id: int, caller_id: str | None) -> None:
        super().__init__(account, call_id)
        self.agent = agent
        self.caller_id = caller_id
        self.name = f"sip-{secrets.token_hex(6)}"
        self.admitted = False
        self.port: MediaPort | None = None
        self.bridge: CallBridge | None = None
        self.ended = False
        self.connection: int | None = None  # the INVITE's TCP/TLS connection, until pinned
        self.arrival: str | None = None  # the front door's address the caller reached

    @_callback
    def onCallTsxState(self, prm: pj.OnCallTsxStateParam) -> None:
        if self.connection is None or prm.e.type != pj.PJSIP_EVENT_TSX_STATE:
            return
        state = prm.e.body.tsxState
        if state.type == pj.PJSIP_EVENT_TX_MSG and pin_dialog(self.connection, state.src.tdata.wholeMsg):
            self.connection = None  # pinned: BYE and REFER leave over the caller's connection

    @_callback
    def onCallState(self, prm: pj.OnCallStateParam) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.ended:
            self.ended = True
            # Freeing the call inside its own callback is unsafe in pjsua2: do it next turn.
            name, agent = self.name, self.agent
            agent.thread.call_later(0, lambda: agent.release_by_name(name))

    @_callback
    def onCallMediaState(self, prm: pj.OnCallMediaStateParam) -> None:
        if self.ended:
            return
        info = self.getInfo()
        for media in info.media:
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                if self.port is None:
                    self.agent.media_ready(self, media.index)
                else:  # a re-INVITE (session refresh, hold/unhold) may have rebuilt the stream
                    audio = self.getAudioMedia(media.index)
                    audio.startTransmit(self.port)
                    self.port.startTransmit(audio)
                return

    @_callback
    def onCallSdpCreated(self, prm: pj.OnCallSdpCreatedParam) -> None:
        remote = prm.remSdp.wholeSdp
        if remote:  # we are answering: impose our codec order (appliance.telephony.sdp)
            local = prm.sdp.wholeSdp
            answer = answer_with_preference(local, remote, CODEC_NAMES)
            address = self.agent.media_address(self)
            if address:  # media where the call arrived (appliance.telephony.media_address)
                answer = with_media_address(answer, address)
            if answer != local:
                prm.sdp.wholeSdp = answer

    @_callback
    def onDtmfDigit(self, prm: pj.OnDtmfDigitParam) -> None:
        bridge = self.bridge
        if bridge is not None:
            bridge.switch.mute_inbound(DTMF_MUTE_S)
            self.agent.post(bridge.on_dtmf, str(prm.digit))

    @_callback
    def onCallTransferStatus(self, prm: pj.OnCallTransferStatusParam) -> None:
        bridge = self.bridge
        if bridge is not None:
            self.agent.post(bridge.on_transfer_status, int(prm.statusCode), bool(prm.finalNotify))


class AgentAccount(pj.Account):
    """The local account every INVITE arrives on (no registration: the PBX routes to us)."""

    def __init__(self, agent: SipAgent) -> None:
        super().__init__()
        self.agent = agent

    @_callback
    def onIncomingCall(self, prm: pj.OnIncomingCallParam) -> None:
        self.agent.incoming(self, prm)


class _Control:
    """bridge.CallControl for one call: each command becomes a job on the SIP thread.

    It holds the call's name, not the call: the loop side must never own a pjsua2 object.
    """

    def __init__(self, agent: SipAgent, name: str) -> None:
        self._agent = agent
        self._name = name

    def _live_call(self) -> AgentCall:
        call = self._agent.calls.get(self._name)
        if call is None or call.ended:
            raise RuntimeError("the call has ended")
        return call

    def refer(self, target_uri: str, headers: tuple[tuple[str, str], ...]) -> concurrent.futures.Future[None]:
        def job() -> None:
            prm = pj.CallOpParam(True)
            _add_headers(prm, headers)
            self._live_call().xfer(target_uri, prm)

        return self._agent.thread.submit(job)

    def hang_up(self) -> concurrent.futures.Future[None]:
        def job() -> None:
            call = self._agent.calls.get(self._name)
            if call is not None and not call.ended:
                call.hangup(pj.CallOpParam(True))

        return self._agent.thread.submit(job)


def _add_headers(prm: pj.CallOpParam, headers: tuple[tuple[str, str], ...]) -> None:
    for name, value in headers:
        h = pj.SipHeader()
        h.hName = name
        h.hValue = value
        prm.txOption.headers.append(h)


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
        self._log_writer: _LogWriter | None = None
        self._idle_ports: dict[int, list[MediaPort]] = {}  # sample rate -> ports between calls
        self._port_count = 0
        self._active = 0  # admitted calls not yet released; read from the loop for status

    # -- lifecycle (loop thread) --------------------------------------------------------------
    def start(self) -> None:
        self.thread.start(self._setup, self._poll, self._teardown)

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
        ep.libInit(self._ep_config())
        ep.audDevManager().setNullDev()  # no sound card: the null device still clocks the bridge
        for codec in ep.codecEnum2():
            ep.codecSetPriority(codec.codecId, 0)
        for rank, codec_id in enumerate(CODEC_PRIORITY):
            ep.codecSetPriority(codec_id, 250 - rank)
        self._create_transports(ep)
        self.stray_acks.install()  # before any request can arrive: see stray_ack.py
        ep.libStart()
        self._account = AgentAccount(self)
        self._account.create(self._account_config(), True)

    def _poll(self) -> None:
        assert self._ep is not None
        self._ep.libHandleEvents(POLL_MS)

    def _teardown(self) -> None:
        ep = self._ep
        if ep is None:
            return
        ep.hangupAllCalls()
        deadline = time.monotonic() + 2.0
        while self.calls and time.monotonic() < deadline:
            ep.libHandleEvents(POLL_MS)
            self.thread._run_due()
        for call in list(self.calls.values()):
            self.release(call)
        for ports in self._idle_ports.values():
            for port in ports:
                port.__disown__()  # the library deletes its ports itself in libDestroy
        self._idle_ports.clear()
        self.thread.discard_pending()  # nothing may hold a pjsua2 object past libDestroy
        self._account = None
        self.stray_acks.remove()
        ep.libDestroy()
        self._ep = None

    def _ep_config(self) -> pj.EpConfig:
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0  # SIP events are polled by PjsipThread, not pjsip's own threads
        cfg.uaConfig.mainThreadOnly = False
        cfg.uaConfig.maxCalls = LIBRARY_CALL_SLOTS
        cfg.uaConfig.userAgent = "Wardline"
        self._log_writer = _LogWriter()
        cfg.logConfig.writer = self._log_writer
        cfg.logConfig.level = 2
        cfg.logConfig.consoleLevel = 2  # pjsua hands the writer only what passes consoleLevel
        cfg.logConfig.msgLogging = 0  # SIP messages carry caller numbers: never into the journal
        med = cfg.medConfig
        med.clockRate = 16000 if self.sample_rate_hz == 16000 else 8000
        med.sndClockRate = med.clockRate
        med.audioFramePtime = 20
        med.ptime = 20
        med.noVad = True  # keep RTP flowing in silence: the PBX and our clocks stay simple
        med.ecTailLen = 0  # no echo canceller: no loudspeaker here, and it costs CPU per call
        med.sndAutoCloseTime = -1
        med.maxMediaPorts = 2 * cfg.uaConfig.maxCalls + 8
        med.jbInit = self.sip.jb_init_ms
        med.jbMinPre = self.sip.jb_min_pre_ms
        med.jbMaxPre = self.sip.jb_max_pre_ms
        med.jbMax = self.sip.jb_max_ms
        return cfg

    def _create_transports(self, ep: pj.Endpoint) -> None:
        bound = "" if self.sip.address in ("0.0.0.0", "::") else self.sip.address
        kinds = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP, "tls": pj.PJSIP_TRANSPORT_TLS}
        for name in self.sip.transports:
            tc = pj.TransportConfig()
            tc.boundAddress = bound
            tc.port = self.sip.tls_port if name == "tls" else self.sip.port
            if name == "tls":
                tc.tlsConfig.certFile = str(self.sip.tls_cert)
                tc.tlsConfig.privKeyFile = str(self.sip.tls_key)
            try:
                ep.transportCreate(kinds[name], tc)
            except pj.Error as exc:
                where = f"{self.sip.address}:{tc.port}/{name}"
                raise SipStartError(f"cannot listen for SIP on {where}: {_reason(exc)}") from None

    def _account_config(self) -> pj.AccountConfig:
        cfg = pj.AccountConfig()
        host = self.sip.address if self.sip.address not in ("0.0.0.0", "::") else "localhost"
        cfg.idUri = f"sip:wardline@{host}"
        cfg.regConfig.registrarUri = ""
        media = cfg.mediaConfig
        media.transportConfig.port = self.sip.rtp_port
        media.transportConfig.portRange = 4 * LIBRARY_CALL_SLOTS + 16
        rtp_address = self.sip.media_bind or self.sip.address
        if rtp_address not in ("0.0.0.0", "::"):
            media.transportConfig.boundAddress = rtp_address
        media.srtpUse = {
            "off": pj.PJMEDIA_SRTP_DISABLED,
            "optional": pj.PJMEDIA_SRTP_OPTIONAL,
            "mandatory": pj.PJMEDIA_SRTP_MANDATORY,
        }[self.sip.srtp]
        media.srtpSecureSignaling = 0  # SRTP keys over UDP/TCP signalling are the PBX's choice
        calls = cfg.callConfig  # session timers: see the module docstring for these values
        calls.timerUse = pj.PJSUA_SIP_TIMER_OPTIONAL
        calls.timerSessExpiresSec = self.sip.session_expires_s
        calls.timerMinSESec = self.sip.min_se_s
        return cfg

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
        _add_headers(prm, decision.headers)
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
            _Control(self, call.name),
            pbx_host=self.sip.pbx_host,
            transfer_timeout_s=self.sip.transfer_timeout_s,
        )
        port = self._port_for(rate)
        port.switch = bridge.switch
        audio = call.getAudioMedia(index)
        audio.startTransmit(port)
        port.startTransmit(audio)
        call.port, call.bridge = port, bridge
        self.post(self.on_call, bridge)

    def _port_for(self, rate: int) -> MediaPort:
        idle = self._idle_ports.setdefault(rate, [])
        if idle:
            return idle.pop()
        self._port_count += 1
        return MediaPort(rate, f"wardline-{rate // 1000}k-{self._port_count}")

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
            if port.switch is not None:
                port.switch.close()
            port.switch = None
            # The call's stream has left the bridge with its connections; the port waits idle.
            self._idle_ports.setdefault(port.switch_rate, []).append(port)


def _user_part(from_header: str) -> str | None:
    start = from_header.find("sip:")
    if start < 0:
        return None
    user = from_header[start + 4 :].split("@", 1)[0]
    return user if user and ">" not in user and ";" not in user else None
