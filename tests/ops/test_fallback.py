"""Automatic fallback, tested with simulated call histories: an intent that misses its target
goes to people (recorded, shown), and a supervisor's command gives it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.events import CallEnded, CallStarted, FlowStarted, ToolCalled, TransferStarted
from appliance.ops.fallback import judge
from appliance.ops.recorder import CallTally
from appliance.ops.runtime import save_summary
from appliance.ops.targets import Target, load_targets
from appliance.sim.scenario import load_scenario
from tests.ops.conftest import PUBLIC, Sim

REFILL = next(p for p in PUBLIC if p.stem == "refill-request")


def _history(
    sim: Sim,
    intent: str,
    n: int,
    start: datetime,
    every: timedelta,
    contained_every: int = 0,
    tool_status: str = "ok",
) -> None:
    """n calls of one intent, `every` apart; one in `contained_every` contained, the rest transferred."""
    for i in range(n):
        when = start + i * every
        tally = CallTally(f"h{intent}{i}", now=lambda when=when: when)
        contained = contained_every and i % contained_every == 0
        for e in (
            CallStarted(tally.call_id, 0.0),
            FlowStarted(tally.call_id, 10.0, flow=intent),
            ToolCalled(
                tally.call_id, 20.0, tool="verify_identity", status=tool_status, ok=tool_status == "ok"
            ),
            *(
                []
                if contained
                else [TransferStarted(tally.call_id, 90_000.0, to="2400", reason="no-options")]
            ),
            CallEnded(tally.call_id, 100_000.0, outcome="contained" if contained else "transferred"),
        ):
            tally.add(e)
        save_summary(sim.services.sessions, tally.summary())


def _audit_types() -> list[str]:
    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.config import load_settings
    from appliance.store.db import make_engine

    engine = make_engine(load_settings().database_url)
    return [r.entry["type"] for r in read_entries(engine, default_origin()) if r.entry]


def test_judge_compares_an_intents_calls_with_its_targets() -> None:
    target = Target("faq", containment_min=0.5, handle_time_max_s=120, min_calls=4, error_rate_max=0.3)

    class C:
        def __init__(self, outcome: str, s: float, errors: int = 0) -> None:
            self.outcome, self.handle_ms, self.errors = outcome, s * 1000, errors

    good = [C("contained", 60), C("contained", 60), C("transferred", 100), C("contained", 90)]
    assert judge(target, good, good).ok
    few = [C("transferred", 500)] * 3
    assert judge(target, few, []).ok  # too few calls to judge
    bad = [C("transferred", 200)] * 3 + [C("contained", 200)]
    missed = judge(target, bad, bad).missed
    assert any("containment 25%" in m for m in missed) and any("handle time 200 s" in m for m in missed)
    spike = [C("contained", 60, errors=1)] * 5
    assert any("error rate 100%" in m for m in judge(target, spike, spike).missed)


def test_an_intent_below_target_goes_to_people_until_a_supervisor_turns_it_back_on(sim: Sim) -> None:
    now = datetime.now(UTC)
    # Two days of refill calls, one in four contained: containment 25 % < the 50 % target.
    _history(sim, "refill_request", 24, now - timedelta(hours=47), timedelta(hours=1.9), contained_every=4)
    sim.ops.judge("refill_request")
    off = sim.ops.switch.off()
    assert "refill_request" in off and "containment 25%" in off["refill_request"]
    assert "intent-fallback" in _audit_types()

    result = sim.run([load_scenario(REFILL)])[0]
    assert result.log.outcome == "transferred"
    assert result.log.of_type("transfer")[0]["to"] == "2400"  # the pharmacy, from targets.yaml
    assert not result.log.of_type("tool_call")  # no step of the flow ran
    reason = next(e for e in result.log.events if e.type == "transfer").reason
    assert reason == "fallback:refill_request"

    out = CliRunner().invoke(app, ["intents", "list"])
    assert out.exit_code == 0 and "PEOPLE" in out.output
    out = CliRunner().invoke(app, ["intents", "enable", "refill_request"])
    assert out.exit_code == 0, out.output
    assert "intent-enabled" in _audit_types()
    sim.ops.switch._read_at = -1e9  # the service re-reads within ttl_s; the test does not wait
    result = sim.run([load_scenario(REFILL)])[0]
    assert result.log.outcome == "contained"
    assert "refill_request" not in sim.ops.switch.off()  # judged afresh: one good call since


def test_an_error_spike_sends_the_intent_to_people(sim: Sim) -> None:
    now = datetime.now(UTC)
    _history(
        sim,
        "book_appointment",
        6,
        now - timedelta(minutes=50),
        timedelta(minutes=5),
        contained_every=1,
        tool_status="timeout",
    )
    sim.ops.judge("book_appointment")
    assert "error rate 100%" in sim.ops.switch.off()["book_appointment"]


def test_enable_refuses_an_unknown_intent() -> None:
    from appliance.cli.errors import exit_code_for

    out = CliRunner().invoke(app, ["intents", "enable", "no_such_flow"])
    assert out.exception is not None and exit_code_for(out.exception) == 2
    assert "not a flow of the site pack" in str(out.exception)


def test_targets_yaml_errors_name_the_file_and_line(tmp_path) -> None:
    from appliance.yamlsource import YamlError

    (tmp_path / "targets.yaml").write_text("defaults:\n  containment_min: 1.5\n", encoding="utf-8")
    with pytest.raises(YamlError, match=r"targets.yaml:2: .*containment_min"):
        load_targets(tmp_path)
    (tmp_path / "targets.yaml").write_text("intents:\n  nope: {}\n", encoding="utf-8")
    with pytest.raises(YamlError, match="no such flow"):
        load_targets(tmp_path, flows={"faq"})
