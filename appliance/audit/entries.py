"""Audit entries as canonical JSON: the exact bytes that become Merkle leaves.

Canonical means sorted keys, no whitespace, UTF-8, no NaN or infinities; a document is
accepted back only if re-encoding it gives the same bytes, so two spellings of one entry can
never exist. Standard library only: the standalone verifier imports this file as a sibling.

An entry holds: seq (its leaf index), time (UTC, RFC 3339 with milliseconds), type (a stable
kebab-case name), actor (who acted: "agent", "operator:<name>", "cli:<user>", ...), call_id
(or null) and payload (an object with references and salted commitments only, never PHI).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

FIELDS = ("actor", "call_id", "payload", "seq", "time", "type")
TYPE_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})Z$")


class EntryError(ValueError):
    """Bytes that are not a well-formed audit entry; the message says why."""


class CanonicalError(ValueError):
    """A JSON document that is not in canonical form."""


def _reject_constant(name: str) -> Any:
    raise CanonicalError(f"{name} is not allowed")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def canonical_json(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def parse_canonical(data: bytes) -> Any:
    """Decode JSON that must already be canonical; raises CanonicalError otherwise."""
    try:
        value = _DECODER.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise CanonicalError(f"not JSON: {exc}") from None
    try:
        again = canonical_json(value)
    except (ValueError, TypeError) as exc:
        raise CanonicalError(str(exc)) from None
    if again != data:
        raise CanonicalError("not in canonical form (sorted keys, no whitespace, UTF-8)")
    return value


def format_time(when: datetime) -> str:
    w = when.astimezone(UTC)
    return (
        f"{w.year:04d}-{w.month:02d}-{w.day:02d}T{w.hour:02d}:{w.minute:02d}:{w.second:02d}."
        f"{w.microsecond // 1000:03d}Z"
    )


def parse_time(text: str) -> datetime:
    m = TIME_RE.match(text)
    if not m:
        raise EntryError(f"time {text!r} is not RFC 3339 UTC with milliseconds")
    y, mo, d, h, mi, s, ms = (int(g) for g in m.groups())
    try:
        return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=UTC)
    except ValueError:
        raise EntryError(f"time {text!r} is not a real date") from None


def make_entry(
    seq: int, time: str, type: str, actor: str, call_id: str | None, payload: dict[str, Any]
) -> bytes:
    """The canonical bytes of one entry; raises EntryError on a field that could not be read back."""
    entry = {"seq": seq, "time": time, "type": type, "actor": actor, "call_id": call_id, "payload": payload}
    _check_fields(entry)  # the time is ours (format_time), so it is not parsed back here
    try:
        return canonical_json(entry)
    except (ValueError, TypeError) as exc:
        raise EntryError(f"payload of {type!r} is not plain JSON: {exc}") from None


def check_entry(entry: Any, seq: int) -> dict[str, Any]:
    """Check the shape of a decoded entry expected at leaf index `seq`."""
    if not isinstance(entry, dict):
        raise EntryError("not a JSON object")
    if tuple(sorted(entry)) != FIELDS:
        raise EntryError(f"fields are {sorted(entry)}, expected {list(FIELDS)}")
    if type(entry["seq"]) is not int or entry["seq"] != seq:
        raise EntryError(f"sequence number is {entry['seq']!r}, expected {seq}")
    if not isinstance(entry["time"], str):
        raise EntryError("time is not a string")
    parse_time(entry["time"])
    return _check_fields(entry)


def _check_fields(entry: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(entry["type"], str) or not TYPE_RE.match(entry["type"]):
        raise EntryError(f"type {entry['type']!r} is not a kebab-case name")
    if not isinstance(entry["actor"], str) or not entry["actor"]:
        raise EntryError("actor is missing")
    if entry["call_id"] is not None and not isinstance(entry["call_id"], str):
        raise EntryError("call_id is neither a string nor null")
    if not isinstance(entry["payload"], dict):
        raise EntryError("payload is not a JSON object")
    return entry


def parse_entry(data: bytes, seq: int) -> dict[str, Any]:
    """Decode and check the canonical bytes of the entry expected at leaf index `seq`."""
    try:
        value = parse_canonical(data)
    except CanonicalError as exc:
        raise EntryError(str(exc)) from None
    return check_entry(value, seq)
