"""The data directory fills up or turns read-only mid-call (issue 19, item 2), on the real
session in audio mode. A user and mount namespace gives the test a real small tmpfs (ENOSPC) or
a real read-only remount (EROFS) for objects/; nothing is mocked.

The caller hears the apology and goes to the site's operator with a summary; no half-written
object stays behind; the fault names the stage; the next call would be refused (doctor's and
the SIP agent's check says what is wrong).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.privacy.kek import create_kek
from tests.conftest import REPO
from tests.namespaces import needs_namespaces

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SCENARIO = REPO / "policies" / "riverside" / "scenarios" / "parking-question.yaml"
SCRIPT = Path(__file__).with_name("storage_fault_call.py")


@needs_namespaces
@pytest.mark.parametrize(("mode", "size"), [("disk-full", "160k"), ("read-only", "256m")])
def test_a_storage_failure_mid_call_ends_with_a_person_and_nothing_half_written(
    mode: str, size: str, _isolated_data_dir: Path
) -> None:
    data = _isolated_data_dir
    create_kek(data)
    (data / "objects").mkdir(parents=True, exist_ok=True)
    objects = data / "objects"
    # read-only: the first write after the disclosure (recording starts there) meets EROFS
    remount = f'mount -o remount,ro "{objects}" && ' if mode == "read-only" else ""
    shell = (
        f'mount -t tmpfs -o size={size},mode=0700 tmpfs "{objects}" && {remount}'
        f'exec "{sys.executable}" "{SCRIPT}" "{SCENARIO}"'
    )
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
        cwd=REPO, capture_output=True, text=True, timeout=220,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    code = "disk-full" if mode == "disk-full" else "read-only"
    assert got["faults"] and got["faults"][0] == ["storage", code], got
    assert got["apologised"] and got["transfer_to"] == "2000" and got["handoff_id"], got
    assert got["ended"] == [["transferred", "fault:storage"]], got
    assert got["incomplete_rows"] == [] and got["stray_files"] == [], got
    assert got["next_call"] and "fix:" in got["next_call"], got


@needs_namespaces
def test_doctor_says_the_data_directory_is_read_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    check = (
        "from pathlib import Path; from appliance.config import Settings; "
        "from appliance.service import doctor; "
        f"c = doctor.check_disk(Settings(data_dir=Path({str(data)!r}))); "
        "print(c.status, '|', c.detail, '|', c.fix)"
    )
    mount = f'mount -t tmpfs tmpfs "{data}" && mount -o remount,ro "{data}"'
    shell = f'{mount} && exec "{sys.executable}" -c "{check}"'
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    status, detail, fix = (part.strip() for part in done.stdout.split("|"))
    assert status == "fail" and str(data) in detail and "read-only" in detail, done.stdout + done.stderr
    assert "remount it read-write" in fix
