"""One simulated call with the real engines (Silero, pocketsphinx or Whisper, espeak-ng or Piper)
on the lockstep clock: the services are built for the call and closed after it, whatever happens."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from appliance.call.services import build_services
from appliance.config import Settings, load_settings
from appliance.sim.audio import run_audio
from appliance.sim.record import CallLog
from appliance.sim.scenario import Scenario, load_scenario


def play(scenario: Scenario, settings: Settings | None = None, **build: Any) -> CallLog:
    """The call's record; `build` goes to build_services (a store of the test's own, say)."""

    async def go() -> CallLog:
        services = await build_services(settings or load_settings(), speech=True, **build)
        try:
            return await run_audio(scenario, services)
        finally:
            await services.close()

    return asyncio.run(go())


def scenario_from_text(tmp_path: Path, yaml_text: str, name: str = "scenario") -> Scenario:
    """The scenario written as `yaml_text`, loaded from `tmp_path/<name>.yaml` as a site's would be."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml_text)
    return load_scenario(path)


def play_text(tmp_path: Path, yaml_text: str, **settings: Any) -> tuple[Scenario, CallLog]:
    """The scenario written as `yaml_text`, and its call's record; `settings` go to load_settings."""
    scenario = scenario_from_text(tmp_path, yaml_text)
    return scenario, play(scenario, load_settings(**settings))
