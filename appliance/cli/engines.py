"""`wardline engines`: the shared engine process that every SIP worker uses (appliance/speech/shared)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from appliance.config import load_settings

app = typer.Typer(help="The speech engines, loaded once per box for every SIP worker.", no_args_is_help=True)


@app.command("serve")
def serve(
    streams: Annotated[
        int | None,
        typer.Option("--streams", min=1, max=1024, help="Calls at once (default: the box's capacity)."),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, max=128, help="As given to `wardline serve`.")
    ] = None,
) -> None:
    """Load the configured recognizer and voice once and serve them on the engine socket until
    SIGTERM (what `wardline serve` and wardline-engines.service run)."""
    from appliance.frontdoor.plan import plan
    from appliance.service.engine_host import run_engine_host

    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s engines %(name)s: %(message)s")
    asyncio.run(run_engine_host(settings, streams or plan(settings, workers).capacity))


def register(root: typer.Typer) -> None:
    from appliance.cli import errors
    from appliance.speech.asr.base import AsrError
    from appliance.speech.shared.protocol import SocketPathError
    from appliance.speech.tts.base import TtsError

    for cls in (AsrError, TtsError, SocketPathError):
        errors.USER_ERRORS.setdefault(cls, 3)
    root.add_typer(app, name="engines")
