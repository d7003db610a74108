"""The people a scheduling tool is about: providers by name or department, patients by reference.

Names are compared without titles, case or punctuation ("Dr. Patel" is "patel").
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.store.scheduling import Patient, Provider
from appliance.tools.base import ToolResult
from appliance.tools.context import tool_result
from appliance.tools.sitedata import WEEKDAYS, Weekday

_TITLES = {"dr", "doctor", "mr", "mrs", "ms", "miss", "mx"}


def name_key(name: str) -> str:
    words = re.sub(r"[^a-z ]", " ", name.lower().replace("'", "")).split()
    return " ".join(w for w in words if w not in _TITLES)


def find_provider(session: Session, text: str) -> Provider | None:
    key = name_key(text)
    for provider in session.scalars(select(Provider).order_by(Provider.id)):
        full = name_key(provider.name)
        if key in (provider.id, full, full.split()[-1]):
            return provider
    return None


def department_providers(session: Session, department: str) -> list[Provider]:
    wanted = re.sub(r"\s+(department|clinic)$", "", department.strip().lower())
    return [
        p for p in session.scalars(select(Provider).order_by(Provider.id)) if p.department.lower() == wanted
    ]


def provider_days(provider: Provider) -> list[Weekday]:
    return [d for d in WEEKDAYS if d in provider.days.split(",")]


def find_patient(session: Session, ref: str) -> Patient | None:
    return session.get(Patient, ref)


def no_patient(tool: str) -> ToolResult:
    return tool_result(tool, "not_found", "I need to confirm who you are before I can do that.")
