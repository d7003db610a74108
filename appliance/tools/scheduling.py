"""The scheduling tools by name: what the gateway may call, with their arguments' schema.

Identity (tools/identity.py), open times (tools/availability.py), booking, moving and cancelling
(tools/appointments.py), and refill and callback requests (tools/tasks.py). Each tool is a plain
function `(session, args, ctx) -> ToolResult` (tools/context.py), run in a worker thread and
called only by `appliance.tools.gateway.ToolGateway`.

Inputs are already normalized by the dialog (names as text, dates as ISO dates, weekdays by
name). `ToolResult.ok` is true exactly when `status == "ok"`. Messages are spoken to the caller
as they are, so numbers and times are written as words, and no message ever tells a caller
that a refill is approved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from appliance.tools.appointments import (
    BookAppointmentArgs,
    CancelAppointmentArgs,
    RescheduleAppointmentArgs,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)
from appliance.tools.availability import FindSlotsArgs, find_slots
from appliance.tools.base import ToolResult
from appliance.tools.context import ToolArgs, ToolContext
from appliance.tools.identity import VerifyIdentityArgs, verify_identity
from appliance.tools.tasks import RequestCallbackArgs, RequestRefillArgs, request_callback, request_refill


@dataclass(frozen=True)
class ToolSpec:
    args: type[ToolArgs]
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
