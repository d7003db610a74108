"""`wardline serve`: run the appliance — answer calls from the PBX over SIP until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Annotated, Any

import typer

from appliance.cli import errors
from appliance.config import Settings, load_settings
from appliance.telephony.errors import SipStartError

errors.USER_ERRORS.setdefault(SipStartError, 3)


def serve(
    sip_port: Annotated[int | None, typer.Option("--sip-port", help="SIP port (UDP and TCP).")] = None,
    allow: Annotated[
        list[str] | None, typer.Option("--allow", metavar="CIDR", help="PBX address or network; repeatable.")
    ] = None,
) -> None:
    """Answer calls from the PBX over SIP. SIGTERM stops new calls and lets active ones finish."""
    settings = _settings(sip_port, allow)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(_run(settings))


def _settings(sip_port: int | None, allow: list[str] | None) -> Settings:
    # Flags override the file: re-validate the merged [sip] section so a bad CIDR is refused here.
    base = load_settings()
    overrides: dict[str, Any] = {}
    if sip_port is not None:
        overrides["port"] = sip_port
    if allow:
        overrides["allow"] = allow
    if not overrides:
        return base
    return load_settings(sip={**base.sip.model_dump(), **overrides})


async def _run(settings: Settings) -> None:
    from appliance.call.services import build_services
    from appliance.pidfile import pid_file
    from appliance.privacy.egress import check_settings
    from appliance.privacy.store import open_store
    from appliance.service.runner import run_service
    from appliance.telephony.server import call_session_factory, serve

    check_settings(settings)  # an endpoint outside the site's networks: refuse to start
    # No usable key-encryption key: refuse to start rather than record anything unencrypted.
    store = open_store(settings.data_dir, database_url=settings.database_url)

    async def main(ctx: Any) -> None:
        services = await build_services(settings, store=store)
        ctx.on_reload(services.reload_site)  # SIGHUP: a new site pack for new calls
        pid = pid_file(settings)
        pid.write_text(f"{os.getpid()}\n")
        try:

            def ready(server: Any) -> None:
                ctx.ready()
                ctx.track_active_calls(lambda: server.active_calls)

            await serve(settings, call_session_factory(services), on_ready=ready)
        finally:
            pid.unlink(missing_ok=True)
            await services.close()

    code = await run_service(settings, main)
    if code:
        raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
