"""The operator key during the opening (issue 18, item 5): only the disclosure's required
sentence plays whole; a key pressed meanwhile is acted on as soon as it ends, and the welcome
and greeting are never played. A real CallSession (espeak-ng, pocketsphinx, Silero) over SIP,
sipp as the caller."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.events import AgentSaid, DisclosurePlayed, TransferStarted
from tests.telephony.harness import next_ports, real_call_server, sip_settings, sipp

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def test_zero_pressed_during_the_disclosure_reaches_the_operator_without_the_greeting(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with real_call_server(sip_settings(port, rtp, transfer_timeout_s=20)) as (h, calls):
        result = sipp("key_then_refer", port, peer, tmp_path, key="0", pause_ms="300", timeout=90)
        (record,) = h.wait_finished(1, timeout=30)
    events, services = calls.events, calls.services
    assert result.returncode == 0, result.output
    assert record.outcome == "transferred"
    operator = services.extension("operator")
    refer = next(m for m in result.messages.split("\n\n") if "REFER sip:" in m)
    assert f"Refer-To: <sip:{operator}@" in refer
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("DisclosurePlayed") < kinds.index("TransferStarted")
    said = [e.text for e in events if isinstance(e, AgentSaid) and not e.interrupted]
    assert any("automated assistant" in s for s in said)  # the required part played whole
    assert not any("How can I help" in s for s in said), said  # the greeting never did
    assert [e.to for e in events if isinstance(e, TransferStarted)] == [operator]
    assert any(isinstance(e, DisclosurePlayed) for e in events)


def test_a_refused_transfer_is_apologised_for_and_audited_as_it_happened(tmp_path: Path) -> None:
    """Before, the audit log said "transferred" whatever the PBX answered (issue 18, item 2)."""
    from appliance.audit.query import read_entries

    port, rtp, peer = next_ports()
    with real_call_server(sip_settings(port, rtp, transfer_timeout_s=20)) as (h, calls):
        result = sipp("key_then_refer_busy", port, peer, tmp_path, key="0", pause_ms="300", timeout=90)
        (record,) = h.wait_finished(1, timeout=30)
        services, log = calls.services, calls.services.audit
        log.flush()
        entries = [e.entry for e in read_entries(log.engine, log.origin, record.call_id)]
    events = calls.events
    assert result.returncode == 0, result.output
    said = " ".join(e.text for e in events if isinstance(e, AgentSaid))
    assert "no one can take your call" in said  # an apology, not dead air
    operator = services.extension("operator")
    kinds = [(e["type"], e["payload"].get("to")) for e in entries if e["type"].startswith("transfer")]
    assert kinds == [("transfer", operator), ("transfer-failed", operator)]
    ended = [e["payload"]["outcome"] for e in entries if e["type"] == "call-ended"]
    assert ended == ["agent_hung_up"]
