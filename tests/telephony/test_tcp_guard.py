"""Outsiders cannot exhaust SIP over TCP (issue 19, item 9): a bounded flood of idle TCP
connections from outside `sip.allow` is cut within seconds, and the allowed PBX's INVITE over TCP
is still answered."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from appliance.telephony.tcpguard import GRACE_S, parse_proc_net_tcp
from tests.telephony.harness import Harness, Recorder, next_ports, sdp, sip_settings

pytestmark = pytest.mark.timeout(90)

PBX = "127.0.0.2"  # the allowed PBX; the flood comes from 127.0.0.1, outside sip.allow
FLOOD = 80


def _tcp_invite(port: int, local_port: int) -> str:
    body = sdp(local_port + 10)
    msg = (
        f"INVITE sip:wardline@127.0.0.1:{port};transport=tcp SIP/2.0\r\n"
        f"Via: SIP/2.0/TCP {PBX}:{local_port};branch=z9hG4bK{time.monotonic_ns()}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:pbx@{PBX}>;tag=t1\r\nTo: <sip:wardline@127.0.0.1:{port}>\r\n"
        f"Call-ID: tcp-{time.monotonic_ns()}\r\nCSeq: 1 INVITE\r\n"
        f"Contact: <sip:pbx@{PBX}:{local_port};transport=tcp>\r\n"
        f"Content-Type: application/sdp\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(PBX, local_port)) as s:
        s.sendall(msg.encode())
        data = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _final(data):
            try:
                chunk = s.recv(65535)
            except TimeoutError:
                break
            if not chunk:
                break
            data += chunk
        return _final(data) or data.decode(errors="replace")[:200]


def _final(data: bytes) -> str:
    """The first final response's status line in what came back so far ("" before one)."""
    for line in data.split(b"\r\n"):
        if line.startswith(b"SIP/2.0 ") and not line.startswith(b"SIP/2.0 1"):
            return line.decode()
    return ""


def test_an_idle_tcp_flood_from_outside_is_cut_and_the_pbx_still_gets_through(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp, allow=[f"{PBX}/32"], transports=["udp", "tcp"])
    with Harness(settings, Recorder):
        flood = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(FLOOD)]
        try:
            time.sleep(GRACE_S + 3)
            closed = 0
            for s in flood:
                s.settimeout(0.5)
                try:
                    closed += s.recv(1) == b""
                except (TimeoutError, ConnectionResetError):
                    closed += 0
            answer = _tcp_invite(port, peer)
        finally:
            for s in flood:
                s.close()
    assert closed == FLOOD, f"{closed} of {FLOOD} idle outsider connections were cut"
    assert answer.startswith("SIP/2.0 200") or answer.startswith("SIP/2.0 488"), answer


def test_the_proc_table_reader():
    table = (
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:13C4 0200007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 4242 1\n"
        "   1: 0100007F:13C4 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4243 1\n"
    )
    (peer,) = parse_proc_net_tcp(table, v6=False)
    assert (peer.inode, peer.local_port, peer.remote) == (4242, 5060, "127.0.0.2:54321")
