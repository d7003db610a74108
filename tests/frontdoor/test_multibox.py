"""Two boxes behind one dispatcher with one PostgreSQL: `wardline serve` twice on this machine,
on two sets of loopback ports, each with its own data directory and signing key, the same
store.database_url, and each listing the other in [frontdoor] peers.

A call to either box is answered; calls box A has no room for are answered by box B; each box's
audit log (its own tree in the shared database, named by store.audit_origin) is exported and
verified offline with that box's trusted keys; a dead box B leaves box A answering alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.config import Settings, load_settings
from appliance.frontdoor.status import box_status
from tests.conftest import REPO
from tests.frontdoor.serving import BoxPorts, answered, box_ports, free_port, start_serve, stop_serve
from tests.frontdoor.test_config import needs_kamailio
from tests.pg import postgres_url  # noqa: F401  (the fixture)
from tests.telephony.harness import sipp, tone, write_rtp_pcap

pytestmark = needs_kamailio

START_TIMEOUT_S = 420.0  # a net for a loaded CI box: two boxes load their engines at once
CALLS_PER_BOX = 3  # one worker each: box A holds 3 calls


@dataclass
class Box:
    name: str
    settings: Settings
    config: Path
    process: subprocess.Popen[bytes]
    log: Path
    tmp: Path

    @property
    def port(self) -> int:
        return self.settings.sip.port

    def status(self) -> dict:  # type: ignore[type-arg]
        return box_status(self.settings, 1)

    def accepted(self) -> int:
        return sum(w["accepted"] for w in self.status()["workers"])

    def tail(self) -> str:
        return f"--- box {self.name} ---\n" + self.log.read_text(errors="replace")[-3000:]

    def wardline(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "WARDLINE_CONFIG": str(self.config),
            "WARDLINE_DATA_DIR": str(self.settings.data_dir),
        }
        command = [str(Path(sys.executable).parent / "wardline"), *args]
        return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _keys(data: Path, origin: str, shared_from: Path | None) -> None:
    """This box's own audit signing key; the site's key-encryption key and commitment salt are
    one per site (the encrypted store and the commitments are shared), copied from box A."""
    from appliance.audit.signing import SALT_FILE, KeyStore
    from appliance.privacy.kek import create_kek

    keys = data / "keys"
    keys.mkdir(parents=True, mode=0o700)
    if shared_from is None:
        create_kek(data)
    else:
        for name in ("kek", SALT_FILE):
            shutil.copy2(shared_from / "keys" / name, keys / name)
    store = KeyStore(keys, origin)
    store.signer()
    store.salt()


def _start(name: str, tmp: Path, ports: BoxPorts, peer: int, url: str, shared_from: Path | None) -> Box:
    data = tmp / "data"
    origin = f"wardline.box-{name}"
    _keys(data, origin, shared_from)
    config = tmp / "wardline.toml"
    config.write_text(
        f'data_dir = "{data}"\n'
        f'[store]\ndatabase_url = "{url}"\naudit_origin = "{origin}"\n'
        f"[sip]\nport = {ports.sip}\nrtp_port = {ports.rtp}\nmax_calls = {CALLS_PER_BOX}\n"
        'allow = ["127.0.0.0/30"]\nretry_after_s = 7\nring_ms = 0\n'
        f'[frontdoor]\nworker_port = {ports.worker}\npeers = ["127.0.0.1:{peer}"]\n'
        '[understanding]\nencoder = "off"\n'
        "[speech]\nasr_workers = 1\n"
        "[site]\ndemo_patients = false\n"
    )
    log = tmp / "serve.log"
    process = start_serve(config, data, log)
    return Box(name, load_settings(config), config, process, log, tmp)


def _wait(boxes: list[Box], ready: callable, what: str, timeout_s: float = START_TIMEOUT_S) -> None:  # type: ignore[valid-type]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for box in boxes:
            assert box.process.poll() is None, box.tail()
        if all(ready(box.status()) for box in boxes):
            return
        time.sleep(1)
    raise AssertionError(f"{what}: {[b.status() for b in boxes]}\n" + "\n".join(b.tail() for b in boxes))


def _taken_since(*counted: tuple[Box, int], at_least: int, timeout_s: float = 20) -> tuple[int, ...]:
    """Calls each box's workers took since its count in `counted`, once they add up to `at_least`.

    A worker rewrites its state file within 0.5 s of a change; on a loaded box it may be later.
    A few seconds more let a call counted twice show too.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        took = tuple(box.accepted() - before for box, before in counted)
        if sum(took) >= at_least or time.monotonic() > deadline:
            time.sleep(1.5)  # and nothing more arrives
            return tuple(box.accepted() - before for box, before in counted)
        time.sleep(0.25)


@pytest.fixture(scope="module")
def boxes(tmp_path_factory: pytest.TempPathFactory, postgres_url: str) -> Iterator[tuple[Box, Box]]:  # noqa: F811
    a_ports = box_ports(1)
    plans = [a_ports, box_ports(1, taken=a_ports.used())]
    from appliance.store.db import migrate

    migrate(postgres_url)  # as the site's installer does once, before either box starts
    a_tmp, b_tmp = tmp_path_factory.mktemp("box-a"), tmp_path_factory.mktemp("box-b")
    a = _start("a", a_tmp, plans[0], plans[1].sip, postgres_url, None)
    b = None
    try:
        b = _start("b", b_tmp, plans[1], plans[0].sip, postgres_url, a_tmp / "data")
        _wait(
            [a, b],
            lambda s: (
                all(w["ready"] and w["dispatcher"] == "active" for w in s["workers"])
                and all(p["dispatcher"] == "active" for p in s["peers"])
            ),
            "the two boxes did not come up and see each other",
        )
        yield a, b
    finally:
        for box in (b, a):
            if box is not None:
                stop_serve(box.process, 60)


def _calls(box: Box, n: int, hold_ms: int = 6000):  # type: ignore[no-untyped-def]
    local = free_port()
    audio = write_rtp_pcap(box.tmp / "tone.pcap", tone(8000, 440, 400))
    return sipp(
        "hold", box.port, local, box.tmp, calls=n, extra=["-l", str(n), "-r", str(n)],
        timeout=90, proxied=True, audio=str(audio), hold_ms=str(hold_ms),
    )  # fmt: skip


def _verified_calls(box: Box) -> tuple[dict, set[str]]:  # type: ignore[type-arg]
    """Export this box's audit log as an auditor gets it and verify it offline with the box's
    trusted keys; the report and the calls its log holds."""
    bundle = box.tmp / f"bundle-{time.monotonic_ns()}"
    exported = box.wardline("audit", "export", str(bundle), "--json")
    assert exported.returncode == 0, exported.stdout + exported.stderr
    trusted = box.settings.data_dir / "keys" / "trusted-keys.txt"
    checked = box.wardline("audit", "verify", str(bundle), "--trusted-keys", str(trusted), "--json")
    report = json.loads(checked.stdout)
    entries = [json.loads(line) for line in (bundle / "entries.jsonl").read_text().splitlines() if line]
    return report | {"exit_code": checked.returncode}, {
        e["call_id"] for e in entries if e.get("type") == "call-started"
    }


def test_calls_one_box_has_no_room_for_are_answered_by_the_other_and_each_log_verifies(
    boxes: tuple[Box, Box],
) -> None:
    a, b = boxes
    before_a, before_b = a.accepted(), b.accepted()
    # two more callers than box A's worker holds, all at once, all to box A's front door
    done = _calls(a, CALLS_PER_BOX + 2)
    assert done.returncode == 0, done.output[-2000:] + a.tail() + b.tail()
    assert answered(done.messages) == CALLS_PER_BOX + 2
    # and a call to box B's own front door is answered too
    direct = _calls(b, 1, hold_ms=1500)
    assert direct.returncode == 0, direct.output[-2000:] + b.tail()
    took_a, took_b = _taken_since((a, before_a), (b, before_b), at_least=CALLS_PER_BOX + 3)
    assert took_a == CALLS_PER_BOX, (took_a, took_b)  # box A's own worker first, to its brim
    assert took_b == 2 + 1  # the two it had no room for, and B's own caller

    # each box signed its own log in the shared database; each verifies offline on its own
    deadline = time.monotonic() + 30
    while True:  # the checkpoint that covers a call is written when the call ends
        (report_a, calls_a), (report_b, calls_b) = _verified_calls(a), _verified_calls(b)
        if (len(calls_a) >= took_a and len(calls_b) >= took_b) or time.monotonic() > deadline:
            break
        time.sleep(1)
    for report, box in ((report_a, a), (report_b, b)):
        assert report["exit_code"] == 0 and report["status"] == "verified", report
        assert report["origin"] == f"wardline.box-{box.name}"
    assert report_a["keys"] != report_b["keys"]  # two signing keys, one per box
    assert len(calls_a) == took_a and len(calls_b) == took_b  # every call in one log, its box's
    assert not calls_a & calls_b


def test_with_box_b_gone_box_a_answers_alone(boxes: tuple[Box, Box]) -> None:
    a, b = boxes
    b.process.kill()  # the whole box goes: its workers and Kamailio die with `wardline serve`
    b.process.wait()
    _wait([a], lambda s: all(p["dispatcher"] != "active" for p in s["peers"]), "A still sees B", 30)
    shown = a.wardline("status")  # the operator sees which box is out
    assert shown.returncode == 0 and f"127.0.0.1:{b.port}" in shown.stdout, shown.stdout + shown.stderr
    assert "inactive" in shown.stdout or "trying" in shown.stdout, shown.stdout
    before = a.accepted()
    done = _calls(a, CALLS_PER_BOX, hold_ms=1500)
    assert done.returncode == 0, done.output[-2000:] + a.tail()
    assert answered(done.messages) == CALLS_PER_BOX
    (took,) = _taken_since((a, before), at_least=CALLS_PER_BOX)
    assert took == CALLS_PER_BOX
    report, _ = _verified_calls(a)
    assert report["exit_code"] == 0 and report["status"] == "verified", report
