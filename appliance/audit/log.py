"""The audit log writer: append entries, keep the Merkle frontier, write signed checkpoints.

Threads: `append` may be called from any thread (one lock guards the tree and the buffer). It
hashes the entry at once and buffers the row; rows are committed in batches, by the appending
thread when a batch is full and otherwise by one background flusher thread within
`flush_interval_s`. The flusher also writes a checkpoint every `checkpoint_interval_s` while
entries arrive; `checkpoint()` (end of every call) commits and signs at once.

A failed commit keeps the rows buffered and retries; until a commit succeeds again the log
is degraded (`degraded`, `health()`) and `append`, `flush` and `checkpoint` raise
AuditWriteError, so a call in progress transfers to a person (DESIGN invariant 4).
One writer per origin: run `wardline keys rotate` with the service stopped.
"""

from __future__ import annotations

import socket
import threading
import time as _time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from appliance.audit import merkle, note
from appliance.audit.commit import commit_with
from appliance.audit.entries import EntryError, format_time, make_entry
from appliance.audit.signing import KeyStore, Signer
from appliance.audit.store import AuditCheckpointRow, AuditEntryRow, AuditNodeRow

Clock = Callable[[], datetime]


class AuditWriteError(Exception):
    """The audit log cannot be written; the call in progress must go to a person."""


class AuditCorruptError(Exception):
    """A stored audit row does not match its own hash or cannot be read."""


def default_origin() -> str:
    return f"wardline.{socket.gethostname()}"


ENTRY_COLUMNS = ("log", "seq", "time", "type", "call_id", "data", "leaf")
NODE_COLUMNS = ("log", "level", "idx", "hash")


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


class NodeReader:
    """Reads stored node hashes (level 0: leaf hashes) of one log, with a small cache."""

    def __init__(self, engine: Engine, origin: str) -> None:
        self.engine = engine
        self.origin = origin
        self.cache: dict[tuple[int, int], bytes] = {}

    def __call__(self, level: int, index: int) -> bytes:
        key = (level, index)
        h = self.cache.get(key)
        if h is None:
            with self.engine.connect() as conn:
                if level == 0:
                    q = select(AuditEntryRow.leaf).where(
                        AuditEntryRow.log == self.origin, AuditEntryRow.seq == index
                    )
                else:
                    q = select(AuditNodeRow.hash).where(
                        AuditNodeRow.log == self.origin,
                        AuditNodeRow.level == level,
                        AuditNodeRow.idx == index,
                    )
                h = conn.execute(q).scalar_one_or_none()
            if h is None or len(h) != merkle.HASH_SIZE:
                raise AuditCorruptError(f"audit tree node ({level}, {index}) is missing or damaged")
            self.cache[key] = bytes(h)
        return h


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
    ) -> None:
        self.engine = engine
        self.keys = keys
        self.origin = origin
        self.batch_size = batch_size
        self.flush_interval_s = flush_interval_s
        self.checkpoint_interval_s = checkpoint_interval_s
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self._wake = threading.Condition(self._lock)
        self._signer: Signer = keys.signer()
        self._salt = keys.salt()
        self._entries: list[tuple[Any, ...]] = []
        self._nodes: list[tuple[Any, ...]] = []
        self._insert_sql = _insert_statements(engine.dialect.paramstyle)
        self._oldest_pending = 0.0
        self._failure: str | None = None
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
        from appliance.store.db import make_engine, migrate

        if isinstance(settings_or_url, str):
            from appliance.config import default_data_dir

            url = settings_or_url
            data_dir = default_data_dir()
        else:
            url = settings_or_url.database_url
            data_dir = Path(settings_or_url.data_dir)
        try:
            migrate(url)
            engine = make_engine(url)
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit database unavailable: {_db_error(exc)}") from None
        origin = origin or default_origin()
        keys = KeyStore(Path(key_dir) if key_dir else data_dir / "keys", origin)
        return cls(engine, keys, origin, **options)

    def _load_state(self) -> None:
        try:
            with self.engine.connect() as conn:
                count = conn.execute(
                    select(func.max(AuditEntryRow.seq)).where(AuditEntryRow.log == self.origin)
                ).scalar()
                size = 0 if count is None else int(count) + 1
                last = conn.execute(
                    select(AuditCheckpointRow.size, AuditCheckpointRow.time)
                    .where(AuditCheckpointRow.log == self.origin)
                    .order_by(AuditCheckpointRow.size.desc())
                    .limit(1)
                ).first()
        except SQLAlchemyError as exc:
            raise AuditWriteError(f"audit database unavailable: {_db_error(exc)}") from None
        reader = NodeReader(self.engine, self.origin)
        self._frontier = merkle.CompactRange(size, [reader(lv, ix) for lv, ix in merkle.frontier_nodes(size)])
        self._checkpoint_size = int(last.size) if last else 0
        self._checkpoint_at = _time.monotonic()

    # ------------------------------------------------------------ writing

    @property
    def size(self) -> int:
        return self._frontier.size

    @property
    def degraded(self) -> bool:
        return self._failure is not None

    def health(self) -> dict[str, Any]:
        return {"ok": self._failure is None, "size": self.size, "error": self._failure}

    def commit(self, value: str) -> str:
        """Salted commitment (commit.py) under this box's salt."""
        return commit_with(self._salt, value)

    def append(self, type: str, actor: str, call_id: str | None, payload: dict[str, Any]) -> int:
        """Add one entry; return its sequence number. Raises AuditWriteError when it cannot be stored."""
        with self._lock:
            if self._closed:
                raise AuditWriteError("the audit log is closed")
            if self._failure is not None:
                self._flush_locked()  # a retry; raises while the store is still failing
            seq = self._frontier.size
            stamp = format_time(self.clock())
            try:
                data = make_entry(seq, stamp, type, actor, call_id, payload)
            except EntryError as exc:
                raise AuditWriteError(f"audit entry refused: {exc}") from None
            leaf = merkle.leaf_hash(data)
            for level, index, h in self._frontier.append(leaf):
                self._nodes.append((self.origin, level, index, h))
            if not self._entries:
                self._oldest_pending = _time.monotonic()
            self._entries.append((self.origin, seq, stamp, type, call_id, data, leaf))
            if len(self._entries) >= self.batch_size:
                self._flush_locked()
            else:
                self._wake.notify()
            return seq

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        if not self._entries and not self._nodes:
            self._failure = None
            return
        try:
            with self.engine.begin() as conn:
                self._insert(conn, AuditEntryRow, ENTRY_COLUMNS, self._entries)
                self._insert(conn, AuditNodeRow, NODE_COLUMNS, self._nodes)
        except SQLAlchemyError as exc:
            self._failure = _db_error(exc)
            raise AuditWriteError(f"audit log cannot be written: {self._failure}") from None
        self._entries = []
        self._nodes = []
        self._failure = None

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

    def checkpoint(self) -> str:
        """Commit pending entries and return a signed checkpoint of the whole tree (stored once per size)."""
        with self._lock:
            return self._checkpoint_locked()

    def _checkpoint_locked(self, extra: Signer | None = None) -> str:
        self._flush_locked()
        size = self._frontier.size
        body = note.format_checkpoint(self.origin, size, self._frontier.root())
        signers = [self._signer] + ([extra] if extra else [])
        text = note.format_note(body, [s.sign(body) for s in signers])
        self._checkpoint_at = _time.monotonic()
        if size == 0 or (size == self._checkpoint_size and extra is None):
            return text
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(AuditCheckpointRow).values(
                        log=self.origin, size=size, time=format_time(self.clock()), note=text
                    )
                )
        except SQLAlchemyError as exc:
            self._failure = _db_error(exc)
            raise AuditWriteError(f"audit checkpoint cannot be written: {self._failure}") from None
        self._checkpoint_size = size
        return text

    def rotate_key(self, actor: str) -> note.VerifierKey:
        """Start a new signing key: log the rotation, sign that checkpoint with both keys, switch."""
        with self._lock:
            new = Signer.generate(self.origin)
            old = self._signer.verifier_key
            self.append("key-rotated", actor, None, {"old_key": old.vkey, "new_key": new.verifier_key.vkey})
            at_size = self._frontier.size
            self._checkpoint_locked(extra=new)
            self.keys.install_rotation(new, at_size)
            self._signer = new
            return new.verifier_key

    # ------------------------------------------------------------ background

    def _run(self) -> None:
        with self._lock:
            while not self._closed:
                self._wake.wait(timeout=self.flush_interval_s)
                if self._closed:
                    break
                now = _time.monotonic()
                try:
                    if self._entries and now - self._oldest_pending >= self.flush_interval_s:
                        self._flush_locked()
                    if (
                        self._frontier.size > self._checkpoint_size
                        and now - self._checkpoint_at >= self.checkpoint_interval_s
                    ):
                        self._checkpoint_locked()
                except AuditWriteError:
                    pass  # recorded in self._failure; the next append reports it to its call

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
                if self._frontier.size > self._checkpoint_size:
                    self._checkpoint_locked()
                else:
                    self._flush_locked()
            finally:
                self.engine.dispose()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
