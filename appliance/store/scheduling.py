"""Scheduling tables: patients, guardians, providers, appointments and staff tasks.

These rows hold PHI (names, dates of birth, phone numbers): they live only in the site database,
and nothing outside the tools reads them. Other parts of the box see only the opaque ids
(`Patient.id`, `Appointment.id`, `Task.id`). Times are stored in UTC; SQLite drops the zone on
the way back, so readers pass stored datetimes through `as_utc`.

A provider has at most one booked appointment per start time: a partial unique index enforces
it in the database, so two calls racing for the same slot cannot both win.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from appliance.store.db import Base

APPOINTMENT_STATUSES = ("booked", "cancelled")
TASK_KINDS = ("refill", "callback")


def new_id(prefix: str) -> str:
    """An opaque reference that says nothing about the person it points to."""
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored datetime as an aware UTC datetime (SQLite returns it naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("pt"))
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    is_minor: Mapped[bool] = mapped_column(Boolean, default=False)
    # departments this patient holds a referral for (the referral rule reads it)
    referrals: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Guardian(Base):
    """A person on file who may act for a minor patient."""

    __tablename__ = "guardians"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(32), default="parent")


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # site slug, e.g. "patel"
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(64), index=True)
    days: Mapped[str] = mapped_column(String(64))  # "mon,tue,thu"
    slot_minutes: Mapped[int] = mapped_column(Integer)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index(
            "ux_appointments_provider_start_booked",
            "provider_id",
            "start_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("apt"))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("providers.id"))
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Task(Base):
    """Work for a person on staff: a refill for nurse review, a callback."""

    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: new_id("task"))
    kind: Mapped[str] = mapped_column(String(16))
    patient_id: Mapped[str | None] = mapped_column(ForeignKey("patients.id"), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
