"""CallSession with the real engines: Silero VAD, pocketsphinx, espeak-ng, in real time."""

from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.events import AgentSaid, BargeIn, CallerSaid
from appliance.sim.record import CallLog, check
from appliance.sim.scenario import Scenario
from tests.call.audio_calls import play_text

pytestmark = pytest.mark.slow


def test_barge_in_stops_the_agent_at_once_and_the_new_words_are_handled(tmp_path: Path):
    scenario, log = play_text(
        tmp_path,
        """
name: barge-in
turns:
  - say: "How much is parking for visitors?"
  - say: "Can I just talk to a real person please?"
    barge_in_after_ms: 1500
expect:
  outcome: transferred
  transfer_to: "2000"
""",
    )
    assert check(scenario, log) == []
    barge = [e for e in log.events if isinstance(e, BargeIn)]
    assert len(barge) == 1
    cut = [e for e in log.events if isinstance(e, AgentSaid) and e.interrupted]
    assert cut, "the reply that was interrupted is reported as cut"
    full = "It is free for the first thirty minutes, then two dollars an hour, up to twelve dollars a day."
    assert all(e.text != full for e in log.events if isinstance(e, AgentSaid) and e.t_ms > barge[0].t_ms - 1)
    # The audit log saw the call end even though a reply was cut (entries flushed at call end).
    assert any(e.type == "call-ended" for e in log.events)


def test_silence_gets_reprompts_then_a_polite_goodbye(tmp_path: Path):
    scenario, log = play_text(
        tmp_path,
        """
name: silent-caller
turns:
  - silence_ms: 20000
expect:
  outcome: agent_hung_up
""",
        call={"no_input_timeout_ms": 2000},
    )
    assert check(scenario, log) == [], log.records
    said = " ".join(r["text"] for r in log.of_type("agent_say")).lower()
    assert "goodbye" in said
    assert log.of_type("hangup")[0]["by"] == "agent"


def _pause_and_go_on(tmp_path: Path) -> tuple[Scenario, CallLog, list[str]]:
    """A question, then "Okay, thanks, bye." with pauses that a short fixed endpoint (no end-of-turn
    model) takes for ends of turn: the call, and what was heard of the second turn each time."""
    scenario, log = play_text(
        tmp_path,
        """
name: pause-and-go-on
turns:
  - say: "How much is parking for visitors?"
  - say: "Okay, thanks, bye."
expect:
  outcome: contained
""",
        call={"endpoint_ms": 120, "turn_model": "off"},
    )
    heard = [r["text"] for r in log.of_type("asr_final") if r["turn"] == 2]
    assert len(heard) >= 2, f"the pauses ended turns, so the continuation was exercised: {heard}"
    return scenario, log, heard


def test_a_caller_who_pauses_and_goes_on_is_heard_as_one_utterance(tmp_path: Path):
    # A short fixed endpoint (no end-of-turn model) makes the commas in "Okay, thanks, bye." end
    # turns; each time the caller goes on, the agent's reply is taken back and the turn is
    # re-heard whole. Heard alone, the fragments come out as "thirty" and "i", and the goodbye is lost.
    scenario, log, heard = _pause_and_go_on(tmp_path)
    assert heard[-1] == "okay thanks bye"
    assert check(scenario, log) == []


def test_operator_said_during_the_welcome_cuts_it_and_reaches_a_person(tmp_path: Path):
    # Spoken ~1.5 s into the welcome, after the disclosure's one required sentence (issue 18).
    from appliance.dialog.sitepack import load_site

    site = load_site(Path(load_settings().site.policy_dir)).site
    required_ms = len(site.disclosure.split()) * 60000 / load_settings().speech.words_per_minute
    scenario, log = play_text(
        tmp_path,
        f"""
name: operator-during-the-welcome
turns:
  - say: "Operator please."
    barge_in_after_ms: {round(required_ms) + 1500}
expect:
  outcome: transferred
  transfer_to: "2000"
""",
    )
    assert check(scenario, log) == [], log.records
    said = [e for e in log.events if isinstance(e, AgentSaid)]
    assert any("automated assistant" in e.text and not e.interrupted for e in said)
    assert not any(e.text == site.greeting and not e.interrupted for e in said), [e.text for e in said]


def test_a_caller_who_goes_on_after_a_pause_hears_nothing_of_the_reply_taken_back(tmp_path: Path):
    # The pauses in "Okay, thanks, bye." end turns (a short fixed endpoint); the reply to each
    # fragment is held from the caller's first sound going on, so not a word of it is played
    # before it is taken back: the caller hears only the answer to the whole sentence.
    scenario, log, _ = _pause_and_go_on(tmp_path)
    second = [e for e in log.events if isinstance(e, CallerSaid)][1].t_ms
    cut = [e.text for e in log.events if isinstance(e, AgentSaid) and e.interrupted and e.t_ms > second]
    assert cut == [], f"the caller heard part of a reply that was taken back: {cut}"
    assert check(scenario, log) == []
