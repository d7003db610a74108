"""The encrypted object store: recordings and transcripts, encrypted from the first byte.

Each object gets a fresh data key, wrapped under the key-encryption key (kek.py) and kept in the
`privacy_objects` table with the object's metadata (ids, class, sizes: no PHI). The object itself
is a STREAM file (crypto.py) under WARDLINE_DATA_DIR/objects/<id[:2]>/<id>.wlo, mode 0600.
Destroying the wrapped key (`shred`) makes every copy of the file undecryptable.

Reading goes through `read_call_data`, which records an access entry (who, why, which objects)
through the injected `audit` callback before anything is decrypted. A writer is used by one thread
at a time (the call's recorder); the store itself is safe to share between threads because each
operation opens its own database session.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy import BigInteger, Boolean, DateTime, LargeBinary, String, select, text
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from appliance.privacy import crypto
from appliance.privacy.kek import Kek, KekError, load_kek, recover_interrupted_rotation
from appliance.privacy.redaction import redact
from appliance.store.db import Base, open_database

AuditFn = Callable[[str, dict], None]
Clock = Callable[[], datetime]

TEXT_TYPES = ("text/plain", "application/jsonl", "application/json")


# Room a call needs: both sides at 16 kHz are about 64 KB/s, so ten minutes and a transcript.
MIN_FREE_BYTES = 64 * 1024 * 1024


def storage_code(exc: BaseException) -> str:
    """A stable code for a storage failure: disk-full, read-only, or storage-failed."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "disk-full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "read-only"
    return "storage-failed"


def storage_failure_text(where: Path, exc: BaseException) -> str:
    """What is wrong with the data directory and what to do, for the journal and doctor."""
    code = storage_code(exc)
    if code == "disk-full":
        fix = "free space (`wardline data purge --due`) or move WARDLINE_DATA_DIR"
        return f"{where}: the disk is full; fix: {fix}"
    if code == "read-only":
        return f"{where}: cannot be written (read-only or not permitted); fix: remount it read-write"
    return f"{where}: cannot be written ({type(exc).__name__}); fix: check the disk (dmesg)"


def write_probe(directory: Path, name: str) -> None:
    """Write, fsync and remove a 4 KiB file `name` in `directory`: raises the OSError that a real
    write would meet now (a full disk, a read-only mount), with the probe file removed."""
    probe = directory / name
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
    except OSError:
        with contextlib.suppress(OSError):
            probe.unlink()
        raise


def utc_now() -> datetime:
    return datetime.now(UTC)


class ObjectRow(Base):
    __tablename__ = "privacy_objects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_id: Mapped[str | None] = mapped_column(String(64), index=True)
    data_class: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64), default="")
    media_type: Mapped[str] = mapped_column(String(64), default="application/octet-stream")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    kek_id: Mapped[str | None] = mapped_column(String(16))
    plaintext_bytes: Mapped[int | None] = mapped_column(BigInteger)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    shredded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ObjectNotFound(LookupError):
    """No stored object or call with that id."""


class ObjectShredded(LookupError):
    """The object was purged: its data key is destroyed and it can never be read again."""


class AccessDenied(PermissionError):
    """A read of stored call data without a stated reason."""


@dataclass(frozen=True)
class ObjectInfo:
    id: str
    call_id: str | None
    data_class: str
    name: str
    media_type: str
    created_at: datetime
    plaintext_bytes: int | None
    complete: bool
    shredded_at: datetime | None

    @classmethod
    def of(cls, row: ObjectRow) -> ObjectInfo:
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return cls(
            row.id,
            row.call_id,
            row.data_class,
            row.name,
            row.media_type,
            created,
            row.plaintext_bytes,
            row.complete,
            row.shredded_at,
        )


class ObjectWriter:
    """Writes one object; bytes are encrypted before they reach the file. Use as a context manager."""

    def __init__(self, store: ObjectStore, object_id: str, path: Path, data_key: bytes) -> None:
        self.id = object_id
        self._store = store
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._stream = crypto.StreamWriter(self._file, data_key)
        self._size = 0

    def write(self, data: bytes) -> int:
        self._size += len(data)
        return self._stream.write(data)

    def abort(self) -> None:
        """Discard the object (the disk is full or read-only): no half object stays behind.

        Best effort and never raises: the file is removed, then the row (with its wrapped key);
        a row the database cannot drop stays marked incomplete, its key shredded when possible.
        """
        with contextlib.suppress(OSError, ValueError):
            self._file.close()
        self._store.discard(self.id)

    def close(self) -> None:
        if self._file.closed:
            return
        self._stream.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._store._mark_complete(self.id, self._size)

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        # What was written is real call data even if the caller failed: seal it so it stays readable.
        self.close()


class ObjectStore:
    def __init__(self, data_dir: Path, sessions: sessionmaker, kek: Kek, clock: Clock = utc_now) -> None:
        self.data_dir = Path(data_dir)
        self.objects_dir = self.data_dir / "objects"
        self.sessions = sessions
        self.kek = kek
        self.clock = clock

    # -- writing ---------------------------------------------------------------------------------

    def create(
        self,
        data_class: str,
        *,
        call_id: str | None = None,
        name: str = "",
        media_type: str = "application/octet-stream",
    ) -> ObjectWriter:
        object_id = secrets.token_hex(16)
        data_key = crypto.new_data_key()
        path = self.path_of(object_id)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self.sessions.begin() as s:
            s.add(
                ObjectRow(
                    id=object_id,
                    call_id=call_id,
                    data_class=data_class,
                    name=name,
                    media_type=media_type,
                    created_at=self.clock(),
                    wrapped_key=crypto.wrap_key(self.kek.key, data_key),
                    kek_id=self.kek.key_id,
                    complete=False,
                )
            )
        return ObjectWriter(self, object_id, path, data_key)

    def put(
        self,
        data_class: str,
        data: bytes,
        *,
        call_id: str | None = None,
        name: str = "",
        media_type: str = "application/octet-stream",
    ) -> str:
        with self.create(data_class, call_id=call_id, name=name, media_type=media_type) as w:
            w.write(data)
        return w.id

    def discard(self, object_id: str) -> bool:
        """Remove an incomplete object, file and row; True when both went (never raises)."""
        gone = True
        try:
            self.path_of(object_id).unlink(missing_ok=True)
        except OSError:
            gone = False
        try:
            with self.sessions.begin() as s:
                row = s.get(ObjectRow, object_id)
                if row is not None and not row.complete:
                    s.delete(row)
        except Exception:
            gone = False
        return gone

    def storage_problem(self) -> str:
        """ "" when a new object could be written now; else why not, and the fix (a probe file)."""
        try:
            self.objects_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_probe(self.objects_dir, f".probe-{os.getpid()}")
            stat = os.statvfs(self.objects_dir)
        except OSError as exc:
            return storage_failure_text(self.objects_dir, exc)
        free = stat.f_bavail * stat.f_frsize
        if free < MIN_FREE_BYTES:  # a call could not finish: better a 503 than a dropped call
            return storage_failure_text(self.objects_dir, OSError(errno.ENOSPC, f"{free // 1024} KiB free"))
        return ""

    def _mark_complete(self, object_id: str, size: int) -> None:
        with self.sessions.begin() as s:
            row = s.get(ObjectRow, object_id)
            if row is not None:
                row.complete = True
                row.plaintext_bytes = size

    # -- reading ---------------------------------------------------------------------------------

    def path_of(self, object_id: str) -> Path:
        return self.objects_dir / object_id[:2] / f"{object_id}.wlo"

    def info(self, object_id: str) -> ObjectInfo:
        with self.sessions() as s:
            row = s.get(ObjectRow, object_id)
            if row is None:
                raise ObjectNotFound(f"no stored object {object_id}")
            return ObjectInfo.of(row)

    def list(self, call_id: str | None = None, *, include_shredded: bool = False) -> list[ObjectInfo]:
        q = select(ObjectRow).order_by(ObjectRow.created_at, ObjectRow.id)
        if call_id is not None:
            q = q.where(ObjectRow.call_id == call_id)
        if not include_shredded:
            q = q.where(ObjectRow.shredded_at.is_(None))
        with self.sessions() as s:
            return [ObjectInfo.of(r) for r in s.scalars(q)]

    def _data_key(self, object_id: str) -> bytes:
        with self.sessions() as s:
            row = s.get(ObjectRow, object_id)
            if row is None:
                raise ObjectNotFound(f"no stored object {object_id}")
            if row.wrapped_key is None:
                raise ObjectShredded(f"object {object_id} was purged and cannot be read")
            wrapped = row.wrapped_key
        return crypto.unwrap_key(self.kek.key, wrapped)

    def open(self, object_id: str) -> Iterator[bytes]:
        """Authenticated plaintext chunks; raises crypto.CorruptData(chunk) at the first bad one."""
        data_key = self._data_key(object_id)
        with open(self.path_of(object_id), "rb") as f:
            yield from crypto.decrypt_stream(data_key, f)

    def read(self, object_id: str) -> bytes:
        return b"".join(self.open(object_id))

    # -- keys ------------------------------------------------------------------------------------

    def live_key_ids(self) -> set[str]:
        return live_key_ids(self.sessions)

    def verify_kek(self) -> None:
        """Refuse a KEK that did not wrap the stored data keys (a wrong key file or credential)."""
        foreign = self.live_key_ids() - {self.kek.key_id}
        if foreign:
            raise KekError(
                f"{self.kek.path}: this key-encryption key (id {self.kek.key_id}) did not wrap the "
                f"stored data keys (wrapped under key id {', '.join(sorted(foreign))}); "
                "restore the right key, the service will not start without it"
            )

    def rewrap_all(self, old: Kek, new: Kek) -> int:
        """Re-wrap every live data key from `old` to `new` in one transaction."""
        count = 0
        with self.sessions.begin() as s:
            rows = s.scalars(select(ObjectRow).where(ObjectRow.wrapped_key.is_not(None))).all()
            for row in rows:
                assert row.wrapped_key is not None
                data_key = crypto.unwrap_key(old.key, row.wrapped_key)
                row.wrapped_key = crypto.wrap_key(new.key, data_key)
                row.kek_id = new.key_id
                count += 1
        self.kek = new
        return count

    # -- destruction -----------------------------------------------------------------------------

    def shred(self, object_id: str) -> ObjectInfo:
        """Crypto-shred: destroy the wrapped data key (durably), then delete the file."""
        with self.sessions.begin() as s:
            if s.bind is not None and s.bind.dialect.name == "sqlite":
                # Overwrite freed pages so the old wrapped key does not linger in the file.
                s.execute(text("PRAGMA secure_delete=ON"))
            row = s.get(ObjectRow, object_id)
            if row is None:
                raise ObjectNotFound(f"no stored object {object_id}")
            row.wrapped_key = None
            row.kek_id = None
            row.shredded_at = self.clock()
            info = ObjectInfo.of(row)
        self._checkpoint()
        self.path_of(object_id).unlink(missing_ok=True)
        return info

    def _checkpoint(self) -> None:
        # With WAL the old page image (and the key in it) survives in the -wal file until a
        # checkpoint copies the new page back and truncates the log.
        with self.sessions() as s:
            if s.bind is not None and s.bind.dialect.name == "sqlite":
                s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def database_url_for(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'wardline.db'}"


def open_store(
    data_dir: Path,
    *,
    database_url: str | None = None,
    credentials_dir: str | None = None,
    clock: Clock = utc_now,
) -> ObjectStore:
    """Migrate the database, load and check the KEK; raises KekError if the key is unusable.

    This is the service's start-up check: call it before accepting calls, so that a missing or
    wrong key stops the service instead of letting call data be written anywhere.
    """
    data_dir = Path(data_dir)
    _, sessions = open_database(database_url or database_url_for(data_dir))
    recover_interrupted_rotation(data_dir, live_key_ids(sessions))
    store = ObjectStore(data_dir, sessions, load_kek(data_dir, credentials_dir), clock)
    store.verify_kek()
    return store


def live_key_ids(sessions: sessionmaker) -> set[str]:
    """Ids of the KEKs that wrapped the data keys still in the table."""
    q = select(ObjectRow.kek_id).where(ObjectRow.wrapped_key.is_not(None)).distinct()
    with sessions() as s:
        return {k for k in s.scalars(q) if k}


def read_call_data(
    store: ObjectStore,
    call_id: str,
    *,
    reason: str,
    actor: str,
    audit: AuditFn,
    object_ids: list[str] | None = None,
) -> Iterator[tuple[ObjectInfo, bytes | crypto.CorruptData]]:
    """Decrypt a call's objects for a person, after recording who reads what and why.

    The access entry is written before this returns (the reason is redacted first: it is free
    text). The iterator yields (info, plaintext) per object, or (info, CorruptData) for one that
    fails authentication, so one damaged object does not hide the others.
    """
    if not reason.strip():
        raise AccessDenied("reading stored call data needs a reason (--reason)")
    infos = [i for i in store.list(call_id) if object_ids is None or i.id in object_ids]
    if not infos:
        raise ObjectNotFound(f"no stored data for call {call_id}")
    audit(
        "data-access",
        {
            "call_id": call_id,
            "objects": [i.id for i in infos],
            "data_classes": sorted({i.data_class for i in infos}),
            "actor": actor,
            "reason": redact(reason).text,
        },
    )
    return _decrypt_each(store, infos)


def _decrypt_each(
    store: ObjectStore, infos: list[ObjectInfo]
) -> Iterator[tuple[ObjectInfo, bytes | crypto.CorruptData]]:
    for info in infos:
        try:
            yield info, store.read(info.id)
        except crypto.CorruptData as exc:
            yield info, exc
