"""The gateway: allowlist, validation, timeouts, barge-in cancellation, events and audit."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from appliance.events import ToolCalled
from appliance.store.db import make_engine
from appliance.store.scheduling import Appointment
from appliance.tools.gateway import ToolGateway
from tests.tools.conftest import ALL, Recorder

MARIA = {"name": "Maria Gonzalez", "dob": "1980-03-03"}
BOOKING = {"provider": "patel", "start": "2026-11-24T09:20"}
A_MINUTE = 60.0  # an injected delay twice any wait here: only an abandon ends it sooner


def maria_ref(gateway: ToolGateway) -> str:
    result = asyncio.run(gateway.call("verify_identity", MARIA, allowed=ALL))
    return str(result.data["patient_ref"])


def appointments(session_factory) -> list[Appointment]:
    with session_factory() as s:
        return list(s.scalars(select(Appointment)))


def wait_for_audit(recorder: Recorder, count: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s  # a safety net: the record is normally there at once
    while len(recorder.audit) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(recorder.audit) >= count, recorder.audit


def test_a_tool_outside_the_allowlist_never_runs(gateway: ToolGateway, session_factory, recorder) -> None:
    ref = maria_ref(gateway)
    result = asyncio.run(
        gateway.call("book_appointment", {"patient_ref": ref, **BOOKING}, allowed={"verify_identity"})
    )
    assert (result.ok, result.status) == (False, "refused")
    assert appointments(session_factory) == []
    assert recorder.audit[-1][1]["status"] == "refused"


def test_an_unknown_tool_is_refused_even_if_allowed(gateway: ToolGateway) -> None:
    result = asyncio.run(gateway.call("delete_everything", {}, allowed={"delete_everything"}))
    assert result.status == "refused"


def test_bad_arguments_are_invalid_and_name_the_fields(gateway: ToolGateway, recorder) -> None:
    result = asyncio.run(
        gateway.call("verify_identity", {"name": "Maria Gonzalez", "dob": "March"}, allowed=ALL)
    )
    assert result.status == "invalid"
    assert result.data["fields"] == ["dob"]
    extra = asyncio.run(gateway.call("find_slots", {"provider": "patel", "color": "blue"}, allowed=ALL))
    assert extra.status == "invalid"
    assert "March" not in json.dumps(recorder.audit)


def test_a_slow_tool_times_out_and_its_booking_rolls_back(make_gateway, session_factory, recorder) -> None:
    # The booking would take a minute: only the gateway's timeout can end the wait sooner.
    gateway = make_gateway(timeout_s=0.2, latency_s={"book_appointment": A_MINUTE})
    ref = maria_ref(gateway)
    result = asyncio.run(gateway.call("book_appointment", {"patient_ref": ref, **BOOKING}, allowed=ALL))
    assert result.status == "timeout"
    # asyncio.run has waited for the worker thread: it saw the abandon and rolled back.
    assert appointments(session_factory) == []
    assert recorder.audit[-1][1]["status"] == "timeout"


def _cancel_booking_after(gateway: ToolGateway, ref: str, cancel_after_s: float) -> None:
    async def scenario() -> None:
        task = asyncio.create_task(
            gateway.call("book_appointment", {"patient_ref": ref, **BOOKING}, allowed=ALL)
        )
        await asyncio.sleep(cancel_after_s)
        if task.done():
            return  # the booking finished before the caller spoke
        task.cancel()  # the caller barged in
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())


def test_barge_in_during_a_slow_booking_leaves_no_half_booking_and_frees_its_thread(
    make_gateway, session_factory, recorder
) -> None:
    gateway = make_gateway(latency_s={"book_appointment": A_MINUTE})
    ref = maria_ref(gateway)

    async def scenario() -> None:
        one_thread = ThreadPoolExecutor(max_workers=1)
        asyncio.get_running_loop().set_default_executor(one_thread)
        task = asyncio.create_task(
            gateway.call("book_appointment", {"patient_ref": ref, **BOOKING}, allowed=ALL)
        )
        await asyncio.sleep(0.1)
        task.cancel()  # the caller barged in
        with pytest.raises(asyncio.CancelledError):
            await task
        # The pool's one thread runs this only once the booking's thread is free: the abandon
        # cut the minute short (the wait is a safety net, half the minute).
        await asyncio.wait_for(asyncio.wrap_future(one_thread.submit(lambda: None)), 30)

    asyncio.run(scenario())
    assert recorder.audit[-1][1]["status"] == "cancelled"
    assert appointments(session_factory) == []


@pytest.mark.parametrize("cancel_after_s", [0.0, 0.005, 0.01, 0.02, 0.04, 0.08])
def test_cancel_at_any_moment_books_whole_or_nothing(
    make_gateway, session_factory, recorder, cancel_after_s: float
) -> None:
    # A short real delay puts the cancel before, during or after the commit decision.
    gateway = make_gateway(latency_s={"book_appointment": 0.02})
    ref = maria_ref(gateway)
    _cancel_booking_after(gateway, ref, cancel_after_s)
    wait_for_audit(recorder, 2)
    status = recorder.audit[-1][1]["status"]
    rows = appointments(session_factory)
    if status == "ok":
        assert len(rows) == 1 and rows[0].status == "booked" and rows[0].end_at > rows[0].start_at
    else:
        assert status == "cancelled"
        assert rows == []
    assert status in ("ok", "cancelled")


def test_events_and_audit_carry_no_phi(gateway: ToolGateway, recorder) -> None:
    ref = maria_ref(gateway)
    for tool, args in [
        ("find_slots", {"provider": "patel", "weekday": "tuesday", "patient_ref": ref}),
        ("book_appointment", {"patient_ref": ref, **BOOKING}),
        ("request_refill", {"patient_ref": ref, "medication": "lisinopril", "pharmacy": "Walgreens"}),
        ("request_callback", {"phone": "555-013-2291", "reason": "my rash"}),
    ]:
        assert asyncio.run(gateway.call(tool, args, allowed=ALL)).ok
    dumped = json.dumps(recorder.audit) + json.dumps([e.to_dict() for e in recorder.events])
    for phi in (
        "Maria",
        "Gonzalez",
        "1980-03-03",
        "lisinopril",
        "Walgreens",
        "013-2291",
        "5550132291",
        "rash",
        "RCH-",
    ):
        assert phi not in dumped
    assert [e.tool for e in recorder.events if isinstance(e, ToolCalled)] == [
        "verify_identity",
        "find_slots",
        "book_appointment",
        "request_refill",
        "request_callback",
    ]
    assert all(e.call_id == "call-test" and e.latency_ms >= 0 for e in recorder.events)
    entry_type, payload = recorder.audit[2]
    assert entry_type == "tool-call"
    assert payload["refs"]["appointment_id"].startswith("apt_")
    assert payload["refs"]["patient_ref"] == ref


def test_a_broken_database_fails_softly(tmp_path: Path, schedule, recorder) -> None:
    # A database that was never migrated: every query fails, and the gateway still answers.
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    gateway = ToolGateway(sessionmaker(engine), schedule, events=recorder.event)
    result = asyncio.run(gateway.call("verify_identity", MARIA, allowed=ALL))
    assert (result.ok, result.status) == (False, "failed")
    assert result.message
    engine.dispose()


def test_concurrent_bookings_of_one_slot_give_exactly_one(
    make_gateway: Callable[..., ToolGateway], session_factory
) -> None:
    gateway = make_gateway()
    refs = []
    for who in (
        MARIA,
        {"name": "John Whitfield", "dob": "1957-11-21"},
        {"name": "Robert Kim", "dob": "1949-01-30"},
    ):
        refs.append(asyncio.run(gateway.call("verify_identity", who, allowed=ALL)).data["patient_ref"])

    async def race() -> list[Any]:
        calls = [gateway.call("book_appointment", {"patient_ref": r, **BOOKING}, allowed=ALL) for r in refs]
        return await asyncio.gather(*calls)

    results = asyncio.run(race())
    assert sorted(r.status for r in results).count("ok") == 1
    assert len([a for a in appointments(session_factory) if a.status == "booked"]) == 1
