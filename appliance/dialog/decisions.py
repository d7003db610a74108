"""What the pure dialog core decides, for the engine (appliance/dialog/engine.py) to carry out.

A flow's next step (`Ask`, `Speak`, `CallTool`, `AnswerFromDocuments`, `FlowDone`), what a
tool's result means (`Outcome`), and a `Plan`: the steps a caller turn's commands (flows.py) or
its screening (screening.py, keypad.py) lead to, in order. Plan steps say what to do, never how:
the engine speaks, emits the events with the call's id and clock, builds the transfer's summary
and walks the flow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.dialog.commands import Command
from appliance.events import Event
from appliance.tools.base import ToolResult

FAILURE_STATUSES = ("failed", "timeout", "refused", "cancelled")


@dataclass(frozen=True)
class Ask:
    """Say `text` and wait for the caller; the state already says what the answer fills."""

    text: str


@dataclass(frozen=True)
class Speak:
    """Say `text` and go on with the flow."""

    text: str
    language: str = ""  # ISO 639-1 when not the site's own language


@dataclass(frozen=True)
class CallTool:
    """Call `tool` with `args` through the gateway, allowing only `allowed`; say `filler` if slow.

    Its result goes back through `FlowRunner.apply_verify` (verify=True) or `apply_call` (the
    step at index `step`)."""

    tool: str
    args: dict[str, Any]
    filler: str
    allowed: tuple[str, ...]
    step: int
    verify: bool = False


@dataclass(frozen=True)
class AnswerFromDocuments:
    """Answer `question` from the site's documents, then go on with the flow."""

    question: str


@dataclass(frozen=True)
class FlowDone:
    """Every step is done: end the flow and ask whether there is anything else."""


Decision = Ask | Speak | CallTool | AnswerFromDocuments | FlowDone


@dataclass(frozen=True)
class Outcome:
    """What follows a tool result (or an answer) once the state has been updated."""

    say: str = ""
    handoff: str | None = None  # a transfer target
    reason: str = ""
    stop: bool = False  # the flow waits for the caller
    end_flow: bool = False
    goodbye: bool = False  # the caller is done: say goodbye and hang up
    identity_checked: tuple[bool, int] | None = None  # (verified, attempt), for the event


def tool_failed(result: ToolResult) -> bool:
    """The tool could not do its work (as opposed to a no, or a question back)."""
    return result.status in FAILURE_STATUSES or (result.status == "invalid" and "fields" in result.data)


# -- plans: what a caller turn leads to ----------------------------------------------------------
@dataclass(frozen=True)
class StopRecording:
    """The caller refused recording: stop it now and record their answer."""


@dataclass(frozen=True)
class Emit:
    """Emit `event` (with the call's id and clock) with `fields`."""

    event: type[Event]
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TransferTo:
    """Transfer to `target` (a site transfer target) with the handoff summary; the turn ends."""

    target: str
    reason: str


@dataclass(frozen=True)
class HangUpCall:
    """Hang up; the turn ends."""

    reason: str


@dataclass(frozen=True)
class Advance:
    """Walk the flow's steps until one needs the caller (FlowRunner.next)."""


PlanStep = Ask | Speak | AnswerFromDocuments | StopRecording | Emit | TransferTo | HangUpCall | Advance


@dataclass(frozen=True)
class Plan:
    """What a turn's proposed commands lead to: which were accepted, which were rejected and
    why, and the steps to carry out in order (a transfer or hang-up ends them)."""

    steps: tuple[PlanStep, ...] = ()
    accepted: tuple[Command, ...] = ()
    rejected: tuple[tuple[Command, str], ...] = ()
