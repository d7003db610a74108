"""baresip over TLS without a server certificate of its own (issue 18, item 2): it can open a
TLS connection but accept none, like most phones. The agent's BYE and REFER must come back over
the caller's connection; before the fix pjsip tried a new TLS connection to the Contact, the
handshake failed, and the caller was left in dead air."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.telephony.baresip import baresip_call, operator_uas, require_baresip
from tests.telephony.harness import Harness, next_ports, self_signed, sip_settings
from tests.telephony.test_connection_reuse import Agent, Transferring

pytestmark = pytest.mark.timeout(120)


def _requests_from(trace: str, agent: str) -> list[str]:
    """Methods of the requests baresip's SIP trace (-s) shows arriving from the agent's address."""
    lines = trace.splitlines()
    return [
        nxt.split(" ", 1)[0]
        for line, nxt in itertools.pairwise(lines)
        if line.startswith(f"TLS {agent} -> ") and nxt.strip() and not nxt.startswith("SIP/2.0")
    ]


@pytest.mark.parametrize("agent", [Agent, Transferring], ids=["bye", "refer"])
def test_baresip_over_tls_hears_the_agents_bye_and_refer(tmp_path: Path, agent: type[Agent]) -> None:
    require_baresip()
    port, rtp, peer = next_ports()
    cert, key = self_signed(tmp_path, common_name="127.0.0.1")
    person = peer + 20
    settings = sip_settings(
        port, rtp, transports=["udp", "tls"], tls_port=port + 1, tls_cert=str(cert), tls_key=str(key),
        pbx_host=f"127.0.0.1:{person}",
    )  # fmt: skip
    with Harness(settings, agent) as h:
        uas, log = operator_uas(person, tmp_path)
        trace = baresip_call(
            f"sip:wardline@127.0.0.1:{port + 1};transport=tls", peer, tmp_path, seconds=7, transport="tls"
        )
        (record,) = h.wait_finished(1)
        uas.kill()
        uas.wait()
    from_agent = _requests_from(trace, f"127.0.0.1:{port + 1}")
    if agent is Transferring:
        assert "REFER" in from_agent, trace[-3000:]
        assert record.outcome == "transferred"
        assert "INVITE sip:200@127.0.0.1" in log.read_text(errors="replace")  # the phone went on
    else:
        assert "BYE" in from_agent, trace[-3000:]
        assert record.outcome == "agent_hung_up"
    assert "481 Call/Transaction Does Not Exist" not in trace  # the phone's dialog matched ours to the end
