"""The sd_notify protocol: READY, RELOADING, STOPPING, WATCHDOG and STATUS messages to systemd.

Messages go through systemd-python's `systemd.daemon.notify` (libsystemd's sd_notify, which
reads NOTIFY_SOCKET: a path, or '@' for the abstract namespace). Outside systemd (no
NOTIFY_SOCKET) every call is a no-op that returns False, so the serve loop runs the same in a
terminal.

Everything here is called from the event-loop thread; `Watchdog` is an asyncio task on it, so a
stalled loop stops the pings and systemd restarts the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Sequence

from systemd import daemon as _sd_daemon


def format_status(active_calls: int, models: Sequence[str]) -> str:
    """The one-line STATUS= text `systemctl status wardline` shows."""
    calls = "1 active call" if active_calls == 1 else f"{active_calls} active calls"
    return f"{calls}; models: {', '.join(models) if models else 'none'}"


class Notifier:
    """Sends sd_notify messages to the socket systemd gave us (NOTIFY_SOCKET)."""

    @property
    def enabled(self) -> bool:
        return bool(os.environ.get("NOTIFY_SOCKET"))

    def send(self, **fields: str | int) -> bool:
        """Send one message; True when it was delivered to a listening socket."""
        if not self.enabled:
            return False
        message = "\n".join(f"{key}={value}" for key, value in fields.items())
        try:
            return bool(_sd_daemon.notify(message))
        except OSError:  # systemd's socket went away (sd_notify's own error)
            return False

    def ready(self, status: str) -> bool:
        return self.send(READY=1, STATUS=status)

    def reloading(self) -> bool:
        # MONOTONIC_USEC lets systemd >= 253 match the reload to this moment; older ones ignore it.
        return self.send(RELOADING=1, MONOTONIC_USEC=time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000)

    def stopping(self, status: str = "stopping") -> bool:
        return self.send(STOPPING=1, STATUS=status)

    def status(self, status: str) -> bool:
        return self.send(STATUS=status)

    def watchdog(self) -> bool:
        return self.send(WATCHDOG=1)


def watchdog_interval_s(environ: dict[str, str] | None = None) -> float | None:
    """Half of WatchdogSec (from WATCHDOG_USEC), or None when systemd expects no pings from us."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC")
    if not usec:
        return None
    pid = env.get("WATCHDOG_PID")
    if pid and pid.isdigit() and int(pid) != os.getpid():
        return None  # the watchdog belongs to another process (our parent, for example)
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 2_000_000 if value > 0 else None


class Watchdog:
    """An asyncio task that sends WATCHDOG=1 every `interval_s` while `healthy()` says so."""

    def __init__(
        self, notifier: Notifier, interval_s: float, healthy: Callable[[], bool] | None = None
    ) -> None:
        self._notifier = notifier
        self._interval_s = interval_s
        self._healthy = healthy or (lambda: True)
        self._task: asyncio.Task[None] | None = None
        self.pings = 0

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="wardline-watchdog")

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            # A ping is proof that the loop is turning; an unhealthy service skips it on purpose
            # so that systemd restarts it.
            if self._healthy() and self._notifier.watchdog():
                self.pings += 1
            await asyncio.sleep(self._interval_s)
