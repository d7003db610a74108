"""Each SIP worker's state in a small JSON file, for `wardline status` and the supervisor.

A worker rewrites `RUN_DIR/workers/worker-N.json` when its calls change (atomically: a reader
sees the old file or the new one). Nothing about a caller is in it: counts only. Beneath the front
door, so that finding the running processes (appliance/pidfile.py) needs nothing above it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from appliance.config import Settings


@dataclass(frozen=True)
class WorkerState:
    index: int
    pid: int
    sip_port: int
    ready: bool
    active_calls: int
    capacity: int
    accepted: int  # calls admitted since the worker started
    refused: int  # calls it refused (full, draining, its store unavailable)
    refusing: str = ""  # why it refuses new calls now, or ""
    finished: int = 0  # calls ended since the worker started
    frames_out: int = 0  # outbound 20 ms frames of those calls
    late_frames: int = 0  # of them, asked for by the media clock more than 20 ms late
    clock_realtime: bool = False  # the media clock thread runs (or may run) real-time
    clock: str = ""  # how it is scheduled, or why not real-time (appliance/telephony/realtime_clock.py)


def run_dir(settings: Settings) -> Path:
    """Where the front door's configuration, pid files and worker states live."""
    return Path(settings.data_dir) / "frontdoor"


def state_file(folder: Path, index: int) -> Path:
    return folder / "workers" / f"worker-{index}.json"


def write_state_file(path: Path, data: Mapping[str, Any]) -> None:
    """`data` as JSON at `path`, atomically: a reader sees the old file or the new one, never half
    of one (blocking: run it off the event loop). Every process's state file is written so."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def write_state(folder: Path, state: WorkerState) -> None:
    write_state_file(state_file(folder, state.index), asdict(state))


def read_state(folder: Path, index: int) -> WorkerState | None:
    try:
        data = json.loads(state_file(folder, index).read_text(encoding="utf-8"))
        return WorkerState(**data)
    except (OSError, ValueError, TypeError):
        return None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
