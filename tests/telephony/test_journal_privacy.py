"""SIP messages never reach the journal (issue 19, item 6).

pjsip logs a request it cannot parse at ERROR with the whole packet, From header and all. What
reaches Python logging (and so the journal) is a one-line summary without the message.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from tests.telephony.harness import Harness, Recorder, next_ports, raw_send, sip_settings

pytestmark = pytest.mark.timeout(60)

NUMBER = "5557014433"  # the caller's number in the malformed requests


def _malformed(port: int, local_port: int) -> list[str]:
    via = f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{time.monotonic_ns()}\r\n"
    head = f"INVITE sip:wardline@127.0.0.1:{port} SIP/2.0\r\n"
    ident = (
        f'From: "Caller" <sip:{NUMBER}@127.0.0.1>;tag=x1\r\n'
        f"To: <sip:wardline@127.0.0.1:{port}>\r\n"
        f"P-Asserted-Identity: <tel:+1{NUMBER}>\r\n"
        f"Contact: <sip:{NUMBER}@127.0.0.1:{local_port}>\r\n"
    )
    return [
        head + via + ident + "Call-ID: m1\r\nCSeq: one INVITE\r\nContent-Length: 0\r\n\r\n",  # bad CSeq
        head + "Via: SIP/2.0/UDP\r\n" + ident + "Call-ID: m2\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
        head + via + ident + "Call-ID: m4\r\nCSeq: 1 INVITE\r\nContent-Length: x\r\n\r\n",
        head + via + ident + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",  # no Call-ID: the whole packet
        head
        + via
        + ident.replace("To:", "X-To:")
        + "Call-ID: m6\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    ]


def test_a_malformed_request_is_logged_without_the_message(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    port, rtp, peer = next_ports()
    with caplog.at_level(logging.DEBUG), Harness(sip_settings(port, rtp), Recorder):
        for i, msg in enumerate(_malformed(port, peer)):
            raw_send(port, msg, local_port=peer + i, timeout=1.0)
        time.sleep(0.5)
    pjsip = [r.getMessage() for r in caplog.records if "pjsip" in r.getMessage()]
    assert pjsip, "pjsip reported the malformed requests"
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert NUMBER not in everything, everything
    assert "From:" not in everything and "Contact:" not in everything and "P-Asserted" not in everything
    assert all("\n" not in m for m in pjsip), pjsip  # one line each: a summary, never the packet


def test_the_journal_line_keeps_the_reason_and_drops_every_identity():
    from appliance.telephony.pjlog import journal_line

    dump = (
        "18:01:21.917  sip_endpoint.c  Error processing packet from 10.1.2.3:5060: Missing required "
        "header(s) (PJSIP_EMISSINGHDR) Call-ID [code 171050]:\nINVITE sip:wardline@10.1.2.4 SIP/2.0\r\n"
        f'From: "Caller" <sip:{NUMBER}@pbx>;tag=1\r\n\n-- end of packet.'
    )
    line = journal_line(dump)
    assert "Missing required header(s)" in line and "10.1.2.3:5060" in line
    assert "\n" not in line and NUMBER not in line and "withheld" in line
    inline = f"pjsua_call.c  Bad From: <sip:{NUMBER}@pbx> then tel:+1{NUMBER} and 555-701-4433"
    assert all(n not in journal_line(inline) for n in (NUMBER, "555-701-4433"))


def test_an_invite_with_a_body_but_no_content_type_is_refused_and_the_agent_lives(tmp_path: Path):
    """Once a one-packet crash: pjsua asserted (and aborted the process) when such an INVITE was
    refused from inside its incoming-call callback."""
    port, rtp, peer = next_ports()

    def invite(local_port: int) -> str:
        return (
            f"INVITE sip:wardline@127.0.0.1:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local_port};branch=z9hG4bK{time.monotonic_ns()}\r\n"
            f"From: <sip:caller@127.0.0.1>;tag=n1\r\nTo: <sip:wardline@127.0.0.1:{port}>\r\n"
            f"Call-ID: noct-{time.monotonic_ns()}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:caller@127.0.0.1:{local_port}>\r\nContent-Length: 5\r\n\r\nv=0\r\n"
        )

    with Harness(sip_settings(port, rtp), Recorder):
        first = raw_send(port, invite(peer), local_port=peer, timeout=3.0)
        again = raw_send(port, invite(peer + 1), local_port=peer + 1, timeout=3.0)
    assert first.startswith("SIP/2.0 488") and again.startswith("SIP/2.0 488"), (first[:80], again[:80])
