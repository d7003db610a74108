"""The public scenarios in audio mode: synthesized caller, real-time VAD, ASR and TTS.

The embedded recognizer (pocketsphinx with the site's language model, and the identity model
while the dialog waits for a name and date of birth) hears questions, requests and red flags in
espeak-ng's voice well, but still mishears some dates of birth ("twenty-first" → "twenty-third").
Where a scenario needs identity, a misheard identity must never become an action: no booking or
refill without a verified caller.
"""

import pytest

from tests.sim.test_public_scenarios import PUBLIC, _run

NEEDS_IDENTITY = {"refill-request"}
ACTIONS = {"book_appointment", "reschedule_appointment", "cancel_appointment", "request_refill"}


@pytest.mark.slow
@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_public_scenario_in_audio_mode(path):
    result = _run(path, "audio")
    heard = [r["text"] for r in result.log.of_type("asr_final")]
    assert result.log.of_type("turn_latency"), "every spoken turn reports its latency"
    if path.stem not in NEEDS_IDENTITY:
        assert result.passed, (result.failed, heard)
        return
    if result.passed:
        return
    verified = any(e.type == "identity-checked" and e.verified for e in result.log.events)
    acted = [r["tool"] for r in result.log.of_type("tool_call") if r["tool"] in ACTIONS]
    assert not verified and not acted, (result.failed, heard, acted)
    assert result.log.outcome in ("contained", "transferred", "caller_hung_up"), heard
