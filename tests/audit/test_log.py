"""The writer: appends survive reopening, threads never collide, failures degrade loudly."""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from appliance.audit import merkle, note, verify
from appliance.audit.bundle import export_bundle
from appliance.audit.commit import commit, commit_with
from appliance.audit.log import AuditLog, AuditWriteError
from appliance.audit.signing import KeyFileError, KeyStore, Signer
from tests.audit.conftest import ORIGIN, FakeClock, open_log


def test_reopened_log_continues_the_same_tree(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    for i in range(37):
        log.append("config-changed", "cli:it", None, {"key": f"k{i}"})
    first = note.parse_checkpoint(note.parse_note(log.checkpoint()).body)
    log.close()
    log = open_log(tmp_path)
    assert log.size == 37
    for i in range(5):
        log.append("config-changed", "cli:it", None, {"key": f"again{i}"})
    cp = note.parse_checkpoint(note.parse_note(log.checkpoint()).body)
    with log.engine.connect() as conn:
        data = [bytes(r[0]) for r in conn.execute(text("SELECT data FROM audit_entries ORDER BY seq"))]
    leaves = [merkle.leaf_hash(d) for d in data]
    assert cp.size == 42 and cp.root == merkle.root_of(leaves)
    assert first.root == merkle.root_of(leaves[:37])
    log.close()


def _background_log(tmp_path: Path, **options: float) -> AuditLog:
    """A log on the real clock that flushes and signs in its own thread, as the service runs it."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    return AuditLog.open(url, key_dir=tmp_path / "keys", origin=ORIGIN, **options)


def test_concurrent_appends_get_distinct_sequence_numbers_in_order(tmp_path: Path) -> None:
    log = _background_log(tmp_path, batch_size=64, flush_interval_s=0.05)

    def work(n: int) -> None:
        for i in range(150):
            log.append("tool-call", "agent", f"call-{n}", {"tool": "t", "status": "ok", "i": i})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.checkpoint()
    with log.engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, call_id, data FROM audit_entries ORDER BY seq")).all()
    assert [r[0] for r in rows] == list(range(900))
    for n in range(6):  # each thread's entries keep their order
        mine = [json.loads(r[2])["payload"]["i"] for r in rows if r[1] == f"call-{n}"]
        assert mine == list(range(150))
    export_bundle(log.engine, log.keys, ORIGIN, tmp_path / "b")
    log.close()
    assert verify.verify_bundle(tmp_path / "b").exit_code == 0


def _until(what: str, condition) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30  # a safety net: the flusher acts within a fraction of a second
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.02)


def _count(log: AuditLog, table: str) -> int:
    with log.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)


def _signed_sizes(log: AuditLog) -> list[int]:
    with log.engine.connect() as conn:
        return [int(r[0]) for r in conn.execute(text("SELECT size FROM audit_checkpoints ORDER BY size"))]


def test_entries_are_flushed_in_the_background(tmp_path: Path) -> None:
    log = _background_log(tmp_path, flush_interval_s=0.05, checkpoint_interval_s=3600)
    log.append("tool-call", "agent", "c1", {"tool": "t", "status": "ok"})  # no flush() follows
    _until("flushed", lambda: _count(log, "audit_entries") == 1)
    assert _signed_sizes(log) == []  # the flush alone stored it: no checkpoint is due for an hour
    log.close()


def test_checkpoints_are_signed_while_entries_arrive(tmp_path: Path) -> None:
    log = _background_log(tmp_path, flush_interval_s=0.05, checkpoint_interval_s=0.3)
    # No checkpoint() or close() here, and no call ever ends: the flusher signs on its own.
    log.append("tool-call", "agent", "c1", {"tool": "t", "status": "ok"})
    _until("signed", lambda: _signed_sizes(log) == [1])
    log.append("tool-call", "agent", "c1", {"tool": "t", "status": "ok"})
    _until("signed again", lambda: _signed_sizes(log) == [1, 2])
    assert _count(log, "audit_entries") == 2
    log.close()


def test_storage_failure_raises_degrades_and_recovers(tmp_path: Path) -> None:
    log = open_log(tmp_path, batch_size=1)
    log.append("call-started", "agent", "c1", {"transport": "sip"})
    with log.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_entries RENAME TO audit_entries_away"))
    with pytest.raises(AuditWriteError, match="cannot be written"):
        log.append("tool-call", "agent", "c1", {"tool": "t", "status": "ok"})
    assert log.degraded and not log.health()["ok"]
    with pytest.raises(AuditWriteError):
        log.append("tool-call", "agent", "c1", {"tool": "t", "status": "ok"})
    health = log.health()
    assert health["pending"] == 2 and health["failures"] == 2 and "audit_entries" in health["error"]
    with log.engine.begin() as conn:
        conn.execute(text("ALTER TABLE audit_entries_away RENAME TO audit_entries"))
    log.append("call-ended", "agent", "c1", {"outcome": "transferred"})
    assert not log.degraded and log.health()["pending"] == 0
    log.checkpoint()
    export_bundle(log.engine, log.keys, ORIGIN, tmp_path / "b")
    log.close()
    report = verify.verify_bundle(tmp_path / "b")
    assert report.exit_code == 0 and report.tree_size == 4  # the buffered entries were kept, in order


def test_unwritable_database_refuses_to_open(tmp_path: Path) -> None:
    with pytest.raises(AuditWriteError):
        AuditLog.open(
            "postgresql+psycopg://nobody@127.0.0.1:1/none", key_dir=tmp_path / "keys", background=False
        )


def test_entries_must_be_plain_json(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    with pytest.raises(AuditWriteError):
        log.append("tool-call", "agent", None, {"latency": float("nan")})
    with pytest.raises(AuditWriteError):
        log.append("Not A Type", "agent", None, {})
    assert log.size == 0
    log.close()


def test_key_files_are_private_and_checked(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    log.close()
    key = tmp_path / "keys" / "audit-signing.key"
    salt = tmp_path / "keys" / "audit-salt"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(salt.stat().st_mode) == 0o600
    os.chmod(key, 0o644)
    with pytest.raises(KeyFileError, match="readable by others"):
        open_log(tmp_path)
    os.chmod(key, 0o600)
    key.write_text("PRIVATE+KEY+broken\n")
    with pytest.raises(KeyFileError, match="not a Wardline signing key"):
        open_log(tmp_path)


def test_systemd_credential_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    signer = Signer.generate(ORIGIN)
    (creds / "audit-signing.key").write_text(signer.encode())
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    log = open_log(tmp_path)
    log.append("config-changed", "cli:it", None, {"key": "x"})
    signed = note.parse_note(log.checkpoint())
    assert signed.signatures[0].key_id == signer.verifier_key.key_id
    assert not (tmp_path / "keys" / "audit-signing.key").exists()
    log.close()


def test_rotation_keeps_old_checkpoints_verifying(tmp_path: Path) -> None:
    clock = FakeClock()
    log = open_log(tmp_path, clock)
    log.append("config-changed", "cli:it", None, {"key": "a"})
    old_note = log.checkpoint()
    new_key = log.rotate_key("cli:it")
    log.append("config-changed", "cli:it", None, {"key": "b"})
    log.checkpoint()
    keys = KeyStore(tmp_path / "keys", ORIGIN).trusted_keys()
    assert [k.key.vkey for k in keys][-1] == new_key.vkey
    assert (keys[0].first_size, keys[0].last_size, keys[1].first_size, keys[1].last_size) == (0, 2, 2, None)
    export_bundle(log.engine, log.keys, ORIGIN, tmp_path / "b")
    log.close()
    held = tmp_path / "old.txt"
    held.write_text(old_note)
    report = verify.verify_bundle(tmp_path / "b", tmp_path / "keys" / "trusted-keys.txt", held)
    assert report.exit_code == 0, report.failure


def test_commitments_match_per_box_and_hide_the_value(tmp_path: Path) -> None:
    a = commit("MRN-0042", tmp_path / "box-a")
    assert a == commit("MRN-0042", tmp_path / "box-a")
    assert a != commit("MRN-0043", tmp_path / "box-a")
    assert a != commit("MRN-0042", tmp_path / "box-b")
    # the value's own characters, not "0042": a random hex digest holds "0042" one run in a thousand
    assert "mrn" not in a.lower() and "-0042" not in a and a.startswith("hmac-sha256:")
    assert commit_with(b"k" * 32, "x") == commit_with(b"k" * 32, "x")
