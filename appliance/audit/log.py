"""The audit log writer: append entries, keep the Merkle tree, write signed checkpoints.

Several writers, one tree. The service, the CLI, the console and (soon) several SIP workers
each open their own AuditLog on the same database and origin. Every write is one database
transaction that first locks the log's head row (`audit_heads`: the row lock on PostgreSQL,
the database write lock on SQLite), reads the log's size there, numbers the buffered entries
from it, stores them with their tree nodes and moves the head. So the sequence number is taken
in the database, never from a writer's memory, and no two writers can collide. A writer keeps
the Merkle frontier of the size it last saw; when another writer appended meanwhile it reloads
the frontier (at most log2(size) stored nodes) inside the same transaction.

Threads: `append` may be called from any thread (one lock guards the buffer). It checks and
encodes the entry at once and buffers it; buffered entries are committed in batches, by the
appending thread when a batch is full and otherwise by one background flusher thread within
`flush_interval_s`. The flusher also writes a checkpoint every `checkpoint_interval_s` while
entries arrive; `checkpoint()` (end of every call) commits and signs at once, under the same
lock, so a checkpoint always signs exactly the stored tree of its size.

A failed commit keeps the entries buffered (in order, up to MAX_PENDING) and retries; until a
commit succeeds again the log is degraded (`degraded`, `health()`), `append`, `flush` and
`checkpoint` raise AuditWriteError, so a call in progress transfers to a person (DESIGN
invariant 4), and the failure is logged once as the audit log's ("audit log cannot be
written: ...") and reported to `on_health_change`. The next successful commit writes what was
buffered and clears the failure: no restart needed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from appliance.audit import merkle, note
from appliance.audit.commit import commit_with
from appliance.audit.entries import EntryError, format_time, make_entry
from appliance.audit.signing import KeyStore, Signer
from appliance.audit.store import AuditCheckpointRow, AuditEntryRow, AuditHeadRow, AuditNodeRow

Clock = Callable[[], datetime]
HealthListener = Callable[[dict[str, Any]], None]

log = logging.getLogger(__name__)

MAX_PENDING = 100_000  # entries kept in memory while the database is failing (a day of calls)


class AuditWriteError(Exception):
    """The audit log cannot be written; the call in progress must go to a person."""


class AuditCorruptError(Exception):
    """A stored audit row does not match its own hash or cannot be read."""


def default_origin(settings: Any = None) -> str:
    """This box's log: `store.audit_origin` when set (boxes sharing one database each name
    theirs), else wardline.<hostname>."""
    configured = settings.store.audit_origin if settings is not None else ""
    return configured or f"wardline.{socket.gethostname()}"


ENTRY_COLUMNS = ("log", "seq", "time", "type", "call_id", "data", "leaf")
NODE_COLUMNS = ("log", "level", "idx", "hash")
_SEQ_MARK = b',"seq":0,"time":"'


def _insert_statements(paramstyle: str) -> dict[str, str]:
    """Driver-level INSERTs for the positional parameter styles of SQLite and psycopg."""
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(paramstyle)
    if mark is None:
        return {}
    return {
        table: f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"
        for table, cols in (("audit_entries", ENTRY_COLUMNS), ("audit_nodes", NODE_COLUMNS))
    }


def _db_error(exc: BaseException) -> str:
    # The driver's own message, never SQLAlchemy's rendering with bound parameters.
    orig = getattr(exc, "orig", None) or exc
    return f"{type(orig).__name__}: {str(orig).splitlines()[0] if str(orig) else ''}"


@dataclass(frozen=True)
class _Pending:
    """One checked entry waiting for its sequence number: its bytes around `"seq":N`."""

    before: bytes  # canonical JSON up to and including `"seq":`
    after: bytes  # from `,"time":` to the end
    stamp: str
    type: str
    call_id: str | None

    def data(self, seq: int) -> bytes:
        return self.before + str(seq).encode() + self.after


def _pending(stamp: str, type: str, actor: str, call_id: str | None, payload: dict[str, Any]) -> _Pending:
    data = make_entry(0, stamp, type, actor, call_id, payload)
    # Keys are sorted (actor, call_id, payload, seq, time, type) and only the fixed-format time and
    # a kebab-case type follow "seq", so its last occurrence is the entry's own, never the payload's.
    at = data.rindex(_SEQ_MARK) + len(b',"seq":')
    return _Pending(data[:at], data[at + 1 :], stamp, type, call_id)


class NodeReader:
    """Reads stored node hashes (level 0: leaf hashes) of one log, with a small cache."""

    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self.cache: dict[tuple[int, int], bytes] = {}

    def __call__(self, level: int, index: int, conn: Connection | None = None) -> bytes:
        key = (level, index)
        h = self.cache.get(key)
        if h is None:
            if level == 0:
                q = select(AuditEntryRow.leaf).where(
                    AuditEntryRow.log == self.origin, AuditEntryRow.seq == index
                )
            else:
                q = select(AuditNodeRow.hash).where(
                    AuditNodeRow.log == self.origin, AuditNodeRow.level == level, AuditNodeRow.idx == index
                )
            if conn is not None:
                h = conn.execute(q).scalar_one_or_none()
            else:
                with self.engine.connect() as own:
                    h = own.execute(q).scalar_one_or_none()
            if h is None or len(h) != merkle.HASH_SIZE:
                raise AuditCorruptError(f"audit tree node ({level}, {index}) is missing or damaged")
            self.cache[key] = bytes(h)
        return h

    def frontier(self, size: int, conn: Connection | None = None) -> merkle.CompactRange:
        return merkle.CompactRange(size, [self(lv, ix, conn) for lv, ix in merkle.frontier_nodes(size)])


class AuditLog:
    def __init__(
        self,
        engine: Engine,
        keys: KeyStore,
        origin: str,
        *,
        batch_size: int = 512,
        flush_interval_s: float = 0.2,
        checkpoint_interval_s: float = 60.0,
        clock: Clock | None = None,
        background: bool = True,
        on_health_change: HealthListener | None = None,
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.origin = origin
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.checkpoint_interval_s = checkpoint_interval_s
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.on_health_change = on_health_change
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._signer: Signer = keys.signer()
        self._signer_stamp = self._key_stamp()
        self._salt = keys.salt()
        self._pending: list[_Pending] = []
        self._insert_sql = _insert_statements(engine.dialect.paramstyle)
        self._nodes = NodeReader(engine, origin)
        self._oldest_pending = 0.0
        self._failure: str | None = None
        self._failing_since = 0.0
        self._failures = 0  # failed commits since this writer opened
        self._dropped = 0  # entries refused because MAX_PENDING were already waiting
        self._closed = False
        self._load_state()
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="audit-flusher", daemon=True)
            self._thread.start()

    # ------------------------------------------------------------ opening

    @classmethod
    def open(
        cls,
        settings_or_url: Any,
        key_dir: Path | str | None = None,
        origin: str | None = None,
        **options: Any,
    ) -> AuditLog:
        """Open (migrating first) the log at a Settings object's database or a SQLAlchemy URL."""
        from appliance.store.db import StoreUnavailable, make_engine, migrate

        if isinstance(settings_or_url, str):
            from appliance.config import default_data_dir

            url = settings_or_url
            data_dir = default_data_dir()
        else:
            url = settings_or_url.database_url
            data_dir = Path(settings_or_url.data_dir)
            origin = origin or default_origin(settings_or_url)
        try:
            migrate(url)
            engine = make_engine(url)
        except StoreUnavailable as exc:  # already says which setting, why, and the fix
            raise AuditWriteError(f"audit database unavailable: {exc}") from None
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit database unavailable: {_db_error(exc)}") from None
        origin = origin or default_origin()
        keys = KeyStore(Path(key_dir) if key_dir else data_dir / "keys", origin)
        return cls(engine, keys, origin, **options)

    def _load_state(self) -> None:
        try:
            with self.engine.connect() as conn:
                size = self._stored_size(conn)
                self._frontier = self._nodes.frontier(size, conn)
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit database unavailable: {_db_error(exc)}") from None
        self._checkpoint_at = _time.monotonic()

    def _stored_size(self, conn: Connection) -> int:
        head = conn.execute(select(AuditHeadRow.size).where(AuditHeadRow.log == self.origin)).scalar()
        if head is not None:
            return int(head)
        last = conn.execute(
            select(func.max(AuditEntryRow.seq)).where(AuditEntryRow.log == self.origin)
        ).scalar()
        return 0 if last is None else int(last) + 1

    def _lock_head(self, conn: Connection) -> int:
        """Lock this log's head for the transaction and return the stored size."""
        moved = conn.execute(
            update(AuditHeadRow).where(AuditHeadRow.log == self.origin).values(size=AuditHeadRow.size)
        ).rowcount
        if moved == 0:  # the log's first entry on this database: make its head, then lock it
            size = self._stored_size(conn)
            conn.execute(_insert_ignoring_duplicate(conn, self.origin, size))
            conn.execute(
                update(AuditHeadRow).where(AuditHeadRow.log == self.origin).values(size=AuditHeadRow.size)
            )
        return self._stored_size(conn)

    # ------------------------------------------------------------ writing

    @property
    def size(self) -> int:
        """Entries this writer knows of: the tree as it last saw it stored, plus its buffer."""
        return self._frontier.size + len(self._pending)

    @property
    def degraded(self) -> bool:
        return self._failure is not None

    def health(self) -> dict[str, Any]:
        """ok, size, pending (entries buffered), failures (failed commits so far), error, failing_s."""
        with self._lock:
            failing = _time.monotonic() - self._failing_since if self._failure is not None else 0.0
            return {
                "ok": self._failure is None,
                "size": self.size,
                "pending": len(self._pending),
                "failures": self._failures,
                "dropped": self._dropped,
                "error": self._failure,
                "failing_s": round(failing, 1),
            }

    def commit(self, value: str) -> str:
        """Salted commitment (commit.py) under this box's salt."""
        return commit_with(self._salt, value)

    def append(self, type: str, actor: str, call_id: str | None, payload: dict[str, Any]) -> None:
        """Add one entry; it is numbered and stored with the next commit.

        Raises AuditWriteError when the entry is malformed (nothing kept) or while the database
        is failing (the entry is kept, up to MAX_PENDING, and stored once the database is back).
        """
        try:
            entry = _pending(format_time(self.clock()), type, actor, call_id, payload)
        except EntryError as exc:
            raise AuditWriteError(f"audit entry refused: {exc}") from None
        with self._lock:
            if self._closed:
                raise AuditWriteError("the audit log is closed")
            if len(self._pending) >= MAX_PENDING:
                self._dropped += 1
                raise AuditWriteError(
                    f"audit log cannot be written: {self._failure}; {MAX_PENDING} entries waiting"
                )
            if not self._pending:
                self._oldest_pending = _time.monotonic()
            self._pending.append(entry)
            if self._failure is not None or len(self._pending) >= self.batch_size:
                self._write()  # while failing: a retry, which raises while the store still fails
            else:
                self._wake.notify()

    def flush(self) -> None:
        with self._lock:
            self._write()

    def checkpoint(self) -> str:
        """Commit pending entries and return a signed checkpoint of the whole stored tree."""
        with self._lock:
            text = self._write(sign=True)
            assert text is not None
            return text

    def _write(self, *, sign: bool = False, extra: Signer | None = None) -> str | None:
        """One transaction under the log's lock: number, store and (with `sign`) checkpoint."""
        if not self._pending and not sign:
            return None
        batch = list(self._pending)
        try:
            with self.engine.begin() as conn:
                size = self._lock_head(conn)
                frontier = self._frontier_at(size, conn)
                entries, nodes = [], []
                for i, p in enumerate(batch):
                    data = p.data(size + i)
                    leaf = merkle.leaf_hash(data)
                    entries.append((self.origin, size + i, p.stamp, p.type, p.call_id, data, leaf))
                    nodes.extend((self.origin, lv, ix, h) for lv, ix, h in frontier.append(leaf))
                if batch:
                    self._insert(conn, AuditEntryRow, ENTRY_COLUMNS, entries)
                    self._insert(conn, AuditNodeRow, NODE_COLUMNS, nodes)
                    conn.execute(
                        update(AuditHeadRow).where(AuditHeadRow.log == self.origin).values(size=frontier.size)
                    )
                text = self._sign(conn, frontier, extra) if sign else None
        except (SQLAlchemyError, AuditCorruptError) as exc:
            self._failed(_db_error(exc))
            raise AuditWriteError(f"audit log cannot be written: {self._failure}") from None
        self._frontier = frontier
        for e in entries:
            self._nodes.cache[(0, e[1])] = e[6]
        del self._pending[: len(batch)]
        self._recovered(len(batch))
        return text

    def _frontier_at(self, size: int, conn: Connection) -> merkle.CompactRange:
        """A copy of the frontier at the stored size (another writer may have appended)."""
        if size == self._frontier.size:
            return self._frontier.copy()
        return self._nodes.frontier(size, conn)

    def _sign(self, conn: Connection, frontier: merkle.CompactRange, extra: Signer | None) -> str:
        size = frontier.size
        self._current_signer()
        body = note.format_checkpoint(self.origin, size, frontier.root())
        signers = [self._signer] + ([extra] if extra else [])
        text = note.format_note(body, [s.sign(body) for s in signers])
        self._checkpoint_at = _time.monotonic()
        if size == 0:
            return text
        stored = conn.execute(
            select(AuditCheckpointRow.size).where(
                AuditCheckpointRow.log == self.origin, AuditCheckpointRow.size == size
            )
        ).scalar()
        if stored is None:  # another writer may have signed this size already: one per size
            conn.execute(
                insert(AuditCheckpointRow).values(
                    log=self.origin, size=size, time=format_time(self.clock()), note=text
                )
            )
        elif extra is not None:
            raise AuditWriteError("a key rotation needs its own checkpoint, but this size is signed already")
        return text

    def _key_stamp(self) -> tuple[int, int] | None:
        path = self.keys._credential() or self.keys.key_dir / "audit-signing.key"
        try:
            st = os.stat(path)
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _current_signer(self) -> None:
        """Another writer (`wardline keys rotate`) may have rotated the key: sign with the new one."""
        stamp = self._key_stamp()
        if stamp != self._signer_stamp:
            self._signer = self.keys.signer()
            self._signer_stamp = stamp

    def _insert(self, conn: Any, model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self._insert_sql.get(model.__tablename__)
        if sql is not None:
            # Plain executemany on the driver: SQLAlchemy's per-row parameter processing would
            # otherwise cost about a third of every append.
            conn.exec_driver_sql(sql, rows)
        else:
            conn.execute(insert(model), [dict(zip(columns, r, strict=True)) for r in rows])

    # ------------------------------------------------------------ health

    def _failed(self, reason: str) -> None:
        self._failures += 1
        if self._failure is None:
            self._failing_since = _time.monotonic()
            self._failure = reason
            log.error(
                "audit log cannot be written (%s): %d entries kept in memory, calls go to a person "
                "until it recovers; retrying",
                reason,
                len(self._pending),
            )
            self._tell()
        self._failure = reason

    def _recovered(self, written: int) -> None:
        if self._failure is None:
            return
        failed_for = _time.monotonic() - self._failing_since
        self._failure = None
        log.warning("audit log writing again after %.1f s; %d buffered entries stored", failed_for, written)
        self._tell()

    def _tell(self) -> None:
        if self.on_health_change is None:
            return
        try:
            self.on_health_change(self.health())
        except Exception as exc:  # a listener must never break the log
            log.warning("audit health listener failed (%s)", type(exc).__name__)

    def rotate_key(self, actor: str) -> note.VerifierKey:
        """Start a new signing key: log the rotation, sign that checkpoint with both keys, switch."""
        with self._lock:
            new = Signer.generate(self.origin)
            old = self._signer.verifier_key
            self.append("key-rotated", actor, None, {"old_key": old.vkey, "new_key": new.verifier_key.vkey})
            self._write(sign=True, extra=new)
            self.keys.install_rotation(new, self._frontier.size)
            self._signer = new
            self._signer_stamp = self._key_stamp()
            return new.verifier_key

    # ------------------------------------------------------------ background

    def _run(self) -> None:
        with self._lock:
            while not self._closed:
                wait = self.flush_interval_s if self._failure is None else max(self.flush_interval_s, 1.0)
                self._wake.wait(timeout=wait)
                if self._closed:
                    break
                now = _time.monotonic()
                try:
                    if self._pending and now - self._oldest_pending >= self.flush_interval_s:
                        self._write()
                    if self._failure is None and now - self._checkpoint_at >= self.checkpoint_interval_s:
                        if self._frontier.size > self._signed_size():
                            self._write(sign=True)
                        else:
                            self._checkpoint_at = now
                except AuditWriteError:
                    pass  # recorded in self._failure; the next append reports it to its call
                except SQLAlchemyError as exc:
                    self._failed(_db_error(exc))

    def _signed_size(self) -> int:
        with self.engine.connect() as conn:
            last = conn.execute(
                select(func.max(AuditCheckpointRow.size)).where(AuditCheckpointRow.log == self.origin)
            ).scalar()
        return int(last or 0)

    def close(self) -> None:
        """Commit what is pending, sign a final checkpoint, stop the flusher."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._wake.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            try:
                if self._pending or self._frontier.size > self._signed_size():
                    self._write(sign=True)
            finally:
                self.engine.dispose()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _insert_ignoring_duplicate(conn: Connection, origin: str, size: int) -> Any:
    """INSERT the head row unless a concurrent first writer just did (both dialects agree)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(AuditHeadRow).values(log=origin, size=size).on_conflict_do_nothing()
