"""The shared engine process (`wardline engines serve`): the box's speech engines, loaded once.

Builds the configured recognizer and voice exactly as a worker would in-process (the same
factories in call/services.py, with the site's corpus and vocabulary), starts them, and serves
them on the engine socket (appliance/speech/shared) to every SIP worker. Sized for the box: a
pocketsphinx engine gets one decoder process per call the box can hold (`streams`).

Its load (streams in use, served, refused) goes to engines.json beside the socket whenever it
changes, for `wardline status`; the write runs off the loop. SIGTERM or SIGINT stops it; the
supervisor (`wardline serve`) or systemd (wardline-engines.service) restarts it if it dies.
SIGHUP (after `wardline models activate`) loads the newly active models first and then swaps
them in: streams in progress finish on the old engine, and a model that fails to load leaves
the running one in place (DESIGN invariant 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.service.notify import Notifier

log = logging.getLogger(__name__)


def host_settings(settings: Settings, streams: int) -> Settings:
    """The settings the engine process builds its engines with: in-process engines, as many
    recognizer processes as the box has calls (pocketsphinx decodes one turn per process), and a
    voice's pool of synthesis threads sized for the box's calls too (registry/engines.tts_pool)."""
    from appliance.registry.engines import tts_pool

    speech = settings.speech.model_copy(
        update={
            "engines": "in-process",
            "asr_workers": max(settings.speech.asr_workers, streams),
            "tts_workers": tts_pool(settings, streams),
        }
    )
    return settings.model_copy(update={"speech": speech})


async def run_engine_host(settings: Settings, streams: int) -> None:
    """Load the engines, serve them until SIGTERM or SIGINT."""
    from appliance.dialog.sitepack import load_site
    from appliance.registry.engines import asr_for, model_key, tts_for
    from appliance.speech.shared.protocol import engine_socket
    from appliance.speech.shared.server import EngineServer
    from appliance.speech.shared.state import state_path, write_engine_state

    socket_path = engine_socket(settings)
    local = host_settings(settings, streams)
    site = load_site(Path(settings.site.policy_dir))
    asr, tts = asr_for(local, site), tts_for(local)
    models = {"asr": model_key(local, "asr"), "tts": model_key(local, "tts")}
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    server = EngineServer(asr, tts, socket_path, models=models)
    reloads: list[asyncio.Task[None]] = []
    loop.add_signal_handler(signal.SIGHUP, lambda: reloads.append(loop.create_task(_reload(server, streams))))
    try:
        await asr.start()
        await tts.start()
        await server.start()
        # one thread writes the file, in order: the last write is the newest load
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-state")

        def report() -> None:
            load = server.load
            models = server.models
            snapshot = {
                "pid": os.getpid(), "ready": True, "socket": str(socket_path), "streams": streams,
                "asr": {"model": models["asr"], "in_use": load.asr_streams, "served": load.asr_served,
                        "refused": load.asr_refused},
                "tts": {"model": models["tts"], "in_use": load.tts_streams, "served": load.tts_served},
                "failures": load.failures,
            }  # fmt: skip
            loop.run_in_executor(writer, write_engine_state, socket_path, snapshot).add_done_callback(
                _log_write_failure
            )

        server.load.listeners.append(report)
        report()
        Notifier().ready(f"engines: {models['asr']}, {models['tts']}; {streams} streams")
        log.info("engines ready on %s: %s (%d streams)", socket_path, ", ".join(models.values()), streams)
        await stop.wait()
        Notifier().stopping()
    finally:
        for task in reloads:
            task.cancel()
        await server.close()
        with contextlib.suppress(OSError):
            state_path(socket_path).unlink()


def _log_write_failure(future: asyncio.Future[None]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("engine load not written for `wardline status` (%s)", type(future.exception()).__name__)


async def _reload(server: Any, streams: int) -> None:
    """SIGHUP: build and start every changed engine, then swap them all in."""
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.registry.engines import asr_for, closed_on_failure, model_key, tts_for

    try:
        local = host_settings(load_settings(), streams)
        wanted = {kind: model_key(local, kind) for kind in ("asr", "tts")}
        changed = [kind for kind in wanted if wanted[kind] != server.models.get(kind)]
        async with closed_on_failure() as built:
            for kind in changed:
                site = load_site(Path(local.site.policy_dir))
                built[kind] = asr_for(local, site) if kind == "asr" else tts_for(local)
                await built[kind].start()
        for kind, engine in built.items():
            log.info("%s model swapped: %s -> %s", kind, server.models.get(kind), wanted[kind])
            await server.swap(kind, engine, wanted[kind])
        server.load.changed()
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.error("model reload refused, the running models stay: %s: %s", type(exc).__name__, exc)
