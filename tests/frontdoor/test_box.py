"""One box answers more calls than one SIP worker can hold: `wardline serve` as a person runs it,
with Kamailio in front of three workers, driven by sipp and raw sockets from outside.

One box for the whole module (starting workers is the slow part); the tests run in file order
and the one that kills a worker comes last.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.config import Settings, load_settings
from appliance.frontdoor.kamailio import SERVER_HEADER
from appliance.frontdoor.status import box_status
from tests.frontdoor.serving import answered, box_ports, free_port, start_serve, stop_serve
from tests.frontdoor.test_config import needs_kamailio
from tests.telephony.harness import sipp, tone, write_rtp_pcap

pytestmark = needs_kamailio

WORKERS = 3
START_TIMEOUT_S = 420.0  # a net for a loaded CI box: three workers load their engines at once
ALLOWED = "127.0.0.0/30"  # 127.0.0.1-3 are the PBX; 127.0.0.9 is an outsider
OUTSIDER = "127.0.0.9"


@dataclass
class Box:
    settings: Settings
    process: subprocess.Popen[bytes]
    log: Path
    tmp: Path
    port: int
    tls_port: int
    cert: Path  # the box's certificate, also the CA peers must be signed by, and the PBX's own
    key: Path

    def status(self) -> dict:  # type: ignore[type-arg]
        return box_status(self.settings, WORKERS)

    def accepted(self) -> dict[int, int]:
        return {w["worker"]: w["accepted"] + w["refused"] for w in self.status()["workers"]}

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.tail()
            workers = self.status()["workers"]
            if all(w["ready"] and w["dispatcher"] == "active" for w in workers):
                return
            time.sleep(1)
        raise AssertionError(f"the box did not come up: {self.status()}\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    from tests.service.test_doctor import make_keys

    tmp = tmp_path_factory.mktemp("box")
    data = tmp / "data"
    make_keys(data)
    ports = box_ports(WORKERS)
    port, tls_port = ports.sip, ports.tls
    from tests.frontdoor.test_config import _self_signed

    cert, key = _self_signed(tmp)
    config = tmp / "wardline.toml"
    config.write_text(
        f'data_dir = "{data}"\n'
        f'[sip]\nport = {port}\nrtp_port = {ports.rtp}\nmax_calls = 8\nallow = ["{ALLOWED}"]\n'
        f'retry_after_s = 7\nring_ms = 0\ntransports = ["udp", "tcp", "tls"]\ntls_port = {tls_port}\n'
        f'tls_cert = "{cert}"\ntls_key = "{key}"\n'
        f"[frontdoor]\nworker_port = {ports.worker}\ntcp_idle_s = 3\npike_requests = 40\n"
        f'tls_ca_file = "{cert}"\n'
        '[understanding]\nencoder = "off"\n'
        "[speech]\nasr_workers = 1\n"
    )
    log = tmp / "serve.log"
    process = start_serve(config, data, log, "--workers", str(WORKERS))
    settings = load_settings(config)
    found = Box(settings, process, log, tmp, port, tls_port, cert, key)
    try:
        found.wait_ready()
        yield found
    finally:
        stop_serve(process, 60)
    # Ctrl-C stopped every part: no worker and no Kamailio outlives `wardline serve`
    leftovers = subprocess.run(
        ["pgrep", "-f", str(settings.data_dir / "frontdoor")], capture_output=True, text=True
    ).stdout
    assert leftovers.strip() == "", leftovers
    from appliance.worker_state import alive, read_state, run_dir

    for index in range(1, WORKERS + 1):
        state = read_state(run_dir(settings), index)
        assert state is None or not alive(state.pid), f"worker {index} outlived serve"


def _calls(
    box: Box, n: int, local_port: int, *, hold_ms: int = 6000, transport: str = "u1"
) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    audio = write_rtp_pcap(box.tmp / "tone.pcap", tone(8000, 440, 400))
    return sipp(
        "hold",
        box.port,
        local_port,
        box.tmp,
        calls=n,
        extra=["-l", str(n), "-r", str(n), "-t", transport],
        timeout=90,
        proxied=True,
        audio=str(audio),
        hold_ms=str(hold_ms),
    )


def _taken_since(box: Box, before: dict[int, int], at_least: int, timeout_s: float = 20) -> dict[int, int]:
    """Calls each worker took since `before`, once their state files count `at_least` in all.

    A worker rewrites its state file within 0.5 s of a change; on a loaded box it may be later.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        after = box.accepted()
        took = {w: after[w] - before[w] for w in after}
        if sum(took.values()) >= at_least or time.monotonic() > deadline:
            return took
        time.sleep(0.25)


def test_eight_callers_at_once_are_all_answered_across_the_workers(box: Box) -> None:
    before = box.accepted()
    done = _calls(box, 8, free_port())
    assert done.returncode == 0, done.output[-2000:]
    assert answered(done.messages) >= 8
    # the caller is sent to addresses it can reach: the interface it called, never a wildcard
    assert "Record-Route: <sip:0.0.0.0" not in done.messages
    assert "c=IN IP4 0.0.0.0" not in done.messages
    took = _taken_since(box, before, at_least=8)
    assert sum(took.values()) >= 8
    assert sum(1 for n in took.values() if n) == WORKERS  # 8 calls at once need all three


def _malformed(n: int, port: int, via_port: int) -> list[bytes]:
    shapes = [
        "INVITE sip:wardline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:{v};branch=z9hG4bKm{i}\r\n"
        "From: <sip:x@127.0.0.2>;tag={i}\r\nTo: <sip:wardline@127.0.0.1>\r\nCSeq: 1 INVITE\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",  # no Call-ID
        "INVITE sip:wardline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:{v};branch=z9hG4bKm{i}\r\n"
        "From: <sip:x@127.0.0.2>;tag={i}\r\nTo: <sip:wardline@127.0.0.1>\r\nCall-ID: m{i}\r\n"
        "CSeq: one INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",  # CSeq not a number
        "INVITE sip:wardline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:{v};branch=z9hG4bKm{i}\r\n"
        "From: <sip:x@127.0.0.2>;tag={i}\r\nTo: <sip:wardline@127.0.0.1>\r\nCall-ID: m{i}\r\n"
        "CSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",  # CSeq method is not INVITE
        "INVITE sip:wardline@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:{v};branch=z9hG4bKm{i}\r\n"
        "From: <sip:x@127.0.0.2>;tag={i}\r\nTo: <sip:wardline@127.0.0.1>\r\nCall-ID: m{i}\r\n"
        "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 900\r\n\r\nv=0\r\n",  # body shorter
        "INVITE \x00\xff garbage {i}\r\n\r\n",
    ]
    return [shapes[i % len(shapes)].format(i=i, v=via_port).encode("latin-1") for i in range(n)]


def test_a_malformed_invite_flood_is_absorbed_by_the_front_door(box: Box) -> None:
    before = box.accepted()
    replies: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.2", 0))
        s.settimeout(0.5)
        for message in _malformed(300, box.port, s.getsockname()[1]):
            s.sendto(message, ("127.0.0.1", box.port))
        while True:
            try:
                replies.append(s.recv(65535).decode(errors="replace"))
            except TimeoutError:
                break
    time.sleep(1.5)  # a worker rewrites its state file within 0.5 s of a change
    # Whatever was answered, the front door answered: no worker saw any of it.
    assert all(f"Server: {SERVER_HEADER}" in r for r in replies), replies[:3]
    assert box.accepted() == before
    # and the PBX's next call (from its other address) is answered as usual
    done = _calls(box, 1, free_port(), hold_ms=1500)
    assert done.returncode == 0, done.output[-2000:]


def test_a_source_sending_too_fast_is_dropped_while_others_get_through(box: Box) -> None:
    sent, replies = 200, 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.3", 0))
        s.settimeout(0.5)
        local = s.getsockname()[1]
        for i in range(sent):
            s.sendto(
                (
                    f"OPTIONS sip:wardline@127.0.0.1:{box.port} SIP/2.0\r\n"
                    f"Via: SIP/2.0/UDP 127.0.0.3:{local};branch=z9hG4bKp{i}\r\n"
                    f"From: <sip:p@127.0.0.3>;tag=p{i}\r\nTo: <sip:wardline@127.0.0.1>\r\n"
                    f"Call-ID: pike-{i}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                ).encode(),
                ("127.0.0.1", box.port),
            )
        while True:
            try:
                s.recv(65535)
                replies += 1
            except TimeoutError:
                break
    assert 0 < replies < sent  # the first ones are answered, the flood is not
    done = _calls(box, 1, free_port(), hold_ms=1500)
    assert done.returncode == 0, done.output[-2000:]


def test_outsiders_cannot_exhaust_sip_over_tcp(box: Box) -> None:
    idle = []
    for _ in range(80):  # half-open connections from outside sip.allow that never speak
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.bind((OUTSIDER, 0))
        c.connect(("127.0.0.1", box.port))
        idle.append(c)
    try:
        # an outsider that speaks is refused and its connection closed
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as talker:
            talker.bind((OUTSIDER, 0))
            talker.settimeout(10)
            talker.connect(("127.0.0.1", box.port))
            local = talker.getsockname()[1]
            talker.sendall(
                (
                    f"INVITE sip:wardline@127.0.0.1:{box.port} SIP/2.0\r\n"
                    f"Via: SIP/2.0/TCP {OUTSIDER}:{local};branch=z9hG4bKo1\r\n"
                    f"From: <sip:o@{OUTSIDER}>;tag=o1\r\nTo: <sip:wardline@127.0.0.1>\r\nCall-ID: out-1\r\n"
                    "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                ).encode()
            )
            heard = b""
            while chunk := talker.recv(65535):
                heard += chunk
            assert heard.startswith(b"SIP/2.0 403"), heard[:200]
        # the PBX's TCP call is answered all the same
        done = _calls(box, 2, free_port(socket.SOCK_STREAM), hold_ms=1500, transport="t1")
        assert done.returncode == 0, done.output[-2000:]
        # and the idle connections are closed by the front door, not kept for ever
        for c in idle:
            c.settimeout(60)
            assert c.recv(1) == b""
    finally:
        for c in idle:
            c.close()


def _options(port: int, transport: str, local: str) -> bytes:
    return (
        f"OPTIONS sip:wardline@127.0.0.1:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/{transport} {local};branch=z9hG4bKt{time.monotonic_ns()}\r\n"
        "From: <sip:pbx@127.0.0.1>;tag=t1\r\nTo: <sip:wardline@127.0.0.1>\r\n"
        f"Call-ID: tls-{time.monotonic_ns()}\r\nCSeq: 1 OPTIONS\r\n"
        "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    ).encode()


def test_a_tcp_caller_behind_nat_gets_the_transfer_over_its_own_connection(box: Box) -> None:
    """The caller's Contact names a port where nothing listens (a phone behind NAT): the worker's
    REFER must come back over the TCP connection the call arrived on, through the front door."""
    from tests.telephony.harness import SCENARIOS

    text = (SCENARIOS / "key_then_refer.xml").read_text()
    invite, rest = text.split("</send>", 1)
    invite = invite.replace(
        "Contact: <sip:sipp@[local_ip]:[local_port]>", "Contact: <sip:sipp@[local_ip]:9;transport=tcp>"
    )
    xml = box.tmp / "nat_key_then_refer.xml"
    rest = rest.replace("CSeq: 10 NOTIFY", "[routes]\n      CSeq: 10 NOTIFY")  # via the front door too
    xml.write_text((invite + "</send>" + rest).replace("$key", "0").replace("$pause_ms", "300"))
    local = free_port(socket.SOCK_STREAM)
    done = subprocess.run(
        ["sipp", f"127.0.0.1:{box.port}", "-sf", str(xml), "-t", "t1", "-i", "127.0.0.1", "-p", str(local),
         "-mi", "127.0.0.1", "-mp", str(free_port()), "-m", "1", "-nostdin", "-trace_msg",
         "-message_file", str(box.tmp / "nat.log"), "-timeout", "90s", "-timeout_error"],
        capture_output=True, text=True, timeout=120, cwd=box.tmp,
    )  # fmt: skip
    messages = (box.tmp / "nat.log").read_text(errors="replace") if (box.tmp / "nat.log").exists() else ""
    assert done.returncode == 0, done.stdout[-2000:] + messages[-3000:]
    assert "REFER sip:sipp@127.0.0.1:9" in messages  # addressed to the dead Contact, yet it arrived


def test_tls_is_the_systems_openssl_with_tls_1_3_and_verified_peers(box: Box) -> None:
    import ssl

    def client(*, with_cert: bool, maximum: ssl.TLSVersion | None = None) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(box.cert)
        if with_cert:
            ctx.load_cert_chain(box.cert, box.key)
        if maximum is not None:
            ctx.maximum_version = maximum
        return ctx

    # the PBX with a certificate the configured CA signed: TLS 1.3 (pjsua2's OpenSSL 1.0.2k had none)
    with (
        socket.create_connection(("127.0.0.1", box.tls_port), timeout=15) as raw,
        client(with_cert=True).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() == "TLSv1.3"
        tls.sendall(_options(box.port, "TLS", f"127.0.0.1:{tls.getsockname()[1]}"))
        reply = tls.recv(65535).decode(errors="replace")
        assert reply.startswith("SIP/2.0 200") and f"Server: {SERVER_HEADER}" in reply
    # TLS 1.2 is still taken
    with socket.create_connection(("127.0.0.1", box.tls_port), timeout=15) as raw:
        ctx = client(with_cert=True, maximum=ssl.TLSVersion.TLSv1_2)
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.version() == "TLSv1.2"
    # a peer without a certificate signed by the CA is refused during the handshake
    with (
        socket.create_connection(("127.0.0.1", box.tls_port), timeout=15) as raw,
        pytest.raises((ssl.SSLError, ConnectionError)),
        client(with_cert=False).wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        tls.sendall(_options(box.port, "TLS", "127.0.0.1:5"))
        if not tls.recv(65535):
            raise ConnectionError("closed by the front door")


def test_sdes_keys_are_refused_unless_they_came_over_tls(box: Box) -> None:
    from tests.telephony.harness import raw_invite, sdp

    offer = (
        sdp(40000, "0", "a=rtpmap:0 PCMU/8000").replace("RTP/AVP", "RTP/SAVP")
        + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcyBt\r\n"
    )
    before = box.accepted()
    reply = raw_invite(box.port, body=offer, local_port=free_port(), timeout=10)
    assert reply.startswith("SIP/2.0 488") and "SDES keys need TLS" in reply, reply[:300]
    time.sleep(1.5)  # a worker rewrites its state file within 0.5 s of a change
    assert box.accepted() == before  # no worker saw the keys


def test_a_worker_out_of_rotation_gets_no_calls_until_its_probe_is_answered(box: Box) -> None:
    """What a worker's supervisor (or its unit's ExecStopPost) does when the worker stops."""
    from appliance.frontdoor.install import control_socket
    from appliance.frontdoor.plan import plan
    from appliance.frontdoor.status import take_out_of_rotation
    from appliance.worker_state import run_dir

    worker = plan(box.settings).workers[1]
    assert take_out_of_rotation(control_socket(run_dir(box.settings)), worker.uri)
    row = next(w for w in box.status()["workers"] if w["worker"] == worker.index)
    assert row["dispatcher"] != "active"
    # the worker is alive: its next OPTIONS probe is answered and puts it back
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = next(w for w in box.status()["workers"] if w["worker"] == worker.index)
        if row["dispatcher"] == "active":
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"worker {worker.index} did not come back: {box.status()}")


def test_out_of_rotation_names_a_worker_the_box_does_not_have(box: Box) -> None:
    wardline = str(Path(sys.executable).parent / "wardline")
    env = {**os.environ, "WARDLINE_CONFIG": str(box.tmp / "wardline.toml")}
    done = subprocess.run(
        [wardline, "frontdoor", "out-of-rotation", "9"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "no worker 9" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_a_killed_worker_leaves_rotation_and_new_calls_go_to_the_others(box: Box) -> None:
    victim = next(w for w in box.status()["workers"] if w["worker"] == 1)
    from appliance.worker_state import read_state, run_dir

    state = read_state(run_dir(box.settings), 1)
    assert state is not None and victim["running"]
    os.kill(state.pid, signal.SIGKILL)
    # the other two have room for 6: none of these 6 callers is refused
    done = _calls(box, 6, free_port())
    assert done.returncode == 0, done.output[-2000:]
    assert answered(done.messages) >= 6
    # and the dead worker is started again and put back in rotation
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        fresh = read_state(run_dir(box.settings), 1)
        row = next(w for w in box.status()["workers"] if w["worker"] == 1)
        if fresh and fresh.pid != state.pid and row["ready"] and row["dispatcher"] == "active":
            break
        time.sleep(1)
    else:
        raise AssertionError(f"worker 1 did not come back: {box.status()}\n{box.tail()}")
