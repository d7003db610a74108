"""The events → audit mapping: what of a call may reach the log, and what never does."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import text

from appliance import events
from appliance.audit.events import EVENT_FIELDS, AuditSink, audit_entry, audit_sink
from tests.audit.conftest import open_log


def _sample(cls: type[events.Event]) -> events.Event:
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in ("call_id", "t_ms"):
            continue
        if f.type in ("str",):
            values[f.name] = "Jane Doe 1984-02-03"  # what PHI would look like if a field carried it
    return cls(call_id="call-1", t_ms=12.5, **values)


def test_every_mapped_event_exists_and_fields_are_real() -> None:
    for kind, fields in EVENT_FIELDS.items():
        cls = events.EVENT_TYPES[kind]
        assert not cls.carries_phi
        names = {f.name for f in dataclasses.fields(cls)}
        assert set(fields) <= names


def test_phi_bearing_events_never_reach_the_log() -> None:
    for cls in events.EVENT_TYPES.values():
        mapped = audit_entry(_sample(cls))
        if cls.carries_phi:
            assert mapped is None
        elif mapped is not None:
            kind, payload = mapped
            assert set(payload) <= {"t_ms", *EVENT_FIELDS[kind]}


def test_transfer_keeps_reason_and_target_not_the_summary() -> None:
    kind, payload = audit_entry(
        events.TransferStarted("c", 1.0, to="nurse-line", reason="red-flag", handoff_id="h1")
    )
    assert kind == "transfer"
    assert payload == {"t_ms": 1.0, "to": "nurse-line", "reason": "red-flag", "handoff_id": "h1"}
    assert audit_entry(events.BargeIn("c", 1.0)) is None


def test_sink_logs_a_call_and_checkpoints_at_its_end(tmp_path: Path) -> None:
    log = open_log(tmp_path)
    sink = audit_sink(log)
    for event in (
        events.CallStarted("call-9", 0.0),
        events.AsrFinal("call-9", 100.0, text="my date of birth is 3 Feb 1984"),
        events.IdentityChecked("call-9", 200.0, verified=True),
        events.CallEnded("call-9", 300.0, outcome="contained"),
    ):
        sink(event)
    with log.engine.connect() as conn:
        rows = [bytes(r[0]) for r in conn.execute(text("SELECT data FROM audit_entries ORDER BY seq"))]
        checkpoints = conn.execute(text("SELECT size FROM audit_checkpoints")).scalars().all()
    assert len(rows) == 3 and checkpoints == [3]
    assert not any(b"1984" in r for r in rows)
    log.close()


def test_a_failing_log_asks_for_a_transfer_once_per_call(tmp_path: Path) -> None:
    log = open_log(tmp_path, batch_size=1)
    asked: list[str] = []
    sink = AuditSink(log, on_failure=lambda call_id, exc: asked.append(call_id))
    sink(events.CallStarted("call-7", 0.0))
    with log.engine.begin() as conn:
        conn.execute(text("DROP TABLE audit_nodes"))
    sink(events.ToolCalled("call-7", 10.0, tool="book_slot"))
    sink(events.TransferStarted("call-7", 20.0, to="front-desk", reason="audit-unavailable"))
    assert asked == ["call-7"] and log.degraded
    log.engine.dispose()
