from pathlib import Path

import pytest

from appliance.events import AgentSaid, CallEnded, ToolCalled, TransferStarted
from appliance.sim.record import CallLog, check
from appliance.sim.scenario import load_scenario
from appliance.yamlsource import YamlError
from tests.conftest import REPO, SCENARIOS


def test_every_public_scenario_loads():
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert len(files) >= 6
    for f in files:
        assert load_scenario(f).turns


def test_the_shipped_copies_match_the_public_scenarios():
    for f in SCENARIOS.glob("*.yaml"):
        assert (REPO / "policies" / "riverside" / "scenarios" / f.name).read_text() == f.read_text()


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("name: x\nturns:\n  - say: hi\n  - sing: la\n", 4, "sing"),
        ("name: x\nturns:\n  - say: hi\n    dtmf: '1'\n", 3, "exactly one"),
        ("name: x\nturns: [\n", 3, "not valid YAML"),
        ("name: x\nturns:\n  - say: hi\nexpect:\n  outcome: happy\n", 5, "outcome"),
        ("name: x\nturns: []\n", 2, "turns"),
        ("name: x\nturns:\n  - say: hi\nname: y\n", 4, "'name' appears twice"),
        ("name: x\nturns:\n  - say: hi\nexpect:\n  tools: [a]\n  outcome: [b]\n", 6, "outcome"),
    ],
)
def test_a_malformed_scenario_names_file_and_line(tmp_path: Path, text: str, line: int, reason: str):
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(YamlError) as e:
        load_scenario(f)
    assert f"{f}:{line}:" in str(e.value)
    assert reason in str(e.value)


def test_expectations_are_checked_against_the_events(tmp_path: Path):
    scenario = load_scenario(SCENARIOS / "chest-pain.yaml")
    log = CallLog(scenario.name)
    log.turn = 1
    log.add(AgentSaid("c", 1, text="Please hang up and dial 911 now."))
    log.add(TransferStarted("c", 2, to="2100", reason="red-flag"))
    log.add(CallEnded("c", 3, outcome="transferred"))
    assert check(scenario, log) == []

    bad = CallLog(scenario.name)
    bad.turn = 2
    bad.add(ToolCalled("c", 1, tool="book_appointment"))
    bad.add(TransferStarted("c", 2, to="2000"))
    bad.add(CallEnded("c", 3, outcome="transferred"))
    failed = check(scenario, bad)
    assert any(f.startswith("transfer_to") for f in failed)
    assert any(f.startswith("within_turns") for f in failed)
    assert any(f.startswith("never_tools") for f in failed)
    assert any(f.startswith("agent_said") for f in failed)


def test_a_pause_inside_a_caller_line_is_parsed_and_never_said():
    from appliance.sim.scenario import plain_text, spoken_parts

    line = "My date of birth is [pause 900 ms] March third, nineteen eighty."
    assert spoken_parts(line) == ["My date of birth is", 900, "March third, nineteen eighty."]
    assert plain_text(line) == "My date of birth is March third, nineteen eighty."
