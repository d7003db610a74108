"""The public scenarios in audio mode: synthesized caller, real-time VAD, ASR and TTS.

Every scenario must pass as it does in text mode: the embedded recognizer (pocketsphinx with
the site's language model, and the identity model while the dialog waits for a name and date
of birth) has to hear the simulated caller's requests, names, dates of birth, answers and red
flags well enough for the dialog to reach the same outcome.
"""

import pytest

from tests.sim.test_public_scenarios import PUBLIC, _run


@pytest.mark.slow
@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_public_scenario_in_audio_mode(path):
    result = _run(path, "audio")
    heard = [r["text"] for r in result.log.of_type("asr_final")]
    assert result.log.of_type("turn_latency"), "every spoken turn reports its latency"
    assert result.passed, (result.failed, heard)
