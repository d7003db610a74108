"""Who the caller is: a patient, or a parent or guardian on file for a minor patient.

`verify_identity` matches a name and a date of birth (and, when given, a medical record number)
and answers with the patient's opaque reference, which every other tool then takes.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.store.scheduling import Guardian, Patient
from appliance.tools.base import ToolResult
from appliance.tools.context import ToolArgs, ToolContext, tool_result
from appliance.tools.records import (
    name_key,
)


class VerifyIdentityArgs(ToolArgs):
    """`name` and `dob` are the patient's; with `acting_for`, `name` is the caller (a guardian),
    `acting_for` is the minor patient's name and `dob` the minor's date of birth."""

    name: str = Field(min_length=1, max_length=200)
    dob: date
    acting_for: str | None = Field(None, max_length=200)
    mrn: str | None = Field(None, max_length=32)


def verify_identity(session: Session, args: VerifyIdentityArgs, ctx: ToolContext) -> ToolResult:
    tool = "verify_identity"
    patient_name = args.acting_for or args.name
    key = name_key(patient_name)
    candidates = session.scalars(select(Patient).where(Patient.date_of_birth == args.dob)).all()
    patient = next((p for p in candidates if name_key(p.name) == key), None)
    if patient is not None and args.mrn and patient.mrn.lower() != args.mrn.strip().lower():
        patient = None
    if patient is None:
        return tool_result(tool, "not_found", "I'm sorry, I couldn't match that name and date of birth.")
    if args.acting_for is None:
        if patient.is_minor:
            return tool_result(
                tool,
                "needs_guardian",
                "Because the patient is under eighteen, I need to speak with a parent or guardian "
                "on file. May I have the parent or guardian's full name?",
                is_minor=True,
            )
        return tool_result(
            tool,
            "ok",
            "Thank you, I've found your record.",
            patient_ref=patient.id,
            is_minor=False,
            acting_as="self",
        )
    guardians = session.scalars(select(Guardian).where(Guardian.patient_id == patient.id)).all()
    if not patient.is_minor or not any(name_key(g.name) == name_key(args.name) for g in guardians):
        return tool_result(
            tool,
            "not_authorized",
            "I'm sorry, I can only help with this patient's care when I'm speaking with the patient "
            "or a parent or guardian we have on file.",
            is_minor=patient.is_minor,
        )
    return tool_result(
        tool,
        "ok",
        "Thank you, I've found the record.",
        patient_ref=patient.id,
        is_minor=True,
        acting_as="guardian",
    )
