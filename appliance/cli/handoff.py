"""`wardline handoff show ID`: the summary a transferred call carried, for the person who took it."""

from __future__ import annotations

from typing import Annotated

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json
from appliance.config import load_settings
from appliance.privacy.handoffs import BadHandoffId, HandoffNotFound, load_handoff

errors.USER_ERRORS.setdefault(HandoffNotFound, 1)
errors.USER_ERRORS.setdefault(BadHandoffId, 2)

handoff_app = typer.Typer(help="Handoff summaries of transferred calls.", no_args_is_help=True)


@handoff_app.command("show")
def show(
    handoff_id: Annotated[
        str, typer.Argument(metavar="ID", help="The id from the X-Wardline-Handoff header.")
    ],
    json_out: JsonOption = False,
) -> None:
    """Show one handoff summary."""
    summary = load_handoff(load_settings().data_dir, handoff_id)
    if json_out:
        emit_json(summary)
        return
    for key, value in summary.items():
        console.print(f"[bold]{key.replace('_', ' ')}:[/bold] {_text(value)}", highlight=False)


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) or "-"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    return str(value) if value not in (None, "") else "-"


def register(app: typer.Typer) -> None:
    app.add_typer(handoff_app, name="handoff")
