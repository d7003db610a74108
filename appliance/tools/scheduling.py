"""The scheduling tools: identity, slots, booking, cancelling, refills and callbacks.

Each tool is a plain function `(session, args, ctx) -> ToolResult` over one SQLAlchemy session;
it never commits (the gateway commits when the result is ok, and rolls back otherwise) and
never reads the wall clock (the current time comes in `ctx.now`). They run in a worker thread,
called only by `appliance.tools.gateway.ToolGateway`.

Inputs are already normalized by the dialog (names as text, dates as ISO dates, weekdays by
name). `ToolResult.ok` is true exactly when `status == "ok"`. Messages are spoken to the caller
as they are, so numbers and times are written as words, and no message ever tells a caller
that a refill is approved.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.store.scheduling import Appointment, Guardian, Patient, Provider, Task, as_utc
from appliance.tools.base import ToolResult
from appliance.tools.sitedata import WEEKDAYS, Schedule, Weekday
from appliance.tools.spoken import (
    date_words,
    datetime_words,
    digits_words,
    dollars_words,
    join_words,
    number_words,
    provider_words,
    time_words,
)

REFILL_STATUS = "pending_nurse_review"
CALLBACK_STATUS = "pending"
MAX_SLOTS = 3
_DAY_NAMES: dict[str, str] = dict(
    zip(WEEKDAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], strict=True)
)
_WEEKDAY_NAMES = {day: day for day in WEEKDAYS} | {full.lower(): day for day, full in _DAY_NAMES.items()}
_MAX_SLOT = timedelta(minutes=240)  # the longest slot schedule.yaml allows
_TITLES = {"dr", "doctor", "mr", "mrs", "ms", "miss", "mx"}


# What a task's details become in the database: on a box that records, a reference to an
# encrypted object ({"object_id": …}); the caller's words never sit in the tasks table.
Seal = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ToolContext:
    schedule: Schedule
    now: datetime  # aware; the moment the tool was called
    # PHI a task carries (a callback's reason and number, a refill's medication and pharmacy)
    # goes through `seal`. None: this box keeps no encrypted store (scripted calls on the site's
    # fictional demo data, in text or audio simulation) and the details stay as they are.
    seal: Seal | None = None

    def task_details(self, details: dict[str, Any]) -> dict[str, Any]:
        return self.seal(details) if self.seal is not None else details


# --- arguments -------------------------------------------------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class VerifyIdentityArgs(_Args):
    """`name` and `dob` are the patient's; with `acting_for`, `name` is the caller (a guardian),
    `acting_for` is the minor patient's name and `dob` the minor's date of birth."""

    name: str = Field(min_length=1, max_length=200)
    dob: date
    acting_for: str | None = Field(None, max_length=200)
    mrn: str | None = Field(None, max_length=32)


class FindSlotsArgs(_Args):
    provider: str | None = Field(None, max_length=200)
    department: str | None = Field(None, max_length=64)
    date: dt.date | None = None  # one day, local
    weekday: Weekday | None = None
    part_of_day: Literal["morning", "afternoon"] | None = None
    patient_ref: str | None = Field(None, max_length=32)
    limit: int = Field(MAX_SLOTS, ge=1, le=MAX_SLOTS)

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: Any) -> Any:
        # "Tuesday", "tue", "next tuesday": the first weekday word in the text
        if not isinstance(value, str):
            return value
        words = re.findall(r"[a-z]+", value.lower())
        return next((_WEEKDAY_NAMES[w] for w in words if w in _WEEKDAY_NAMES), value.strip() or None)

    @model_validator(mode="after")
    def _who(self) -> FindSlotsArgs:
        if not (self.provider or self.department):
            raise ValueError("give a provider or a department")
        return self


class BookAppointmentArgs(_Args):
    patient_ref: str = Field(max_length=32)
    provider: str = Field(min_length=1, max_length=200)
    start: datetime


class RescheduleAppointmentArgs(_Args):
    patient_ref: str = Field(max_length=32)
    appointment_id: str | None = Field(None, max_length=32)
    new_start: datetime
    provider: str | None = Field(None, max_length=200)  # default: the same provider


class CancelAppointmentArgs(_Args):
    patient_ref: str = Field(max_length=32)
    appointment_id: str | None = Field(None, max_length=32)


class RequestRefillArgs(_Args):
    patient_ref: str = Field(max_length=32)
    medication: str = Field(min_length=1, max_length=120)
    pharmacy: str = Field(min_length=1, max_length=200)


class RequestCallbackArgs(_Args):
    patient_ref: str | None = Field(None, max_length=32)
    phone: str | None = Field(None, max_length=32)
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("phone")
    @classmethod
    def _ten_digits(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"\D", "", value)
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(digits) != 10:
            raise ValueError("a phone number has ten digits")
        return digits

    @model_validator(mode="after")
    def _reachable(self) -> RequestCallbackArgs:
        if not (self.patient_ref or self.phone):
            raise ValueError("give a patient_ref or a phone number")
        return self


# --- helpers ---------------------------------------------------------------------------------


def _result(tool: str, status: str, message: str, **data: Any) -> ToolResult:
    return ToolResult(tool=tool, ok=status == "ok", status=status, data=data, message=message)


def _name_key(name: str) -> str:
    words = re.sub(r"[^a-z ]", " ", name.lower().replace("'", "")).split()
    return " ".join(w for w in words if w not in _TITLES)


def _find_provider(session: Session, text: str) -> Provider | None:
    key = _name_key(text)
    for provider in session.scalars(select(Provider).order_by(Provider.id)):
        full = _name_key(provider.name)
        if key in (provider.id, full, full.split()[-1]):
            return provider
    return None


def _department_providers(session: Session, department: str) -> list[Provider]:
    wanted = re.sub(r"\s+(department|clinic)$", "", department.strip().lower())
    return [
        p for p in session.scalars(select(Provider).order_by(Provider.id)) if p.department.lower() == wanted
    ]


def _provider_days(provider: Provider) -> list[Weekday]:
    return [d for d in WEEKDAYS if d in provider.days.split(",")]


def _to_local(value: datetime, ctx: ToolContext) -> datetime:
    zone = ctx.schedule.zone
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def _slot_starts(provider: Provider, day: date, ctx: ToolContext) -> Iterator[datetime]:
    """Every slot start of `provider` on `day` (local, aware), from clinic hours and slot length."""
    weekday = WEEKDAYS[day.weekday()]
    if weekday not in _provider_days(provider):
        return
    step = timedelta(minutes=provider.slot_minutes)
    for session_hours in ctx.schedule.sessions(weekday):
        t = datetime.combine(day, session_hours.start, ctx.schedule.zone)
        end = datetime.combine(day, session_hours.end, ctx.schedule.zone)
        while t + step <= end:
            yield t
            t += step


def _earliest_start(ctx: ToolContext) -> datetime:
    return ctx.now + timedelta(minutes=ctx.schedule.min_notice_minutes)


def _booked_at(session: Session, start: datetime, end: datetime, clauses: list[Any]) -> list[Appointment]:
    """Booked appointments overlapping [start, end) that also match `clauses`."""
    query = select(Appointment).where(
        Appointment.status == "booked",
        # a coarse window in SQL (no slot is longer than _MAX_SLOT), the exact overlap below
        Appointment.start_at < end.astimezone(UTC),
        Appointment.start_at > (start - _MAX_SLOT).astimezone(UTC),
        *clauses,
    )
    return [a for a in session.scalars(query) if as_utc(a.start_at) < end and as_utc(a.end_at) > start]


def _free_slots(
    session: Session, provider: Provider, day: date, part: str | None, ctx: ToolContext
) -> list[datetime]:
    starts = [s for s in _slot_starts(provider, day, ctx) if s >= _earliest_start(ctx)]
    if part == "morning":
        starts = [s for s in starts if s.hour < 12]
    elif part == "afternoon":
        starts = [s for s in starts if s.hour >= 12]
    if not starts:
        return []
    step = timedelta(minutes=provider.slot_minutes)
    taken = _booked_at(session, starts[0], starts[-1] + step, [Appointment.provider_id == provider.id])
    return [
        s for s in starts if not any(as_utc(a.start_at) < s + step and as_utc(a.end_at) > s for a in taken)
    ]


def _needs_referral(session: Session, patient: Patient | None, department: str, ctx: ToolContext) -> bool:
    """New patients (no booked appointment in the department, no referral on file) need one."""
    if patient is None or ctx.schedule.referral_for(department) is None:
        return False
    if department in (patient.referrals or []):
        return False
    seen = session.scalar(
        select(Appointment.id)
        .join(Provider, Provider.id == Appointment.provider_id)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == "booked",
            Provider.department == department,
        )
        .limit(1)
    )
    return seen is None


def _referral_result(tool: str, session: Session, department: str, ctx: ToolContext) -> ToolResult:
    rule = ctx.schedule.referral_for(department)
    assert rule is not None  # _needs_referral checked it
    suggested = _department_providers(session, rule.suggest)
    names = join_words([provider_words(p.name) for p in suggested])
    return _result(
        tool,
        "needs_referral",
        f"New patients need a referral to see {department}. I can book you with {rule.suggest} first, "
        f"with {names}, who can refer you. Would you like that?",
        department=department,
        suggested_department=rule.suggest,
        suggested_providers=[p.id for p in suggested],
    )


def _slot_data(provider: Provider, start: datetime) -> dict[str, Any]:
    end = start + timedelta(minutes=provider.slot_minutes)
    return {
        "provider": provider.id,
        "provider_name": provider.name,
        "department": provider.department,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "spoken": datetime_words(start),
    }


def _appointment_data(appt: Appointment, provider: Provider, ctx: ToolContext) -> dict[str, Any]:
    start = _to_local(as_utc(appt.start_at), ctx)
    return {"appointment_id": appt.id, **_slot_data(provider, start)}


def _patient(session: Session, ref: str) -> Patient | None:
    return session.get(Patient, ref)


def _no_patient(tool: str) -> ToolResult:
    return _result(tool, "not_found", "I need to confirm who you are before I can do that.")


# --- tools -----------------------------------------------------------------------------------


def verify_identity(session: Session, args: VerifyIdentityArgs, ctx: ToolContext) -> ToolResult:
    tool = "verify_identity"
    patient_name = args.acting_for or args.name
    key = _name_key(patient_name)
    candidates = session.scalars(select(Patient).where(Patient.date_of_birth == args.dob)).all()
    patient = next((p for p in candidates if _name_key(p.name) == key), None)
    if patient is not None and args.mrn and patient.mrn.lower() != args.mrn.strip().lower():
        patient = None
    if patient is None:
        return _result(tool, "not_found", "I'm sorry, I couldn't match that name and date of birth.")
    if args.acting_for is None:
        if patient.is_minor:
            return _result(
                tool,
                "needs_guardian",
                "Because the patient is under eighteen, I need to speak with a parent or guardian "
                "on file. May I have the parent or guardian's full name?",
                is_minor=True,
            )
        return _result(
            tool,
            "ok",
            "Thank you, I've found your record.",
            patient_ref=patient.id,
            is_minor=False,
            acting_as="self",
        )
    guardians = session.scalars(select(Guardian).where(Guardian.patient_id == patient.id)).all()
    if not patient.is_minor or not any(_name_key(g.name) == _name_key(args.name) for g in guardians):
        return _result(
            tool,
            "not_authorized",
            "I'm sorry, I can only help with this patient's care when I'm speaking with the patient "
            "or a parent or guardian we have on file.",
            is_minor=patient.is_minor,
        )
    return _result(
        tool,
        "ok",
        "Thank you, I've found the record.",
        patient_ref=patient.id,
        is_minor=True,
        acting_as="guardian",
    )


def _search_days(args: FindSlotsArgs, ctx: ToolContext) -> tuple[list[date], bool]:
    """The days to search, and whether to stop at the first day that has a free slot."""
    today = ctx.now.astimezone(ctx.schedule.zone).date()
    if args.date is not None:
        return ([args.date] if args.date >= today else []), True
    horizon = [today + timedelta(days=i) for i in range(max(ctx.schedule.search_days, 28))]
    if args.weekday is not None:
        return [d for d in horizon if WEEKDAYS[d.weekday()] == args.weekday], True
    return horizon[: ctx.schedule.search_days], False


def find_slots(session: Session, args: FindSlotsArgs, ctx: ToolContext) -> ToolResult:
    tool = "find_slots"
    provider = _find_provider(session, args.provider) if args.provider else None
    if provider is not None:
        providers = [provider]
    else:
        # The dialog's "provider" slot may hold a department ("Cardiology") as well as a doctor.
        providers = _department_providers(session, args.department or args.provider or "")
    if not providers:
        departments = sorted({p.department for p in session.scalars(select(Provider))})
        return _result(
            tool,
            "not_found",
            f"I couldn't find that provider or department. We schedule {join_words(departments, 'and')}.",
        )
    department = providers[0].department
    patient = _patient(session, args.patient_ref) if args.patient_ref else None
    if args.patient_ref and patient is None:
        return _no_patient(tool)
    if _needs_referral(session, patient, department, ctx):
        return _referral_result(tool, session, department, ctx)
    days, first_day_only = _search_days(args, ctx)
    found: list[tuple[datetime, Provider]] = []
    for day in days:
        for provider in providers:
            found += [(s, provider) for s in _free_slots(session, provider, day, args.part_of_day, ctx)]
        if found and first_day_only:
            break
        if len(found) >= args.limit:
            break
    found.sort(key=lambda item: (item[0], item[1].id))
    found = found[: args.limit]
    if not found:
        return _no_slots(tool, providers, args)
    slots = [_slot_data(p, s) for s, p in found]
    return _result(tool, "ok", _slots_message(found), slots=slots)


def _no_slots(tool: str, providers: list[Provider], args: FindSlotsArgs) -> ToolResult:
    if len(providers) == 1:
        who = provider_words(providers[0].name)
        days = join_words([_DAY_NAMES[d] for d in _provider_days(providers[0])], "and")
        message = f"I'm sorry, I don't see an opening with {who} then. {who} sees patients on {days}."
    else:
        message = f"I'm sorry, I don't see an opening in {providers[0].department} then."
    return _result(tool, "no_slots", message + " Would another day work?", slots=[])


def _slots_message(found: list[tuple[datetime, Provider]]) -> str:
    providers = {p.id for _, p in found}
    days = {s.date() for s, _ in found}
    if len(days) == 1:
        times = join_words([time_words(s.time()) for s, _ in found])
        if len(providers) == 1:
            who = provider_words(found[0][1].name)
            return f"{who} has {date_words(found[0][0].date())} at {times}. Which would you like?"
        options = join_words([f"{time_words(s.time())} with {provider_words(p.name)}" for s, p in found])
        return f"On {date_words(found[0][0].date())} I have {options}. Which would you like?"
    options = join_words([f"{datetime_words(s)} with {provider_words(p.name)}" for s, p in found])
    return f"I have {options}. Which would you like?"


def _book(
    tool: str, session: Session, patient: Patient, provider: Provider, start: datetime, ctx: ToolContext
) -> Appointment | ToolResult:
    """Book one slot; returns the appointment, or a result saying why not (nothing written)."""
    start = _to_local(start, ctx)
    who = provider_words(provider.name)
    if start < _earliest_start(ctx):
        return _result(
            tool, "invalid", "That time is too soon or has already passed. Shall I look for another?"
        )
    if start not in set(_slot_starts(provider, start.date(), ctx)):
        return _result(tool, "invalid", f"That isn't one of {who}'s appointment times. Shall I look for one?")
    end = start + timedelta(minutes=provider.slot_minutes)
    if _booked_at(session, start, end, [Appointment.provider_id == provider.id]):
        return _result(
            tool, "conflict", "I'm sorry, that time has just been taken. Shall I look for another?"
        )
    if _booked_at(session, start, end, [Appointment.patient_id == patient.id]):
        return _result(
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
        return _result(
            tool, "conflict", "I'm sorry, that time has just been taken. Shall I look for another?"
        )
    return appt


def book_appointment(session: Session, args: BookAppointmentArgs, ctx: ToolContext) -> ToolResult:
    tool = "book_appointment"
    patient = _patient(session, args.patient_ref)
    if patient is None:
        return _no_patient(tool)
    provider = _find_provider(session, args.provider)
    if provider is None:
        return _result(tool, "not_found", "I couldn't find that provider.")
    if _needs_referral(session, patient, provider.department, ctx):
        return _referral_result(tool, session, provider.department, ctx)
    booked = _book(tool, session, patient, provider, args.start, ctx)
    if isinstance(booked, ToolResult):
        return booked
    data = _appointment_data(booked, provider, ctx)
    return _result(
        tool,
        "ok",
        f"You're booked with {provider_words(provider.name)} on {data['spoken']}.",
        patient_ref=patient.id,
        **data,
    )


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
            return _result(tool, "not_found", "I couldn't find that upcoming appointment for you.")
        return chosen
    if not upcoming:
        return _result(tool, "not_found", "I don't see any upcoming appointments for you.")
    if len(upcoming) > 1:
        listed = []
        options = []
        for appt in upcoming[:5]:
            provider = session.get(Provider, appt.provider_id)
            assert provider is not None
            data = _appointment_data(appt, provider, ctx)
            listed.append(
                {k: data[k] for k in ("appointment_id", "provider", "provider_name", "start", "spoken")}
            )
            options.append(f"{data['spoken']} with {provider_words(provider.name)}")
        return _result(
            tool,
            "choose",
            f"You have {number_words(len(upcoming))} upcoming appointments: "
            f"{join_words(options)}. Which one?",
            appointments=listed,
        )
    return upcoming[0]


def cancel_appointment(session: Session, args: CancelAppointmentArgs, ctx: ToolContext) -> ToolResult:
    tool = "cancel_appointment"
    patient = _patient(session, args.patient_ref)
    if patient is None:
        return _no_patient(tool)
    appt = _pick_appointment(tool, session, patient, args.appointment_id, ctx)
    if isinstance(appt, ToolResult):
        return appt
    provider = session.get(Provider, appt.provider_id)
    assert provider is not None
    appt.status = "cancelled"
    policy = ctx.schedule.late_cancellation
    late = as_utc(appt.start_at) - ctx.now < timedelta(hours=policy.hours)
    data = _appointment_data(appt, provider, ctx)
    message = f"Your appointment with {provider_words(provider.name)} on {data['spoken']} is cancelled."
    if late and policy.fee_dollars:
        message += (
            f" Because it was less than {number_words(policy.hours)} hours away, "
            f"there is a late cancellation fee of {dollars_words(policy.fee_dollars)}."
        )
    return _result(
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
    patient = _patient(session, args.patient_ref)
    if patient is None:
        return _no_patient(tool)
    old = _pick_appointment(tool, session, patient, args.appointment_id, ctx)
    if isinstance(old, ToolResult):
        return old
    provider = (
        _find_provider(session, args.provider) if args.provider else session.get(Provider, old.provider_id)
    )
    if provider is None:
        return _result(tool, "not_found", "I couldn't find that provider.")
    if provider.id != old.provider_id and _needs_referral(session, patient, provider.department, ctx):
        return _referral_result(tool, session, provider.department, ctx)
    # Free the old slot first, so moving within the same morning cannot collide with itself.
    old.status = "cancelled"
    session.flush()
    booked = _book(tool, session, patient, provider, args.new_start, ctx)
    if isinstance(booked, ToolResult):
        return booked  # the gateway rolls back, so the old appointment stays booked
    data = _appointment_data(booked, provider, ctx)
    return _result(
        tool,
        "ok",
        f"Done. Your appointment is now with {provider_words(provider.name)} on {data['spoken']}.",
        patient_ref=patient.id,
        previous_appointment_id=old.id,
        **data,
    )


def request_refill(session: Session, args: RequestRefillArgs, ctx: ToolContext) -> ToolResult:
    tool = "request_refill"
    patient = _patient(session, args.patient_ref)
    if patient is None:
        return _no_patient(tool)
    task = Task(
        kind="refill",
        patient_id=patient.id,
        details=ctx.task_details({"medication": args.medication, "pharmacy": args.pharmacy}),
        status=REFILL_STATUS,
        created_at=ctx.now.astimezone(UTC),
    )
    session.add(task)
    session.flush()
    return _result(
        tool,
        "ok",
        f"I've sent your refill request for {args.medication} to our nurses, for {args.pharmacy}. "
        "A nurse will review it and call you back within one business day.",
        patient_ref=patient.id,
        task_id=task.id,
        task_status=REFILL_STATUS,
    )


def request_callback(session: Session, args: RequestCallbackArgs, ctx: ToolContext) -> ToolResult:
    tool = "request_callback"
    patient = _patient(session, args.patient_ref) if args.patient_ref else None
    if args.patient_ref and patient is None:
        return _no_patient(tool)
    details: dict[str, Any] = {"reason": args.reason}
    if args.phone:
        details["phone"] = args.phone
    task = Task(
        kind="callback",
        patient_id=patient.id if patient else None,
        details=ctx.task_details(details),
        status=CALLBACK_STATUS,
        created_at=ctx.now.astimezone(UTC),
    )
    session.add(task)
    session.flush()
    where = f"at {digits_words(args.phone)}" if args.phone else "at the number we have on file"
    return _result(
        tool,
        "ok",
        f"I've asked for someone from our team to call you back {where}.",
        task_id=task.id,
        task_status=CALLBACK_STATUS,
        **({"patient_ref": patient.id} if patient else {}),
    )


@dataclass(frozen=True)
class ToolSpec:
    args: type[_Args]
    run: Callable[[Session, Any, ToolContext], ToolResult]
    # Only reads: it may start before the caller's turn is final (appliance/call/preemptive.py),
    # and its result be thrown away if the caller meant something else.
    side_effect_free: bool = False


TOOLS: Mapping[str, ToolSpec] = {
    "verify_identity": ToolSpec(VerifyIdentityArgs, verify_identity),
    "find_slots": ToolSpec(FindSlotsArgs, find_slots, side_effect_free=True),
    "book_appointment": ToolSpec(BookAppointmentArgs, book_appointment),
    "reschedule_appointment": ToolSpec(RescheduleAppointmentArgs, reschedule_appointment),
    "cancel_appointment": ToolSpec(CancelAppointmentArgs, cancel_appointment),
    "request_refill": ToolSpec(RequestRefillArgs, request_refill),
    "request_callback": ToolSpec(RequestCallbackArgs, request_callback),
}
