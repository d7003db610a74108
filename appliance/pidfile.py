"""The running service's pid file: how a command finds the service to signal or defer to."""

from __future__ import annotations

import os
from pathlib import Path

from appliance.config import Settings
from appliance.worker_state import alive, read_state, run_dir, state_file


def pid_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / "wardline.pid"


def running_worker_pids(settings: Settings) -> list[int]:
    """The live SIP workers' pids (wardline-worker@N units), from their state files."""
    pids = []
    for path in sorted((run_dir(settings) / "workers").glob("worker-*.json")):
        state = read_state(run_dir(settings), int(path.stem.split("-", 1)[1]))
        if state is not None and state_file(run_dir(settings), state.index) == path and alive(state.pid):
            pids.append(state.pid)
    return pids


def running_engines_pid(settings: Settings) -> int | None:
    """The live shared engine process's pid (wardline-engines.service), from its state file."""
    from appliance.speech.shared.protocol import SocketPathError, engine_socket
    from appliance.speech.shared.state import read_engine_state

    try:
        state = read_engine_state(engine_socket(settings)) or {}
    except SocketPathError:
        return None
    pid = state.get("pid")
    return pid if isinstance(pid, int) and alive(pid) else None


def running_llm_pid(settings: Settings) -> int | None:
    """The live LLM server's pid (wardline-llm.service), from its state file."""
    from appliance.llm.local_server import read_server_state

    state = read_server_state(settings)
    return state.pid if state is not None and alive(state.pid) else None


def running_service_pid(settings: Settings) -> int | None:
    """The pid of a live `wardline serve` for this data directory, or None."""
    try:
        pid = int(pid_file(settings).read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid
