"""`wardline serve` with a damaged key file says which file and what to do (issue 19, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.service.test_doctor import make_keys


def test_a_garbled_signing_key_stops_the_service_with_the_file_and_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "wardline-data"
    keys = make_keys(data)
    (keys / "audit-signing.key").write_text("PRIVATE+KEY+garbled\n")
    wardline = str(Path(sys.executable).parent / "wardline")
    env = {**os.environ, "WARDLINE_DATA_DIR": str(data), "WARDLINE_CONFIG": str(tmp_path / "none.toml")}
    done = subprocess.run(
        [wardline, "serve", "--sip-port", "5999"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    said = done.stdout + done.stderr
    assert f"{keys / 'audit-signing.key'}: not a Wardline signing key" in said, said[-2000:]
    assert "fix: restore audit-signing.key from the box's key backup" in said, said[-2000:]
    assert "Traceback" not in said
