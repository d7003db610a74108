#!/usr/bin/env python3
"""A model swap during running simulated calls: how many calls it drops (goal 0), how long it takes.

    .venv/bin/python bench/model_swap.py [--calls 6] [--concurrent 2] [--swap-after-s 3]

The service side is the real one: CallServices on the embedded engines (Silero VAD, pocketsphinx
workers) with a piper voice from the model registry (tiny voices built here, nothing
downloaded). Calls play the public operator-request scenario in real time through CallSession
(appliance/sim/audio.py), `--concurrent` at a time. `--swap-after-s` into the run, the operator
does what `wardline models activate voice-b` and the SIGHUP do: the registry health-checks and
activates voice-b, and `reload_models` builds the new voice and a recognizer with one more
worker, then swaps both in while calls talk. A call counts as completed when it ends as the
scenario expects (transferred at the caller's request, not by a fault); dropped is the rest.
Prints figures; never passes or fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
SHARED = Path(os.environ.get("WARDLINE_SHARED", REPO.parent / "shared"))
SCENARIO = SHARED / "scenarios" / "operator-request.yaml"


@dataclass
class Figures:
    started: int = 0
    in_progress: int = 0
    completed: int = 0
    problems: list[str] = field(default_factory=list)
    calls_at_swap: int = 0
    activate_s: float = 0.0
    reload_s: float = 0.0
    swapped: list[str] = field(default_factory=list)
    old_closed_after_s: float | None = None  # from the swap to the old models' last call ending


def install_voices(settings, root: Path) -> None:  # type: ignore[no-untyped-def]
    import hashlib

    import yaml

    from appliance.registry.registry import ModelRegistry
    from tests.fixtures.tiny_models import build_piper_voice

    registry = ModelRegistry(settings)
    for model_id, rate in (("voice-a", 22050), ("voice-b", 16000)):
        voice = build_piper_voice(root / model_id / f"en_US-{model_id}.onnx", sample_rate_hz=rate)
        files = [voice, Path(f"{voice}.json")]
        manifest = {
            "id": model_id, "kind": "tts", "engine": "piper", "quantization": "f32",
            "context_length": None, "languages": ["en"], "license": "test", "vram_estimate_gb": 0.0,
            "chat_template": "none",
            "files": [{"name": f.name, "sha256": hashlib.sha256(f.read_bytes()).hexdigest(),
                       "size": f.stat().st_size} for f in files],
        }  # fmt: skip
        path = root / f"{model_id}.yaml"
        path.write_text(yaml.safe_dump(manifest), encoding="utf-8")
        registry.install(voice.parent, manifest_path=path)
    registry.activate("voice-a")


async def one_call(services, scenario, figures: Figures) -> None:  # type: ignore[no-untyped-def]
    from appliance.events import CallStarted, TransferStarted
    from appliance.sim.audio import run_audio
    from appliance.sim.record import check

    figures.in_progress += 1
    try:
        log = await run_audio(scenario, services, pacing="realtime")
    except Exception as exc:
        figures.problems.append(f"call raised {type(exc).__name__}")
        return
    finally:
        figures.in_progress -= 1
    figures.started += sum(1 for e in log.events if isinstance(e, CallStarted))
    reasons = [e.reason for e in log.events if isinstance(e, TransferStarted)]
    failed = check(scenario, log)
    if not failed and reasons == ["caller-asked:operator"]:
        figures.completed += 1
    else:
        figures.problems.append("; ".join(failed) or f"transferred: {reasons}")


async def swap_models(services, settings, figures: Figures, after_s: float) -> None:  # type: ignore[no-untyped-def]
    from appliance.registry.registry import ModelRegistry

    await asyncio.sleep(after_s)
    figures.calls_at_swap = figures.in_progress
    t0 = time.perf_counter()
    await asyncio.to_thread(ModelRegistry(settings).activate, "voice-b")  # `wardline models activate`
    t1 = time.perf_counter()
    new = settings.model_copy(update={"speech": settings.speech.model_copy(update={"asr_workers": 3})})
    figures.swapped = await services.reload_models(new)  # the service's SIGHUP hook
    t2 = time.perf_counter()
    figures.activate_s, figures.reload_s = t1 - t0, t2 - t1
    while services.tts_slot.calls_on_old_models() or services.asr_slot.calls_on_old_models():
        await asyncio.sleep(0.05)
    figures.old_closed_after_s = time.perf_counter() - t2


async def run(calls: int, concurrent: int, swap_after_s: float, root: Path) -> Figures:
    from appliance.call.services import build_services
    from appliance.config import load_settings
    from appliance.sim.scenario import load_scenario

    settings = load_settings(speech={"tts": "piper", "asr_workers": 2})
    await asyncio.to_thread(install_voices, settings, root)  # the registry's checks run their own loop
    scenario = load_scenario(SCENARIO)
    figures = Figures()
    services = await build_services(settings)
    try:
        gate = asyncio.Semaphore(concurrent)

        async def gated(i: int) -> None:
            async with gate:
                await asyncio.sleep(0.5 * (i % concurrent))  # calls overlap at different points
                await one_call(services, scenario, figures)

        swap = asyncio.create_task(swap_models(services, settings, figures, swap_after_s))
        await asyncio.gather(*(gated(i) for i in range(calls)))
        await asyncio.wait_for(swap, 30)
    finally:
        await services.close()
    return figures


def report(figures: Figures, calls: int, concurrent: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Model swap during {calls} simulated calls, {concurrent} at a time")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("calls started", str(figures.started))
    table.add_row("calls completed", str(figures.completed))
    table.add_row("calls dropped (goal 0)", str(figures.started - figures.completed))
    table.add_row("calls in progress at the swap", str(figures.calls_at_swap))
    table.add_row("models swapped", ", ".join(figures.swapped) or "none")
    table.add_row("activate voice-b (health check + pointer)", f"{figures.activate_s * 1000:.0f} ms")
    table.add_row("reload_models (build + start + swap)", f"{figures.reload_s * 1000:.0f} ms")
    closed = figures.old_closed_after_s
    table.add_row("old models closed after the swap", "n/a" if closed is None else f"{closed:.1f} s")
    console = Console()
    console.print(table)
    for problem in figures.problems:
        console.print(f"[red]dropped:[/red] {problem}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=6)
    ap.add_argument("--concurrent", type=int, default=2)
    ap.add_argument("--swap-after-s", type=float, default=3.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["WARDLINE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["WARDLINE_CONFIG"] = str(Path(tmp) / "absent.toml")
        figures = asyncio.run(run(a.calls, a.concurrent, a.swap_after_s, Path(tmp)))
    report(figures, a.calls, a.concurrent)


if __name__ == "__main__":
    main()
