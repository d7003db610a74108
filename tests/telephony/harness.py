"""Test helpers: a SipServer on its own asyncio loop thread, real sessions, sipp and raw SIP.

The server runs exactly as in production (SIP thread, clock thread, asyncio loop); the test's
own thread only drives peers (sipp, a raw UDP socket, a second pjsua2 process) and reads results.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import os
import socket
import string
import struct
import subprocess
import threading
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from appliance.audio import rms_dbfs, split_frames
from appliance.config import Settings, load_settings
from appliance.telephony.bridge import CallInfo, SipTransport
from appliance.telephony.server import SipServer

SCENARIOS = Path(__file__).parent / "scenarios"
_ports = itertools.count(31000 + (os.getpid() % 200) * 100, 10)


def next_ports() -> tuple[int, int, int]:
    """(SIP port, first RTP port, peer port): unique per test in this process."""
    base = next(_ports)
    return base, base + 3000, base + 5


def self_signed(tmp: Path, common_name: str = "wardline.test") -> tuple[Path, Path]:
    """A self-signed P-256 certificate and its key (PEM, unencrypted) in `tmp`, good for a day:
    the agent's own for TLS signalling. Returns (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


def sip_settings(port: int, rtp_port: int, **sip: Any) -> Settings:
    return load_settings(sip={"address": "127.0.0.1", "port": port, "rtp_port": rtp_port, **sip})


@dataclass
class Recorder:
    """A small real session: plays `prompt` once, records what it hears, obeys key presses.

    Keys: "9" transfers to extension 200 with handoff id "h-test"; if that fails it apologises
    (a tone) and tries the operator, as the real CallSession does; "#" hangs up.
    """

    info: CallInfo
    transport: SipTransport
    prompt: bytes = b""
    heard: list[bytes] = field(default_factory=list)
    digits: str = ""
    transfers: list[tuple[str, bool]] = field(default_factory=list)
    played_frames: int = 0
    fail_on_feed: bool = False
    fail_on_play: bool = False  # next_frame raises from the eleventh frame on
    pulled: int = 0

    def __post_init__(self) -> None:
        self._out = split_frames(self.prompt, self.info.sample_rate_hz) if self.prompt else []
        self._lock = threading.Lock()
        self._silence = b"\x00" * (self.info.sample_rate_hz // 50 * 2)
        self._inbox: asyncio.Queue[str] = asyncio.Queue()

    async def run(self) -> str:
        while True:
            item = await self._inbox.get()
            if item == "hangup":
                return "caller_hung_up"
            if item == "fault":
                raise RuntimeError("injected pipeline fault")
            if item == "#":
                await self.transport.hang_up()
                return "agent_hung_up"
            if item == "9":
                ok = await self.transport.transfer("200", "h-test")
                self.transfers.append(("200", ok))
                if ok:
                    return "transferred"
                self.say(tone(self.info.sample_rate_hz, 600, 400))  # the apology
                while self._out:
                    await asyncio.sleep(0.02)
                ok = await self.transport.transfer("0", "h-test")
                self.transfers.append(("0", ok))
                if ok:
                    return "transferred"
                await self.transport.hang_up()
                return "agent_hung_up"

    def say(self, pcm: bytes) -> None:
        with self._lock:
            self._out.extend(split_frames(pcm, self.info.sample_rate_hz))

    def feed(self, frame: bytes) -> None:
        if self.fail_on_feed and len(self.heard) > 10:
            raise RuntimeError("injected pipeline fault")
        self.heard.append(frame)

    def fault(self, fault: Any) -> None:
        """The bridge reports a failure outside this session: it fails as a whole (no boundary)."""
        self._inbox.put_nowait("fault")

    def next_frame(self) -> bytes:
        self.pulled += 1
        if self.fail_on_play and self.pulled > 10:
            raise RuntimeError("injected playback fault")
        with self._lock:
            if self._out:
                self.played_frames += 1
                return self._out.pop(0)
        return self._silence

    def press(self, digits: str) -> None:
        self.digits += digits
        for d in digits:
            self._inbox.put_nowait(d)

    def caller_hung_up(self) -> None:
        self._inbox.put_nowait("hangup")

    def speech_frames(self, threshold_dbfs: float = -45.0) -> int:
        return sum(1 for f in self.heard if rms_dbfs(f) > threshold_dbfs)


class SilentSession:
    """A session that plays silence and lets what it hears, the keys and a hang-up pass: a test's
    subclass says in `run` what the agent does."""

    def __init__(self, info: CallInfo, transport: SipTransport) -> None:
        self.info, self.transport = info, transport

    async def run(self) -> str:
        raise NotImplementedError

    def feed(self, frame: bytes) -> None:
        pass

    def next_frame(self) -> bytes:
        return b"\x00" * (self.info.sample_rate_hz // 50 * 2)

    def press(self, digits: str) -> None:
        pass

    def caller_hung_up(self) -> None:
        pass


class RealCalls:
    """A harness factory for real CallSessions: set `services` once they are built (on the
    harness's loop); the events of every call land in `events`."""

    def __init__(self) -> None:
        self.services: Any = None
        self.events: list[Any] = []

    def __call__(self, info: CallInfo, transport: SipTransport) -> Any:
        from appliance.call.assembly import open_call

        return open_call(
            self.services, call_id=info.call_id, sample_rate_hz=info.sample_rate_hz,
            transport=transport, emit=self.events.append,
        )  # fmt: skip


@contextlib.contextmanager
def real_call_server(settings: Settings) -> Iterator[tuple[Harness, RealCalls]]:
    """A Harness that answers with real CallSessions on services built for `settings` (on its
    loop, as the SIP worker builds them), closed when the block ends."""
    from appliance.call.services import build_services

    calls = RealCalls()
    with Harness(settings, calls) as h:
        calls.services = h.run(build_services(settings), timeout=120)
        try:
            yield h, calls
        finally:
            h.run(calls.services.close())


class Harness:
    """A SipServer running on a private loop thread."""

    def __init__(
        self,
        settings: Settings,
        factory: Callable[[CallInfo, SipTransport], Any],
        handover: Callable[[CallInfo, str], Any] | None = None,
        on_finished: Callable[[Any], None] | None = None,
    ) -> None:
        self.settings = settings
        self.sessions: list[Any] = []

        def make(info: CallInfo, transport: SipTransport) -> Any:
            session = factory(info, transport)
            self.sessions.append(session)
            return session

        self.loop = asyncio.new_event_loop()
        self.server = SipServer(settings, make, handover=handover, on_finished=on_finished)
        self._thread = threading.Thread(target=self.loop.run_forever, name="test-loop", daemon=True)

    def __enter__(self) -> Harness:
        self._thread.start()
        self.run(self.server.start())
        return self

    def __exit__(self, *exc: object) -> None:
        self.run(self.server.stop(), timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()

    def run(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def wait_finished(self, n: int, timeout: float = 60) -> list[Any]:
        deadline = time.monotonic() + timeout  # a safety net: returns once n calls have finished
        while len(self.server.finished) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.server.finished)

    @property
    def port(self) -> int:
        return self.settings.sip.port


# -- audio for peers ------------------------------------------------------------------------
def tone(rate: int, hz: float, ms: int, level: float = 0.3) -> bytes:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * hz * t) * level * 32767).astype("<i2").tobytes()


def ulaw_encode(pcm16: bytes) -> bytes:
    """G.711 μ-law (ITU-T G.711, with the usual 0x84 bias) of PCM16 mono."""
    x = np.frombuffer(pcm16, dtype="<i2").astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    mag = np.minimum(np.abs(x), 32635) + 0x84
    exponent = np.floor(np.log2(mag)).astype(np.int32) - 7
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


def write_rtp_pcap(path: Path, pcm16_8k: bytes, *, payload_type: int = 0) -> Path:
    """An Ethernet pcap of μ-law RTP, 20 ms per packet, for sipp's play_pcap_audio."""
    payload = ulaw_encode(pcm16_8k)
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for i in range(0, len(payload) - 159, 160):
        rtp = (
            struct.pack("!BBHII", 0x80, payload_type | (0x80 if i == 0 else 0), i // 160, i, 0x1234)
            + payload[i : i + 160]
        )
        udp = struct.pack("!HHHH", 6000, 6000, 8 + len(rtp), 0) + rtp
        ip = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1"
        )
        frame = b"\0" * 12 + b"\x08\x00" + ip + udp
        usec = (i // 160) * 20000
        out.append(struct.pack("<IIII", usec // 1_000_000, usec % 1_000_000, len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))
    return path


def write_wav(path: Path, pcm16: bytes, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm16)
    return path


# -- sipp -----------------------------------------------------------------------------------
@dataclass
class SippResult:
    returncode: int
    output: str
    messages: str  # the -trace_msg log: every SIP message sipp sent and received


def sipp(
    scenario: str,
    port: int,
    local_port: int,
    tmp: Path,
    *,
    local_ip: str = "127.0.0.1",
    calls: int = 1,
    extra: list[str] | None = None,
    timeout: float = 60,
    proxied: bool = False,
    **values: str,
) -> SippResult:
    """Run one scenario from scenarios/ (its $names filled from `values`) against the agent.

    `proxied`: the agent is behind the front door. Kamailio relays a worker's 180 and 200 from
    different processes, so the 180 can arrive after the 200; a phone's transaction layer drops
    such a late provisional answer, while sipp's default aborts the call on it (and then sends a
    BYE without the route, leaving the worker's call up). Late or stray messages are ignored
    then; a call that does not get what the scenario needs still fails on its timeout."""
    text = string.Template((SCENARIOS / f"{scenario}.xml").read_text()).substitute(values)
    xml = tmp / f"{scenario}-{local_port}.xml"
    xml.write_text(text)
    msg_log = tmp / f"{scenario}-{local_port}-messages.log"
    args = [
        "sipp", f"127.0.0.1:{port}", "-sf", str(xml), "-i", local_ip, "-p", str(local_port),
        "-mi", local_ip, "-mp", str(local_port + 2), "-m", str(calls), "-nostdin",
        "-trace_msg", "-message_file", str(msg_log), "-timeout", f"{int(timeout)}s",
        "-timeout_error", *(["-default_behaviors", "all,-abortunexp"] if proxied else []), *(extra or []),
    ]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout + 15, cwd=tmp)
    messages = msg_log.read_text(errors="replace") if msg_log.exists() else ""
    return SippResult(done.returncode, done.stdout + done.stderr, messages)


# -- raw SIP over UDP ------------------------------------------------------------------------
def raw_invite(
    port: int,
    *,
    body: str,
    local_port: int,
    content_type: str = "application/sdp",
    extra_headers: str = "",
    local_ip: str = "127.0.0.1",
    timeout: float = 30.0,
    host: str = "127.0.0.1",
) -> str:
    """Send one INVITE from a plain UDP socket to `host`; return the first final response's text."""
    call_id = f"raw-{local_port}-{time.monotonic_ns()}"
    msg = (
        f"INVITE sip:wardline@{host}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {local_ip}:{local_port};branch=z9hG4bK{time.monotonic_ns()}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:caller@{local_ip}>;tag=raw1\r\n"
        f"To: <sip:wardline@{host}:{port}>\r\n"
        f"Call-ID: {call_id}\r\n"
        "CSeq: 1 INVITE\r\n"
        f"Contact: <sip:caller@{local_ip}:{local_port}>\r\n"
        f"{extra_headers}"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body.encode())}\r\n\r\n{body}"
    )
    return raw_send(port, msg, local_port=local_port, local_ip=local_ip, timeout=timeout, host=host)


def raw_send(
    port: int,
    msg: str | bytes,
    *,
    local_port: int,
    local_ip: str = "127.0.0.1",
    timeout: float = 30.0,
    host: str = "127.0.0.1",
) -> str:
    """Send one message; return the first final response (the timeout is a net: "" if none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((local_ip, local_port))
        s.settimeout(timeout)
        s.sendto(msg.encode() if isinstance(msg, str) else msg, (host, port))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = s.recv(65535).decode(errors="replace")
            except TimeoutError:
                break
            status = data.split(" ", 2)
            if data.startswith("SIP/2.0") and len(status) > 1 and int(status[1]) >= 200:
                return data
        return ""


def sdp(
    media_port: int,
    formats: str = "0 101",
    rtpmaps: str = "a=rtpmap:101 telephone-event/8000",
    audio: bool = True,
) -> str:
    lines = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0"]
    if audio:
        lines.append(f"m=audio {media_port} RTP/AVP {formats}")
    else:
        lines.append(f"m=video {media_port} RTP/AVP 96")
        lines.append("a=rtpmap:96 H264/90000")
    lines += [ln for ln in rtpmaps.split("\n") if ln]
    return "\r\n".join(lines) + "\r\n"
