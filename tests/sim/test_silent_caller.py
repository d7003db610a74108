"""A caller who says nothing is reprompted, then told goodbye: the line is not held for nobody.

The site rule (riverside: `no_input_timeout_ms` 7 s, `max_silence_turns` 3): a reprompt after
each stretch of silence, then a polite goodbye and a hang-up, about 30 s in all. The same in
text mode and in audio mode (where the timer runs on the call's own audio clock).
"""

import pytest

from tests.sim.test_public_scenarios import _run

SILENT = """
name: silent-caller
turns:
  - silence_ms: 40000
expect:
  outcome: agent_hung_up
"""


@pytest.mark.parametrize("mode", ["text", "audio"])
def test_a_silent_caller_is_reprompted_then_released_within_about_30_s(tmp_path, mode):
    path = tmp_path / "silent.yaml"
    path.write_text(SILENT)
    result = _run(path, mode)
    assert result.passed, (result.failed, result.log.records)
    said = [r["text"] for r in result.log.of_type("agent_say")]
    reprompts = [t for t in said if t.lower().startswith("are you still there")]
    hangup = result.log.of_type("hangup")
    assert hangup and hangup[0]["by"] == "agent"
    assert "goodbye" in said[-1].lower()
    assert len(reprompts) == 2, said  # the third silence is the goodbye
    if mode == "audio":  # on the call's audio clock: released ~30 s after the greeting ended
        says = result.log.of_type("agent_say")
        greeting_ended = next(says[i - 1]["t_ms"] for i, r in enumerate(says) if r["text"] in reprompts)
        assert 25000 <= hangup[0]["t_ms"] - greeting_ended <= 35000, (greeting_ended, hangup)
