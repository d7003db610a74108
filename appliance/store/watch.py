"""Is the database the service opened still the one on disk?

A SQLite file deleted (or replaced) under a running service goes on taking writes into the
unlinked inode: nothing of them is ever seen again, `audit tail` shows nothing new. The service
keeps the file's identity (device, inode) from start-up and compares it periodically
(`problem`); `wardline doctor` looks for a running service that holds a deleted database open.
PostgreSQL has no such failure here: its URL names a server, not a file.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def sqlite_path(url: str) -> Path | None:
    """The database file of a sqlite URL (None for a server or an in-memory database)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


class DatabaseWatch:
    """The database file opened at start-up, held open, and whether the path still names it.

    Holding a descriptor keeps the inode alive, so its number cannot be reused by a new file at
    the same path; a link count of 0 means the file was deleted.
    """

    def __init__(self, url: str) -> None:
        self.path = sqlite_path(url)
        self._fd: int | None = None
        if self.path is not None:
            try:
                self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                self._fd = None  # not there yet: nothing to watch

    def problem(self) -> str:
        """Empty while the file on disk is the one opened at start; else what happened, and the fix."""
        if self.path is None or self._fd is None:
            return ""
        held = os.fstat(self._fd)
        now = _identity(self.path)
        if held.st_nlink > 0 and now == (held.st_dev, held.st_ino):
            return ""
        what = "was deleted" if now is None else "was replaced by another file"
        return (
            f"{self.path}: the database {what} while the service ran; new calls are refused. "
            f"fix: restore it from the newest copy in {self.path.parent / 'backups'}, then restart the "
            "service (systemctl restart wardline)"
        )

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def deleted_database_held_open(pid: int, url: str) -> bool:
    """True when process `pid` holds the database file of `url` open after it was deleted."""
    path = sqlite_path(url)
    if path is None:
        return False
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = [os.readlink(fd_dir / fd) for fd in os.listdir(fd_dir)]
    except OSError:
        return False
    return any(link == f"{path} (deleted)" for link in links)
