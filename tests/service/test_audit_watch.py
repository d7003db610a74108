"""A failing audit log is reported as the audit log's failure (journal, doctor, /metrics) and
recovers on its own once the database is back."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from appliance.audit.log import AuditLog, AuditWriteError
from appliance.config import Settings
from appliance.ops.metrics import Metrics
from appliance.pidfile import pid_file
from appliance.service import doctor
from appliance.service.audit_watch import watch_audit_log
from appliance.service.journal import Journal


def test_failure_is_named_in_the_journal_doctor_and_metrics_then_recovers(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    log = AuditLog.open(settings, background=False, batch_size=1)
    lines = io.StringIO()
    watch_audit_log(log, tmp_path, Journal(journald=False, fallback=lines))
    pid_file(settings).write_text(f"{os.getpid()}\n")  # this process plays the running service
    metrics = Metrics()
    metrics.watch_audit(log.health)
    assert doctor.check_audit_log(settings).status == "ok"

    with log.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_entries RENAME TO audit_entries_away"))
    with pytest.raises(AuditWriteError, match="audit log cannot be written"):
        log.append("call-started", "agent", "call-1", {"transport": "sip"})
    journal = lines.getvalue()
    assert "Audit log cannot be written" in journal and "audit_entries" in journal
    check = doctor.check_audit_log(settings)
    assert check.status == "fail" and "cannot write its audit log" in check.detail
    assert "1 entries waiting" in check.detail
    exposed = metrics.text().decode()
    assert "wardline_audit_log_ok 0.0" in exposed
    assert "wardline_audit_log_write_failures_total 1.0" in exposed

    with log.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_entries_away RENAME TO audit_entries"))
    log.append("call-ended", "agent", "call-1", {"outcome": "transferred"})  # no restart
    assert "Audit log writing again" in lines.getvalue()
    assert doctor.check_audit_log(settings).status == "ok"
    assert "wardline_audit_log_ok 1.0" in metrics.text().decode()
    with log.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 2
    log.close()


def test_doctor_fails_when_the_database_cannot_take_the_log_lock(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    AuditLog.open(settings, background=False).close()
    with AuditLog.open(settings, background=False).engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_heads"))
    check = doctor.check_audit_log(settings)
    assert check.status == "fail" and "audit_heads" in check.detail
