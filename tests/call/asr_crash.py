"""A recognizer that dies while the caller speaks (the worker processes, or the shared engine
process): the two calls the fault tests play, and what the caller must have met on the first."""

from __future__ import annotations

from pathlib import Path

from appliance.dialog import responses as R
from appliance.events import AgentSaid, CallEnded, TransferStarted
from appliance.privacy.handoffs import load_handoff
from appliance.sim.record import CallLog, check
from appliance.sim.scenario import Scenario
from tests.call.audio_calls import scenario_from_text

SITE_OPERATOR = "2000"  # policies/riverside/site.yaml; sip.operator_extension is "0"

CRASH = """
name: recognizer-crash
turns:
  - say: "How much is parking for visitors at the hospital during the week?"
  - say: "Okay, thanks, bye."
expect:
  outcome: contained
"""

NEXT_CALL = """
name: after-the-crash
turns:
  - say: "How much is parking for visitors?"
  - say: "Okay, thanks, bye."
expect:
  outcome: contained
  agent_said: ["thirty minutes"]
"""


def crash_and_next_call(tmp_path: Path) -> tuple[Scenario, Scenario]:
    return scenario_from_text(tmp_path, CRASH, "crash"), scenario_from_text(tmp_path, NEXT_CALL, "after")


def assert_the_caller_reached_the_operator(crash: Scenario, first: CallLog, data_dir: Path) -> None:
    """The caller heard the apology, then went to the site's operator with a stored summary."""
    transfers = [e for e in first.events if isinstance(e, TransferStarted)]
    assert transfers and transfers[0].to == SITE_OPERATOR, transfers
    handoff_id = transfers[0].handoff_id
    assert handoff_id, "the transfer carries the handoff id"
    summary = load_handoff(data_dir, handoff_id)
    assert summary["reason"].startswith("fault:")
    said = " ".join(e.text for e in first.events if isinstance(e, AgentSaid) and e.t_ms <= transfers[0].t_ms)
    assert R.FAULT.split(".")[0] in said, said
    ended = [e for e in first.events if isinstance(e, CallEnded)]
    assert ended[0].outcome == "transferred" and ended[0].reason == "fault:asr", ended
    # The simulated call fails its scenario: a fault is never a pass.
    assert any("fault" in f for f in check(crash, first)), check(crash, first)
