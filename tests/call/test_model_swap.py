"""Hot swap of the active models in a running service (CallServices.reload_models).

Real engines throughout: Silero VAD, pocketsphinx, and two tiny piper voices installed and
activated through the model registry, as `wardline models activate` does on a box.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from appliance.audit.query import read_entries
from appliance.call.services import build_services
from appliance.config import Settings, load_settings
from appliance.events import AgentSaid, Event, TransferStarted
from appliance.registry.engines import ModelNotActive
from appliance.registry.registry import ModelRegistry
from appliance.sim.audio import run_audio
from appliance.sim.record import CallLog, check
from appliance.sim.scenario import Scenario, load_scenario
from appliance.speech.tts.base import TtsError
from tests.fixtures.tiny_models import build_piper_voice
from tests.registry.conftest import voice_manifest

CALL = """
name: operator-during-swap
turns:
  - say: "Can I just talk to a real person please?"
expect:
  outcome: transferred
  transfer_to: "2000"
  within_turns: 1
"""


def _install_voice(registry: ModelRegistry, root: Path, model_id: str, rate: int) -> None:
    voice = build_piper_voice(root / model_id / f"en_US-{model_id}.onnx", sample_rate_hz=rate)
    registry.install(voice.parent, manifest_path=voice_manifest(root, voice, model_id))


@pytest.fixture
def piper_settings(tmp_path: Path) -> Settings:
    """voice-a active, voice-b installed: the box before `wardline models activate voice-b`."""
    settings = load_settings(speech={"tts": "piper", "asr_workers": 1})
    registry = ModelRegistry(settings)
    _install_voice(registry, tmp_path, "voice-a", 22050)
    _install_voice(registry, tmp_path, "voice-b", 16000)
    registry.activate("voice-a")
    return settings


def _scenario(tmp_path: Path) -> Scenario:
    path = tmp_path / "call.yaml"
    path.write_text(CALL)
    return load_scenario(path)


async def _speaks(tts: object) -> bool:
    try:
        return sum([len(c) async for c in tts.synthesize("Still here.", 8000)]) > 0  # type: ignore[attr-defined]
    except TtsError:
        return False


def _transfer_reasons(log: CallLog) -> list[str]:
    """A fault (say, a voice closed under the call) transfers too, with reason fault:..."""
    return [e.reason for e in log.events if isinstance(e, TransferStarted)]


def _swapped_entries(services: object) -> list[dict]:
    audit = services.audit  # type: ignore[attr-defined]
    audit.flush()
    entries = [e.entry for e in read_entries(audit.engine, audit.origin)]
    return [e for e in entries if e and e["type"] == "model-swapped"]


@pytest.mark.slow  # two real-time calls over the recognizer and synthesizer
def test_a_call_keeps_its_voice_through_a_swap_and_the_next_call_gets_the_new_one(
    tmp_path: Path, piper_settings: Settings
) -> None:
    scenario = _scenario(tmp_path)

    async def go() -> None:
        services = await build_services(piper_settings)
        try:
            old = services.tts
            assert services.models()[1] == "tts=piper/voice-a/en"
            swap: list[asyncio.Task[list[str]]] = []

            async def operator() -> list[str]:
                # `wardline models activate voice-b` (another process), then the SIGHUP reload.
                await asyncio.to_thread(ModelRegistry(piper_settings).activate, "voice-b")
                return await services.reload_models(piper_settings)

            def on_event(event: Event) -> None:
                if isinstance(event, AgentSaid) and not swap:  # the disclosure has played
                    swap.append(asyncio.create_task(operator()))

            first = await run_audio(scenario, services, on_event=on_event)
            assert swap and await swap[0] == ["tts"]
            # The first call went on speaking after the swap, on the voice it started with (a
            # voice closed under it would have been a fault, and a transfer to a person).
            assert check(scenario, first) == [], first.records
            said_after = [e for e in first.events if isinstance(e, AgentSaid)][1:]
            assert said_after, "the agent spoke after the swap"
            assert _transfer_reasons(first) == ["caller-asked:operator"]
            new = services.tts
            assert new is not old and services.tts_slot.model_id == "piper/voice-b/en"
            assert not await _speaks(old)  # closed once its last call ended
            assert services.tts_slot.calls_on_old_models() == 0

            second = await run_audio(scenario, services)  # only the new voice is open now
            assert check(scenario, second) == [], second.records
            assert _transfer_reasons(second) == ["caller-asked:operator"]
            assert await _speaks(new)

            [entry] = _swapped_entries(services)
            assert entry["actor"] == "service" and entry["call_id"] is None
            assert entry["payload"] == {
                "kind": "tts",
                "model": "piper/voice-b/en",
                "previous": "piper/voice-a/en",
            }
        finally:
            await services.close()

    asyncio.run(go())


def test_a_model_that_fails_to_load_leaves_every_running_model_in_place(piper_settings: Settings) -> None:
    async def go() -> None:
        services = await build_services(piper_settings)
        try:
            # Nothing changed: a reload swaps nothing and records nothing.
            assert await services.reload_models(piper_settings) == []
            before = services.current_engines()
            models = services.models()
            # The recognizer would change (a second worker) and the voice cannot load (none
            # active): neither is swapped.
            registry = ModelRegistry(piper_settings)
            (registry.root / "state.json").write_text('{"active": {}, "history": {}}')
            broken = load_settings(speech={"tts": "piper", "asr_workers": 2})
            with pytest.raises(ModelNotActive, match="no tts model is active"):
                await services.reload_models(broken)
            assert services.current_engines() == before and services.models() == models
            assert await _speaks(services.tts)
            assert _swapped_entries(services) == []
        finally:
            await services.close()

    asyncio.run(go())
