"""`wardline doctor [--json]`: checks that this box is ready to take calls, each with its fix."""

from __future__ import annotations

import typer
from rich.markup import escape

from appliance.cli.output import JsonOption, console, emit_json, table

_MARK = {"ok": "[green]ok[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}


def doctor(json: JsonOption = False) -> None:
    """Check GPU, CUDA, models, keys, SIP port, disk, clock and egress; exit 1 if any check fails."""
    from appliance.service.doctor import run_checks

    report = run_checks()
    if json:
        emit_json(report.to_dict())
    else:
        table(
            "wardline doctor",
            ["check", "status", "detail", "fix"],
            [(c.name, _MARK[c.status], escape(c.detail), escape(c.fix)) for c in report.checks],
        )
        console.print("ready" if report.ok else "[red]not ready[/red]: fix the failed checks above")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)
