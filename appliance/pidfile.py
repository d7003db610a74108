"""The running service's pid file: how a command finds the service to signal or defer to."""

from __future__ import annotations

import os
from pathlib import Path

from appliance.config import Settings


def pid_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / "wardline.pid"


def running_service_pid(settings: Settings) -> int | None:
    """The pid of a live `wardline serve` for this data directory, or None."""
    try:
        pid = int(pid_file(settings).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid
