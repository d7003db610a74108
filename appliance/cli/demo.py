"""`wardline demo`: answer the demo booking call in real time.

It runs on Whisper tiny.en and Piper joe where their packages are installed (scripts/setup
installs them), else on the embedded pocketsphinx and espeak-ng, and says which. Shows the live
transcript and a per-turn latency table, and writes a stereo WAV (caller left, agent right) into
the data directory.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from appliance.cli.output import console
from appliance.config import REPO_ROOT, Settings, load_settings
from appliance.events import Event
from appliance.sim.demo_engines import demo_speech_settings

DEMO_SCENARIO = "book-family-medicine.yaml"


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    scenario: Annotated[Path | None, typer.Option(help="Another scenario to play.")] = None,
) -> None:
    """Answer a patient's booking call end to end, in real time, and save the audio."""
    from appliance.sim.runner import load_all

    settings = load_settings()
    path = scenario or settings.site.policy_dir / "scenarios" / DEMO_SCENARIO
    if not path.exists():
        path = REPO_ROOT / "policies" / "riverside" / "scenarios" / DEMO_SCENARIO
    [loaded] = load_all([path])
    wav = settings.data_dir / "demo" / "demo-call.wav"
    chosen = demo_speech_settings(settings, _say)  # before the loop: activation runs its own
    result = asyncio.run(_run(loaded, wav, chosen))
    _latency_table(result.log.of_type("turn_latency"))
    ok = "[green]the call went as expected[/green]"
    verdict = ok if result.passed else "[red]the call went wrong:[/red]"
    console.print(f"\n{verdict} (outcome: {result.log.outcome})")
    for failure in result.failed:
        console.print(f"    {failure}", markup=False)
    console.print(f"Stereo recording (caller left, agent right): [bold]{wav}[/bold]")
    if not result.passed:
        raise typer.Exit(1)


async def _run(scenario, wav: Path, chosen: Settings):  # type: ignore[no-untyped-def]
    from appliance.call.services import build_services
    from appliance.sim.runner import run_scenario, scripted_call_settings

    _say(f"Loading the speech engines: {chosen.speech.asr} hears, {chosen.speech.tts} speaks…")
    with scripted_call_settings(chosen) as settings:
        services = await build_services(settings, speech=True)
        console.print(f"[bold]Calling Riverside Community Hospital[/bold] ({scenario.name})\n")
        try:
            return await run_scenario(
                scenario, services, "audio", wav_path=wav, on_event=_show, pacing="realtime"
            )
        finally:
            await services.close()


def _say(line: str) -> None:
    console.print(f"[dim]{line}[/dim]", highlight=False)


def _show(event: Event) -> None:
    if event.type == "caller-say":
        console.print(f"[cyan]caller:[/cyan] {event.text}", markup=True, highlight=False)  # type: ignore[attr-defined]
    elif event.type == "asr-final":
        console.print(f"[dim]  heard: {event.text}[/dim]", highlight=False)  # type: ignore[attr-defined]
    elif event.type == "agent-say":
        cut = " [yellow](interrupted)[/yellow]" if event.interrupted else ""  # type: ignore[attr-defined]
        console.print(f"[green]agent:[/green] {event.text}{cut}", highlight=False)  # type: ignore[attr-defined]
    elif event.type == "tool-call":
        console.print(f"[magenta]  tool {event.tool}: {event.status}[/magenta]")  # type: ignore[attr-defined]
    elif event.type == "transfer":
        console.print(f"[yellow]  transfer to {event.to} ({event.reason})[/yellow]")  # type: ignore[attr-defined]


def _latency_table(rows: list[dict]) -> None:
    table = Table(title="Per-turn latency (ms after the caller's speech ended)")
    for col in ("turn", "end of turn", "ASR final", "first text", "first audio", "voice-to-voice"):
        table.add_column(col, justify="right")
    for r in rows:
        base = r["speech_end_ms"]
        table.add_row(
            str(r["turn"]),
            f"{r['end_of_turn_ms'] - base:.0f}",
            f"{r['asr_final_ms'] - base:.0f}",
            f"{r['first_text_ms'] - base:.0f}",
            f"{r['first_audio_ms'] - base:.0f}",
            f"[bold]{r['voice_to_voice_ms']:.0f}[/bold]",
        )
    console.print(table)
