"""An emergency named while the caller is still talking is acted on before the turn ends.

The partial transcript is checked as the caller speaks; once it names a certain emergency the
turn ends there, and the 911 instruction plays whole even though the caller keeps talking.
Audio mode on the simulated clock: real VAD, recognizer and voice.
"""

import asyncio
from pathlib import Path

import pytest

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import AgentSaid, AsrFinal, CallerSaid, RedFlagRaised, TurnEnded
from appliance.sim.audio import run_audio
from appliance.sim.record import check
from appliance.sim.scenario import load_scenario
from tests.call.audio_calls import play_text

pytestmark = pytest.mark.slow

LONG_EMERGENCY = (
    "I have crushing chest pain and my left arm is numb and it started this morning when I was out "
    "in the garden pulling weeds with my daughter and it has not stopped since then"
)


def _emergency_call(tmp_path: Path, wrap_stream=None):  # type: ignore[no-untyped-def]
    """The long emergency said in audio mode; `wrap_stream` wraps each recognizer stream."""
    scenario_path = tmp_path / "long.yaml"
    scenario_path.write_text(
        f"""
name: emergency-mid-sentence
turns:
  - say: "{LONG_EMERGENCY}"
expect:
  outcome: transferred
  transfer_to: "2100"
  agent_said: ["911"]
"""
    )
    scenario = load_scenario(scenario_path)

    async def go():  # type: ignore[no-untyped-def]
        services = await build_services(load_settings(), speech=True)
        if wrap_stream is not None:
            open_stream = services.asr.open_stream
            services.asr.open_stream = lambda *a, **k: wrap_stream(open_stream(*a, **k))
        try:
            return await run_audio(scenario, services)
        finally:
            await services.close()

    return scenario, asyncio.run(go())


def test_an_emergency_heard_mid_sentence_is_answered_before_the_caller_stops(tmp_path: Path):
    scenario, log = _emergency_call(tmp_path)
    assert check(scenario, log) == [], log.records
    said = next(e for e in log.events if isinstance(e, CallerSaid))
    flag = next(e for e in log.events if isinstance(e, RedFlagRaised))
    heard = [e.text for e in log.events if isinstance(e, AsrFinal)]
    # The turn ended on the emergency, long before the caller's last words were spoken.
    assert heard and "garden" not in heard[0], heard
    seconds_of_speech = len(LONG_EMERGENCY.split()) / 170 * 60
    assert flag.t_ms - said.t_ms < seconds_of_speech * 1000 / 2, (flag, said)
    # The instruction was played whole although the caller went on talking over it.
    instruction = [e for e in log.events if isinstance(e, AgentSaid) and "911" in e.text]
    assert instruction and not any(e.interrupted for e in instruction)


class _FinalHearsWorse:
    """A recognizer stream whose final decode of the turn loses what its partial heard, as
    Whisper did ("crushing chest" as a partial, "crushing chip." as the final)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self._stream = stream

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._stream, name)

    async def finish(self) -> str:
        return (await self._stream.finish()).lower().replace("chest", "chip")


def test_an_emergency_named_in_a_partial_is_not_taken_back_by_a_worse_final(tmp_path: Path):
    scenario, log = _emergency_call(tmp_path, _FinalHearsWorse)
    heard = [e.text for e in log.events if isinstance(e, AsrFinal)]
    assert heard and "chest" not in heard[0], heard  # the final lost the words
    assert check(scenario, log) == [], (log.records, heard)  # the emergency was still acted on


def test_an_emergency_is_answered_mid_sentence_for_a_caller_the_agent_has_learned_to_wait_for(
    tmp_path: Path,
):
    # The caller was cut off once and went on ("… Doctor Patel, [pause] next Tuesday"), so the
    # call's pause windows have grown for them; the emergency named in a partial still ends the
    # turn at once: red flags never wait on the end-of-turn windows.
    scenario, log = play_text(
        tmp_path,
        f"""
name: emergency-after-a-continuation
turns:
  - say: "Hi, I'd like to see Doctor Patel, [pause 600 ms] next Tuesday morning."
  - say: "{LONG_EMERGENCY}"
expect:
  outcome: transferred
  transfer_to: "2100"
  agent_said: ["911"]
""",
        call={"turn_model": "off"},
    )
    assert check(scenario, log) == [], log.records
    said = [e for e in log.events if isinstance(e, CallerSaid)]
    first_turn_ends = [e for e in log.events if isinstance(e, TurnEnded) and e.t_ms < said[1].t_ms]
    assert len(first_turn_ends) == 2, "the caller went on after a cut-off in the first turn"
    flag = next(e for e in log.events if isinstance(e, RedFlagRaised))
    seconds_of_speech = len(LONG_EMERGENCY.split()) / 170 * 60
    assert flag.t_ms - said[1].t_ms < seconds_of_speech * 1000 / 2, (flag, said[1])
