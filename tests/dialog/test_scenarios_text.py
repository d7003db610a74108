"""The public scenarios, played in text mode straight into the DialogEngine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from appliance.dialog.actions import HangUp, Transfer
from appliance.outcomes import hang_up_outcome
from tests.conftest import SCENARIOS
from tests.dialog.conftest import Call

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))


def play(call: Call, turns: list[dict[str, Any]]) -> tuple[str, int]:
    """Play the caller's turns; the outcome and the (1-based) turn it happened on."""
    for number, turn in enumerate(turns, 1):
        if call.engine.finished:
            break
        if "say" in turn:
            call.turn(turn["say"])
        elif "dtmf" in turn:
            call.turn(dtmf=str(turn["dtmf"]))
        elif "silence_ms" in turn:
            call.turn(silence=True)
        elif turn.get("hang_up"):
            return "caller_hung_up", number
        final = call.actions[-1] if call.actions else None
        if isinstance(final, Transfer):
            return "transferred", number
        if isinstance(final, HangUp):
            return hang_up_outcome(final.reason), number
    return "caller_hung_up", len(turns)


def in_order(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(tool == w for tool in it) for w in wanted)


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.stem for p in SCENARIO_FILES])
def test_public_scenario(path: Any, make_call: Callable[..., Call]) -> None:
    scenario = yaml.safe_load(path.read_text())
    expect = scenario.get("expect", {})
    call = make_call(caller_id=scenario.get("caller_id"))
    outcome, at_turn = play(call, scenario["turns"])
    said = call.said().lower()
    if "outcome" in expect:
        assert outcome == expect["outcome"], call.said()
    if "transfer_to" in expect:
        transfer = call.transfer()
        assert transfer is not None and transfer.to == str(expect["transfer_to"])
    if "within_turns" in expect:
        assert at_turn <= expect["within_turns"]
    if "tools" in expect:
        assert in_order(expect["tools"], call.tools()), call.tools()
    for tool in expect.get("never_tools", []):
        assert tool not in call.tools()
    for words in expect.get("agent_said", []):
        assert words.lower() in said, call.said()
    for words in expect.get("agent_never_said", []):
        assert words.lower() not in said, call.said()
