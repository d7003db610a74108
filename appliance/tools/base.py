"""The tool interface: what the dialog may ask the action gateway to do.

The dialog never calls a tool function directly: it asks the gateway by name, with the set of
tools the current flow allows. The gateway refuses anything outside that set, enforces the
timeout, runs the tool's side effect as one transaction, and logs the call (no PHI).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

TOOL_NAMES = (
    "verify_identity",
    "find_slots",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "request_refill",
    "request_callback",
)


@dataclass(frozen=True)
class ToolResult:
    tool: str
    ok: bool
    status: str  # ok | refused | failed | timeout | not_found | invalid
    data: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""  # for the dialog's response; never PHI in logs


class ToolGatewayProtocol(Protocol):
    async def call(self, tool: str, args: Mapping[str, Any], *, allowed: Collection[str]) -> ToolResult:
        """Run `tool` if it is in `allowed`; never raises for tool failures (status says)."""

    def side_effect_free(self, tool: str) -> bool:
        """`tool` only reads, so it may run before the caller's turn is final."""
