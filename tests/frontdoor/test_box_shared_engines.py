"""A box whose SIP workers share one engine process: `wardline serve` as a person runs it, with
`[speech] engines = "shared"`, Kamailio in front of two workers, callers from sipp.

The recognizer's decoder processes live only in the engine process (the workers hold none): the
models are loaded once for the box. More callers than one worker holds are all answered, with
their speech served by that one process; killed, it is restarted by serve, and the next callers
are answered and served by the new one. One box for the module; the kill comes last.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from appliance.config import Settings, load_settings
from appliance.frontdoor.status import box_status
from tests.frontdoor.serving import answered, box_ports, free_port, start_serve, stop_serve
from tests.frontdoor.test_config import needs_kamailio
from tests.telephony.harness import sipp, tone, write_rtp_pcap

pytestmark = [needs_kamailio, pytest.mark.slow]

WORKERS = 2
START_TIMEOUT_S = 420.0  # a net for a loaded CI box


@dataclass
class Box:
    settings: Settings
    process: subprocess.Popen[bytes]
    log: Path
    tmp: Path
    port: int

    def status(self) -> dict[str, Any]:
        return box_status(self.settings, WORKERS)

    def engines(self) -> dict[str, Any]:
        return dict(self.status()["engines"])

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait(self, condition, what: str, timeout_s: float = START_TIMEOUT_S) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert self.process.poll() is None, self.tail()
            assert time.monotonic() < deadline, f"never {what}: {self.status()}\n{self.tail()}"
            time.sleep(1)


def _ready(box: Box) -> bool:
    status = box.status()
    workers = status["workers"]
    engines = status["engines"]
    return engines["running"] and all(w["ready"] and w["dispatcher"] == "active" for w in workers)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    from tests.service.test_doctor import make_keys

    tmp = tmp_path_factory.mktemp("shared-box")
    data = tmp / "data"
    make_keys(data)
    ports = box_ports(WORKERS)
    port = ports.sip
    config = tmp / "wardline.toml"
    config.write_text(
        f'data_dir = "{data}"\n'
        f"[sip]\nport = {port}\nrtp_port = {ports.rtp}\n"
        'max_calls = 6\nallow = ["127.0.0.0/30"]\nring_ms = 0\n'
        f"[frontdoor]\nworker_port = {ports.worker}\n"
        '[understanding]\nencoder = "off"\n'
        '[speech]\nengines = "shared"\n'
    )
    log = tmp / "serve.log"
    process = start_serve(config, data, log, "--workers", str(WORKERS))
    found = Box(load_settings(config), process, log, tmp, port)
    try:
        found.wait(lambda: _ready(found), "the box ready")
        yield found
    finally:
        stop_serve(process, 90)
    assert not found.engines()["running"], "the engine process outlived serve"


def _decoders(pid: int) -> list[int]:
    """pocketsphinx decoder processes (multiprocessing children) under `pid`."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"multiprocessing.spawn" in command:
                found.append(int(child))
    return found


def _calls(box: Box, n: int) -> Any:
    audio = write_rtp_pcap(box.tmp / "tone.pcap", tone(8000, 440, 400))
    return sipp(
        "hold", box.port, free_port(), box.tmp, calls=n, extra=["-l", str(n), "-r", str(n)],
        timeout=90, proxied=True, audio=str(audio), hold_ms="5000",
    )  # fmt: skip


def test_the_models_are_loaded_once_for_the_box(box: Box) -> None:
    engines = box.engines()
    assert engines["shared"] and engines["running"], engines
    assert engines["streams"] == 3 * WORKERS  # sized for every call the box can hold
    assert len(_decoders(engines["pid"])) == 3 * WORKERS
    for worker in box.status()["workers"]:
        from appliance.worker_state import read_state, run_dir

        state = read_state(run_dir(box.settings), worker["worker"])
        assert state is not None and _decoders(state.pid) == [], "a worker loaded its own recognizer"


def test_more_callers_than_one_worker_holds_are_answered_by_the_shared_engines(box: Box) -> None:
    before = box.engines()
    done = _calls(box, 4)
    assert done.returncode == 0, done.output[-2000:]
    assert answered(done.messages) >= 4
    after = box.engines()
    assert after["tts"]["served"] > before["tts"]["served"], after  # the greeting, spoken there
    took = [w["accepted"] for w in box.status()["workers"]]
    assert all(took), took  # 4 calls at once needed both workers, and both used the one process


def test_a_killed_engine_process_is_restarted_and_the_next_callers_are_served(box: Box) -> None:
    first = box.engines()["pid"]
    os.kill(first, signal.SIGKILL)
    box.wait(lambda: box.engines()["running"] and box.engines()["pid"] != first, "a new engine process", 300)
    done = _calls(box, 3)
    assert done.returncode == 0, done.output[-2000:]
    assert answered(done.messages) >= 3
    assert box.engines()["tts"]["served"] > 0  # the new process spoke to them
