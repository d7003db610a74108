"""What the stages of one call share: the call's flags, and the work it has in flight.

All on the call's asyncio loop, except the playout's frame path, which reads `recording` and
`secure_digits` (plain booleans: a read from another thread sees the old or the new value).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from appliance.call.faults import Fault
from appliance.outcomes import CallOutcome


@dataclass
class CallState:
    ended: bool = False
    finishing: bool = False  # a transfer or hang-up is under way (the ending)
    outcome: str = CallOutcome.CALLER_HUNG_UP
    end_reason: str = ""  # "fault:<stage>" when a fault ended the call
    fault: Fault | None = None  # set once: later faults of the same call change nothing
    interruptible: bool = False  # the disclosure always plays whole (DESIGN invariant 5)
    recording: bool = False  # becomes True after the disclosure, unless the caller refuses
    consent: bool = True
    secure_digits: bool = False
    urgent_reply: bool = False  # an emergency heard in a partial: its reply plays whole
    idle_since: float = 0.0  # ms on the call's clock since the agent finished; 0: not idle


class Work:
    """What the call is doing that needs no more audio to finish, for the lockstep clock.

    Activities (a reply, the opening, the fall-back to a person, an end-of-turn verdict) against
    those of them that are only waiting for their audio to play. `drained` is set while the
    playout has nothing left to play: then those waiting run on by themselves."""

    def __init__(self) -> None:
        self.activities = 0
        self.waiting_for_audio = 0
        self.drained = asyncio.Event()

    def begin(self) -> None:
        self.activities += 1

    def end(self, *_: object) -> None:
        """Also a done-callback: `task.add_done_callback(work.end)`."""
        self.activities -= 1

    @contextlib.asynccontextmanager
    async def activity(self) -> AsyncIterator[None]:
        self.activities += 1
        try:
            yield
        finally:
            self.activities -= 1

    @contextlib.asynccontextmanager
    async def awaiting_audio(self) -> AsyncIterator[None]:
        self.waiting_for_audio += 1
        try:
            yield
        finally:
            self.waiting_for_audio -= 1
