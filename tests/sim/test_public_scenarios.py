"""The public scenarios are tests, in both modes (../shared/scenarios)."""

import asyncio

import pytest

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario
from tests.conftest import SCENARIOS

PUBLIC = sorted(SCENARIOS.glob("*.yaml"))


def _run(path, mode):
    async def go():
        services = await build_services(load_settings(), speech=(mode == "audio"))
        try:
            return await run_scenario(load_scenario(path), services, mode)
        finally:
            await services.close()

    return asyncio.run(go())


@pytest.mark.parametrize("path", PUBLIC, ids=[p.stem for p in PUBLIC])
def test_public_scenario_in_text_mode(path):
    result = _run(path, "text")
    assert result.passed, result.failed
