"""`run_service`: the systemd life cycle around the serve loop.

The serve command hands its main coroutine to `run_service`; the coroutine receives a
`ServiceContext`, starts SIP, models and storage, calls `ctx.ready(...)`, and then waits on
`ctx.stopping`. Around it this module:

- sends READY=1 (with STATUS=) when the main coroutine says it is up, STATUS= on every change
  of active calls or models, STOPPING=1 on the way out (notify.py);
- pings the watchdog at half of WatchdogSec from the event loop itself, so a stalled loop is
  restarted by systemd;
- on SIGHUP re-reads the configuration and runs the registered reload hooks (policies, active
  models) one reload at a time; calls keep running; a configuration or hook that fails is
  refused, logged, and the running one stays (invariant 7);
- on SIGTERM or SIGINT runs the stop hooks (stop taking new calls) and sets `ctx.stopping`;
- records each of these as a journal event with its MESSAGE_ID (journal.py).

All of it runs on the one asyncio event loop; signal handlers are loop callbacks, not C-level
handlers, so hooks never run in the middle of other code.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import signal
from collections.abc import Awaitable, Callable, Sequence

from appliance.config import ConfigError, Settings, load_settings
from appliance.service.journal import Event, Journal
from appliance.service.notify import Notifier, Watchdog, format_status, watchdog_interval_s

ReloadHook = Callable[[Settings], Awaitable[None] | None]
StopHook = Callable[[], Awaitable[None] | None]
MainCoroutine = Callable[["ServiceContext"], Awaitable[None]]
SettingsLoader = Callable[[], Settings]
Explain = Callable[[BaseException], str]


async def _call(hook: Callable[..., Awaitable[None] | None], *args: object) -> None:
    result = hook(*args)
    if inspect.isawaitable(result):
        await result


class ServiceContext:
    """What the serve loop sees of systemd: readiness, status, reload and stop hooks."""

    def __init__(
        self, settings: Settings, notifier: Notifier, journal: Journal, loader: SettingsLoader
    ) -> None:
        self.settings = settings
        self.stopping = asyncio.Event()
        self.is_ready = False
        self.active_calls = 0
        self.models: tuple[str, ...] = ()
        self.reloads = 0
        self._notifier = notifier
        self._journal = journal
        self._loader = loader
        self._reload_hooks: list[ReloadHook] = []
        self._stop_hooks: list[StopHook] = []
        self._reload_lock = asyncio.Lock()
        self._tracker: asyncio.Task[None] | None = None

    @property
    def status(self) -> str:
        return format_status(self.active_calls, self.models)

    def on_reload(self, hook: ReloadHook) -> None:
        """Run `hook(new_settings)` on SIGHUP; raise from it to refuse the reload."""
        self._reload_hooks.append(hook)

    def on_stop(self, hook: StopHook) -> None:
        """Run `hook()` when SIGTERM arrives, before `stopping` is set."""
        self._stop_hooks.append(hook)

    def ready(self, *, models: Sequence[str] | None = None, active_calls: int | None = None) -> None:
        """Call once SIP, models and storage are up: systemd then reports the unit active."""
        self._apply(models, active_calls)
        self.is_ready = True
        self._notifier.ready(self.status)
        self._journal.send(Event.SERVICE_READY, status=self.status)

    def refusing_calls(self, why: str) -> None:
        """The service cannot take calls now (its store is gone, full or read-only): say so to
        systemd and the journal; calls in progress go on. "" : it can again."""
        if not why:
            self._notifier.status(self.status)
            self._journal.send(Event.STATUS, status=self.status)
            return
        self._notifier.status(f"refusing new calls: {why}"[:300])
        self._journal.send(Event.CALLS_REFUSED, detail=why)

    def update_status(self, *, active_calls: int | None = None, models: Sequence[str] | None = None) -> None:
        """Report a change of active calls or models (STATUS= for `systemctl status`)."""
        before = self.status
        self._apply(models, active_calls)
        if self.status != before:
            self._notifier.status(self.status)

    def track_active_calls(self, count: Callable[[], int], interval_s: float = 1.0) -> None:
        """Poll `count()` (e.g. `lambda: server.active_calls`) and report changes as STATUS=."""

        async def poll() -> None:
            while not self.stopping.is_set():
                self.update_status(active_calls=count())
                await asyncio.sleep(interval_s)

        self._tracker = asyncio.get_running_loop().create_task(poll(), name="wardline-status")

    async def _stop_tracking(self) -> None:
        if self._tracker is not None:
            self._tracker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._tracker
            self._tracker = None

    def request_stop(self) -> None:
        asyncio.get_running_loop().create_task(self._stop(), name="wardline-stop")

    async def reload(self) -> bool:
        """Re-read settings and run the reload hooks; False when the reload was refused."""
        async with self._reload_lock:
            self._notifier.reloading()
            try:
                new = self._loader()
                for hook in self._reload_hooks:
                    await _call(hook, new)
            except asyncio.CancelledError:
                raise
            except ConfigError as exc:
                self._journal.send(Event.RELOAD_FAILED, detail=str(exc))
                self._notifier.ready(self.status)
                return False
            except Exception as exc:
                self._journal.send(Event.RELOAD_FAILED, detail=type(exc).__name__)
                self._notifier.ready(self.status)
                return False
            self.settings = new
            self.reloads += 1
            self._notifier.ready(self.status)
            self._journal.send(Event.RELOAD_DONE, status=self.status)
            return True

    def _apply(self, models: Sequence[str] | None, active_calls: int | None) -> None:
        if models is not None:
            self.models = tuple(models)
        if active_calls is not None:
            self.active_calls = active_calls

    async def _stop(self) -> None:
        if self.stopping.is_set():
            return
        self._notifier.stopping(f"stopping; {self.status}")
        self._journal.send(Event.SERVICE_STOPPING)
        for hook in self._stop_hooks:
            try:
                await _call(hook)
            except Exception as exc:  # one hook failing must not keep the service up
                self._journal.send(Event.SERVICE_FAILED, error_code=type(exc).__name__)
        self.stopping.set()


async def run_service(
    settings: Settings,
    main: MainCoroutine,
    *,
    notifier: Notifier | None = None,
    journal: Journal | None = None,
    loader: SettingsLoader = load_settings,
    handle_signals: bool = True,
    explain: Explain = lambda exc: "",
) -> int:
    """Run `main(ctx)` as the systemd service; returns the process exit code (0 or 1).

    `explain` gives the message of an error written for people, else "" (the CLI hands in its
    one error table: the service sits beneath the CLI and does not reach up for it)."""
    from appliance import __version__

    notifier = notifier or Notifier()
    journal = journal or Journal()
    journal.send(Event.SERVICE_STARTING, version=__version__)
    ctx = ServiceContext(settings, notifier, journal, loader)
    loop = asyncio.get_running_loop()
    signals = _install_signals(loop, ctx) if handle_signals else []
    interval = watchdog_interval_s()
    watchdog = Watchdog(notifier, interval) if interval else None
    if watchdog:
        watchdog.start()
    try:
        await main(ctx)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        explained = explain(exc)
        notifier.status(f"failed: {explained or type(exc).__name__}")
        if explained:  # a key, config or store error that names its file and its fix
            journal.send(Event.START_REFUSED, detail=explained)
        journal.send(Event.SERVICE_FAILED, error_code=type(exc).__name__)
        return 1
    finally:
        await ctx._stop_tracking()
        if watchdog:
            await watchdog.stop()
        for sig in signals:
            loop.remove_signal_handler(sig)
        if not ctx.stopping.is_set():
            notifier.stopping()
    return 0


def _install_signals(loop: asyncio.AbstractEventLoop, ctx: ServiceContext) -> list[int]:
    loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(ctx.reload(), name="wardline-reload"))
    loop.add_signal_handler(signal.SIGTERM, ctx.request_stop)
    loop.add_signal_handler(signal.SIGINT, ctx.request_stop)
    return [signal.SIGHUP, signal.SIGTERM, signal.SIGINT]


def load_service_settings(loader: SettingsLoader = load_settings, journal: Journal | None = None) -> Settings:
    """Load settings at service start; a broken file is journaled (file, line, reason) and re-raised."""
    try:
        return loader()
    except ConfigError as exc:
        (journal or Journal()).send(Event.CONFIG_INVALID, detail=str(exc))
        raise
