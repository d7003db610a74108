"""`wardline frontdoor`: the Kamailio front door as the wardline-frontdoor.service unit runs it."""

from __future__ import annotations

import os

import typer

from appliance.cli import errors
from appliance.cli.output import console
from appliance.config import load_settings

app = typer.Typer(help="The SIP front door (Kamailio) in front of the SIP workers.", no_args_is_help=True)


@app.command("prepare")
def prepare() -> None:
    """Before the box starts: migrate the database, check the keys, and install the front door's
    configuration generated from wardline.toml. A configuration that Kamailio refuses is not
    installed; the box then starts with the last one that passed (exit 0 with a warning), or
    not at all when there is none (exit 3)."""
    from appliance.cli.serve import prepare as prepare_box
    from appliance.frontdoor.install import FrontDoorError, install, installed_config
    from appliance.frontdoor.plan import plan
    from appliance.worker_state import run_dir

    settings = load_settings()
    prepare_box(settings)
    folder = run_dir(settings)
    try:
        done = install(settings, plan(settings), folder)
    except FrontDoorError as exc:
        if installed_config(folder) is None:
            raise
        console.print(f"[yellow]warning:[/] {exc}; the front door keeps its last valid configuration")
        return
    console.print(f"front door configuration {'installed' if done.changed else 'unchanged'}: {done.config}")


@app.command("run")
def run() -> None:
    """Become Kamailio with the installed configuration (the unit's main process)."""
    from appliance.frontdoor.install import FrontDoorError, installed_config, kamailio_binary
    from appliance.frontdoor.supervise import kamailio_argv
    from appliance.worker_state import run_dir

    settings = load_settings()
    folder = run_dir(settings)
    config = installed_config(folder)
    if config is None:
        raise FrontDoorError(f"{folder}: no front door configuration; run `wardline frontdoor prepare`")
    argv = kamailio_argv(kamailio_binary(settings), settings, config, folder)
    os.execv(argv[0], argv)


@app.command("out-of-rotation")
def out_of_rotation(
    worker: int = typer.Argument(..., help="the worker's number (wardline-worker@N)"),
) -> None:
    """Tell the front door that SIP worker N has stopped, so that no new call is sent to it until
    its OPTIONS probe is answered again (the worker unit's ExecStopPost). Quiet when the front
    door is not running: then there is no rotation to leave."""
    from appliance.frontdoor.install import control_socket
    from appliance.frontdoor.plan import plan
    from appliance.frontdoor.status import take_out_of_rotation
    from appliance.worker_state import run_dir

    settings = load_settings()
    found = next((w for w in plan(settings).workers if w.index == worker), None)
    if found is None:
        raise typer.BadParameter(f"no worker {worker} in this box's plan", param_hint="WORKER")
    take_out_of_rotation(control_socket(run_dir(settings)), found.uri)


def register(root: typer.Typer) -> None:
    from appliance.frontdoor.install import FrontDoorError

    errors.USER_ERRORS.setdefault(FrontDoorError, 3)
    root.add_typer(app, name="frontdoor")
