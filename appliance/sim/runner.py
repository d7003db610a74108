"""Run scenarios in text or audio mode and check their expectations."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Literal

from appliance.call.services import CallServices
from appliance.config import Settings, StoreSettings
from appliance.events import Event
from appliance.sim.audio import Pacing, run_audio
from appliance.sim.record import CallLog, check
from appliance.sim.scenario import Scenario, load_scenario
from appliance.sim.text import run_text

Mode = Literal["text", "audio"]


@dataclass
class ScenarioResult:
    scenario: Scenario
    log: CallLog
    failed: list[str]

    @property
    def passed(self) -> bool:
        return not self.failed

    def result_record(self) -> dict:
        return {
            "scenario": self.scenario.name,
            "t_ms": self.log.records[-1]["t_ms"] if self.log.records else 0,
            "type": "result",
            "passed": self.passed,
            "failed": self.failed,
        }


@contextmanager
def scripted_call_settings(settings: Settings) -> Iterator[Settings]:
    """The settings a scripted call (simulate, demo) runs under.

    Scenarios speak as the pack's fictional demo patients and book, move and cancel their
    appointments. Where the site keeps demo patients out of its store (a live box), the calls run
    in a scratch data directory with its own database, audit log and keys, removed afterwards,
    so that nothing scripted ever lands in the live schedule or the site's audit log.
    """
    if settings.site.demo_patients:
        yield settings
        return
    with TemporaryDirectory(prefix="wardline-scripted-") as scratch:
        yield settings.model_copy(
            update={
                "data_dir": Path(scratch),
                "store": StoreSettings(),
                "site": settings.site.model_copy(update={"demo_patients": True}),
            }
        )


def load_all(paths: Sequence[Path]) -> list[Scenario]:
    """Every file is checked before any call is placed: one bad file stops the run."""
    return [load_scenario(Path(p)) for p in paths]


async def run_scenario(
    scenario: Scenario,
    services: CallServices,
    mode: Mode = "text",
    *,
    wav_path: Path | None = None,
    on_event: Callable[[Event], None] | None = None,
    pacing: Pacing = "lockstep",
) -> ScenarioResult:
    """`pacing` (audio mode): simulated time, the same call on every run, or real time (the demo)."""
    if mode == "text":
        log = await run_text(scenario, services)
    else:
        log = await run_audio(scenario, services, wav_path=wav_path, on_event=on_event, pacing=pacing)
    return ScenarioResult(scenario, log, check(scenario, log))
