"""Acting on partials: understanding a stable partial transcript before the turn is final.

While the caller is still speaking, `Preparation.prepare` understands their words so far and
starts the side-effect-free lookup those commands lead to (a tool whose ToolSpec says it only
reads, knowledge retrieval). Nothing is said, applied or emitted: the flow runs on a copy of the
state. When the turn is final, `understood` keeps what was prepared if the final words mean the
same (same commands: intent and slots), and throws it away otherwise; `preemptive` says which.

An epoch moves on with every turn handled, taken back or cut by a barge-in, so a preparation
made before the conversation moved on is never used.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.dialog.commands import (
    AskKnowledge,
    CancelFlow,
    Command,
    Goodbye,
    HandOff,
    RefuseRecording,
    Repeat,
    SetSlot,
    StartFlow,
)
from appliance.dialog.decisions import CallTool
from appliance.dialog.flows import FlowRunner
from appliance.dialog.spoken import normalize
from appliance.dialog.state import DialogState
from appliance.dialog.understanding import CommandGenerator, DialogContext
from appliance.knowledge.base import KnowledgeBaseProtocol
from appliance.tools.base import ToolGatewayProtocol, ToolResult

# Commands that settle a turn without the flow's next step: nothing worth looking up early.
_NO_LOOKUP = (HandOff, Repeat, Goodbye, RefuseRecording)


@dataclass(frozen=True)
class Prepared:
    """What a stable partial transcript was understood as, before the turn was final.

    Only understanding and side-effect-free lookups (a tool whose ToolSpec says so, knowledge
    retrieval): nothing here has been said, stored or done. `handle` keeps it when the final
    words mean the same (same commands: intent and slots) and throws it away otherwise."""

    text: str  # normalized words it was made from
    epoch: int  # the conversation it was made in: a turn handled or taken back since voids it
    commands: tuple[Command, ...]
    lookups: Mapping[str, asyncio.Future[ToolResult]] = field(default_factory=dict)
    passages: Mapping[str, Any] = field(default_factory=dict)  # question -> knowledge passages

    def discard(self) -> None:
        for lookup in self.lookups.values():
            lookup.cancel()


class Preparation:
    """One call's acting on partials: what the final turn may reuse, and what became of it."""

    def __init__(
        self,
        flows: FlowRunner,
        understanding: CommandGenerator,
        gateway: ToolGatewayProtocol,
        knowledge: KnowledgeBaseProtocol,
    ) -> None:
        self._flows = flows
        self._understanding = understanding
        self._gateway = gateway
        self._knowledge = knowledge
        self._pending: Awaitable[Prepared | None] | None = None
        self._lookups: dict[str, asyncio.Future[ToolResult]] = {}
        self._passages: Mapping[str, Any] = {}
        self.preemptive = ""  # "used" | "redone" | "": this turn's (TurnLatency.preemptive)
        self.epoch = 0  # moves on with every turn handled, taken back or cut by a barge-in

    def moved_on(self) -> None:
        """The conversation moved on: what was prepared before is stale."""
        self.epoch += 1

    async def prepare(self, text: str, state: DialogState, context: DialogContext) -> Prepared | None:
        """Understand a stable partial now (the caller's screening let it through), and start the
        side-effect-free lookup its commands lead to; None when its intent is not yet certain."""
        epoch = self.epoch
        commands = await self._understanding.propose(text, context)
        if epoch != self.epoch:
            return None  # the conversation moved on while it was understood
        state = copy.deepcopy(state)
        commands = [self._flows.cleaned(state, c) for c in commands]
        if not commands or any(self._flows.problem(state, c) for c in commands):
            return None  # not understood, or not all of it fits: the intent is not certain
        lookups: dict[str, asyncio.Future[ToolResult]] = {}
        passages: dict[str, Any] = {}
        if not any(isinstance(c, _NO_LOOKUP) for c in commands):
            question = next((c for c in commands if isinstance(c, AskKnowledge)), None)
            if question is not None:
                passages[question.question] = self._knowledge.search(question.question)
            call = self._next_call(state, commands)
            if call is not None:
                lookups[lookup_key(call.tool, call.args)] = asyncio.ensure_future(
                    self._gateway.call(call.tool, call.args, allowed=call.allowed)
                )
        return Prepared(normalize(text), epoch, tuple(commands), lookups, passages)

    def _next_call(self, state: DialogState, commands: list[Command]) -> CallTool | None:
        """The flow's next step after `commands` (on a copy of the state), when it is a tool
        that only reads; None for anything else (a question, a side effect, an identity check)."""
        if any(isinstance(c, CancelFlow) for c in commands):
            self._flows.end(state)
        if start := next((c for c in commands if isinstance(c, StartFlow)), None):
            self._flows.start(state, start.flow)
        self._flows.take_slots(state, [c for c in commands if isinstance(c, SetSlot)])
        reply = self._flows.answer(state, commands)
        if reply.say or reply.goodbye or state.flow is None or state.expecting is not None:
            return None
        decision = self._flows.next(state)
        reads_only = isinstance(decision, CallTool) and not decision.verify
        if reads_only and self._gateway.side_effect_free(decision.tool):  # type: ignore[union-attr]
            return decision  # type: ignore[return-value]
        return None

    def begin(self, prepared: Awaitable[Prepared | None] | None) -> None:
        """A turn starts; `prepared` is `prepare` of its last stable partial, if any."""
        self.preemptive = ""
        self._pending = prepared

    async def understood(self, text: str, state: DialogState, context: DialogContext) -> list[Command]:
        """The turn's commands: the prepared ones when the final words are understood the same
        way (with their early lookups), else a fresh understanding and the prepared one dropped."""
        pending, self._pending = self._pending, None
        prepared: Prepared | None = None
        if pending is not None:
            with contextlib.suppress(Exception):
                prepared = await pending
        if prepared is not None and prepared.epoch != self.epoch:
            prepared.discard()  # made before the conversation moved on: its context is stale
            prepared, self.preemptive = None, "redone"
        if prepared is not None and prepared.text == normalize(text):
            commands = list(prepared.commands)  # the same words: no need to understand them again
        else:
            commands = await self._understanding.propose(text, context)
        if prepared is None:
            return commands
        if [self._flows.cleaned(state, c) for c in commands] == list(prepared.commands):
            self.preemptive = "used"
            self._lookups, self._passages = dict(prepared.lookups), prepared.passages
        else:
            self.preemptive = "redone"  # "book… no, cancel": the final's meaning, from scratch
            prepared.discard()
        return commands

    def lookup(self, tool: str, args: Mapping[str, Any]) -> asyncio.Future[ToolResult] | None:
        """The lookup started on the partial for this very call, taken (used once)."""
        return self._lookups.pop(lookup_key(tool, args), None)

    def has_passages(self, question: str) -> bool:
        return question in self._passages

    def passages(self, question: str) -> Any:
        """Knowledge passages retrieved on the partial for `question` (see `has_passages`)."""
        return self._passages[question]

    def end_turn(self) -> None:
        """The turn is over: the conversation moved on, and lookups prepared for it and not
        used by it are cancelled (they only read)."""
        self.epoch += 1
        pending, self._pending = self._pending, None
        if isinstance(pending, asyncio.Future):
            pending.cancel()
            pending.add_done_callback(_discard_prepared)
        for lookup in self._lookups.values():
            lookup.cancel()
        self._lookups, self._passages = {}, {}


def lookup_key(tool: str, args: Mapping[str, Any]) -> str:
    """Which prepared lookup a tool call may use: the same tool with the same arguments."""
    return f"{tool}:{sorted((k, repr(v)) for k, v in args.items())}"


def _discard_prepared(pending: asyncio.Future[Prepared | None]) -> None:
    if pending.cancelled() or pending.exception() is not None:
        return
    prepared = pending.result()
    if prepared is not None:
        prepared.discard()
