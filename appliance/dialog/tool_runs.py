"""One call's tool calls, each run as its own task, shielded from the turn that made it.

When the caller barges in and the pipeline stops iterating (or cancels) the turn, the tool
still finishes and its result lands in the dialog state (`DialogState.unspoken` until the
caller hears it), so the next turn goes on from there and nothing is left half done. Tools are
called only through the gateway, with the current flow's tools as the allowlist; a lookup
started on a stable partial (appliance/dialog/early.py) is used when the call is the same.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.actions import Say
from appliance.dialog.decisions import CallTool, Outcome
from appliance.dialog.early import Preparation
from appliance.dialog.state import DialogState
from appliance.tools.base import ToolGatewayProtocol, ToolResult


class ToolRuns:
    def __init__(
        self,
        gateway: ToolGatewayProtocol,
        early: Preparation,
        filler_s: float,
        state: Callable[[], DialogState],
    ) -> None:
        self._gateway = gateway
        self._early = early
        self._filler_s = filler_s
        self._state = state  # the conversation as it is when a result lands
        self.pending: set[asyncio.Task[ToolResult]] = set()

    async def run(
        self, call: CallTool, apply: Callable[[ToolResult], Outcome]
    ) -> AsyncIterator[Say | Outcome]:
        """Run a tool as its own task; say the filler if it is slow; yield the applied outcome.

        The task records the result in the dialog state itself, so a barge-in that stops this
        generator (or cancels the turn) never leaves a tool half done or its result lost."""
        box: list[Outcome] = []
        task = asyncio.ensure_future(self._run(call.tool, call.args, call.allowed, apply, box))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)
        done, _ = await asyncio.wait({task}, timeout=self._filler_s)
        if not done:
            yield Say(call.filler, filler=True)
        await asyncio.shield(task)
        if box:
            self._state().unspoken = None
            yield box[0]

    async def _run(
        self,
        tool: str,
        args: dict[str, Any],
        allowed: tuple[str, ...],
        apply: Callable[[ToolResult], Outcome],
        box: list[Outcome],
    ) -> ToolResult:
        early = self._early.lookup(tool, args)
        try:
            if early is not None and tool in allowed and not early.cancelled():  # started on the partial
                result = await early
            else:
                result = await self._gateway.call(tool, args, allowed=allowed)
        except asyncio.CancelledError:
            result = ToolResult(tool, False, "cancelled", message=R.SORRY_TOOL)
        except Exception as exc:  # the gateway never raises for tool failures; this is a fault
            result = ToolResult(
                tool, False, "failed", message=R.SORRY_TOOL, data={"error": type(exc).__name__}
            )
        state = self._state()
        state.actions.append({"tool": tool, "status": result.status})
        state.last_tool = result
        box.append(apply(result))
        state.unspoken = box[0]  # cleared once the turn that called the tool goes on to say it
        return result

    async def settle(self) -> None:
        """Wait for tool tasks of an earlier, interrupted turn: the state must be complete."""
        if self.pending:
            with contextlib.suppress(Exception):
                await asyncio.gather(*list(self.pending))
