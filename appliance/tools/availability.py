"""Open appointment times: a provider's slots from the clinic's hours, less what is booked and
what is too soon, and the referral rule for new patients of a department.

`find_slots` offers at most MAX_SLOTS times, on the day asked for or the first days that have one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.store.scheduling import Appointment, Patient, Provider, as_utc
from appliance.tools.base import ToolResult
from appliance.tools.context import ToolArgs, ToolContext, tool_result
from appliance.tools.records import (
    department_providers,
    find_patient,
    find_provider,
    no_patient,
    provider_days,
)
from appliance.tools.sitedata import WEEKDAYS, Weekday
from appliance.tools.spoken import (
    date_words,
    datetime_words,
    join_words,
    provider_words,
    time_words,
)

MAX_SLOTS = 3


_DAY_NAMES: dict[str, str] = dict(
    zip(WEEKDAYS, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], strict=True)
)


_WEEKDAY_NAMES = {day: day for day in WEEKDAYS} | {full.lower(): day for day, full in _DAY_NAMES.items()}


_MAX_SLOT = timedelta(minutes=240)  # the longest slot schedule.yaml allows


class FindSlotsArgs(ToolArgs):
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


def slot_starts(provider: Provider, day: date, ctx: ToolContext) -> Iterator[datetime]:
    """Every slot start of `provider` on `day` (local, aware), from clinic hours and slot length."""
    weekday = WEEKDAYS[day.weekday()]
    if weekday not in provider_days(provider):
        return
    step = timedelta(minutes=provider.slot_minutes)
    for session_hours in ctx.schedule.sessions(weekday):
        t = datetime.combine(day, session_hours.start, ctx.schedule.zone)
        end = datetime.combine(day, session_hours.end, ctx.schedule.zone)
        while t + step <= end:
            yield t
            t += step


def earliest_start(ctx: ToolContext) -> datetime:
    return ctx.now + timedelta(minutes=ctx.schedule.min_notice_minutes)


def booked_at(session: Session, start: datetime, end: datetime, clauses: list[Any]) -> list[Appointment]:
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
    starts = [s for s in slot_starts(provider, day, ctx) if s >= earliest_start(ctx)]
    if part == "morning":
        starts = [s for s in starts if s.hour < 12]
    elif part == "afternoon":
        starts = [s for s in starts if s.hour >= 12]
    if not starts:
        return []
    step = timedelta(minutes=provider.slot_minutes)
    taken = booked_at(session, starts[0], starts[-1] + step, [Appointment.provider_id == provider.id])
    return [
        s for s in starts if not any(as_utc(a.start_at) < s + step and as_utc(a.end_at) > s for a in taken)
    ]


def needs_referral(session: Session, patient: Patient | None, department: str, ctx: ToolContext) -> bool:
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


def referral_result(tool: str, session: Session, department: str, ctx: ToolContext) -> ToolResult:
    rule = ctx.schedule.referral_for(department)
    assert rule is not None  # needs_referral checked it
    suggested = department_providers(session, rule.suggest)
    names = join_words([provider_words(p.name) for p in suggested])
    return tool_result(
        tool,
        "needs_referral",
        f"New patients need a referral to see {department}. I can book you with {rule.suggest} first, "
        f"with {names}, who can refer you. Would you like that?",
        department=department,
        suggested_department=rule.suggest,
        suggested_providers=[p.id for p in suggested],
    )


def slot_data(provider: Provider, start: datetime) -> dict[str, Any]:
    end = start + timedelta(minutes=provider.slot_minutes)
    return {
        "provider": provider.id,
        "provider_name": provider.name,
        "department": provider.department,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "spoken": datetime_words(start),
    }


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
    provider = find_provider(session, args.provider) if args.provider else None
    if provider is not None:
        providers = [provider]
    else:
        # The dialog's "provider" slot may hold a department ("Cardiology") as well as a doctor.
        providers = department_providers(session, args.department or args.provider or "")
    if not providers:
        departments = sorted({p.department for p in session.scalars(select(Provider))})
        return tool_result(
            tool,
            "not_found",
            f"I couldn't find that provider or department. We schedule {join_words(departments, 'and')}.",
        )
    department = providers[0].department
    patient = find_patient(session, args.patient_ref) if args.patient_ref else None
    if args.patient_ref and patient is None:
        return no_patient(tool)
    if needs_referral(session, patient, department, ctx):
        return referral_result(tool, session, department, ctx)
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
    slots = [slot_data(p, s) for s, p in found]
    return tool_result(tool, "ok", _slots_message(found), slots=slots)


def _no_slots(tool: str, providers: list[Provider], args: FindSlotsArgs) -> ToolResult:
    if len(providers) == 1:
        who = provider_words(providers[0].name)
        days = join_words([_DAY_NAMES[d] for d in provider_days(providers[0])], "and")
        message = f"I'm sorry, I don't see an opening with {who} then. {who} sees patients on {days}."
    else:
        message = f"I'm sorry, I don't see an opening in {providers[0].department} then."
    return tool_result(tool, "no_slots", message + " Would another day work?", slots=[])


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
