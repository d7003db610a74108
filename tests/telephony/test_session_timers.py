"""RFC 4028 session timers against sipp: the appliance refreshes a session it is refresher of,
and ends with BYE a session whose refresher (the caller) stopped refreshing.

Both wait out real SIP timers on the RFC's smallest interval (Session-Expires 90 s), so they
are slow: about 46 s and 61 s.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from tests.telephony.harness import Harness, Recorder, SippResult, next_ports, sip_settings, sipp

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
SESSION_EXPIRES_S = 90  # what the caller offers: the RFC 4028 minimum
_STAMP = re.compile(r"^-{10,} (\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\.\d+)", re.M)
Messages = list[tuple[datetime, str]]


def messages(result: SippResult) -> Messages:
    """(time, text) of every SIP message in sipp's -trace_msg log."""
    parts = _STAMP.split(result.messages)
    return [
        (datetime.fromisoformat(parts[i].replace(" ", "T")), parts[i + 1])
        for i in range(1, len(parts) - 1, 2)
    ]


def first(msgs: Messages, pattern: str, after: datetime | None = None) -> tuple[datetime, str]:
    found = re.compile(pattern, re.M)
    for when, text in msgs:
        if found.search(text) and (after is None or when > after):
            return when, text
    raise AssertionError(f"no message matching {pattern!r} in sipp's log")


def header(text: str, name: str) -> str:
    match = re.search(rf"^\s*{name}:\s*(.+?)\s*$", text, re.M | re.I)
    return match.group(1) if match else ""


def test_the_appliance_as_refresher_refreshes_before_half_the_interval(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, ring_ms=0), Recorder) as h:
        result = sipp("timer_uas_refresh", port, peer, tmp_path, timeout=100, refresh_wait_ms=str(60_000))
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
    msgs = messages(result)
    answered, ok = first(msgs, r"^\s*SIP/2.0 200 OK[\s\S]*CSeq: 1 INVITE")
    assert "timer" in header(ok, "Require").lower() + header(ok, "Supported").lower()
    assert re.fullmatch(r"90;\s*refresher=uas", header(ok, "Session-Expires"))
    refreshed, refresh = first(msgs, r"^\s*(INVITE|UPDATE) sip:", after=answered)
    assert re.match(r"90\b", header(refresh, "Session-Expires")), refresh
    waited = (refreshed - answered).total_seconds()
    # RFC 4028 section 10: the refresher refreshes at half the interval (pjsip: at 45 s), and a
    # caller that is not refresher ends the call at Session-Expires - min(32 s, a third) = 60 s
    # without one. What matters is that the refresh comes before that, on a busy box too.
    assert SESSION_EXPIRES_S / 3 < waited < SESSION_EXPIRES_S - min(32, SESSION_EXPIRES_S / 3), waited
    assert record.outcome == "caller_hung_up"  # the refreshed call stayed up until the caller left


def test_a_caller_that_stops_refreshing_is_ended_with_bye_before_expiry(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, ring_ms=0), Recorder) as h:
        result = sipp("timer_uac_expires", port, peer, tmp_path, timeout=100, bye_wait_ms=str(85_000))
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
        assert h.server.agent is not None and h.server.agent.active_calls == 0
    msgs = messages(result)
    answered, ok = first(msgs, r"^\s*SIP/2.0 200 OK[\s\S]*CSeq: 1 INVITE")
    assert re.fullmatch(r"90;\s*refresher=uac", header(ok, "Session-Expires"))
    ended, bye = first(msgs, r"^\s*BYE sip:", after=answered)
    assert "cause=408" in header(bye, "Reason"), bye  # pjsip says why: no refresh received
    waited = (ended - answered).total_seconds()
    # RFC 4028 section 10: the side that is not refresher sends BYE shortly before the session
    # expires (pjsip: at Session-Expires - min(32 s, a third), here 60 s), never after it.
    assert SESSION_EXPIRES_S / 2 < waited < SESSION_EXPIRES_S, waited
    assert record.outcome is not None
