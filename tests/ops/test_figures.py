"""Figures computed from simulated calls match the events those calls produced."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from appliance.events import (
    AgentSaid,
    BargeIn,
    CallEnded,
    CallerSaid,
    CallStarted,
    CommandAccepted,
    FlowStarted,
    RedFlagRaised,
    ToolCalled,
    TransferStarted,
    TurnLatency,
)
from appliance.ops.figures import compute, first_contact_resolved, load_window
from appliance.ops.recorder import CallTally
from appliance.ops.report import gather
from tests.ops.conftest import PUBLIC, Sim

OUTCOME = {"contained": "contained", "transferred": "transferred", "caller_hung_up": "abandoned"}


def _window(sim: Sim):
    now = datetime.now(UTC)
    return load_window(sim.services.sessions, now - timedelta(hours=1), now + timedelta(minutes=1))


def test_figures_of_the_public_scenarios_match_their_events(sim: Sim) -> None:
    results = sim.run(PUBLIC)
    figures = compute(_window(sim))

    expected_calls: Counter[tuple[str, str]] = Counter()
    expected_tools: Counter[str] = Counter()
    for r in results:
        flows = [e.flow for e in r.log.events if isinstance(e, FlowStarted)]
        ended = next(e for e in r.log.events if isinstance(e, CallEnded))
        expected_calls[(flows[-1] if flows else "none", OUTCOME.get(ended.outcome, "ended"))] += 1
        expected_tools.update(e.tool for e in r.log.events if isinstance(e, ToolCalled))

    got_calls = Counter()
    for f in figures.intents:
        if f.intent == "all":
            continue
        for outcome in ("contained", "transferred", "abandoned", "ended"):
            if getattr(f, outcome):
                got_calls[(f.intent, outcome)] += getattr(f, outcome)
    assert got_calls == expected_calls
    assert {t.tool: t.calls for t in figures.tools} == dict(expected_tools)

    total = figures.intent("all")
    assert total is not None and total.calls == len(PUBLIC)
    contained = sum(1 for r in results if r.log.outcome == "contained")
    assert total.containment == contained / len(PUBLIC)
    transfers = [e for r in results for e in r.log.events if isinstance(e, TransferStarted)]
    assert total.transferred == len(transfers)
    # Every simulated transfer saved its summary: delivered, not yet opened.
    assert total.summaries_delivered == len(transfers) and total.summaries_opened == 0
    reasons = dict(total.transfer_reasons)
    assert reasons.get("red-flag:chest_pain") == 1 and reasons.get("caller-asked") == 1
    assert total.red_flags == sum(isinstance(e, RedFlagRaised) for r in results for e in r.log.events)
    caller_turns = sum(isinstance(e, CallerSaid) for r in results for e in r.log.events)
    assert total.turns_avg == caller_turns / len(PUBLIC)


def test_a_call_tally_splits_latency_and_counts_barge_in_recovery() -> None:
    t0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    tally = CallTally("c1", now=lambda: t0)
    events = [
        CallStarted("c1", 0.0, 8000, "sip"),
        CallerSaid("c1", 100.0, text="I need a refill"),
        FlowStarted("c1", 150.0, flow="refill_request"),
        TurnLatency(
            "c1",
            2000.0,
            voice_to_voice_ms=820.0,
            speech_end_ms=1000.0,
            end_of_turn_ms=1260.0,
            asr_final_ms=1400.0,
            first_text_ms=1550.0,
            first_audio_ms=1790.0,
            first_frame_ms=1820.0,
        ),
        AgentSaid("c1", 2500.0, text="What is your name?", interrupted=True),
        BargeIn("c1", 2600.0),
        CallerSaid("c1", 3000.0, text="John Whitfield"),
        CommandAccepted("c1", 3100.0, name="set_slot", args={"slot": "name", "value": "John Whitfield"}),
        ToolCalled("c1", 3500.0, tool="verify_identity", ok=True, status="ok", latency_ms=42.0),
        BargeIn("c1", 4000.0),
        ToolCalled("c1", 4500.0, tool="request_refill", ok=False, status="timeout", latency_ms=5000.0),
        TransferStarted("c1", 9000.0, to="2400", reason="tool-failed", handoff_id="h1"),
        CallEnded("c1", 9500.0, outcome="transferred"),
    ]
    for e in events:
        tally.add(e)
    s = tally.summary()
    assert (s.intent, s.outcome, s.turns, s.handle_ms) == ("refill_request", "transferred", 2, 9500.0)
    assert (s.barge_ins, s.barge_ins_recovered) == (2, 1)
    assert s.assisted  # verify_identity went through before the person took over
    assert s.errors == 2  # the timed-out tool and the tool-failed transfer
    lat = s.latencies[0]
    assert (lat.endpoint_ms, lat.asr_ms, lat.dialog_ms, lat.tts_ms) == (260.0, 140.0, 150.0, 240.0)
    assert lat.voice_to_voice_ms == 820.0
    assert "Whitfield" not in repr(s)


def test_first_contact_resolution_counts_a_call_back_within_seven_days(sim: Sim) -> None:
    from appliance.sim.scenario import load_scenario

    refill = load_scenario(next(p for p in PUBLIC if p.stem == "refill-request"))
    sim.run([refill, refill])
    window = _window(sim)
    resolved = first_contact_resolved(window.calls)
    assert sorted(resolved.values()) == [False, True]  # the first call was not the last
    f = compute(window).intent("refill_request")
    assert f is not None and f.fcr == 0.5
    refs = {c.caller_ref for c in window.calls}
    assert len(refs) == 1 and "5550174410" not in next(iter(refs))


def test_a_survey_press_after_the_goodbye_is_the_calls_satisfaction(sim: Sim) -> None:
    from appliance.sim.scenario import load_scenario

    parking = load_scenario(next(p for p in PUBLIC if p.stem == "parking-question"))
    ops = sim.ops
    answered: list[str] = []
    original = ops.observer

    def observer(call_id: str):  # the session's survey hook, as the lead wires it
        sink = original(call_id)

        def hook(event) -> None:  # type: ignore[no-untyped-def]
            if event.type == "hangup" and event.by == "agent":
                survey = ops.survey(call_id, "goodbye")
                assert survey is not None and "press 3" in survey.prompt
                survey.answer("2#")
                answered.append(call_id)
            sink(event)

        return hook

    ops.observer = observer  # type: ignore[method-assign]
    sim.run([parking])
    assert answered
    f = compute(_window(sim)).intent("all")
    assert f is not None and (f.satisfaction_avg, f.satisfaction_answers) == (2.0, 1)
    assert ops.survey("x", "no-input") is None


def test_daily_points_cover_every_day_of_the_period(sim: Sim) -> None:
    sim.run(PUBLIC[:2])
    g = gather(sim.services.sessions, timedelta(days=7), datetime.now(UTC), UTC)
    assert len(g.days) in (7, 8)
    assert sum(p.calls for p in g.days) == 2
