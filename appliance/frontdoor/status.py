"""What `wardline status` shows of the box: the front door as Kamailio's dispatcher sees it, each
SIP worker's calls (from its state file, appliance/worker_state.py) and the shared engines.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.frontdoor.kamailio import DISPATCH_SET
from appliance.worker_state import alive, read_state, run_dir

_DISPATCHER_FLAGS = {"A": "active", "I": "inactive", "D": "disabled", "T": "trying"}


def _kamcmd(control: Path, kamcmd: str, *command: str) -> subprocess.CompletedProcess[str] | None:
    """`command` sent to Kamailio through its ctl socket; None when kamcmd cannot be run or the
    front door does not answer within 5 s (it is starting or stopped)."""
    try:
        argv = [kamcmd, "-s", f"unix:{control}", *command]
        return subprocess.run(argv, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def dispatcher_states(control: Path, kamcmd: str = "kamcmd") -> dict[str, str]:
    """Worker URI -> "active", "inactive" or "probing" as Kamailio's dispatcher sees it now;
    {} when the front door does not answer."""
    done = _kamcmd(control, kamcmd, "dispatcher.list")
    if done is None:
        return {}
    states: dict[str, str] = {}
    uri = ""
    for line in done.stdout.splitlines():
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if key == "URI":
            uri = value
        elif key == "FLAGS" and uri:
            states[uri] = _DISPATCHER_FLAGS.get(value[:1], value)
    return states


def take_out_of_rotation(control: Path, uri: str, kamcmd: str = "kamcmd") -> bool:
    """Tell the front door at once that the worker at `uri` is gone (inactive, probing): no new
    call is sent to it, and its next answered OPTIONS probe puts it back. Without this a dead
    worker is noticed only by its probes or by the next call it fails to answer. False when the
    front door does not answer (it is starting or stopped: nothing to tell)."""
    done = _kamcmd(control, kamcmd, "dispatcher.set_state", "ip", str(DISPATCH_SET), uri)
    return done is not None and done.returncode == 0 and "error" not in done.stdout.lower()


def box_status(settings: Settings, workers: int) -> dict[str, Any]:
    """What `wardline status --json` prints: the front door, then each worker's calls."""
    from appliance.frontdoor.install import control_socket
    from appliance.frontdoor.plan import plan

    folder = run_dir(settings)
    planned = plan(settings, workers)
    seen = dispatcher_states(control_socket(folder))
    rows = []
    for worker in planned.workers:
        state = read_state(folder, worker.index)
        running = state is not None and alive(state.pid)
        rows.append(
            {
                "worker": worker.index,
                "sip_port": worker.sip_port,
                "running": running,
                "ready": bool(running and state and state.ready),
                "active_calls": state.active_calls if running and state else 0,
                "capacity": state.capacity if state else 0,
                "accepted": state.accepted if state else 0,
                "refused": state.refused if state else 0,
                "refusing": state.refusing if running and state else "",
                "media_clock": state.clock if running and state else "",
                "dispatcher": seen.get(worker.uri, "unknown"),
            }
        )
    kamailio_pid = _pid(folder / "kamailio.pid")
    return {
        "engines": engines_status(settings),
        "llm": llm_status(settings),
        "front_door": {
            "running": kamailio_pid is not None,
            "pid": kamailio_pid,
            "sip_port": settings.sip.port,
            "transports": list(settings.sip.transports),
        },
        "workers": rows,
        # other boxes (frontdoor.peers) as this front door's probes see them
        "peers": [
            {"peer": peer, "dispatcher": seen.get(f"sip:{peer};transport=udp", "unknown")}
            for peer in settings.frontdoor.peers
        ],
        "active_calls": sum(r["active_calls"] for r in rows),
        "capacity": planned.capacity,
    }


def engines_status(settings: Settings) -> dict[str, Any]:
    """The shared engine process: running, its models, and its load (streams in use now, served,
    refused for want of a free recognizer); `{"shared": false}` when each worker loads its own."""
    from appliance.speech.shared.protocol import engine_socket
    from appliance.speech.shared.state import read_engine_state

    if not settings.speech.shared:
        return {"shared": False}
    socket_path = engine_socket(settings)
    state = read_engine_state(socket_path) or {}
    running = bool(state.get("pid")) and alive(int(state["pid"]))
    empty = {"model": "", "in_use": 0, "served": 0}
    return {
        "shared": True,
        "socket": str(socket_path),
        "running": running,
        "pid": state.get("pid") if running else None,
        "streams": state.get("streams", 0),
        "asr": {**empty, "refused": 0, **state.get("asr", {})} if running else {**empty, "refused": 0},
        "tts": {**empty, **state.get("tts", {})} if running else empty,
        "failures": state.get("failures", 0) if running else 0,
    }


def llm_status(settings: Settings) -> dict[str, Any]:
    """The box's LLM server (a GGUF model served once for every worker): running, its model,
    generations in flight and answered; `{"shared": false}` when the box serves none (the LLM
    off or in each worker, or a vLLM model)."""
    from appliance.llm.local_server import read_server_state
    from appliance.registry.engines import ModelNotActive, served_gguf

    try:
        served = served_gguf(settings)
    except ModelNotActive:  # `wardline doctor` says so; nothing is served
        served = None
    if served is None:
        return {"shared": False}
    state = read_server_state(settings)
    running = state is not None and alive(state.pid)
    return {
        "shared": True,
        "running": running,
        "ready": bool(running and state and state.ready),
        "pid": state.pid if running and state else None,
        "model": state.model if state else "",
        "url": settings.llm.server_url,
        "in_flight": state.in_flight if running and state else 0,
        "answered": state.answered if running and state else 0,
    }


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if alive(pid) else None
