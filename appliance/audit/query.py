"""Reading the audit log back for people: filter by call and time, flag damaged rows.

Reading never writes the log; opening the database still runs migrations (as every command does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from appliance.audit import merkle
from appliance.audit.entries import EntryError, format_time, parse_entry
from appliance.audit.store import AuditEntryRow

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class SinceError(ValueError):
    """A --since value that is neither a duration (90m, 2h, 1d) nor an ISO date or time."""


@dataclass(frozen=True)
class ReadEntry:
    seq: int
    entry: dict[str, Any] | None  # None when the row is damaged
    problem: str = ""


def parse_since(text: str, now: datetime | None = None) -> str:
    """Turn '90m', '2h', '1d' or an ISO date/time into the entries' time format (UTC)."""
    now = now or datetime.now(UTC)
    m = _DURATION.match(text.strip())
    if m:
        return format_time(now - timedelta(**{_UNITS[m.group(2)]: int(m.group(1))}))
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SinceError(f"--since {text!r}: use a duration like 90m, 2h, 1d or an ISO date/time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_time(when)


def read_entries(
    engine: Engine,
    origin: str,
    call_id: str | None = None,
    since: str | None = None,
    last: int | None = None,
) -> list[ReadEntry]:
    q = select(AuditEntryRow.seq, AuditEntryRow.data, AuditEntryRow.leaf).where(AuditEntryRow.log == origin)
    if call_id:
        q = q.where(AuditEntryRow.call_id == call_id)
    if since:
        q = q.where(AuditEntryRow.time >= since)
    q = q.order_by(AuditEntryRow.seq.desc()).limit(last) if last else q.order_by(AuditEntryRow.seq)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    if last:
        rows.reverse()
    return [_decode(int(seq), bytes(data), bytes(leaf)) for seq, data, leaf in rows]


def _decode(seq: int, data: bytes, leaf: bytes) -> ReadEntry:
    if merkle.leaf_hash(data) != leaf:
        return ReadEntry(seq, None, "the stored entry does not match its hash (damaged or altered)")
    try:
        return ReadEntry(seq, parse_entry(data, seq))
    except EntryError as exc:
        return ReadEntry(seq, None, f"the stored entry cannot be read: {exc}")
