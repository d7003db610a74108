"""onnxruntime's telemetry is off before any session exists, for every engine that uses it
(issue 19, item 5: a Silero VAD session alone looked up the telemetry collector's hostname)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import onnxruntime
import pytest

import appliance.privacy.offline as offline
from tests.conftest import REPO
from tests.fixtures.tiny_models import build_piper_voice


@pytest.fixture
def sessions_seen(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each InferenceSession made: was telemetry already off?"""
    monkeypatch.setattr(offline, "_onnx_quiet", False)
    state = {"off": False}
    seen: list[bool] = []
    real_session = onnxruntime.InferenceSession

    def disable() -> None:
        state["off"] = True

    def session(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(state["off"])
        return real_session(*args, **kwargs)

    monkeypatch.setattr(onnxruntime, "disable_telemetry_events", disable)
    monkeypatch.setattr(onnxruntime, "InferenceSession", session)
    return seen


def test_the_vad_session_is_made_with_telemetry_off(sessions_seen, monkeypatch):
    import appliance.speech.vad as vad

    monkeypatch.setattr(vad, "_session", None)
    vad.shared_session()
    assert sessions_seen == [True]


def test_piper_voices_are_loaded_with_telemetry_off(sessions_seen, tmp_path: Path):
    from appliance.speech.tts.piper import PiperTts

    tts = PiperTts({"en": build_piper_voice(tmp_path / "en_US-tiny.onnx")})

    async def go() -> None:
        await tts.start()
        await tts.close()

    asyncio.run(go())
    assert sessions_seen and all(sessions_seen), sessions_seen


def test_onnxruntime_is_reached_only_through_the_one_place():
    """A new engine on onnxruntime (an encoder, a turn detector) must take it from
    appliance.privacy.offline.offline_onnxruntime, where telemetry is turned off."""
    direct = re.compile(r"^\s*(import onnxruntime|from onnxruntime\b)", re.MULTILINE)
    allowed = REPO / "appliance" / "privacy" / "offline.py"
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "appliance").rglob("*.py")
        if path != allowed and direct.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
