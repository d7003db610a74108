"""`wardline llm`: the box's GGUF model served once for every SIP worker (appliance/llm/local_server.py)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import typer

from appliance.config import load_settings

app = typer.Typer(help="The language model, served once per box for every SIP worker.", no_args_is_help=True)


@app.command("serve")
def serve() -> None:
    """Load the active GGUF model once and serve it on llm.server_url (llama.cpp's
    OpenAI-compatible server) until SIGTERM (what `wardline serve` and wardline-llm.service run)."""
    from appliance.llm.local_server import LocalServerError, run_local_server
    from appliance.registry.engines import served_gguf
    from appliance.service.notify import Notifier

    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s llm %(name)s: %(message)s")
    served = served_gguf(settings)
    if served is None:
        raise LocalServerError(
            "this box serves no GGUF model: [llm] is off, `engine` is in-process, or the active "
            "model is a vLLM one (wardline-vllm@llm serves it)"
        )

    def active() -> tuple[Path, str] | None:  # the model the box serves now, read afresh
        return served_gguf(load_settings())

    asyncio.run(run_local_server(settings, *served, active=active, on_ready=Notifier().ready))


@app.command("needed")
def needed() -> None:
    """Exit 0 when this box serves a GGUF model to its workers, 1 when it does not (the unit's
    ExecCondition: wardline-llm.service is then skipped, not failed)."""
    from appliance.registry.engines import ModelNotActive, served_gguf

    try:
        served = served_gguf(load_settings())
    except ModelNotActive:
        served = None
    raise typer.Exit(0 if served is not None else 1)


def register(root: typer.Typer) -> None:
    from appliance.cli import errors
    from appliance.llm.local_server import LocalServerError

    errors.USER_ERRORS.setdefault(LocalServerError, 3)
    root.add_typer(app, name="llm")
