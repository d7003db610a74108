"""`wardline simulate --mode audio` when the recognizer's worker processes die (issue 19, item 1).

The run must fail the scenario and exit, never hang; Ctrl-C (SIGINT) must stop it too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SCENARIO = REPO / "policies" / "riverside" / "scenarios" / "parking-question.yaml"


def _workers(parent: int) -> list[int]:
    """The pocketsphinx worker processes under `parent` (spawned multiprocessing children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def _start() -> subprocess.Popen[str]:
    return subprocess.Popen(
        # Real time, so that seconds after the start the call is still in progress.
        [
            str(Path(sys.executable).parent / "wardline"),
            *("simulate", "--mode", "audio", "--pacing", "realtime", str(SCENARIO)),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def _wait_for_workers(proc: subprocess.Popen[str], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_workers(proc.pid)) >= 3:  # speech.asr_workers: the service is up
            return
        time.sleep(0.2)
    raise AssertionError("the recognizer workers never started")


def test_simulate_fails_the_scenario_and_exits_when_the_recognizer_dies():
    proc = _start()
    stop = threading.Event()

    def keep_killing() -> None:  # every worker, and every replacement, as soon as it appears
        while not stop.is_set() and proc.poll() is None:
            for pid in _workers(proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    try:
        _wait_for_workers(proc)
        time.sleep(3)  # the greeting is playing: the caller has not spoken yet
        killer = threading.Thread(target=keep_killing, daemon=True)
        killer.start()
        out, err = proc.communicate(timeout=150)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, (proc.returncode, out[-2000:], err[-2000:])
    assert "FAIL" in out and "fault: the asr stage failed" in out, out
    assert "Traceback" not in err, err[-2000:]


def test_simulate_stops_on_ctrl_c():
    proc = _start()
    try:
        _wait_for_workers(proc)
        time.sleep(4)  # mid-call
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, (proc.returncode, out[-2000:], err[-2000:])
    assert "interrupted" in err and "Traceback" not in err, err[-2000:]
