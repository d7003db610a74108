"""The running service's audit-log health, kept in a small file for `wardline doctor`.

The service's AuditLog reports every change (failing, writing again) to a listener; the serve
command's listener writes it here (data_dir/audit-health.json, with the service's pid), so a
doctor in another process can say "the service cannot write its audit log since …" without
asking the service. No PHI: counts, a driver error's first line, times.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

HEALTH_FILE = "audit-health.json"


def health_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / HEALTH_FILE


def write_health(data_dir: Path | str, health: dict[str, Any], pid: int | None = None) -> None:
    """Atomically replace the file with `health` (AuditLog.health()) stamped with pid and time."""
    path = health_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    record = {**health, "pid": pid if pid is not None else os.getpid(), "at": round(time.time(), 3)}
    tmp.write_text(json.dumps(record, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_health(data_dir: Path | str) -> dict[str, Any] | None:
    """The last health the service wrote, or None when there is none or it cannot be read."""
    try:
        value = json.loads(health_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
