"""What IT sees of calls (issue 18, item 7): a true startup line, one journal line per call,
and a short ring before the answer."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.service.call_journal import call_journal
from appliance.service.journal import Journal
from appliance.telephony.server import listening
from tests.fixtures.audio import synthesize_caller
from tests.telephony.harness import Harness, Recorder, next_ports, sip_settings, sipp, write_rtp_pcap

pytestmark = pytest.mark.timeout(120)


def test_the_startup_line_puts_tls_on_its_own_port() -> None:
    sip = load_settings(
        sip={"transports": ["udp", "tcp", "tls"], "tls_cert": "/c.pem", "tls_key": "/k.pem"}
    ).sip
    assert listening(sip) == "udp and tcp 0.0.0.0:5060, tls 0.0.0.0:5061"
    assert listening(load_settings().sip) == "udp and tcp 0.0.0.0:5060"


def _sip_times(messages: str) -> list[tuple[datetime, str]]:
    """(time, first line) of each message in sipp's -trace_msg log."""
    out = []
    for m in re.finditer(
        r"----------------------------------------------- (\S+ \S+)\n.*?\n\n(\S[^\n]*)", messages, re.S
    ):
        out.append((datetime.strptime(m.group(1)[:26], "%Y-%m-%d %H:%M:%S.%f"), m.group(2).strip()))
    return out


def test_one_journal_line_per_call_and_a_short_ring_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port, rtp, peer = next_ports()
    speech = synthesize_caller("I would like to book an appointment please", 8000)
    pcap = write_rtp_pcap(tmp_path / "caller.pcap", speech)
    lines = io.StringIO()
    journal = Journal(journald=False, fallback=lines)
    settings = sip_settings(port, rtp)  # ring_ms left at its default
    with (
        caplog.at_level("INFO", logger="appliance.telephony.server"),
        Harness(settings, Recorder, on_finished=call_journal(journal)) as h,
    ):
        result = sipp(
            "call_rtp_dtmf", port, peer, tmp_path, audio=str(pcap), audio_ms=str(len(speech) // 16 + 200)
        )
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
    assert any(f"udp and tcp 127.0.0.1:{port}" in r.getMessage() for r in caplog.records)
    (line,) = [x for x in lines.getvalue().splitlines() if "Call " in x]
    match = re.search(r"Call (\S+) ended: caller_hung_up, PCMU, (\S+Z) to (\S+Z) \((\d+) ms\)", line)
    assert match, line
    assert match.group(1) == record.call_id
    assert int(match.group(4)) > 0
    assert "5550100" not in line and "SIPp" not in line  # not the caller's number, not the SIP Call-ID

    times = _sip_times(result.messages)
    ringing = next(t for t, first in times if first.startswith("SIP/2.0 180"))
    ok = next(t for t, first in times if first.startswith("SIP/2.0 200") and t >= ringing)
    assert (ok - ringing).total_seconds() >= 0.1  # a short ring, not 180 and 200 together
