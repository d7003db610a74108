"""Understanding: from caller words to proposed commands.

The rule NLU is the embedded default; an LLM-backed generator (appliance/llm engines, wrapped
here in dialog/) proposes the same commands. Whatever proposes, the flow runner decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from appliance.dialog.commands import Command


@dataclass(frozen=True)
class DialogContext:
    """What understanding may know about the conversation so far (no tool results, no PHI rules)."""

    flow: str | None = None  # the active flow, if any
    expecting: str | None = None  # the slot or answer the agent just asked for
    offered: tuple[str, ...] = ()  # options the agent just offered, in order
    flows: tuple[str, ...] = ()  # flows the site offers
    last_agent_text: str = ""


class CommandGenerator(Protocol):
    name: str

    async def propose(self, utterance: str, context: DialogContext) -> list[Command]:
        """Commands for one caller utterance; an empty list when nothing is understood."""
