"""The defect a softphone found, end to end (issue 18, item 1): the running service takes a
call, another process (the console, the CLI) writes to the same audit log, and the next call
must go on normally with its entries logged: before the fix every later call faulted right
after the greeting and left no audit entries until the service restarted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.audit import verify
from appliance.audit.bundle import export_bundle
from appliance.audit.query import read_entries
from tests.conftest import REPO
from tests.telephony.harness import next_ports, real_call_server, sip_settings, sipp

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OTHER_PROCESS = """
from appliance.config import load_settings
from appliance.ops.auditing import OpsAudit
OpsAudit(load_settings()).record("console-view", "console:qa", {"what": "audit-status"})
"""


def test_a_second_writer_between_two_calls_breaks_nothing(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp, transfer_timeout_s=20)
    with real_call_server(settings) as (h, served):
        first = sipp("key_then_refer", port, peer, tmp_path, key="0", pause_ms="300", timeout=90)
        assert first.returncode == 0, first.output
        h.wait_finished(1, timeout=30)
        other = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS], cwd=REPO, env=os.environ,
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert other.returncode == 0, other.stderr[-2000:]
        second = sipp("key_then_refer", port, peer + 50, tmp_path, key="0", pause_ms="300", timeout=90)
        assert second.returncode == 0, second.output
        records = h.wait_finished(2, timeout=30)
        log = served.services.audit
        log.checkpoint()
        calls = [read_entries(log.engine, log.origin, r.call_id) for r in records]
        export_bundle(log.engine, log.keys, log.origin, tmp_path / "bundle")
    assert [r.outcome for r in records] == ["transferred", "transferred"]
    for entries in calls:
        transfers = [e.entry["payload"]["reason"] for e in entries if e.entry["type"] == "transfer"]
        assert transfers == ["caller-pressed-operator"]  # the caller's own choice, not a fault
        assert [e.entry["type"] for e in entries][-1] == "call-ended"
    report = verify.verify_bundle(tmp_path / "bundle", log.keys.trusted_path)
    assert report.exit_code == 0, report.failure
    with log.engine.connect() as conn:
        from sqlalchemy import text

        types = [r[0] for r in conn.execute(text("SELECT type FROM audit_entries ORDER BY seq"))]
    assert "console-view" in types  # the other process's entry sits between the two calls
