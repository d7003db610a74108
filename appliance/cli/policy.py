"""`wardline policy …`: check a site pack before it goes live."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, err_console
from appliance.dialog.sitepack import SiteError, load_site

app = typer.Typer(help="Check site packs (policies): flows, understanding, red flags.", no_args_is_help=True)


@app.command()
def validate(
    directory: Annotated[
        Path | None, typer.Argument(help="Site pack folder; default: the configured site.policy_dir.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Validate a site pack; print each problem as file:line: message; exit 1 if any."""
    if directory is None:
        from appliance.config import load_settings

        directory = load_settings().site.policy_dir
    try:
        site = load_site(directory)
    except SiteError as exc:
        if json:
            emit_json({"ok": False, "directory": str(directory), "errors": [i.to_dict() for i in exc.issues]})
        else:
            for issue in exc.issues:
                err_console.print(str(issue), highlight=False, markup=False, soft_wrap=True)
            err_console.print(
                f"{len(exc.issues)} problem(s) in {directory}", highlight=False, markup=False, soft_wrap=True
            )
        raise typer.Exit(1) from None
    if json:
        emit_json(
            {"ok": True, "directory": str(directory), "site": site.site.name, "flows": sorted(site.flows)}
        )
    else:
        console.print(
            f"{directory}: ok ({site.site.name}; flows: {', '.join(site.flows)})",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )


def register(root: typer.Typer) -> None:
    errors.USER_ERRORS.setdefault(SiteError, 2)
    root.add_typer(app, name="policy")
