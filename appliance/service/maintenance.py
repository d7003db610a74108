"""Install and upgrade steps the Debian maintainer scripts run: `python -m appliance.service.maintenance`.

    configure   generate the signing and encryption keys that are absent (0600), then back up the
                database and upgrade its schema (`alembic upgrade` to every branch head); a failed
                upgrade restores the backup, so the previous version's data stays usable, and
                exits 1 so that dpkg reports the package as not configured.

postinst runs it as the `wardline` user, so every file it creates belongs to the service. The
database is backed up with SQLite's online backup API (consistent even with a WAL file); a
PostgreSQL store is upgraded in one transaction, which PostgreSQL rolls back on failure, and its
backups are the site DBA's (pg_dump) — this module says so rather than pretending.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from appliance.config import ConfigError, Settings, load_settings
from appliance.service.journal import Event, Journal

KEEP_BACKUPS = 5
Migrate = Callable[[str], None]


class MigrationFailed(Exception):
    """The schema upgrade failed; the database was restored from `backup`."""

    def __init__(self, cause: str, backup: Path | None) -> None:
        where = f"; restored from {backup}" if backup else ""
        super().__init__(f"database upgrade failed: {cause}{where}")
        self.backup = backup


@dataclass(frozen=True)
class UpgradeOutcome:
    backup: Path | None
    revisions: tuple[str, ...]


def sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def backup_sqlite(db: Path, backup_dir: Path, label: str) -> Path:
    """A consistent copy of `db` (WAL included) in `backup_dir`; keeps the newest KEEP_BACKUPS."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = backup_dir / f"{db.stem}-{time.strftime('%Y%m%dT%H%M%S')}-{label}.db"
    with contextlib.closing(sqlite3.connect(db)) as src, contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    target.chmod(0o600)
    for old in sorted(backup_dir.glob(f"{db.stem}-*.db"))[:-KEEP_BACKUPS]:
        old.unlink()
    return target


def restore_sqlite(backup: Path, db: Path) -> None:
    # A stale WAL or shared-memory file would be replayed over the restored copy: remove them.
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    tmp = db.with_name(db.name + ".restore")
    shutil.copy2(backup, tmp)
    tmp.replace(db)


def revisions(url: str) -> tuple[str, ...]:
    db = sqlite_path(url)
    if db is None or not db.exists():
        return ()
    try:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            return tuple(sorted(r[0] for r in conn.execute("SELECT version_num FROM alembic_version")))
    except sqlite3.Error:
        return ()


def upgrade_database(
    url: str, backup_dir: Path, label: str = "pre-upgrade", migrate: Migrate | None = None
) -> UpgradeOutcome:
    """Back up, then migrate to every head; on failure restore the backup and raise MigrationFailed."""
    if migrate is None:
        from appliance.store.db import migrate
    db = sqlite_path(url)
    backup = backup_sqlite(db, backup_dir, label) if db is not None and db.exists() else None
    try:
        migrate(url)
    except Exception as exc:
        if backup is not None and db is not None:
            restore_sqlite(backup, db)
        raise MigrationFailed(f"{type(exc).__name__}: {exc}", backup) from exc
    return UpgradeOutcome(backup, revisions(url))


def ensure_keys(data_dir: Path, origin: str = "") -> list[Path]:
    """Generate the keys that are absent; existing keys are never touched. Returns the new files.
    `origin`: the audit log the signing key is named after (store.audit_origin; empty: the host's)."""
    keys = data_dir / "keys"
    before = set(keys.iterdir()) if keys.is_dir() else set()
    keys.mkdir(parents=True, exist_ok=True)
    keys.chmod(0o700)
    for generate in KEY_GENERATORS:
        generate(data_dir, origin)
    return sorted(set(keys.iterdir()) - before)


def _privacy_kek(data_dir: Path, _origin: str) -> None:
    from appliance.privacy.kek import create_kek, kek_path

    if not kek_path(data_dir).exists():
        create_kek(data_dir)


def _audit_signing_key(data_dir: Path, origin: str) -> None:
    from appliance.audit.log import default_origin
    from appliance.audit.signing import KEY_FILE, SALT_FILE, TRUSTED_FILE, KeyStore

    keys = data_dir / "keys"
    store = KeyStore(keys, origin or default_origin())  # the key is named after the log it signs
    if not (keys / KEY_FILE).exists() and not (keys / TRUSTED_FILE).exists():
        store.signer()  # generated on first use with its trusted-keys line
    if not (keys / SALT_FILE).exists():
        store.salt()


# Each generator creates its concern's key files under data_dir/keys if they are absent.
KEY_GENERATORS: list[Callable[[Path, str], None]] = [_privacy_kek, _audit_signing_key]


def configure(settings: Settings, from_version: str, journal: Journal) -> int:
    new = ensure_keys(settings.data_dir, settings.store.audit_origin)
    if new:
        journal.send(Event.KEYS_GENERATED, count=len(new))
        print(f"wardline: generated {', '.join(p.name for p in new)}")
    label = f"from-{from_version}" if from_version else "first-install"
    try:
        outcome = upgrade_database(settings.database_url, settings.data_dir / "backups", label)
    except MigrationFailed as exc:
        journal.send(Event.DB_MIGRATION_FAILED, detail=str(exc))
        print(f"wardline: {exc}", file=sys.stderr)
        print(
            "wardline: the previous version's data is intact; reinstall the previous package "
            "or fix the cause and run `dpkg --configure wardline`",
            file=sys.stderr,
        )
        return 1
    if outcome.backup:
        journal.send(Event.DB_BACKED_UP, path=str(outcome.backup))
        print(f"wardline: database backed up to {outcome.backup}")
    journal.send(Event.DB_MIGRATED, revision="+".join(outcome.revisions) or "heads")
    if sqlite_path(settings.database_url) is None:
        print("wardline: PostgreSQL store upgraded in one transaction; keep your own pg_dump backups")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m appliance.service.maintenance")
    sub = parser.add_subparsers(dest="command", required=True)
    conf = sub.add_parser("configure", help="generate absent keys, back up and migrate the database")
    conf.add_argument("--from-version", default="", help="the version being upgraded from (postinst's $2)")
    args = parser.parse_args(argv)
    os.umask(0o077)  # the database, its backups and the keys are the service's alone
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"wardline: {exc}", file=sys.stderr)
        return 1
    return configure(settings, args.from_version, Journal())


if __name__ == "__main__":
    sys.exit(main())
