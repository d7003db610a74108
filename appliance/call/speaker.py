"""The speaker: carries out the dialog's replies and plays them out, sentence by sentence.

A reply is a task (`say`): its sentences go to the voice as they come (a fixed prompt from its
pre-rendered audio, anything else from the call's synthesis engine) and into the playout
(appliance/call/playout.py); recording and secure-digit switches take effect in order; a
transfer or hang-up at its end goes to the ending (`on_final`). `interrupt` is a barge-in: the
playout is cleared on the spot, the reply's task cancelled, and the dialog told which words
were actually played.

Threads: `next_frame` runs on the transport's media clock (any thread) and only pops the
playout's deque; everything else runs on the call's loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from appliance.audio import silence
from appliance.call.echo import EchoGuard
from appliance.call.latency import LatencyRecord, TurnTiming
from appliance.call.messages import Message, ReplyDone
from appliance.call.playout import OutboundAudio
from appliance.call.prompts import Prompts
from appliance.call.sentences import split_sentences
from appliance.call.state import CallState, Work
from appliance.dialog.actions import HangUp, Say, SecureDigits, SetRecording, Transfer
from appliance.events import AgentSaid, BargeIn, EventSink


class Voice(Protocol):
    """What the speaker needs of a synthesis engine: PCM16 chunks for one sentence."""

    def synthesize(self, text: str, sample_rate_hz: int, **kwargs: Any) -> AsyncIterator[bytes]: ...


@dataclass
class Reply:
    task: asyncio.Task[None]
    timing: TurnTiming | None
    said: list[str] = field(default_factory=list)  # sentences fully played, in order


class Speaker:
    def __init__(
        self,
        *,
        call_id: str,
        sample_rate_hz: int,
        dialog: Any,
        state: CallState,
        work: Work,
        emit: EventSink,
        now_ms: Callable[[], float],
        latency: LatencyRecord,
        prompts: Prompts,
        echo: EchoGuard,
        recorder: Any,
        post: Callable[[Message], None],
    ) -> None:
        self.call_id = call_id
        self.sample_rate_hz = sample_rate_hz
        self._dialog = dialog
        self._state = state
        self._work = work
        self._emit = emit
        self._now_ms = now_ms
        self._latency = latency
        self._prompts = prompts
        self._echo = echo
        self._recorder = recorder
        self._post = post
        self._silence = silence(sample_rate_hz)
        self.voice: Voice | None = None  # the call's synthesis engine, pinned when the call runs
        self.playout: OutboundAudio | None = None  # made on the call's loop (`start`)
        self.reply: Reply | None = None
        self.awaiting_reply = False  # the loop waits for a reply that may not be cut
        # What to do with a reply's final action (a transfer or a hang-up): the ending.
        self.on_final: Callable[[Transfer | HangUp], Awaitable[None]] | None = None
        # Whether a barge-in only continued the caller's last turn (the listener decides).
        self.take_back: Callable[[Reply | None], bool] = lambda _reply: False

    def start(self, loop: asyncio.AbstractEventLoop, clock: Callable[[], float]) -> None:
        self.playout = OutboundAudio(self.sample_rate_hz, loop, self._on_progress, clock)

    # -- the transport's side (any thread) ----------------------------------------------------
    def next_frame(self) -> bytes:
        """One outbound frame; never blocks."""
        playout = self.playout
        if playout is None:
            return self._silence
        frame = playout.next_frame()
        self._echo.played(frame)
        if self._recorder is not None and self._state.recording:
            self._recorder.agent(frame)
        return frame

    # -- what the agent is doing --------------------------------------------------------------
    def active(self) -> bool:
        """Playing, or a reply still being decided or synthesized."""
        playing = self.playout is not None and self.playout.busy
        return playing or (self.reply is not None and not self.reply.task.done())

    def recent_text(self) -> str:
        """What the agent has just been saying: the words an echo would bring back."""
        said = self.reply.said[-2:] if self.reply is not None else []
        pending = self.playout.pending_text() if self.playout is not None else ""
        return " ".join([*said, pending])

    # -- replies ------------------------------------------------------------------------------
    def say(self, actions: Any, timing: TurnTiming | None) -> None:
        """Start a reply (a list of actions, or the dialog's async stream of them)."""
        assert self.playout is not None
        self.playout.resume()  # never a new reply into a playout held for an overlap
        self.playout.mark_turn()
        self._work.begin()
        task = asyncio.create_task(self.speak_and_act(actions, timing))
        task.add_done_callback(self._reply_done)
        self.reply = Reply(task, timing)

    def _reply_done(self, task: asyncio.Task[None]) -> None:
        self._work.end()
        if self._state.urgent_reply:
            self._state.urgent_reply = False
            self._state.interruptible = True
        # Settle it now: the idle timer starts, and a reply that ended the call wakes the loop
        # to report its latency and finish.
        self._post(ReplyDone())

    async def finish_reply(self, cancel: bool = False) -> None:
        """Settle the reply: wait for it (interrupting it first when `cancel`), report its latency."""
        reply, self.reply = self.reply, None
        if reply is None:
            return
        if cancel and not reply.task.done():
            self.reply = reply
            self.interrupt()
        # A reply that may not be cut (an emergency's instruction) is waited for: the message
        # being answered waits on that reply's audio, and counts as settled when the reply does.
        self.awaiting_reply = True
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await reply.task
        finally:
            self.awaiting_reply = False
        exc = reply.task.exception() if not reply.task.cancelled() else None
        if exc is not None:
            raise exc
        self._report_latency(reply.timing)
        if not self._state.ended and not self.active():
            self._state.idle_since = self._now_ms()

    async def speak_and_act(self, actions: Any, timing: TurnTiming | None) -> None:
        """Carry out one reply: speak its sentences as they come, then transfer or hang up."""
        sentences: asyncio.Queue[tuple[str, str] | None] = asyncio.Queue()
        speaking = asyncio.create_task(self._speak(sentences, timing))
        final: Transfer | HangUp | None = None
        spoken: list[str] = []
        try:
            async for action in _aiter(actions):
                if isinstance(action, Say):
                    if timing is not None and not timing.first_text_ms:
                        timing.first_text_ms = self._now_ms()
                    for sentence in split_sentences(action.text):
                        spoken.append(sentence)
                        sentences.put_nowait((sentence, action.language or ""))
                elif isinstance(action, SetRecording):
                    self._state.consent = action.enabled
                    if not action.enabled:
                        self._state.recording = False
                        if self._recorder is not None:
                            self._recorder.stop()
                elif isinstance(action, SecureDigits):
                    self._state.secure_digits = action.enabled
                elif isinstance(action, Transfer | HangUp):
                    final = action
                    break
            sentences.put_nowait(None)
            await speaking
            await self._until_played()
        except BaseException:
            speaking.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await speaking
            raise
        if spoken:
            self._dialog.played(" ".join(spoken), complete=True)
        if final is not None and self.on_final is not None:
            await self.on_final(final)

    async def say_now(self, text: str) -> None:
        """A sentence of the call's own (an apology, the survey), whatever fails."""
        with contextlib.suppress(Exception):
            await self.speak_and_act([Say(text)], None)

    async def _speak(
        self, sentences: asyncio.Queue[tuple[str, str] | None], timing: TurnTiming | None
    ) -> None:
        assert self.playout is not None
        while (item := await sentences.get()) is not None:
            sentence, language = item
            self._work.drained.clear()
            segment = self.playout.begin(sentence)
            try:
                rendered = self._prompts.get(sentence, self.sample_rate_hz) if not language else None
                if rendered is not None:  # a fixed sentence, rendered at start: no engine needed
                    self.playout.push(segment, rendered)
                    continue
                assert self.voice is not None
                if language:  # another language than the site's: the engine's voice for it
                    audio = self.voice.synthesize(sentence, self.sample_rate_hz, language=language)
                else:
                    audio = self.voice.synthesize(sentence, self.sample_rate_hz)
                async for pcm in audio:
                    if timing is not None and not timing.first_audio_ms:
                        timing.first_audio_ms = self._now_ms()
                    self.playout.push(segment, pcm)
            finally:
                self.playout.end(segment)

    async def _until_played(self) -> None:
        assert self.playout is not None
        while self.playout.busy:
            self._work.drained.clear()
            if not self.playout.busy:
                break
            async with self._work.awaiting_audio():
                await self._work.drained.wait()

    def _on_progress(self) -> None:
        """On the loop: sentences finished playing, or the queue ran dry."""
        if self.playout is None:
            return
        for seg in self.playout.take_finished():
            self._emit(AgentSaid(self.call_id, self._now_ms(), text=seg.text))
            if self.reply is not None:
                self.reply.said.append(seg.text)
        if not self.playout.busy:
            self._work.drained.set()

    def _report_latency(self, timing: TurnTiming | None) -> None:
        first = self.playout.first_frame_at if self.playout is not None else None
        self._latency.report(timing, first)

    # -- interruptions ------------------------------------------------------------------------
    def interrupt(self) -> None:
        """Barge-in: stop playing at once, cancel the reply, keep only the words played."""
        if not self._state.interruptible:
            if self.playout is not None:
                self.playout.resume()  # a reply that plays whole (an emergency's) goes on
            return
        reply, self.reply = self.reply, None
        if reply is not None:
            self._report_latency(reply.timing)  # the reply had begun: its first frame counts
        report = self.playout.clear() if self.playout is not None else None
        if reply is not None and not reply.task.done():
            reply.task.cancel()
        if report is None or (reply is None and not report.segments):
            return
        continued = self.take_back(reply)
        if not continued:
            self._emit(BargeIn(self.call_id, self._now_ms()))
        finished = self.playout.take_finished() if self.playout else []
        for seg in finished:
            self._emit(AgentSaid(self.call_id, self._now_ms(), text=seg.text))
        partial = [s for s in report.segments if s.frames_played and not s.done]
        cut = " ".join(s.played_text() for s in partial).strip()
        if cut:
            self._emit(AgentSaid(self.call_id, self._now_ms(), text=cut, interrupted=True))
        said = [*(reply.said if reply else []), *(s.text for s in finished)]
        if not continued:
            self._dialog.played(" ".join([*said, cut]).strip(), complete=False)
        self._work.drained.set()

    def abandon(self) -> None:
        """A fault: the reply is dropped unplayed, nothing is reported for it."""
        if self.reply is not None:
            self.reply.task.cancel()
            self.reply = None
        if self.playout is not None:
            self.playout.clear()

    async def close(self) -> None:
        if self.reply is not None and not self.reply.task.done():
            self.reply.task.cancel()
            with contextlib.suppress(BaseException):
                await self.reply.task


async def _aiter(actions: Any) -> AsyncIterator[Any]:
    """Iterate a list of actions or an async generator of them alike."""
    if hasattr(actions, "__aiter__"):
        async for action in actions:
            yield action
    else:
        for action in actions:
            yield action
