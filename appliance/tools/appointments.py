"""Booking, moving and cancelling a patient's appointments.

A booking is checked against the provider's slots, the notice the site asks for and both
calendars (the provider's and the patient's); the database's unique index settles a race with
another call. Moving frees the old slot first and books the new one in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.store.scheduling import Appointment, Patient, Provider, as_utc
from appliance.tools.availability import (
    booked_at,
    earliest_start,
    needs_referral,
    referral_result,
    slot_data,
    slot_starts,
)
from appliance.tools.base import ToolResult
from appliance.tools.context import ToolArgs, ToolContext, to_local, tool_result
from appliance.tools.records import (
    find_patient,
    find_provider,
    no_patient,
)
from appliance.tools.spoken import (
    dollars_words,
    join_words,
    number_words,
    provider_words,
)


class BookAppointmentArgs(ToolArgs):
    patient_ref: str = Field(max_length=32)
    provider: str = Field(min_length=1, max_length=200)
    start: datetime


class RescheduleAppointmentArgs(ToolArgs):
    patient_ref: str = Field(max_length=32)
    appointment_id: str | None = Field(None, max_length=32)
    new_start: datetime
    provider: str | None = Field(None, max_length=200)  # default: the same provider


class CancelAppointmentArgs(ToolArgs):
    patient_ref: str = Field(max_length=32)
    appointment_id: str | None = Field(None, max_length=32)


def appointment_data(appt: Appointment, provider: Provider, ctx: ToolContext) -> dict[str, Any]:
    start = to_local(as_utc(appt.start_at), ctx)
    return {"appointment_id": appt.id, **slot_data(provider, start)}


def _book(
    tool: str, session: Session, patient: Patient, provider: Provider, start: datetime, ctx: ToolContext
) -> Appointment | ToolResult:
    """Book one slot; returns the appointment, or a result saying why not (nothing written)."""
    start = to_local(start, ctx)
    who = provider_words(provider.name)
    if start < earliest_start(ctx):
        return tool_result(
            tool, "invalid", "That time is too soon or has already passed. Shall I look for another?"
        )
    if start not in set(slot_starts(provider, start.date(), ctx)):
        return tool_result(
            tool, "invalid", f"That isn't one of {who}'s appointment times. Shall I look for one?"
        )
    end = start + timedelta(minutes=provider.slot_minutes)
    if booked_at(session, start, end, [Appointment.provider_id == provider.id]):
        return tool_result(
            tool, "conflict", "I'm sorry, that time has just been taken. Shall I look for another?"
        )
    if booked_at(session, start, end, [Appointment.patient_id == patient.id]):
        return tool_result(
            tool, "conflict", "You already have an appointment at that time. Shall I look for another?"
        )
    appt = Appointment(
        patient_id=patient.id,
        provider_id=provider.id,
        start_at=start.astimezone(UTC),
        end_at=end.astimezone(UTC),
        status="booked",
        created_at=ctx.now.astimezone(UTC),
    )
    session.add(appt)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # Another call took the slot between our check and our insert (the unique index said so).
        session.expunge(appt)
        return tool_result(
            tool, "conflict", "I'm sorry, that time has just been taken. Shall I look for another?"
        )
    return appt


def book_appointment(session: Session, args: BookAppointmentArgs, ctx: ToolContext) -> ToolResult:
    tool = "book_appointment"
    patient = find_patient(session, args.patient_ref)
    if patient is None:
        return no_patient(tool)
    provider = find_provider(session, args.provider)
    if provider is None:
        return tool_result(tool, "not_found", "I couldn't find that provider.")
    if needs_referral(session, patient, provider.department, ctx):
        return referral_result(tool, session, provider.department, ctx)
    booked = _book(tool, session, patient, provider, args.start, ctx)
    if isinstance(booked, ToolResult):
        return booked
    data = appointment_data(booked, provider, ctx)
    return tool_result(
        tool,
        "ok",
        f"You're booked with {provider_words(provider.name)} on {data['spoken']}.",
        patient_ref=patient.id,
        **data,
    )


def _callers_appointment(
    tool: str, session: Session, patient_ref: str, appointment_id: str | None, ctx: ToolContext
) -> tuple[Patient, Appointment] | ToolResult:
    """The caller's record and their appointment by id, or their only upcoming one; a result
    when that fails (no such patient or appointment, or a question: which one)."""
    patient = find_patient(session, patient_ref)
    if patient is None:
        return no_patient(tool)
    chosen = _pick_appointment(tool, session, patient, appointment_id, ctx)
    return chosen if isinstance(chosen, ToolResult) else (patient, chosen)


def _pick_appointment(
    tool: str, session: Session, patient: Patient, appointment_id: str | None, ctx: ToolContext
) -> Appointment | ToolResult:
    """The patient's appointment by id, or their only upcoming one; a result when that fails."""
    query = select(Appointment).where(Appointment.patient_id == patient.id, Appointment.status == "booked")
    upcoming = [
        a for a in session.scalars(query.order_by(Appointment.start_at)) if as_utc(a.start_at) > ctx.now
    ]
    if appointment_id is not None:
        chosen = next((a for a in upcoming if a.id == appointment_id), None)
        if chosen is None:
            return tool_result(tool, "not_found", "I couldn't find that upcoming appointment for you.")
        return chosen
    if not upcoming:
        return tool_result(tool, "not_found", "I don't see any upcoming appointments for you.")
    if len(upcoming) > 1:
        listed = []
        options = []
        for appt in upcoming[:5]:
            provider = session.get(Provider, appt.provider_id)
            assert provider is not None
            data = appointment_data(appt, provider, ctx)
            listed.append(
                {k: data[k] for k in ("appointment_id", "provider", "provider_name", "start", "spoken")}
            )
            options.append(f"{data['spoken']} with {provider_words(provider.name)}")
        return tool_result(
            tool,
            "choose",
            f"You have {number_words(len(upcoming))} upcoming appointments: "
            f"{join_words(options)}. Which one?",
            appointments=listed,
        )
    return upcoming[0]


def cancel_appointment(session: Session, args: CancelAppointmentArgs, ctx: ToolContext) -> ToolResult:
    tool = "cancel_appointment"
    found = _callers_appointment(tool, session, args.patient_ref, args.appointment_id, ctx)
    if isinstance(found, ToolResult):
        return found
    patient, appt = found
    provider = session.get(Provider, appt.provider_id)
    assert provider is not None
    appt.status = "cancelled"
    policy = ctx.schedule.late_cancellation
    late = as_utc(appt.start_at) - ctx.now < timedelta(hours=policy.hours)
    data = appointment_data(appt, provider, ctx)
    message = f"Your appointment with {provider_words(provider.name)} on {data['spoken']} is cancelled."
    if late and policy.fee_dollars:
        message += (
            f" Because it was less than {number_words(policy.hours)} hours away, "
            f"there is a late cancellation fee of {dollars_words(policy.fee_dollars)}."
        )
    return tool_result(
        tool,
        "ok",
        message,
        patient_ref=patient.id,
        late_cancel_fee=bool(late and policy.fee_dollars),
        fee_dollars=policy.fee_dollars if late else 0,
        **data,
    )


def reschedule_appointment(session: Session, args: RescheduleAppointmentArgs, ctx: ToolContext) -> ToolResult:
    tool = "reschedule_appointment"
    found = _callers_appointment(tool, session, args.patient_ref, args.appointment_id, ctx)
    if isinstance(found, ToolResult):
        return found
    patient, old = found
    provider = (
        find_provider(session, args.provider) if args.provider else session.get(Provider, old.provider_id)
    )
    if provider is None:
        return tool_result(tool, "not_found", "I couldn't find that provider.")
    if provider.id != old.provider_id and needs_referral(session, patient, provider.department, ctx):
        return referral_result(tool, session, provider.department, ctx)
    # Free the old slot first, so moving within the same morning cannot collide with itself.
    old.status = "cancelled"
    session.flush()
    booked = _book(tool, session, patient, provider, args.new_start, ctx)
    if isinstance(booked, ToolResult):
        return booked  # the gateway rolls back, so the old appointment stays booked
    data = appointment_data(booked, provider, ctx)
    return tool_result(
        tool,
        "ok",
        f"Done. Your appointment is now with {provider_words(provider.name)} on {data['spoken']}.",
        patient_ref=patient.id,
        previous_appointment_id=old.id,
        **data,
    )
