"""`wardline serve`: run the appliance — answer calls from the PBX over SIP until SIGTERM.

`serve` starts the front door (Kamailio on the public SIP port) and as many SIP workers as
sip.max_calls needs (3 calls each: appliance/frontdoor), in the foreground; Ctrl-C stops them
all. `worker` (hidden) is one of those workers: what the supervisor and the
wardline-worker@.service unit run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from appliance.cli import errors
from appliance.config import Settings, load_settings
from appliance.telephony.errors import SipStartError

errors.USER_ERRORS.setdefault(SipStartError, 3)

log = logging.getLogger(__name__)

SipPort = Annotated[int | None, typer.Option("--sip-port", help="Public SIP port (UDP and TCP).")]
Allow = Annotated[
    list[str] | None, typer.Option("--allow", metavar="CIDR", help="PBX address or network; repeatable.")
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=128, help="SIP worker processes (default: sip.max_calls / 3)."),
]


def serve(sip_port: SipPort = None, allow: Allow = None, workers: Workers = None) -> None:
    """Answer calls from the PBX over SIP: the front door and its workers, until Ctrl-C or
    SIGTERM (new calls are refused, active ones finish)."""
    from appliance.frontdoor.install import FrontDoorError
    from appliance.frontdoor.plan import PlanError, plan
    from appliance.frontdoor.supervise import Supervisor
    from appliance.pidfile import pid_file
    from appliance.worker_state import run_dir

    errors.USER_ERRORS.setdefault(FrontDoorError, 3)
    errors.USER_ERRORS.setdefault(PlanError, 2)
    settings = _settings(sip_port, allow)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    planned = plan(settings, workers)
    flags = [*_flags(sip_port, allow), "--workers", str(len(planned.workers))]

    def worker_command(worker: Any) -> list[str]:
        return [sys.executable, "-m", "appliance.cli.main", "worker", str(worker.index), *flags]

    _journaled(prepare, settings)
    pid = pid_file(settings)
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(f"{os.getpid()}\n")  # `models activate` SIGHUPs this process; it tells the workers
    try:
        code = Supervisor(
            settings,
            planned,
            run_dir(settings),
            worker_command,
            _engines_command(settings, planned),
            _llm_command(settings),
        ).run()
    finally:
        pid.unlink(missing_ok=True)
    if code:
        raise typer.Exit(code)


def worker(
    index: Annotated[int, typer.Argument(min=1, help="Which worker (from 1).")],
    sip_port: SipPort = None,
    allow: Allow = None,
    workers: Workers = None,
) -> None:
    """One SIP worker behind the front door (3 calls on its loopback port)."""
    from appliance.frontdoor.plan import plan, worker_settings

    settings = _settings(sip_port, allow)
    planned = plan(settings, workers)
    if index > len(planned.workers):
        raise typer.BadParameter(f"there are {len(planned.workers)} workers", param_hint="INDEX")
    me = planned.workers[index - 1]
    logging.basicConfig(level=logging.INFO, format=f"%(levelname)s {me.name} %(name)s: %(message)s")
    asyncio.run(_run(worker_settings(settings, me), worker_index=index))


def _engines_command(settings: Settings, planned: Any) -> list[str] | None:
    """The shared engine process's command, when the workers use one ([speech] engines)."""
    if not settings.speech.shared:
        return None
    streams = str(planned.capacity)
    return [sys.executable, "-m", "appliance.cli.main", "engines", "serve", "--streams", streams]


def _llm_command(settings: Settings) -> list[str] | None:
    """The box's LLM server's command, when the workers share a GGUF model ([llm] engine)."""
    from appliance.registry.engines import served_gguf

    if served_gguf(settings) is None:
        return None
    return [sys.executable, "-m", "appliance.cli.main", "llm", "serve"]


def prepare(settings: Settings) -> None:
    """Before any worker starts: refuse an endpoint outside the site's networks, migrate the
    database once (workers starting together would race to create its tables) and check the
    key-encryption key, so an error is said once, by the command the person ran; then write the
    site's providers (and demo patients) once rather than from every worker at the same time."""
    from appliance.privacy.egress import check_settings
    from appliance.privacy.store import open_store
    from appliance.store.db import open_database
    from appliance.tools.sitedata import seed_demo

    check_settings(settings)
    open_store(settings.data_dir, database_url=settings.database_url)
    _signing_key_usable(settings)
    _, sessions = open_database(settings.database_url)
    seed_demo(sessions, Path(settings.site.policy_dir), patients=settings.site.demo_patients)


def _journaled(step: Callable[[Settings], None], settings: Settings) -> None:
    """Run a start-up step; an error written for people also goes to the journal (START_REFUSED,
    one unwrapped line), as the service's own start-up errors do, before the CLI shows it."""
    from appliance.service.journal import Event, Journal

    try:
        step(settings)
    except Exception as exc:
        if errors.exit_code_for(exc) is not None:
            Journal().send(Event.START_REFUSED, detail=str(exc))
        raise


def _signing_key_usable(settings: Settings) -> None:
    """The audit signing key and salt load (a garbled key names its file and the fix); made on
    the first start as every worker would make them, but once."""
    from appliance.audit.log import default_origin
    from appliance.audit.signing import KeyStore

    keys = KeyStore(Path(settings.data_dir) / "keys", default_origin(settings))
    keys.signer()
    keys.salt()


def _flags(sip_port: int | None, allow: list[str] | None) -> list[str]:
    out = ["--sip-port", str(sip_port)] if sip_port is not None else []
    for cidr in allow or []:
        out += ["--allow", cidr]
    return out


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


async def _run(settings: Settings, worker_index: int | None = None) -> None:
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
        pid = pid_file(settings) if worker_index is None else None  # the supervisor's, for a worker
        if pid is not None:
            pid.write_text(f"{os.getpid()}\n")
        try:

            def ready(server: Any) -> None:
                ctx.ready(models=services.models())
                ctx.track_active_calls(lambda: server.active_calls)
                database = DatabaseWatch(settings.database_url)
                server.refuse_while(
                    lambda: database.problem() or services.storage_problem(), ctx.refusing_calls
                )
                if worker_index is not None:
                    from appliance.frontdoor.report import report_worker_state

                    report_worker_state(server, settings, worker_index)

            await serve(
                settings,
                call_session_factory(services),
                on_ready=ready,
                handover=call_fault_handover(services),
                on_finished=call_journal(),
                stopping=ctx.stopping,
            )
        finally:
            if pid is not None:
                pid.unlink(missing_ok=True)
            await services.close()

    code = await run_service(settings, main, explain=errors.user_message)
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
    app.command("worker", hidden=True)(worker)
