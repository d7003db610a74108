"""An ACK that matches nothing must not abort the agent (found while testing issue 18).

pjsua 2.15 answers a tagless ACK that looks like a merged request with 482, pjsip asserts,
and the process aborts with every call on it; a PBX sends such an ACK when its CANCEL crosses
our 200 OK. The agent runs in a child process here, so that an abort fails the test instead of
killing the test run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.timeout(120)

CHILD = r"""
import socket, sys, time
from tests.telephony.harness import Harness, Recorder, next_ports, raw_invite, sdp, sip_settings

port, rtp, peer = next_ports()
proto = sys.argv[1]
with Harness(sip_settings(port, rtp, transports=["udp", "tcp"]), Recorder) as h:
    if proto == "tcp":
        s = socket.create_connection(("127.0.0.1", port))
        send = lambda m: s.sendall(m.encode())
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", peer))
        send = lambda m: s.sendto(m.encode(), ("127.0.0.1", port))
    s.settimeout(5)
    body, cid = sdp(peer + 2), f"stray-{time.monotonic_ns()}"
    via = f"Via: SIP/2.0/{proto.upper()} 127.0.0.1:{peer};rport;branch=z9hG4bK"
    common = (f"Max-Forwards: 70\r\nFrom: <sip:c@127.0.0.1>;tag=t1\r\n"
              f"To: <sip:wardline@127.0.0.1>\r\nCall-ID: {cid}\r\n")
    send(f"INVITE sip:wardline@127.0.0.1:{port} SIP/2.0\r\n{via}{time.monotonic_ns()}\r\n{common}"
         f"CSeq: 1 INVITE\r\nContact: <sip:c@127.0.0.1:{peer}>\r\nContent-Type: application/sdp\r\n"
         f"Content-Length: {len(body)}\r\n\r\n{body}")
    seen = ""
    while "SIP/2.0 200" not in seen:
        seen += s.recv(65535).decode(errors="replace")
    # The ACK a PBX sends when its CANCEL crossed our 200: no To tag, so it matches nothing.
    send(f"ACK sip:wardline@127.0.0.1:{port} SIP/2.0\r\n{via}a{time.monotonic_ns()}\r\n{common}"
         "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")
    time.sleep(1.0)
    answer = raw_invite(port, body=sdp(peer + 12), local_port=peer + 10)  # the agent still answers
    print("STILL ANSWERING" if answer.startswith("SIP/2.0 200") else f"NO ANSWER {answer[:40]!r}")
    print("DROPPED", h.server.agent.stray_acks.dropped, flush=True)
"""


@pytest.mark.parametrize("proto", ["udp", "tcp"])
def test_an_ack_that_matches_nothing_is_dropped_and_the_agent_lives(proto: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, proto], cwd=REPO, capture_output=True, text=True, timeout=90
    )
    assert child.returncode == 0, child.stderr[-1500:]  # -6 (SIGABRT) before the fix
    assert "STILL ANSWERING" in child.stdout, child.stdout[-1500:]
    assert "DROPPED 1" in child.stdout
