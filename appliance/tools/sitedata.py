"""The site's scheduling data: schedule.yaml (rules) and demo-patients.yaml (fictional patients).

Both files are validated whole before anything uses them. A bad file is refused with a
`SiteDataError` naming the file, the line and what is wrong; nothing is half-loaded. `seed_demo`
writes the providers and the demo patients into the database; running it again changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, time
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.store.scheduling import Guardian, Patient, Provider
from appliance.yamlsource import YamlError, load_yaml

SCHEDULE_FILE = "schedule.yaml"
PATIENTS_FILE = "demo-patients.yaml"

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SESSION = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")

M = TypeVar("M", bound="_Strict")
Location = tuple[str | int, ...]


class SiteDataError(YamlError):
    """A site data file that cannot be used; the message names the file, line and reason."""

    @classmethod
    def at(cls, error: YamlError) -> SiteDataError:
        return cls(error.path, error.line, error.reason)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def cross_check(self) -> list[tuple[Location, str]]:
        return []


class ClinicSession(_Strict):
    """One clinic session of a day, local time."""

    start: time
    end: time

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return _parse_session(value)


class ProviderSpec(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    name: str = Field(min_length=1)
    department: str = Field(min_length=1)
    days: tuple[Weekday, ...] = Field(min_length=1)
    slot_minutes: int = Field(ge=5, le=240)


class ReferralRule(_Strict):
    department: str
    suggest: str


class LateCancellation(_Strict):
    hours: int = Field(ge=0, le=168)
    fee_dollars: int = Field(ge=0, le=10000)


class Schedule(_Strict):
    time_zone: str
    clinic_hours: dict[Weekday, tuple[ClinicSession, ...]]
    providers: tuple[ProviderSpec, ...] = Field(min_length=1)
    referral_required: tuple[ReferralRule, ...] = ()
    late_cancellation: LateCancellation
    min_notice_minutes: int = Field(60, ge=0, le=10080)
    search_days: int = Field(14, ge=1, le=90)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    def cross_check(self) -> list[tuple[Location, str]]:
        """Problems between fields, each with where it is (checked after the fields validate)."""
        problems: list[tuple[Location, str]] = []
        seen: set[str] = set()
        for i, provider in enumerate(self.providers):
            if provider.id in seen:
                problems.append((("providers", i, "id"), f"provider id {provider.id!r} is used twice"))
            seen.add(provider.id)
        departments = {p.department for p in self.providers}
        for i, rule in enumerate(self.referral_required):
            for key in ("department", "suggest"):
                name = getattr(rule, key)
                if name not in departments:
                    message = f"department {name!r} has no provider in this schedule"
                    problems.append((("referral_required", i, key), message))
        return problems

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def sessions(self, day: Weekday) -> tuple[ClinicSession, ...]:
        return self.clinic_hours.get(day, ())

    def referral_for(self, department: str) -> ReferralRule | None:
        return next((r for r in self.referral_required if r.department == department), None)


def _parse_session(text: Any) -> Any:
    """ "08:00-12:00" -> {"start": 08:00, "end": 12:00}."""
    if isinstance(text, dict):
        return text
    match = _SESSION.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"clinic session {text!r} is not HH:MM-HH:MM")
    start = time(int(match[1]), int(match[2]))
    end = time(int(match[3]), int(match[4]))
    if end <= start:
        raise ValueError(f"clinic session {text!r} ends before it starts")
    return {"start": start, "end": end}


class GuardianSpec(_Strict):
    name: str = Field(min_length=1)
    relationship: str = "parent"


class PatientSpec(_Strict):
    name: str = Field(min_length=1)
    date_of_birth: date
    mrn: str = Field(pattern=r"^[A-Z]{2,5}-\d{4,10}$")
    phone: str = Field(min_length=7)
    minor: bool = False
    referrals: tuple[str, ...] = ()
    guardians: tuple[GuardianSpec, ...] = ()

    @model_validator(mode="after")
    def _minor_has_guardian(self) -> PatientSpec:
        if self.minor and not self.guardians:
            raise ValueError("a minor needs at least one guardian on file")
        return self


class DemoPatients(_Strict):
    patients: tuple[PatientSpec, ...]

    def cross_check(self) -> list[tuple[Location, str]]:
        problems: list[tuple[Location, str]] = []
        seen: set[str] = set()
        for i, patient in enumerate(self.patients):
            if patient.mrn in seen:
                problems.append((("patients", i, "mrn"), "this MRN is used twice"))
            seen.add(patient.mrn)
        return problems


def load_schedule(site_dir: Path) -> Schedule:
    """Read and validate `<site_dir>/schedule.yaml`; raises SiteDataError."""
    return _load(Path(site_dir) / SCHEDULE_FILE, Schedule)


def load_demo_patients(site_dir: Path) -> DemoPatients:
    """Read and validate `<site_dir>/demo-patients.yaml`; raises SiteDataError."""
    return _load(Path(site_dir) / PATIENTS_FILE, DemoPatients)


def _load(path: Path, model: type[M]) -> M:
    try:
        data, lines = load_yaml(path)
    except YamlError as exc:
        raise SiteDataError(exc.path, exc.line, exc.reason) from None
    if not isinstance(data, dict):
        raise SiteDataError(path, 1, "expected a mapping of settings at the top level")
    try:
        loaded = model.model_validate(data)
    except ValidationError as exc:
        raise SiteDataError.at(lines.validation_errors(exc)[0]) from None
    for loc, message in loaded.cross_check()[:1]:
        raise SiteDataError.at(lines.error(loc, f"{'.'.join(str(p) for p in loc)}: {message}"))
    return loaded


@contextmanager
def _transaction(session_factory: Callable[[], Session]) -> Iterator[Session]:
    with session_factory() as session, session.begin():
        yield session


def seed_demo(
    session_factory: Callable[[], Session], site_dir: Path, *, patients: bool = True
) -> dict[str, int]:
    """Write the site's providers and (with `patients`) its demo patients; idempotent (keyed on
    provider id and MRN).

    Returns how many rows were added, by kind. Both files are validated before anything is
    written, and everything is written in one transaction. Several processes may seed at once
    (the SIP workers of one box start together): one that loses the race to insert a row finds
    it on its second pass and only updates it.
    """
    from sqlalchemy.exc import IntegrityError

    try:
        return _seed(session_factory, site_dir, patients)
    except IntegrityError:
        return _seed(session_factory, site_dir, patients)


def _seed(session_factory: Callable[[], Session], site_dir: Path, patients: bool) -> dict[str, int]:
    schedule = load_schedule(site_dir)
    demo = load_demo_patients(site_dir) if patients else DemoPatients(patients=[])
    added = {"providers": 0, "patients": 0, "guardians": 0}
    with _transaction(session_factory) as session:
        for spec in schedule.providers:
            row = session.get(Provider, spec.id)
            if row is None:
                row = Provider(id=spec.id)
                session.add(row)
                added["providers"] += 1
            row.name, row.department = spec.name, spec.department
            row.days, row.slot_minutes = ",".join(spec.days), spec.slot_minutes
        for pspec in demo.patients:
            patient = session.scalar(select(Patient).where(Patient.mrn == pspec.mrn))
            if patient is None:
                patient = Patient(mrn=pspec.mrn)
                session.add(patient)
                added["patients"] += 1
            patient.name, patient.date_of_birth = pspec.name, pspec.date_of_birth
            patient.phone, patient.is_minor = pspec.phone, pspec.minor
            patient.referrals = list(pspec.referrals)
            session.flush()
            known = set(session.scalars(select(Guardian.name).where(Guardian.patient_id == patient.id)))
            for gspec in pspec.guardians:
                if gspec.name not in known:
                    session.add(
                        Guardian(patient_id=patient.id, name=gspec.name, relationship=gspec.relationship)
                    )
                    added["guardians"] += 1
    return added
