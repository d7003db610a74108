"""CallSession: one phone call, from the first inbound frame to the transfer or hang-up.

Transport-agnostic: it takes PCM16 frames of `audio.FRAME_MS` in (`feed`) and gives frames out
(`next_frame`); SIP and the simulator's file transport both drive it the same way.

The call is four stages around one typed inbox (appliance/call/messages.py):
- the listener (listener.py): VAD, turn taking, the recognizer's stream, re-hearing a caller
  who paused; it posts `SpeechEnded`, `TurnHeard` and `NoInput`, and stops the speaker itself
  on a barge-in;
- the speaker (speaker.py): a reply's sentences into synthesis and the playout, recording and
  secure-digit switches; it posts `ReplyDone`;
- the ending (ending.py): goodbye and survey, transfer and its fallbacks, fail to a person;
- the latency record (latency.py).
In text mode (the simulator's `--mode text`) the listener hears typed turns (`hear`) and the
voice is timed text (text.py); everything else is the same session.
The loop here (`_converse`) answers the messages one at a time; a hang-up and a fault jump the
queue. Nothing polls: a finished reply posts itself, and the no-input timer is a loop timer
checked against the call's own clock.

Threads: everything but `next_frame` runs on the call's asyncio loop. `feed`, `press` and
`caller_hung_up` must be called on that loop (a SIP bridge hops over with
call_soon_threadsafe). `next_frame` may be called from any thread (pjsip's media clock): it
only pops a deque under a short lock. Recognition, synthesis and tools run elsewhere.

Any fault ends in a transfer to a person (DESIGN invariant 4), never in silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from appliance.call.echo import EchoGuard
from appliance.call.ending import CallEnding
from appliance.call.faults import CallFault, Fault, fault_of
from appliance.call.latency import LatencyRecord, TurnTiming
from appliance.call.listener import AudioListener
from appliance.call.messages import (
    CallFailed,
    CallInbox,
    Digits,
    HangUp,
    Message,
    NoInput,
    ReplyDone,
    SpeechEnded,
    TurnHeard,
)
from appliance.call.preemptive import PartialUnderstanding
from appliance.call.speaker import Speaker
from appliance.call.state import CallState, Work
from appliance.call.text import TextListener, TimedText
from appliance.call.transport import CallTransport
from appliance.dialog.actions import CallerTurn
from appliance.events import (
    AsrFinal,
    CallEnded,
    CallerSaid,
    CallStarted,
    DisclosurePlayed,
    HungUp,
)
from appliance.outcomes import CallOutcome

if TYPE_CHECKING:
    from appliance.call.assembly import CallParts

RECORDER_SEAL_S = 30.0  # a disk slower than this to seal a call's audio is left to finish alone
log = logging.getLogger(__name__)


class CallSession:
    """One call, made by the composition root (appliance/call/assembly.py: `open_call`)."""

    def __init__(self, parts: CallParts, *, transport: CallTransport) -> None:
        self.call_id = call_id = parts.call_id
        self.sample_rate_hz = sample_rate_hz = parts.sample_rate_hz
        self.transport = transport
        self.caller_id = parts.caller_id
        self._parts = parts
        self._loop: asyncio.AbstractEventLoop | None = None  # set by run()
        line = parts.line
        line.on_audit_failure = self._audit_failed
        line.on_storage_failure = self._storage_failed
        self._line = line
        self.started_at = line.t0  # the call's start on its clock, in seconds (the benchmarks)
        self._emit = line.emit
        self.now_ms = line.now_ms
        cfg = self._cfg = parts.settings
        self._inbox = CallInbox()
        self._state = CallState()
        self._work = Work()
        self._no_input_timer: asyncio.TimerHandle | None = None
        self._dialog = dialog = parts.dialog
        self.recorder = parts.recorder
        self._partials = PartialUnderstanding(dialog.understand_early, enabled=cfg.act_on_partials)
        echo = EchoGuard(sample_rate_hz)
        self._latency = LatencyRecord(call_id, self._emit, self.now_ms, line.t0, lambda: dialog.preemptive)
        self._speaker = Speaker(
            call_id=call_id,
            sample_rate_hz=sample_rate_hz,
            dialog=dialog,
            state=self._state,
            work=self._work,
            emit=self._emit,
            now_ms=self.now_ms,
            latency=self._latency,
            prompts=parts.prompts,
            echo=echo,
            recorder=self.recorder,
            post=self._post,
        )
        self._listener: AudioListener | TextListener
        if parts.hearing == "text":
            self._listener = TextListener(
                call_id=call_id,
                settings=cfg,
                state=self._state,
                speaker=self._speaker,
                partials=self._partials,
                emit=self._emit,
                now_ms=self.now_ms,
                post=self._post,
            )
        else:
            self._listener = AudioListener(
                call_id=call_id,
                sample_rate_hz=sample_rate_hz,
                settings=cfg,
                vad=parts.vad,
                turn_model=parts.turn_model,
                dialog=dialog,
                state=self._state,
                work=self._work,
                speaker=self._speaker,
                echo=echo,
                recorder=self.recorder,
                partials=self._partials,
                emit=self._emit,
                now_ms=self.now_ms,
                post=self._post,
                fault=self.fault,
            )
        self._ending = CallEnding(
            call_id=call_id,
            dialog=dialog,
            state=self._state,
            speaker=self._speaker,
            transport=transport,
            emit=self._emit,
            now_ms=self.now_ms,
            operator=parts.operator,
            save_handoff=parts.save_handoff,
            survey=parts.survey,
        )
        self._speaker.on_final = self._ending.finish
        self._speaker.take_back = self._listener.take_back

    # -- the transport's side -----------------------------------------------------------------
    def next_frame(self) -> bytes:
        """One outbound frame; any thread; never blocks."""
        return self._speaker.next_frame()

    def feed(self, frame: bytes) -> None:
        """One inbound frame, on the loop thread. Never raises: a failing stage becomes a fault
        the call boundary hands to a person, and the caller's audio is no longer listened to."""
        if self._state.ended or self._state.fault is not None:
            return
        self._listener.feed(frame)

    def hear(self, text: str) -> None:
        """A typed caller turn (text mode), on the loop thread; words over the agent interrupt it."""
        if self._state.ended or self._state.fault is not None:
            return
        if not isinstance(self._listener, TextListener):
            raise TypeError("this call hears audio: feed it frames")
        self._listener.hear(text)

    def mark_caller_speech_end(self) -> None:
        """The transport knows when the caller truly stopped (the simulator does): use it."""
        self._listener.mark_caller_speech_end()

    def press(self, digits: str) -> None:
        if self._ending.survey_answer(digits):
            return
        if self._state.ended:
            return
        if self._speaker.active():
            self._speaker.interrupt()
        self._post(Digits(digits))

    def caller_hung_up(self) -> None:
        if self._ending.survey_answer(None):
            return  # the goodbye was said: the call stays contained
        if not self._state.ended:  # after the agent ended the call, the caller's hang-up changes nothing
            self._post(HangUp())

    def fault(self, fault: Fault) -> None:
        """A stage failed outside the call's own task (on the loop): hand the call to a person.

        The first fault wins; the caller's audio is no longer fed to anything, and the call's
        loop answers it ahead of anything the caller said (a priority message).
        """
        if self._state.fault is not None or self._state.ended:
            return
        self._state.fault = fault
        self._listener.stop()
        self._post(CallFailed(fault))

    def _audit_failed(self, call_id: str, exc: BaseException) -> None:
        """The audit log cannot be written: this call goes to a person (DESIGN invariant 4)."""
        self.fault(Fault("audit", "audit-unavailable"))

    def _storage_failed(self, exc: BaseException) -> None:
        """The disk is full or read-only (any thread): a person takes the call; after the call,
        the loss itself is recorded."""
        fault = fault_of(exc, "storage")
        loop = self._loop
        if self._state.ended or loop is None or loop.is_closed():
            self._parts.data_lost(fault.code)
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing: the call is over anyway
            loop.call_soon_threadsafe(self.fault, fault)

    def _post(self, message: Message) -> None:
        """Hand a message to the call's loop (`_converse`); it counts as pending until answered."""
        self._inbox.post(message)

    # -- for the lockstep clock and the figures ----------------------------------------------
    @property
    def settled(self) -> bool:
        """Nothing is in flight that would finish without more audio.

        The inbox is answered, and every activity (recognition of an ended turn, the dialog,
        synthesis, the early understanding of a stable partial and its read-only lookup) has
        finished or is only waiting for its audio to play. A simulated media
        clock advances only when the call has settled, so a scripted call is decided the same
        way on every run, however loaded the machine (appliance/sim/audio.py).
        """
        work = self._work
        waiting = 0 if work.drained.is_set() else work.waiting_for_audio  # a set event: they run on
        if self._ending.waiting_for_survey:
            waiting += 1  # the goodbye's rating waits for the caller's key
        # Before the loop starts and after it ends nobody takes messages: they count for nothing.
        pending = self._inbox.pending if self._listener.listening else 0
        if self._speaker.awaiting_reply:
            pending = 0  # the message in hand, and all behind it, wait for a reply that is playing
        idle = pending == 0 and work.activities <= waiting
        return idle and not self._listener.hearing and not self._partials.busy

    @property
    def flow(self) -> str | None:
        return self._dialog.flow

    @property
    def agent_busy(self) -> bool:
        """The agent is speaking, thinking, or has a caller turn waiting to be answered."""
        return self._speaker.active() or self._listener.turn_open or not self._inbox.empty()

    @property
    def frames_played(self) -> int:
        """Agent frames played so far (text mode's timed text counts, though it is silent)."""
        playout = self._speaker.playout
        return playout.frames_out if playout is not None else 0

    @property
    def outcome(self) -> str:
        return self._state.outcome

    # -- the call -----------------------------------------------------------------------------
    async def run(self) -> str:
        # The call keeps the engines it starts with: a model swap meanwhile waits for its end.
        async with self._parts.lease_engines() as engines:
            self._listener.asr = engines.asr
            text = self._parts.hearing == "text"
            self._speaker.voice = TimedText(self._parts.words_per_minute) if text else engines.tts
            return await self._run()

    async def _run(self) -> str:
        loop = self._loop = asyncio.get_running_loop()
        self._speaker.start(loop, self._line.clock)
        self._listener.start(loop)
        self._emit(CallStarted(self.call_id, self.now_ms(), self.sample_rate_hz, self.transport.name))
        try:
            # Only the required notices play whole; a key pressed meanwhile waits in the inbox.
            async with self._work.activity():
                await self._speaker.speak_and_act(self._dialog.disclosure(), None)
            self._state.interruptible = True
            if not self._state.ended:
                self._emit(DisclosurePlayed(self.call_id, self.now_ms()))
                self._state.recording = self._state.consent
                # The welcome and greeting are a reply like any other: "0" or "operator" cuts them.
                self._speaker.say(self._dialog.welcome(), None)
            await self._converse()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the call-level boundary: any fault goes to a person
            fault = self._state.fault or fault_of(exc)
            log.warning(
                "call %s: fault in stage %s (%s); transferring to a person",
                self.call_id,
                fault.stage,
                fault.code,
            )
            self._listener.stop()
            async with self._work.activity():
                await self._ending.fail_to_human(fault)
        finally:
            await self._close()
        return self._state.outcome

    async def _converse(self) -> None:
        self._state.idle_since = self.now_ms()
        self._listener.listening = True
        try:
            while not self._state.ended:
                message = await self._inbox.take()
                try:
                    await self._answer(message)
                finally:
                    self._inbox.done()
                self._arm_no_input()
        finally:
            self._listener.listening = False
            self._disarm_no_input()
        # A reply that is ending the call (a transfer, a goodbye) goes on to its end: a refused
        # transfer still gets its apology and fallback, and the outcome says what happened.
        # Caller input is ignored meanwhile (the call has ended for the dialog).
        reply = self._speaker.reply
        if self._state.finishing and reply is not None and not reply.task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await reply.task

    async def _answer(self, message: Message) -> None:
        """One message: a caller turn, keys, silence, a finished reply, a hang-up or a fault."""
        if isinstance(message, ReplyDone):
            reply = self._speaker.reply
            if reply is not None and reply.task.done():
                await self._speaker.finish_reply()
            return
        if isinstance(message, CallFailed):
            raise CallFault(message.fault)
        if isinstance(message, HangUp):
            if not self._state.ended:
                self._emit(HungUp(self.call_id, self.now_ms(), by="caller"))
                self._state.outcome = CallOutcome.CALLER_HUNG_UP
                self._state.ended = True
            return
        heard: str | None = None
        if isinstance(message, SpeechEnded) and message.overlap is not None:
            heard = (await message.stream.finish()).strip()
            if self._listener.overlap_passes(message.overlap, heard):
                # "uh-huh", "okay", a cough: the agent goes on with its sentence.
                if self._speaker.playout is not None:
                    self._speaker.playout.resume()
                self._emit(AsrFinal(self.call_id, self.now_ms(), text=heard))
                return
        if self._speaker.reply is not None:
            await self._speaker.finish_reply(cancel=True)
            if self._state.ended:  # that reply ended the call (an emergency that played whole)
                if isinstance(message, SpeechEnded):
                    message.stream.cancel()
                return
        if isinstance(message, SpeechEnded):
            if heard is None:
                heard = (await message.stream.finish()).strip()
            message.timing.asr_final_ms = self.now_ms()
            self._emit(AsrFinal(self.call_id, self.now_ms(), text=heard))
            text = self._listener.turn_text(heard, whole=message.whole)
            language = getattr(message.stream, "detected_language", None) or ""  # faster-whisper's
            turn = CallerTurn(text=text, language=language) if text else CallerTurn(kind="silence")
            self._listener.remember_turn(text, message.timing.end_of_turn_ms, message.first_frame)
            self._reply(turn, message.timing, self._partials.take() if text else None)
        elif isinstance(message, TurnHeard):
            self._reply(CallerTurn(text=message.text, language=message.language), None)
        elif isinstance(message, NoInput):
            self._reply(CallerTurn(kind="silence"), None)
        elif isinstance(message, Digits):
            self._listener.last_turn = None
            if not self._state.secure_digits:
                self._emit(CallerSaid(self.call_id, self.now_ms(), text=f"DTMF {message.digits}"))
            self._reply(CallerTurn(kind="dtmf", dtmf=message.digits), None)

    def _reply(self, turn: CallerTurn, timing: TurnTiming | None, prepared: Any = None) -> None:
        """`prepared`: what the turn's last stable partial was understood as (preemptive.py)."""
        if prepared is None:
            self._partials.drop()
        self._speaker.say(self._dialog.handle(turn, prepared), timing)

    # -- the no-input timer (a line whose audio stopped still gets its reprompt) ---------------
    def _arm_no_input(self) -> None:
        """After each message: when the agent has gone idle, check again once the timeout is up.

        The check itself reads the call's clock (`check_no_input`), so a timer that fires early on
        a simulated clock changes nothing; inbound frames check it as well."""
        self._disarm_no_input()
        if self._state.ended or not self._state.idle_since or self._loop is None:
            return
        left_ms = self._cfg.no_input_timeout_ms - (self.now_ms() - self._state.idle_since)
        self._no_input_timer = self._loop.call_later(max(left_ms, 0.0) / 1000 + 0.001, self._no_input_due)

    def _disarm_no_input(self) -> None:
        if self._no_input_timer is not None:
            self._no_input_timer.cancel()
            self._no_input_timer = None

    def _no_input_due(self) -> None:
        self._no_input_timer = None
        if self._state.ended or self._state.fault is not None:
            return
        self._listener.check_no_input()
        self._arm_no_input()

    async def _close(self) -> None:
        self._state.ended = True
        self._disarm_no_input()
        self._partials.drop()
        await self._speaker.close()
        self._listener.stop()
        if self.recorder is not None:
            self.recorder.close()  # the recorder's writer seals the audio: wait for it off the loop
            await asyncio.to_thread(self.recorder.join, RECORDER_SEAL_S)
        self._emit(
            CallEnded(self.call_id, self.now_ms(), outcome=self._state.outcome, reason=self._state.end_reason)
        )
