"""What a test needs around a process it starts (a server, `wardline serve`, an engine host): a
free loopback port for it to listen on, and its stop."""

from __future__ import annotations

import signal
import socket
import subprocess


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A loopback port nothing listens on now (best effort: other tests share the machine)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(process: subprocess.Popen[bytes], timeout_s: float, sig: int = signal.SIGTERM) -> None:
    """`sig`, then a kill if the process has not exited within `timeout_s`; nothing if it has."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
