"""`wardline simulate FILE… [--mode text|audio] [--pacing lockstep|realtime] [--caller-voice SPEC]
[--json]`: scripted callers."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from appliance.cli.output import JsonOption, console, emit_json, err_console
from appliance.sim.audio import Pacing
from appliance.sim.runner import Mode, ScenarioResult, load_all, run_scenario, scripted_call_settings

ModeOption = Annotated[
    str, typer.Option("--mode", help="text: straight to the dialog; audio: through VAD, ASR and TTS.")
]
PacingOption = Annotated[
    str,
    typer.Option(
        "--pacing",
        help="audio mode: lockstep (simulated time: the same call on every run, faster than real "
        "time) or realtime (20 ms of wall time per frame, engine latency included).",
    ),
]


CallerVoiceOption = Annotated[
    str | None,
    typer.Option(
        "--caller-voice",
        help="audio mode: espeak-ng:VOICE[:WPM] or piper:MODEL[:LENGTH_SCALE[:PITCH]] "
        "(default: the voice the recognizer in use hears best that is not the agent's)",
    ),
]


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def simulate(
    files: Annotated[list[Path], typer.Argument(help="Scenario YAML files.")],
    mode: ModeOption = "text",
    pacing: PacingOption = "lockstep",
    caller_voice: CallerVoiceOption = None,
    json_out: JsonOption = False,
) -> None:
    """Play scenarios against the agent and check what each expects."""
    if mode not in ("text", "audio"):
        raise typer.BadParameter("must be text or audio", param_hint="--mode")
    if pacing not in ("lockstep", "realtime"):
        raise typer.BadParameter("must be lockstep or realtime", param_hint="--pacing")
    scenarios = load_all(files)
    try:
        results = asyncio.run(_run(scenarios, mode, pacing, caller_voice))  # type: ignore[arg-type]
    except KeyboardInterrupt:  # Ctrl-C: the calls in progress were ended; no result to report
        err_console.print("simulate: interrupted; no scenario was judged")
        raise typer.Exit(130) from None
    for result in results:
        if json_out:
            for record in result.log.records:
                emit_json(record)
            emit_json(result.result_record())
        else:
            _print(result)
    if not all(r.passed for r in results):
        raise typer.Exit(1)


async def _run(scenarios: list, mode: Mode, pacing: Pacing, caller_voice: str | None) -> list[ScenarioResult]:
    from appliance.call.services import build_services
    from appliance.config import load_settings
    from appliance.sim.voices import parse_caller_voice

    with scripted_call_settings(load_settings()) as settings:
        voice = parse_caller_voice(caller_voice, settings) if caller_voice else None
        services = await build_services(settings, speech=(mode == "audio"))
        try:
            return [
                await run_scenario(s, services, mode, pacing=pacing, caller_voice=voice) for s in scenarios
            ]
        finally:
            await services.close()


def _print(result: ScenarioResult) -> None:
    mark = "[green]PASS[/green]" if result.passed else "[red]FAIL[/red]"
    console.print(f"{mark} {result.scenario.name} (outcome: {result.log.outcome})")
    for failure in result.failed:
        console.print(f"    {failure}", markup=False)
