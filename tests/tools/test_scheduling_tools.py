"""The scheduling tools, driven through the gateway as the dialog drives them."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from appliance.store.scheduling import Appointment, Patient, Task
from appliance.tools.base import ToolResult
from appliance.tools.gateway import ToolGateway
from tests.tools.conftest import ALL, CHICAGO

MARIA = {"name": "Maria Gonzalez", "dob": "1980-03-03"}
JOHN = {"name": "John Whitfield", "dob": "1957-11-21"}
TUESDAY_920 = "2026-11-24T09:20:00"  # local time at the hospital


def call(gateway: ToolGateway, tool: str, **args: Any) -> ToolResult:
    return asyncio.run(gateway.call(tool, args, allowed=ALL))


def ref(gateway: ToolGateway, who: dict[str, str]) -> str:
    result = call(gateway, "verify_identity", **who)
    assert result.ok, result
    return str(result.data["patient_ref"])


def booked(session_factory) -> list[Appointment]:
    with session_factory() as s:
        return list(s.scalars(select(Appointment).where(Appointment.status == "booked")))


def assert_speakable(message: str) -> None:
    assert message
    assert not re.search(r"\d", message), f"digits in a spoken message: {message!r}"


# --- identity --------------------------------------------------------------------------------


def test_identity_matches_name_and_date_of_birth(gateway: ToolGateway) -> None:
    result = call(gateway, "verify_identity", name="maria  gonzalez", dob="1980-03-03")
    assert result.status == "ok"
    assert result.data["is_minor"] is False
    assert result.data["patient_ref"].startswith("pt_")
    assert "Maria" not in result.data["patient_ref"]


def test_identity_with_wrong_date_of_birth_is_not_found(gateway: ToolGateway) -> None:
    result = call(gateway, "verify_identity", name="Maria Gonzalez", dob="1980-03-04")
    assert result.status == "not_found"
    assert "patient_ref" not in result.data


def test_identity_with_wrong_mrn_is_not_found(gateway: ToolGateway) -> None:
    result = call(gateway, "verify_identity", name="Maria Gonzalez", dob="1980-03-03", mrn="RCH-100877")
    assert result.status == "not_found"


def test_minor_needs_a_guardian(gateway: ToolGateway) -> None:
    alone = call(gateway, "verify_identity", name="Emily Novak", dob="2016-05-09")
    assert alone.status == "needs_guardian"
    assert "patient_ref" not in alone.data
    assert_speakable(alone.message)


def test_guardian_on_file_may_act_for_the_minor(gateway: ToolGateway) -> None:
    result = call(gateway, "verify_identity", name="Karen Novak", dob="2016-05-09", acting_for="Emily Novak")
    assert result.status == "ok"
    assert result.data["is_minor"] is True
    assert result.data["acting_as"] == "guardian"


def test_someone_else_may_not_act_for_the_minor(gateway: ToolGateway) -> None:
    result = call(
        gateway, "verify_identity", name="John Whitfield", dob="2016-05-09", acting_for="Emily Novak"
    )
    assert result.status == "not_authorized"
    assert "patient_ref" not in result.data


def test_nobody_acts_for_an_adult(gateway: ToolGateway) -> None:
    result = call(
        gateway, "verify_identity", name="Karen Novak", dob="1980-03-03", acting_for="Maria Gonzalez"
    )
    assert result.status == "not_authorized"


# --- slots -----------------------------------------------------------------------------------


def test_patel_tuesday_morning_offers_three_slots_in_words(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", provider="Dr. Patel", weekday="tuesday", part_of_day="morning")
    assert result.status == "ok"
    starts = [s["start"] for s in result.data["slots"]]
    assert starts == [
        "2026-11-24T08:00:00-06:00",
        "2026-11-24T08:20:00-06:00",
        "2026-11-24T08:40:00-06:00",
    ]
    assert "Tuesday, November twenty-fourth" in result.message
    assert "eight twenty in the morning" in result.message
    assert_speakable(result.message)


def test_slots_skip_booked_times(gateway: ToolGateway) -> None:
    maria = ref(gateway, MARIA)
    assert call(gateway, "book_appointment", patient_ref=maria, provider="patel", start="2026-11-24T08:20").ok
    result = call(gateway, "find_slots", provider="Patel", date="2026-11-24")
    assert [s["start"][11:16] for s in result.data["slots"]] == ["08:00", "08:40", "09:00"]


def test_slots_follow_slot_length_and_afternoon_hours(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", provider="James Okafor", weekday="thu", part_of_day="afternoon")
    assert [s["start"][11:16] for s in result.data["slots"]] == ["13:00", "13:30", "14:00"]
    assert [s["end"][11:16] for s in result.data["slots"]] == ["13:30", "14:00", "14:30"]
    assert "one in the afternoon" in result.message


def test_no_slots_on_a_day_the_provider_does_not_work(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", provider="Patel", date="2026-11-25")  # a Wednesday
    assert result.status == "no_slots"
    assert result.data["slots"] == []
    assert "Monday, Tuesday, and Thursday" in result.message


def test_morning_ends_at_noon_and_notice_is_honoured(gateway: ToolGateway, clock) -> None:
    clock.now = datetime(2026, 11, 24, 10, 30, tzinfo=CHICAGO)  # Tuesday; earliest is 11:30
    result = call(gateway, "find_slots", provider="Patel", weekday="tuesday", part_of_day="morning")
    assert [s["start"][11:16] for s in result.data["slots"]] == ["11:40"]


def test_a_full_morning_rolls_to_next_week(gateway: ToolGateway, clock) -> None:
    clock.now = datetime(2026, 11, 24, 11, 30, tzinfo=CHICAGO)  # Tuesday, too late for today
    result = call(gateway, "find_slots", provider="Patel", weekday="tuesday", part_of_day="morning")
    assert result.data["slots"][0]["start"] == "2026-12-01T08:00:00-06:00"


def test_department_search_spans_its_providers(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", department="pediatrics", date="2026-11-23")
    assert result.status == "ok"
    assert {s["provider"] for s in result.data["slots"]} == {"alvarez"}
    assert result.data["slots"][0]["start"][11:16] == "08:00"


def test_provider_slot_may_name_a_department_and_a_weekday_phrase(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", provider="Orthopedics department", weekday="next Friday")
    assert result.status == "ok"
    assert result.data["slots"][0]["start"] == "2026-11-27T08:00:00-06:00"
    assert result.data["slots"][0]["provider"] == "okafor"


def test_unknown_provider_is_not_found(gateway: ToolGateway) -> None:
    result = call(gateway, "find_slots", provider="Dr. Nobody")
    assert result.status == "not_found"
    assert "Family Medicine" in result.message


# --- referral rule ---------------------------------------------------------------------------


def test_new_patient_to_cardiology_is_offered_family_medicine(gateway: ToolGateway) -> None:
    maria = ref(gateway, MARIA)
    result = call(gateway, "find_slots", department="Cardiology", patient_ref=maria)
    assert result.status == "needs_referral"
    assert result.data["suggested_department"] == "Family Medicine"
    assert result.data["suggested_providers"] == ["patel"]
    assert "Family Medicine" in result.message
    booking = call(gateway, "book_appointment", patient_ref=maria, provider="chen", start="2026-11-24T08:00")
    assert booking.status == "needs_referral"


def test_patient_with_a_referral_may_book_cardiology(gateway: ToolGateway, session_factory) -> None:
    maria = ref(gateway, MARIA)
    with session_factory() as s, s.begin():
        s.execute(update(Patient).where(Patient.id == maria).values(referrals=["Cardiology"]))
    result = call(gateway, "find_slots", provider="Chen", patient_ref=maria, weekday="wednesday")
    assert result.status == "ok"
    assert result.data["slots"][0]["start"] == "2026-11-25T08:00:00-06:00"


# --- booking, cancelling, rescheduling -------------------------------------------------------


def test_booking_then_double_booking_is_refused(gateway: ToolGateway, session_factory) -> None:
    maria, john = ref(gateway, MARIA), ref(gateway, JOHN)
    first = call(
        gateway, "book_appointment", patient_ref=maria, provider="Dr. Anita Patel", start=TUESDAY_920
    )
    assert first.status == "ok"
    assert first.data["appointment_id"].startswith("apt_")
    assert "Tuesday, November twenty-fourth at nine twenty in the morning" in first.message
    assert_speakable(first.message)
    second = call(gateway, "book_appointment", patient_ref=john, provider="patel", start=TUESDAY_920)
    assert second.status == "conflict"
    assert [a.patient_id for a in booked(session_factory)] == [maria]


def test_booking_off_the_slot_grid_or_in_the_past_is_refused(gateway: ToolGateway, session_factory) -> None:
    maria = ref(gateway, MARIA)
    off_grid = call(
        gateway, "book_appointment", patient_ref=maria, provider="patel", start="2026-11-24T09:10"
    )
    past = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start="2026-11-17T09:20")
    wrong_day = call(
        gateway, "book_appointment", patient_ref=maria, provider="patel", start="2026-11-25T09:20"
    )
    assert (off_grid.status, past.status, wrong_day.status) == ("invalid", "invalid", "invalid")
    assert booked(session_factory) == []


def test_cancel_early_has_no_fee(gateway: ToolGateway, session_factory) -> None:
    maria = ref(gateway, MARIA)
    call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    result = call(gateway, "cancel_appointment", patient_ref=maria)
    assert result.status == "ok"
    assert result.data["late_cancel_fee"] is False
    assert "fee" not in result.message
    assert booked(session_factory) == []


def test_cancel_within_a_day_carries_the_late_fee(gateway: ToolGateway, clock) -> None:
    maria = ref(gateway, MARIA)
    appt = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    clock.now = datetime(2026, 11, 24, 7, 0, tzinfo=CHICAGO)
    result = call(
        gateway, "cancel_appointment", patient_ref=maria, appointment_id=appt.data["appointment_id"]
    )
    assert result.data["late_cancel_fee"] is True
    assert result.data["fee_dollars"] == 25
    assert "late cancellation fee of twenty-five dollars" in result.message
    assert_speakable(result.message)


def test_cancel_asks_which_when_there_are_several(gateway: ToolGateway) -> None:
    maria = ref(gateway, MARIA)
    call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    call(gateway, "book_appointment", patient_ref=maria, provider="okafor", start="2026-11-26T13:00")
    result = call(gateway, "cancel_appointment", patient_ref=maria)
    assert result.status == "choose"
    assert len(result.data["appointments"]) == 2


def test_cannot_cancel_someone_elses_appointment(gateway: ToolGateway, session_factory) -> None:
    maria, john = ref(gateway, MARIA), ref(gateway, JOHN)
    appt = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    result = call(gateway, "cancel_appointment", patient_ref=john, appointment_id=appt.data["appointment_id"])
    assert result.status == "not_found"
    assert len(booked(session_factory)) == 1


def test_cancel_and_reschedule_need_a_verified_patient(gateway: ToolGateway, session_factory) -> None:
    maria = ref(gateway, MARIA)
    call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    cancel = call(gateway, "cancel_appointment", patient_ref="pt_unknown")
    move = call(gateway, "reschedule_appointment", patient_ref="pt_unknown", new_start="2026-11-26T10:00")
    assert (cancel.status, move.status) == ("not_found", "not_found")
    assert [a.patient_id for a in booked(session_factory)] == [maria]


def test_reschedule_moves_the_appointment(gateway: ToolGateway, session_factory) -> None:
    maria = ref(gateway, MARIA)
    old = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    result = call(gateway, "reschedule_appointment", patient_ref=maria, new_start="2026-11-26T10:00")
    assert result.status == "ok"
    assert result.data["previous_appointment_id"] == old.data["appointment_id"]
    assert "Thursday, November twenty-sixth at ten in the morning" in result.message
    now_booked = booked(session_factory)
    assert [a.id for a in now_booked] == [result.data["appointment_id"]]
    john = ref(gateway, JOHN)
    assert call(gateway, "book_appointment", patient_ref=john, provider="patel", start=TUESDAY_920).ok


def test_reschedule_to_a_taken_slot_keeps_the_old_one(gateway: ToolGateway, session_factory) -> None:
    maria, john = ref(gateway, MARIA), ref(gateway, JOHN)
    mine = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start=TUESDAY_920)
    call(gateway, "book_appointment", patient_ref=john, provider="patel", start="2026-11-24T10:00")
    result = call(gateway, "reschedule_appointment", patient_ref=maria, new_start="2026-11-24T10:00")
    assert result.status == "conflict"
    still = {a.id: a.patient_id for a in booked(session_factory)}
    assert still[mine.data["appointment_id"]] == maria
    assert len(still) == 2


# --- refills and callbacks -------------------------------------------------------------------


def test_refill_creates_a_task_for_nurse_review(gateway: ToolGateway, session_factory) -> None:
    john = ref(gateway, JOHN)
    result = call(
        gateway,
        "request_refill",
        patient_ref=john,
        medication="lisinopril",
        pharmacy="Walgreens on Main Street",
    )
    assert result.status == "ok"
    assert result.data["task_status"] == "pending_nurse_review"
    assert "one business day" in result.message
    assert "approved" not in result.message.lower()
    with session_factory() as s:
        task = s.get(Task, result.data["task_id"])
        assert task is not None
        assert (task.kind, task.status, task.patient_id) == ("refill", "pending_nurse_review", john)
        assert task.details == {"medication": "lisinopril", "pharmacy": "Walgreens on Main Street"}


def test_no_tool_message_ever_says_approved(gateway: ToolGateway) -> None:
    john = ref(gateway, JOHN)
    result = call(gateway, "request_refill", patient_ref=john, medication="the approved one", pharmacy="CVS")
    assert result.ok
    assert "approved" not in result.message.lower()


def test_refill_needs_a_verified_patient(gateway: ToolGateway, session_factory) -> None:
    result = call(
        gateway, "request_refill", patient_ref="pt_unknown", medication="lisinopril", pharmacy="CVS"
    )
    assert result.status == "not_found"
    with session_factory() as s:
        assert s.scalars(select(Task)).all() == []


def test_callback_by_phone_number(gateway: ToolGateway, session_factory) -> None:
    result = call(gateway, "request_callback", phone="(555) 013-2291", reason="billing question")
    assert result.status == "ok"
    assert "five five five, zero one three, two two nine one" in result.message
    with session_factory() as s:
        task = s.get(Task, result.data["task_id"])
        assert task is not None and task.kind == "callback" and task.details["phone"] == "5550132291"


def test_callback_for_a_patient_uses_the_number_on_file(gateway: ToolGateway) -> None:
    maria = ref(gateway, MARIA)
    result = call(gateway, "request_callback", patient_ref=maria, reason="question about a bill")
    assert result.status == "ok"
    assert "on file" in result.message


def test_callback_with_a_short_number_is_invalid(gateway: ToolGateway) -> None:
    result = call(gateway, "request_callback", phone="555-0132", reason="anything")
    assert result.status == "invalid"
    assert result.data["fields"] == ["phone"]


def test_a_utc_time_names_the_same_slot_as_local_time(gateway: ToolGateway) -> None:
    maria, john = ref(gateway, MARIA), ref(gateway, JOHN)
    utc = call(gateway, "book_appointment", patient_ref=maria, provider="patel", start="2026-11-24T15:20:00Z")
    assert utc.ok
    assert utc.data["start"] == "2026-11-24T09:20:00-06:00"
    local = call(gateway, "book_appointment", patient_ref=john, provider="patel", start=TUESDAY_920)
    assert local.status == "conflict"
