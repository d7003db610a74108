"""Acting on partials, on the lockstep clock with the real engines (Silero, Smart Turn,
pocketsphinx, espeak-ng): understanding prepared while the caller speaks is used when the final
words agree, redone when the caller changes their mind, and nothing with a side effect starts
before the turn is final."""

from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.events import AgentSaid, AsrFinal, FlowStarted, ToolCalled, TurnLatency
from appliance.sim.record import check
from appliance.sim.scenario import load_scenario
from tests.call.audio_calls import play
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.slow


def _play(path: Path, data_dir: Path, *, act_on_partials: bool = True):
    scenario = load_scenario(path)
    # A database of its own: a booking made by one run leaves its slot free for the other.
    settings = load_settings(data_dir=data_dir, call={"act_on_partials": act_on_partials})
    return scenario, play(scenario, settings)


def test_a_certain_request_is_prepared_early_and_the_call_goes_as_before(tmp_path: Path):
    path = SCENARIOS / "book-family-medicine.yaml"
    scenario, on = _play(path, tmp_path / "on")
    _, off = _play(path, tmp_path / "off", act_on_partials=False)
    assert check(scenario, on) == [], on.records
    assert check(scenario, off) == [], off.records
    said_on = [e.text for e in on.events if isinstance(e, AgentSaid)]
    said_off = [e.text for e in off.events if isinstance(e, AgentSaid)]
    assert said_on == said_off
    used = [e.preemptive for e in on.events if isinstance(e, TurnLatency)]
    assert "used" in used, used
    assert {e.preemptive for e in off.events if isinstance(e, TurnLatency)} == {""}
    # The booking (a side effect) started only after the caller's choice was final.
    finals = [e.t_ms for e in on.events if isinstance(e, AsrFinal)]
    booking = next(e for e in on.events if isinstance(e, ToolCalled) and e.tool == "book_appointment")
    assert len(finals) >= 3 and booking.t_ms >= finals[2]


def test_a_caller_who_changes_their_mind_gets_what_the_final_asks(tmp_path: Path):
    path = tmp_path / "changed-mind.yaml"
    path.write_text(
        """
name: changed-mind
caller_id: "+15550132291"
turns:
  - say: "I want to book an appointment, no, I mean cancel my appointment please."
"""
    )
    _, log = _play(path, tmp_path / "data")
    flows = [e.flow for e in log.events if isinstance(e, FlowStarted)]
    heard = [e.text for e in log.events if isinstance(e, AsrFinal)]
    assert flows == ["cancel_appointment"], (flows, heard)
    # Whether the last stable partial already said "cancel" (used) or not (redone) depends on
    # where the recognizer's partials fell; either way the booking the caller began with never
    # started (tests/dialog/test_acting_on_partials.py pins the redone path itself).
    assert [e.preemptive for e in log.events if isinstance(e, TurnLatency)] in (["used"], ["redone"])


def test_a_call_that_acts_on_partials_is_the_same_call_on_every_run(tmp_path: Path):
    """The lockstep clock waits for the early understanding of a partial and its lookup too, so
    what was prepared, and every decision after it, falls on the same frame on every run (before,
    those tasks ran beside the clock: how far they got depended on the machine's load)."""
    path = SCENARIOS / "book-family-medicine.yaml"
    _, first = _play(path, tmp_path / "first")
    _, second = _play(path, tmp_path / "second")
    assert first.records == second.records
    preemptive = [[e.preemptive for e in run.events if isinstance(e, TurnLatency)] for run in (first, second)]
    assert preemptive[0] == preemptive[1] and "used" in preemptive[0]
