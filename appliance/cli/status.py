"""`wardline status`: the front door and each SIP worker's calls, as the running box has them."""

from __future__ import annotations

from typing import Annotated

import typer

from appliance.cli.output import JsonOption, console, emit_json, table
from appliance.config import load_settings


def status(
    json_out: JsonOption = False,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=128, help="As given to `wardline serve`.")
    ] = None,
) -> None:
    """Show the front door, each SIP worker (running, in rotation, calls now and since start)
    and the shared engines' load."""
    from appliance.frontdoor.status import box_status

    found = box_status(load_settings(), workers)
    if json_out:
        emit_json(found)
        return
    door = found["front_door"]
    console.print(
        f"front door: {'running' if door['running'] else 'not running'} on port {door['sip_port']} "
        f"({'/'.join(door['transports'])}); {found['active_calls']} of {found['capacity']} calls"
    )
    table(
        "SIP workers",
        ["worker", "port", "running", "dispatcher", "calls", "accepted", "refused"],
        [
            [
                w["worker"],
                w["sip_port"],
                w["running"],
                w["dispatcher"],
                w["active_calls"],
                w["accepted"],
                w["refused"],
            ]
            for w in found["workers"]
        ],
    )
    engines = found["engines"]
    if not engines["shared"]:
        console.print("engines: in each SIP worker (\\[speech] engines)")
    elif not engines["running"]:
        console.print(f"engines: [red]not running[/red] ({engines['socket']})")
    else:
        table(
            f"engines (pid {engines['pid']}, {engines['streams']} streams)",
            ["kind", "model", "in use", "served", "refused"],
            [
                [
                    kind,
                    engines[kind]["model"],
                    engines[kind]["in_use"],
                    engines[kind]["served"],
                    engines[kind].get("refused", ""),
                ]
                for kind in ("asr", "tts")
            ],
        )
    llm = found["llm"]
    if llm["shared"]:
        console.print(
            f"llm: {llm['model']} on {llm['url']} (pid {llm['pid']}): {llm['in_flight']} generating, "
            f"{llm['answered']} answered"
            if llm["running"]
            else f"llm: [red]not running[/red] ({llm['url']})"
        )
    if found["peers"]:
        table(
            "other boxes ([frontdoor] peers)",
            ["box", "dispatcher"],
            [[p["peer"], p["dispatcher"]] for p in found["peers"]],
        )


def register(app: typer.Typer) -> None:
    app.command("status")(status)
