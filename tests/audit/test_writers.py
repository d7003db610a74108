"""Several writers on one audit log: the service, the CLI, the console, SIP workers.

Each writer is its own AuditLog (usually its own process); the sequence number of every entry
is taken in the database under the log's lock, so no two writers ever collide, and the whole
log verifies with the public key alone.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import text

from appliance.audit import verify
from appliance.audit.bundle import export_bundle
from appliance.audit.log import AuditLog
from tests.audit.conftest import ORIGIN, open_log
from tests.pg import postgres_url  # noqa: F401

WRITER = textwrap.dedent(
    """
    import sys
    from appliance.audit.log import AuditLog

    url, key_dir, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    log = AuditLog.open(url, key_dir=key_dir, origin="wardline.test-box", batch_size=7, flush_interval_s=0.01)
    for i in range(count):
        log.append("tool-call", name, f"call-{name}", {"tool": "t", "status": "ok", "i": i})
        if i % 25 == 24:
            log.checkpoint()
    log.close()
    """
)


def _verify(log: AuditLog, tmp_path: Path) -> verify.Report:
    bundle = tmp_path / "bundle"
    export_bundle(log.engine, log.keys, ORIGIN, bundle)
    return verify.verify_bundle(bundle, log.keys.trusted_path)


def test_a_cli_entry_between_two_service_entries_does_not_collide(tmp_path: Path) -> None:
    """The defect a softphone found: after one `wardline data show`, every call faulted."""
    service = open_log(tmp_path)
    service.append("call-started", "agent", "call-1", {"transport": "sip"})
    service.flush()
    cli = open_log(tmp_path)  # `wardline data show CALL --reason x` in its own process
    cli.append("data-read", "cli:qa", "call-1", {"what": "transcript", "why": "x"})
    cli.checkpoint()
    cli.close()
    service.append("call-started", "agent", "call-2", {"transport": "sip"})
    service.append("call-ended", "agent", "call-2", {"outcome": "contained"})
    service.checkpoint()
    assert not service.degraded
    with service.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, type, call_id FROM audit_entries ORDER BY seq")).all()
    assert [tuple(r) for r in rows] == [
        (0, "call-started", "call-1"),
        (1, "data-read", "call-1"),
        (2, "call-started", "call-2"),
        (3, "call-ended", "call-2"),
    ]
    report = _verify(service, tmp_path)
    service.close()
    assert report.exit_code == 0, report.failure
    assert report.tree_size == 4


def test_writers_in_several_processes_at_once_keep_one_verifiable_log(tmp_path: Path) -> None:
    _several_processes(f"sqlite:///{tmp_path / 'wardline.db'}", tmp_path)


def test_writers_in_several_processes_on_postgres(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    _several_processes(postgres_url, tmp_path)


def _several_processes(url: str, tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    AuditLog.open(url, key_dir=keys, origin=ORIGIN, background=False).close()  # keys made once
    names = [f"worker{n}" for n in range(4)]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, str(keys), name, "120"], stderr=subprocess.PIPE)
        for name in names
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    log = AuditLog.open(url, key_dir=keys, origin=ORIGIN, background=False)
    with log.engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text("SELECT seq FROM audit_entries ORDER BY seq"))]
        per_writer = dict(conn.execute(text("SELECT type, count(*) FROM audit_entries GROUP BY type")).all())
        checkpoints = conn.execute(text("SELECT count(*) FROM audit_checkpoints")).scalar()
    assert seqs == list(range(480))
    assert per_writer == {"tool-call": 480}
    assert checkpoints >= 4 * 4  # every writer's checkpoints were stored, each over the whole tree
    report = _verify(log, tmp_path)
    log.close()
    assert report.exit_code == 0, report.failure
    assert report.tree_size == 480
