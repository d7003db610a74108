"""Install/upgrade steps: keys generated once with 0600, backup before migration, restore on failure."""

from __future__ import annotations

import io
import sqlite3
import stat
from pathlib import Path

import pytest

from appliance.service import maintenance
from appliance.service.journal import Journal
from appliance.service.maintenance import MigrationFailed, ensure_keys, upgrade_database
from appliance.store.db import migrate


def test_keys_are_generated_once_and_private(tmp_path: Path) -> None:
    created = ensure_keys(tmp_path)
    names = {p.name for p in created}
    assert {"kek", "audit-signing.key"} <= names
    for path in created:
        if path.name != "trusted-keys.txt":  # public keys, readable by auditors on purpose
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    kek = (tmp_path / "keys" / "kek").read_bytes()
    assert ensure_keys(tmp_path) == []  # second run: nothing new, nothing replaced
    assert (tmp_path / "keys" / "kek").read_bytes() == kek


def make_db(tmp_path: Path) -> tuple[str, Path]:
    db = tmp_path / "wardline.db"
    url = f"sqlite:///{db}"
    migrate(url)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE site_note (v TEXT)")
        conn.execute("INSERT INTO site_note VALUES ('kept')")
    return url, db


def test_upgrade_backs_up_first(tmp_path: Path) -> None:
    url, _db = make_db(tmp_path)
    outcome = upgrade_database(url, tmp_path / "backups", "from-0.1.0")
    assert outcome.backup is not None and outcome.backup.name.endswith("-from-0.1.0.db")
    assert sqlite3.connect(outcome.backup).execute("SELECT v FROM site_note").fetchall() == [("kept",)]
    assert outcome.revisions  # every branch head recorded


def test_failed_migration_restores_the_backup(tmp_path: Path) -> None:
    url, db = make_db(tmp_path)

    def half_done_then_broken(u: str) -> None:
        # what a migration that dies half-way leaves behind (SQLite DDL is not transactional here)
        with sqlite3.connect(db) as conn:
            conn.execute("DROP TABLE site_note")
        raise RuntimeError("column type not supported")

    with pytest.raises(MigrationFailed) as err:
        upgrade_database(url, tmp_path / "backups", "from-0.1.0", migrate=half_done_then_broken)
    assert "restored from" in str(err.value)
    assert sqlite3.connect(db).execute("SELECT v FROM site_note").fetchall() == [("kept",)]


def test_unknown_revision_is_refused_and_data_kept(tmp_path: Path) -> None:
    url, db = make_db(tmp_path)
    with sqlite3.connect(db) as conn:  # a database from a newer (or foreign) build
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future' WHERE rowid = 1")
    with pytest.raises(MigrationFailed):
        upgrade_database(url, tmp_path / "backups")
    assert sqlite3.connect(db).execute("SELECT v FROM site_note").fetchall() == [("kept",)]


def test_configure_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    journal = Journal(journald=False, fallback=io.StringIO())
    from appliance.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    assert maintenance.configure(settings, "", journal) == 0
    assert "generated" in capsys.readouterr().out
    assert maintenance.configure(settings, "0.1.0", journal) == 0
    assert "backed up" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "data" / "wardline.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff' WHERE rowid = 1")
    assert maintenance.configure(settings, "0.1.0", journal) == 1
    assert "intact" in capsys.readouterr().err
