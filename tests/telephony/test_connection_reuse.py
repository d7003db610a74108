"""In-dialog requests over TCP go back over the caller's own connection (issue 18, item 2).

The caller accepts no connections (tests/telephony/tcp_caller.py): before the fix the agent's
BYE and REFER went to a new connection to the caller's Contact and never arrived."""

from __future__ import annotations

import asyncio

import pytest

from tests.telephony.harness import Harness, SilentSession, next_ports, sdp, sip_settings
from tests.telephony.tcp_caller import TcpCaller

pytestmark = pytest.mark.timeout(120)


class Agent(SilentSession):
    """A session that, a second in, hangs up or transfers to 200 (handoff id h-test)."""

    action = "hang-up"

    async def run(self) -> str:
        await asyncio.sleep(1.0)
        if self.action == "hang-up":
            await self.transport.hang_up()
            return "agent_hung_up"
        return "transferred" if await self.transport.transfer("200", "h-test") else "failed"


class Transferring(Agent):
    action = "transfer"


@pytest.mark.parametrize("agent", [Agent, Transferring], ids=["bye", "refer"])
def test_the_agents_requests_reach_a_caller_that_accepts_no_connections(agent: type[Agent]) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, transports=["udp", "tcp"]), agent) as h:
        caller = TcpCaller(port, dead_port=peer + 1, media_port=peer + 2)
        try:
            assert caller.call(sdp(peer + 2))
            caller.serve(seconds=12)
        finally:
            caller.close()
        (record,) = h.wait_finished(1)
    if agent is Transferring:
        assert caller.received[:1] and caller.received[0].startswith("REFER sip:")
        assert record.outcome == "transferred"
    else:
        assert caller.received == [f"BYE sip:5550100@127.0.0.1:{peer + 1};transport=tcp SIP/2.0"]
        assert record.outcome == "agent_hung_up"
