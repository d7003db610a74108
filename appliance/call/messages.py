"""What the stages of a call tell the call's loop: frozen messages on one typed inbox.

The listener posts what the caller did (a spoken turn, a typed turn, keys, silence), the
speaker posts that a reply is over, and anything on the call's side posts a hang-up or a fault.
The session's loop (appliance/call/session.py) takes them one at a time, in order, except that
a hang-up and a fault jump the queue: they are answered before any turn still waiting, as
Pipecat's system frames are (an interruption or a cancel is never stuck behind data).

An interruption of the agent's speech (barge-in) is not queued at all: the listener stops the
speaker on the frame that decides it, because the loop may be waiting on a decode just then
and the agent must not play on meanwhile.

Threads: `CallInbox` belongs to the call's asyncio loop; other threads hop over with
call_soon_threadsafe first (the recorder's writer, the SIP bridge).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from appliance.call.faults import Fault

if TYPE_CHECKING:
    from appliance.call.bargein import OverlapJudge
    from appliance.call.latency import TurnTiming
    from appliance.speech.asr.base import AsrStream


@dataclass(frozen=True)
class Message:
    """One thing for the call's loop to answer; `type` is its stable kebab-case name."""

    type: ClassVar[str] = "message"
    priority: ClassVar[bool] = False  # answered before any ordinary message still waiting


@dataclass(frozen=True, eq=False)
class SpeechEnded(Message):
    """A spoken turn ended; its final words are still being decoded by `stream`."""

    type: ClassVar[str] = "speech-ended"
    stream: AsrStream
    timing: TurnTiming
    first_frame: int  # where the turn's audio starts in the inbound frame count
    whole: bool = False  # the stream re-heard the words before a pause too: no prefix to add
    overlap: OverlapJudge | None = None  # said over the agent and not yet judged an interruption


@dataclass(frozen=True)
class TurnHeard(Message):
    """A caller turn whose words are known: typed (text mode), or what a pause left behind."""

    type: ClassVar[str] = "turn-heard"
    text: str
    language: str = ""  # the recognizer's language code, "" for the site's


@dataclass(frozen=True)
class Digits(Message):
    """Keys the caller pressed (DTMF)."""

    type: ClassVar[str] = "digits"
    digits: str


@dataclass(frozen=True)
class NoInput(Message):
    """The caller said nothing for `no_input_timeout_ms` after a finished reply."""

    type: ClassVar[str] = "no-input"


@dataclass(frozen=True)
class ReplyDone(Message):
    """The agent's reply task finished (played, cut, or failed): settle it now."""

    type: ClassVar[str] = "reply-done"


@dataclass(frozen=True)
class HangUp(Message):
    """The caller hung up."""

    type: ClassVar[str] = "hang-up"
    priority: ClassVar[bool] = True


@dataclass(frozen=True)
class CallFailed(Message):
    """A stage failed outside the call's own task: the call goes to a person."""

    type: ClassVar[str] = "fault"
    priority: ClassVar[bool] = True
    fault: Fault


MESSAGES: tuple[type[Message], ...] = (SpeechEnded, TurnHeard, Digits, NoInput, ReplyDone, HangUp, CallFailed)


class CallInbox:
    """The call's one inbox: two lanes, the priority one always taken first.

    `pending` counts messages posted and not yet answered (`done`), for the lockstep clock's
    `settled`: a message taken but still being answered counts until `done`."""

    def __init__(self) -> None:
        self._lanes: tuple[deque[Message], deque[Message]] = (deque(), deque())  # priority, ordinary
        self._ready = asyncio.Event()
        self.pending = 0

    def post(self, message: Message) -> None:
        self._lanes[0 if message.priority else 1].append(message)
        self.pending += 1
        self._ready.set()

    async def take(self) -> Message:
        while True:
            for lane in self._lanes:
                if lane:
                    return lane.popleft()
            self._ready.clear()
            await self._ready.wait()

    def done(self) -> None:
        """The message last taken has been answered."""
        self.pending -= 1

    def empty(self) -> bool:
        return not (self._lanes[0] or self._lanes[1])
