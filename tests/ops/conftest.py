"""Simulated calls for the operations tests: text-mode scenarios through the real services."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.sim.runner import ScenarioResult, run_scenario
from appliance.sim.scenario import Scenario, load_scenario
from tests.conftest import SCENARIOS

PUBLIC = sorted(SCENARIOS.glob("*.yaml"))


def form_token(page: str) -> str:
    """The hidden CSRF field every console form carries."""
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def console_login(client: Any, name: str, password: str) -> Any:
    """Log in through the form, as a browser does: GET the form for its token, then POST."""
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


# Spoken in a simulated call; none may appear in a figure, a metric, a page or a report.
PHI_CANARIES = ("Whitfield", "lisinopril", "Walgreens", "RCH-100877", "5550174410", "nineteen fifty-seven")
CANARY_CALL = {
    "name": "canary-refill",
    "caller_id": "+15550174410",
    "turns": [
        {"say": "I need a refill on my lisinopril."},
        {"say": "John Whitfield, November twenty-first, nineteen fifty-seven. My MRN is RCH-100877."},
        {"say": "The Walgreens on Main Street."},
        {"say": "That's all, thanks."},
    ],
}
CANARY_TRANSFER = {
    "name": "canary-operator",
    "caller_id": "+15550174410",
    "turns": [{"say": "This is John Whitfield, can I just talk to a real person please?"}],
}


def scenario_file(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


class Sim:
    """One services object (text mode) for a test; `run` plays scenarios and waits for the figures."""

    def __init__(self, services) -> None:  # type: ignore[no-untyped-def]
        self.services = services
        self.ops = services.ops

    def run(self, scenarios: Sequence[Path | Scenario]) -> list[ScenarioResult]:
        async def go() -> list[ScenarioResult]:
            out = []
            for s in scenarios:
                scenario = s if isinstance(s, Scenario) else load_scenario(Path(s))
                out.append(await run_scenario(scenario, self.services, "text"))
            return out

        results = asyncio.run(go())
        self.ops.flush()
        return results


@pytest.fixture
def sim() -> Sim:
    services = asyncio.run(build_services(load_settings(), speech=False, audit=False))
    yield Sim(services)
    asyncio.run(services.close())
