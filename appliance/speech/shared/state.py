"""The engine process's load in a small JSON file beside its socket, for `wardline status`,
`wardline doctor` and the supervisor: counts and model names only, nothing about a caller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from appliance.worker_state import write_state_file

STATE_FILE = "engines.json"


def state_path(socket_path: Path) -> Path:
    return socket_path.parent / STATE_FILE


def write_engine_state(socket_path: Path, state: dict[str, Any]) -> None:
    """Atomically: a reader sees the old file or the new one (blocking: run off the loop)."""
    write_state_file(state_path(socket_path), state)


def read_engine_state(socket_path: Path) -> dict[str, Any] | None:
    """What the engine process last wrote, or None (never started, or unreadable)."""
    try:
        data = json.loads(state_path(socket_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
