"""`wardline serve`: run the appliance — answer calls from the PBX over SIP until SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import typer

from appliance.cli import errors
from appliance.config import Settings, load_settings
from appliance.telephony.errors import SipStartError

errors.USER_ERRORS.setdefault(SipStartError, 3)

log = logging.getLogger(__name__)


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
    from appliance.service.call_journal import call_journal
    from appliance.service.runner import run_service
    from appliance.store.watch import DatabaseWatch
    from appliance.telephony.server import call_fault_handover, call_session_factory, serve

    check_settings(settings)  # an endpoint outside the site's networks: refuse to start
    # No usable key-encryption key: refuse to start rather than record anything unencrypted.
    store = open_store(settings.data_dir, database_url=settings.database_url)

    async def main(ctx: Any) -> None:
        services = await build_services(settings, store=store)
        register_reload_hooks(ctx, services)
        if services.audit is not None:
            from appliance.service.audit_watch import watch_audit_log

            watch_audit_log(services.audit, settings.data_dir)
        pid = pid_file(settings)
        pid.write_text(f"{os.getpid()}\n")
        try:

            def ready(server: Any) -> None:
                ctx.ready(models=services.models())
                ctx.track_active_calls(lambda: server.active_calls)
                database = DatabaseWatch(settings.database_url)
                server.refuse_while(
                    lambda: database.problem() or services.storage_problem(), ctx.refusing_calls
                )

            await serve(
                settings,
                call_session_factory(services),
                on_ready=ready,
                handover=call_fault_handover(services),
                on_finished=call_journal(),
            )
        finally:
            pid.unlink(missing_ok=True)
            await services.close()

    code = await run_service(settings, main)
    if code:
        raise typer.Exit(code)


def register_reload_hooks(ctx: Any, services: Any) -> None:
    """SIGHUP: a new site pack, then the newly active models, for new calls; calls go on."""
    ctx.on_reload(services.reload_site)
    ctx.on_reload(model_reloader(ctx, services))


def model_reloader(ctx: Any, services: Any) -> Callable[[Settings], Awaitable[None]]:
    """The reload hook for models: a model that fails to load is refused, the running ones stay."""

    async def reload_models(settings: Settings) -> None:
        try:
            swapped = await services.reload_models(settings)
        except Exception as exc:
            log.error("model reload refused, the running models stay: %s", _reason(exc))
            raise  # the service runner journals the refused reload
        if swapped:
            log.info("models reloaded (%s); calls in progress finish on the old ones", ", ".join(swapped))
            ctx.update_status(models=services.models())

    return reload_models


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
