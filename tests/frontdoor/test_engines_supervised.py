"""`wardline serve` keeps the shared engine process running: the supervisor's own restart logic
on a real `wardline engines serve` child, killed with SIGKILL (no Kamailio or SIP worker needed:
the workers reconnect on their own, tests/call/test_fault_shared_engines.py)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from appliance.cli.serve import _engines_command
from appliance.config import load_settings
from appliance.frontdoor.plan import plan
from appliance.frontdoor.supervise import Supervisor
from appliance.speech.shared.client import describe
from appliance.speech.shared.protocol import engine_socket
from appliance.speech.shared.state import read_engine_state
from appliance.worker_state import run_dir

pytestmark = pytest.mark.slow

TIMEOUT_S = 300.0  # a net for a loaded box: the engine process builds its models first


def _supervisor(monkeypatch: pytest.MonkeyPatch) -> Supervisor:
    monkeypatch.setenv("WARDLINE_SPEECH__ENGINES", "shared")
    monkeypatch.setenv("WARDLINE_SPEECH__ASR_WORKERS", "1")
    settings = load_settings()
    planned = plan(settings, 1)
    command = _engines_command(settings, planned)
    assert command is not None and command[:2] == [sys.executable, "-m"]
    return Supervisor(settings, planned, run_dir(settings), lambda worker: ["true"], command)


def _tend_until(supervisor: Supervisor, condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert supervisor.tend_engines() is None, f"serve would stop while waiting for {what}"
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.2)


def test_a_killed_engine_process_is_restarted_and_answers_again(monkeypatch: pytest.MonkeyPatch) -> None:
    supervisor = _supervisor(monkeypatch)
    engines = supervisor.engines
    assert engines is not None
    socket_path = engine_socket(supervisor.settings)
    try:
        engines.start()
        _tend_until(supervisor, lambda: engines.ready, "the engine process ready")
        first = engines.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        _tend_until(supervisor, lambda: engines.pid != first and engines.ready, "a restarted engine process")
        info = asyncio.run(describe(socket_path))
        state = read_engine_state(socket_path)
        assert state is not None and state["pid"] == engines.pid != first
        assert [p.name for p in info.asr] == ["pocketsphinx"]
    finally:
        supervisor._shutdown()
    assert engines.exited() is not None  # the engine process stops with serve


def test_an_engine_process_that_cannot_load_its_model_stops_serve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WARDLINE_SPEECH__ASR", "faster-whisper")  # and no Whisper model active
    supervisor = _supervisor(monkeypatch)
    engines = supervisor.engines
    assert engines is not None
    try:
        engines.start()
        deadline = time.monotonic() + TIMEOUT_S
        while (code := supervisor.tend_engines()) is None:
            assert time.monotonic() < deadline, "the engine process neither started nor failed"
            time.sleep(0.2)
    finally:
        supervisor._shutdown()
    assert code != 0 and engines.deaths == 0  # stopped with its error, not restarted in a loop
