"""Audit tables: entries (the canonical bytes and their leaf hash), stored tree nodes, checkpoints.

Each box's log is keyed by its origin, so several boxes can share one PostgreSQL database and
still keep separate trees. Nodes above the leaves are stored as they complete, so proofs and
the frontier never need the leaves of a whole subtree again. Each log's head row holds its size
and is the lock its writers take. Schema: migrations audit_0001 and audit_0002.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appliance.store.db import Base


class AuditEntryRow(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_log_time", "log", "time"),
        Index("ix_audit_entries_log_call", "log", "call_id"),
    )

    log: Mapped[str] = mapped_column(String(128), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(24))
    type: Mapped[str] = mapped_column(String(64))
    call_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    leaf: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditNodeRow(Base):
    __tablename__ = "audit_nodes"

    log: Mapped[str] = mapped_column(String(128), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpointRow(Base):
    __tablename__ = "audit_checkpoints"

    log: Mapped[str] = mapped_column(String(128), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text)


class AuditHeadRow(Base):
    """The size of one log. Every append locks this row first (PostgreSQL: the row lock; SQLite:
    the database's write lock), so the next sequence number is taken in the database, and any
    number of writers (service, CLI, console, SIP workers) append to one tree. Migration audit_0002.
    """

    __tablename__ = "audit_heads"

    log: Mapped[str] = mapped_column(String(128), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
