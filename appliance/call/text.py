"""Text mode: the same CallSession, hearing typed turns and speaking timed text.

The simulator's text mode (and anything else without audio) runs a call through the one
session, so a text scenario goes through the same inbox, speaker, ending, secure digits and
recording switches as a phone call. Two stages differ:
- `TextListener`: the caller's turns arrive as words (`hear`), never as audio; words typed
  while the agent speaks interrupt it at once (typed words are never a cough or an echo).
  Frames still arrive on the call's media clock, so the no-input timer runs on it as on a call.
- `TimedText`, the voice: a sentence "plays" for as long as saying it takes at the configured
  speaking rate (`[speech] words_per_minute`), as silent frames. A barge-in after some
  milliseconds therefore cuts the reply at the words that would have been heard by then.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

from appliance.audio import silence
from appliance.call.messages import Message, NoInput, TurnHeard
from appliance.call.preemptive import PartialUnderstanding
from appliance.call.speaker import Reply, Speaker
from appliance.call.state import CallState
from appliance.events import CallerSaid, EventSink


class TimedText:
    """The text-mode voice: as much silence as the sentence takes to say."""

    def __init__(self, words_per_minute: int) -> None:
        self.words_per_minute = words_per_minute

    def duration_ms(self, text: str) -> int:
        return round(len(text.split()) * 60000 / self.words_per_minute)

    async def synthesize(self, text: str, sample_rate_hz: int, **_: Any) -> AsyncIterator[bytes]:
        yield silence(sample_rate_hz, self.duration_ms(text))


class TextListener:
    """Hears typed turns; the frames of the call's clock only run the no-input timer."""

    def __init__(
        self,
        *,
        call_id: str,
        settings: Any,
        state: CallState,
        speaker: Speaker,
        partials: PartialUnderstanding,
        emit: EventSink,
        now_ms: Callable[[], float],
        post: Callable[[Message], None],
    ) -> None:
        self.call_id = call_id
        self._emit = emit
        self._cfg = settings
        self._state = state
        self._speaker = speaker
        self.partials = partials
        self._now_ms = now_ms
        self._post = post
        self.asr: Any = None  # no recognizer in text mode
        self.listening = False
        self.last_turn: Any = None  # typed turns are never taken back: no continuation
        self.turn_open = False
        self.hearing = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        return None

    def hear(self, text: str) -> None:
        """The caller typed a turn (on the call's loop): recorded as said, as a call's final
        transcript is (the figures count it, the encrypted transcript keeps it)."""
        self._emit(CallerSaid(self.call_id, self._now_ms(), text=text))
        self._state.idle_since = 0.0
        if self._speaker.active():
            self._speaker.interrupt()
        self._post(TurnHeard(text))

    def feed(self, frame: bytes) -> None:
        self.check_no_input()

    def check_no_input(self) -> None:
        """A reprompt after `no_input_timeout_ms` of silence to a finished reply (the call's clock)."""
        state = self._state
        idle = state.idle_since and not self._speaker.active() and self._speaker.reply is None
        if idle and self._now_ms() - state.idle_since >= self._cfg.no_input_timeout_ms:
            state.idle_since = 0.0
            self._post(NoInput())

    def mark_caller_speech_end(self) -> None:
        return None

    def take_back(self, reply: Reply | None) -> bool:
        return False

    def stop(self) -> None:
        return None
