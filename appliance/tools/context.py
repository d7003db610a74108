"""What every scheduling tool is given and how it answers: the context (the site's schedule,
the moment it was called, the sealer for a task's details), the base of its arguments, its result.

A tool is a plain function `(session, args, ctx) -> ToolResult` over one SQLAlchemy session; it
never commits (the gateway commits when the result is ok, and rolls back otherwise) and never
reads the wall clock (the current time comes in `ctx.now`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from appliance.tools.base import ToolResult
from appliance.tools.sitedata import Schedule

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


class ToolArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def tool_result(tool: str, status: str, message: str, **data: Any) -> ToolResult:
    return ToolResult(tool=tool, ok=status == "ok", status=status, data=data, message=message)


def to_local(value: datetime, ctx: ToolContext) -> datetime:
    zone = ctx.schedule.zone
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
