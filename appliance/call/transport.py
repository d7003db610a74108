"""What a CallSession needs from whatever carries the call (SIP, the simulator's file transport)."""

from __future__ import annotations

from typing import Protocol


class CallTransport(Protocol):
    name: str  # "sip" | "sim"

    async def transfer(self, to: str, handoff_id: str) -> bool:
        """Blind transfer to extension `to`; True once the far side accepted it."""

    async def hang_up(self) -> None:
        """End the call from the agent's side."""
