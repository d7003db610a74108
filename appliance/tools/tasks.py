"""Work for people: a refill request for the nurses and a callback request for the team.

A task's details (the medication and pharmacy, a callback's reason and number) go through the
context's sealer, so on a box that records the caller's words never sit in the tasks table. No
message ever tells a caller that a refill is approved.
"""

from __future__ import annotations

import re
from datetime import UTC
from typing import Any

from pydantic import Field, field_validator, model_validator
from sqlalchemy.orm import Session

from appliance.store.scheduling import Task
from appliance.tools.base import ToolResult
from appliance.tools.context import ToolArgs, ToolContext, tool_result
from appliance.tools.records import (
    find_patient,
    no_patient,
)
from appliance.tools.spoken import (
    digits_words,
)

REFILL_STATUS = "pending_nurse_review"


CALLBACK_STATUS = "pending"


class RequestRefillArgs(ToolArgs):
    patient_ref: str = Field(max_length=32)
    medication: str = Field(min_length=1, max_length=120)
    pharmacy: str = Field(min_length=1, max_length=200)


class RequestCallbackArgs(ToolArgs):
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


def request_refill(session: Session, args: RequestRefillArgs, ctx: ToolContext) -> ToolResult:
    tool = "request_refill"
    patient = find_patient(session, args.patient_ref)
    if patient is None:
        return no_patient(tool)
    task = Task(
        kind="refill",
        patient_id=patient.id,
        details=ctx.task_details({"medication": args.medication, "pharmacy": args.pharmacy}),
        status=REFILL_STATUS,
        created_at=ctx.now.astimezone(UTC),
    )
    session.add(task)
    session.flush()
    return tool_result(
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
    patient = find_patient(session, args.patient_ref) if args.patient_ref else None
    if args.patient_ref and patient is None:
        return no_patient(tool)
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
    return tool_result(
        tool,
        "ok",
        f"I've asked for someone from our team to call you back {where}.",
        task_id=task.id,
        task_status=CALLBACK_STATUS,
        **({"patient_ref": patient.id} if patient else {}),
    )
