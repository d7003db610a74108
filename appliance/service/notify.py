"""The sd_notify protocol: READY, RELOADING, STOPPING, WATCHDOG and STATUS messages to systemd.

systemd-python's `systemd.daemon.notify` is used when it is installed and the socket comes from
NOTIFY_SOCKET; otherwise the same datagram is sent with a plain AF_UNIX socket (the protocol is
one datagram of newline-separated KEY=VALUE lines). Outside systemd (no NOTIFY_SOCKET) every
call is a no-op that returns False, so the serve loop runs the same in a terminal.

Everything here is called from the event-loop thread; `Watchdog` is an asyncio task on it, so a
stalled loop stops the pings and systemd restarts the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
from collections.abc import Callable, Sequence

try:
    from systemd import daemon as _sd_daemon
except ImportError:  # systemd-python is optional at run time; the socket path covers it
    _sd_daemon = None


def format_status(active_calls: int, models: Sequence[str]) -> str:
    """The one-line STATUS= text `systemctl status wardline` shows."""
    calls = "1 active call" if active_calls == 1 else f"{active_calls} active calls"
    return f"{calls}; models: {', '.join(models) if models else 'none'}"


def _socket_address(path: str) -> str | bytes:
    # A leading '@' names a socket in the abstract namespace (sd_notify(3)).
    return b"\0" + path[1:].encode() if path.startswith("@") else path


class Notifier:
    """Sends sd_notify messages to the socket systemd gave us (or to `socket_path`)."""

    def __init__(self, socket_path: str | None = None, *, use_systemd_python: bool = True) -> None:
        self._explicit = socket_path
        self._use_systemd = use_systemd_python and _sd_daemon is not None and socket_path is None

    @property
    def socket_path(self) -> str | None:
        return self._explicit or os.environ.get("NOTIFY_SOCKET") or None

    @property
    def enabled(self) -> bool:
        return self.socket_path is not None

    @property
    def backend(self) -> str:
        return "systemd-python" if self._use_systemd else "socket"

    def send(self, **fields: str | int) -> bool:
        """Send one message; True when it was delivered to a listening socket."""
        path = self.socket_path
        if path is None:
            return False
        message = "\n".join(f"{key}={value}" for key, value in fields.items())
        if self._use_systemd:
            return bool(_sd_daemon.notify(message))
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            try:
                sock.sendto(message.encode(), _socket_address(path))
            except OSError:
                return False
        return True

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
