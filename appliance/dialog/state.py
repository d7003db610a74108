"""The conversation's state: what the flow runner works on and what a snapshot copies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.dialog.decisions import Ask, Outcome
from appliance.dialog.redflags import RedFlag
from appliance.tools.base import ToolResult


@dataclass
class DialogState:
    """Everything the conversation has established, and nothing else: a snapshot is a copy.

    Changed by the flow runner, tool results and the engine's screening of each turn. What
    follows the call rather than the conversation (whether digits are secure now, the tasks and
    early lookups in flight) is the engine's, so taking a turn back leaves it alone."""

    flow: str | None = None
    last_flow: str | None = None
    step: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    results: dict[str, ToolResult] = field(default_factory=dict)
    expecting: str | None = None  # what the caller's next words answer
    last_prompt: str = ""  # the question that is repeated on "say that again" or after silence
    offered: list[Mapping[str, Any]] = field(default_factory=list)
    offered_text: list[str] = field(default_factory=list)
    offer_into: str | None = None
    offer_reruns: bool = False  # the choice answers the current call step ("which appointment?")
    retry_to: int | None = None
    referral: Mapping[str, Any] | None = None
    confirmed: set[int] = field(default_factory=set)
    verified: bool = False
    patient_ref: str | None = None
    identity_attempts: int = 0
    actions: list[dict[str, str]] = field(default_factory=list)
    last_tool: ToolResult | None = None
    recording: bool = True
    keyed: str = field(default="", repr=False)  # a secure keypad entry so far: never shown
    dob_keyed: bool = False  # the last date of birth tried was keyed in: the retry invites keys

    # -- the conversation around the flows ------------------------------------------------------
    history: list[tuple[str, str]] = field(default_factory=list)  # ("caller" | "agent", text)
    turn_mark: int = 0  # where this turn's agent lines start in the history
    finished: bool = False  # transferred or hung up: nothing more is said
    silences: int = 0  # silent turns in a row
    misses: int = 0  # turns in a row with nothing understood
    request: str = ""  # the caller's first words (digits masked), for the handoff summary
    last_text: str = ""  # the caller's words this turn, for the rule for doubt
    unspoken: Outcome | None = None  # a tool result the caller barged in before hearing
    safety: tuple[RedFlag, str] | None = None  # a possible emergency asked about, and its words
    heard_caller: bool = False  # the first spoken turn decides the caller's language
    language: str = ""  # the caller's language when it is not one the site speaks


def ask(state: DialogState, expecting: str | None, text: str) -> Ask:
    """A question: the caller's next words answer `expecting`; `text` is what a reprompt repeats."""
    state.expecting = expecting
    state.last_prompt = text
    return Ask(text)
