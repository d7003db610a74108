"""`wardline audit` and `wardline keys` as an operator and an auditor use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from appliance.audit.log import AuditLog, default_origin
from appliance.cli import errors
from appliance.cli.main import app
from appliance.config import load_settings

runner = CliRunner()


@pytest.fixture
def box(_isolated_data_dir: Path) -> Path:
    log = AuditLog.open(load_settings(), background=False)
    for n in range(3):
        call = f"call-{n}"
        log.append("call-started", "agent", call, {"transport": "sip"})
        log.append("transfer", "agent", call, {"to": "front-desk", "reason": "caller-asked"})
        log.append("call-ended", "agent", call, {"outcome": "transferred"})
        log.checkpoint()
    log.close()
    return _isolated_data_dir


def _run(*args: str) -> tuple[int, str]:
    """Exit code and output as `wardline` gives them (its run() maps user errors to codes)."""
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        code = errors.exit_code_for(exc)
        assert code is not None, f"{type(exc).__name__} would reach the user as a crash: {exc}"
        return code, result.output + str(exc)
    return result.exit_code, result.output


def test_tail_and_show_read_in_plain_language(box: Path) -> None:
    code, out = _run("audit", "tail", "-n", "2")
    assert code == 0 and "call ended: transferred" in out and out.count("\n") == 2
    code, out = _run("audit", "show", "--call", "call-1")
    assert code == 0 and "transferred to front-desk (caller-asked)" in out and "call-2" not in out
    code, out = _run("audit", "show", "--since", "1h", "--json")
    assert code == 0 and len(json.loads(out)) == 9
    code, out = _run("audit", "show", "--since", "yesterday-ish")
    assert code == 2 and "--since" in out


def test_export_then_verify(box: Path, tmp_path: Path) -> None:
    code, out = _run("audit", "export", str(tmp_path / "b"))
    assert code == 0 and "0..8" in out
    keys = box / "keys" / "trusted-keys.txt"
    code, out = _run("audit", "verify", str(tmp_path / "b"), "--trusted-keys", str(keys), "--json")
    report = json.loads(out)
    assert code == 0 and report["status"] == "verified" and report["tree_size"] == 9
    (tmp_path / "b" / "entries.jsonl").write_bytes(b"")
    code, out = _run("audit", "verify", str(tmp_path / "b"))
    assert code == 1 and "TAMPERED" in out
    code, out = _run("audit", "verify", str(tmp_path / "missing"))
    assert code == 2 and "UNUSABLE" in out
    code, out = _run("audit", "export", str(tmp_path / "b"))
    assert code == 2 and "not empty" in out


def test_corrupt_database_row_is_reported_not_exported(box: Path, tmp_path: Path) -> None:
    log = AuditLog.open(load_settings(), background=False)
    with log.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entries SET data = :d WHERE seq = 4 AND log = :o"),
            {"d": b'{"broken":true}', "o": default_origin()},
        )
    log.engine.dispose()
    code, out = _run("audit", "export", str(tmp_path / "b"))
    assert code == 1 and "entry 4" in out
    code, out = _run("audit", "show")
    assert code == 0 and "#4 DAMAGED" in out


def test_keys_rotate_and_list(box: Path) -> None:
    code, out = _run("keys", "rotate", "--json")
    assert code == 0
    new_key = json.loads(out)["key"]
    code, out = _run("keys", "list", "--json")
    listed = json.loads(out)["keys"]
    assert [k["key"] for k in listed][-1] == new_key and listed[0]["last"] == 10
    code, out = _run("audit", "tail", "-n", "1")
    assert "audit signing key rotated to" in out


def test_auditor_round_trip_with_a_kept_checkpoint(box: Path, tmp_path: Path) -> None:
    keys = str(box / "keys" / "trusted-keys.txt")
    held = tmp_path / "held.txt"
    assert _run("audit", "export", str(tmp_path / "first"))[0] == 0
    code, out = _run(
        "audit", "verify", str(tmp_path / "first"), "--trusted-keys", keys, "--save-checkpoint", str(held)
    )
    assert code == 0 and held.read_text().startswith(default_origin() + "\n9\n")
    log = AuditLog.open(load_settings(), background=False)
    log.append("config-changed", "cli:it", None, {"key": "call.endpoint_ms"})
    log.close()
    assert _run("audit", "export", str(tmp_path / "next"), "--since-checkpoint", str(held))[0] == 0
    code, out = _run(
        "audit", "verify", str(tmp_path / "next"), "--trusted-keys", keys, "--previous-checkpoint", str(held)
    )
    assert code == 0 and "extends your earlier checkpoint at tree size 9" in out
