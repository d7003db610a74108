"""CallSession: one phone call, from the first inbound frame to the transfer or hang-up.

Transport-agnostic: it takes 20 ms PCM16 frames in (`feed`) and gives 20 ms frames out
(`next_frame`); SIP and the simulator's file transport both drive it the same way.

Threads: everything but `next_frame` runs on the call's asyncio loop. `feed`, `press` and
`caller_hung_up` must be called on that loop (a SIP bridge hops over with
call_soon_threadsafe). `next_frame` may be called from any thread (pjsip's media clock): it
only pops a deque under a short lock. Per frame the loop does the VAD (well under a
millisecond), the turn-taking state machine, and a non-blocking hand-off of audio to the
recognizer's worker; recognition, synthesis and tools run elsewhere.

A turn: speech start opens a recognizer stream (with ~300 ms of pre-roll) and feeds it as the
caller speaks; end of turn awaits only the last bit of decoding; the dialog's response streams
sentence by sentence into synthesis and the outbound queue. Barge-in clears the queue at once,
cancels generation and synthesis, and tells the dialog which words were actually played. Any
fault ends in a transfer to a person (DESIGN invariant 4), never in silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from appliance.call.bargein import SENSITIVITY, Action, OverlapJudge
from appliance.call.echo import EchoGuard
from appliance.call.endpointing import EndpointPolicy, PauseJudge, shared_turn_model
from appliance.call.faults import CallFault, Fault, fault_of
from appliance.call.playout import OutboundAudio
from appliance.call.preemptive import PartialUnderstanding
from appliance.call.prompts import LINE_DID_NOT_ANSWER, NO_ONE_AVAILABLE
from appliance.call.sentences import split_sentences
from appliance.call.transport import CallTransport
from appliance.call.turns import EndOfTurnDetector, Signal, TurnTakingConfig
from appliance.dialog.actions import CallerTurn, HangUp, Say, SecureDigits, SetRecording, Transfer
from appliance.events import (
    AgentSaid,
    AsrFinal,
    BargeIn,
    CallEnded,
    CallerSaid,
    CallFaulted,
    CallStarted,
    DisclosurePlayed,
    Event,
    EventSink,
    HungUp,
    SpeechStarted,
    TransferFailed,
    TransferStarted,
    TurnEnded,
    TurnLatency,
)
from appliance.outcomes import CallOutcome, TransferReason, hang_up_outcome

if TYPE_CHECKING:
    from appliance.call.services import CallEngines, CallServices
    from appliance.speech.asr.base import AsrStream

RECORDER_SEAL_S = 30.0  # a disk slower than this to seal a call's audio is left to finish alone
log = logging.getLogger(__name__)

PREROLL_FRAMES = 15  # 300 ms: the VAD needs a few frames to be sure speech started
ECHO_PREROLL_FRAMES = 5  # the caller's words after echo: from 100 ms before their first frame
OPERATOR = "operator"


@dataclass
class _TurnTiming:
    speech_end_ms: float = 0.0
    end_of_turn_ms: float = 0.0
    asr_final_ms: float = 0.0
    first_text_ms: float = 0.0
    first_audio_ms: float = 0.0
    first_frame_ms: float = 0.0


@dataclass
class _LastTurn:
    """The caller's last spoken turn and the dialog before it: what a continuation takes back."""

    text: str
    end_of_turn_ms: float
    snapshot: Any
    first_frame: int  # where the turn's audio starts in the inbound frame count


@dataclass
class _SpokenTurn:
    stream: AsrStream
    timing: _TurnTiming
    first_frame: int
    whole: bool = False  # the stream re-heard the words before a pause too: no prefix to add
    overlap: OverlapJudge | None = None  # said over the agent and not yet judged an interruption


@dataclass
class _Response:
    task: asyncio.Task[None]
    timing: _TurnTiming | None
    said: list[str] = field(default_factory=list)  # sentences fully played, in order


class CallSession:
    def __init__(
        self,
        services: CallServices,
        *,
        call_id: str,
        sample_rate_hz: int,
        transport: CallTransport,
        emit: EventSink | None = None,
        caller_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.services = services
        self.call_id = call_id
        self.sample_rate_hz = sample_rate_hz
        self.transport = transport
        self.caller_id = caller_id
        self._loop: asyncio.AbstractEventLoop | None = None  # set by run()
        self._sinks: list[EventSink] = [
            *services.observers(
                call_id, on_failure=self._audit_failed, on_storage_failure=self._storage_failed
            )
        ]
        if emit is not None:
            self._sinks.append(emit)
        self._clock = clock
        self._t0 = clock()
        cfg = services.settings.call
        self._turns = EndOfTurnDetector(
            TurnTakingConfig(
                endpoint_ms=cfg.endpoint_ms,
                barge_in_ms=cfg.barge_in_ms,
                max_turn_ms=cfg.max_turn_ms,
                threshold=cfg.vad_threshold,
                release=max(0.05, cfg.vad_threshold - 0.15),
            )
        )
        self._vad = services.new_vad(sample_rate_hz)
        # How much of a pause ends the turn: the words, Smart Turn, the site's dial.
        self._pauses = PauseJudge(
            EndpointPolicy.for_site(cfg.endpointing),
            shared_turn_model() if cfg.turn_model == "smart-turn" else None,
            sample_rate_hz,
            cfg.endpoint_ms,
        )
        self._prob = 0.0
        # Caller sound over the agent: backchannel, noise, echo or a real interruption.
        self._barge_settings = SENSITIVITY[cfg.interrupt_sensitivity]
        self._overlap: OverlapJudge | None = None
        self._echo = EchoGuard(sample_rate_hz)
        self._frame_ms = 0.0  # audio time of the next inbound frame
        self._preroll: deque[bytes] = deque(maxlen=PREROLL_FRAMES)
        # Recent inbound audio, so that a caller who pauses and goes on is heard as one utterance
        # (the recognizer mishears a fragment like "thanks, bye" alone far more than in context).
        self._heard: deque[bytes] = deque(
            maxlen=(cfg.max_turn_ms + cfg.continuation_ms) // 20 + PREROLL_FRAMES
        )
        self._frames_in = 0
        self._engines: CallEngines = services.current_engines()  # pinned by run() (hot swap)
        self._stream: AsrStream | None = None
        self._stream_first_frame = 0
        self._stream_whole = False
        self._inbox: asyncio.Queue[Any] = asyncio.Queue()
        # What the call is doing that needs no more audio to finish (for `settled`): inbox items
        # not yet handled, and activities (responses, the opening, the fall-back to a person)
        # against those of them that are only waiting for their audio to play (`_drained`).
        self._unhandled = 0
        self._conversing = False  # `_converse` is taking items from the inbox
        self._awaiting_reply = False
        self._checked_partial = ""
        self._urgent_reply = False  # an emergency heard in a partial: its reply plays whole
        # The partial that named a certain emergency and ended the turn. The final decode of the
        # same audio may hear it worse ("crushing chest" then "crushing chip"): a named emergency
        # is never taken back, so the dialog gets these words if the final lost them.
        self._emergency_words = ""
        self._activities = 0
        self._waiting_for_audio = 0
        self._response: _Response | None = None
        self._playout: OutboundAudio | None = None
        self._drained = asyncio.Event()
        self._ended = False
        self._finishing = False  # a transfer or hang-up is under way (_finish_call)
        self._outcome = CallOutcome.CALLER_HUNG_UP
        self._end_reason = ""  # "fault:<stage>" when a fault ended the call
        self._fault: Fault | None = None  # set once: later faults of the same call change nothing
        self._idle_since = 0.0
        self._recording = False  # becomes True after the disclosure, unless the caller refuses
        self._consent = True
        self._secure_digits = False
        self._interruptible = False  # the disclosure always plays whole (DESIGN invariant 5)
        self._true_speech_end_ms: float | None = None
        self._survey_wait: asyncio.Future[str | None] | None = None  # the post-call 1/2/3 press
        self._last_turn: _LastTurn | None = None
        self._prefix = ""  # words of a turn the caller went on with after a pause
        self._speech_start_ms = 0.0
        self._dialog = services.new_dialog(
            call_id=call_id, emit=self._emit, clock_ms=self.now_ms, caller_id=caller_id
        )
        self.recorder = services.new_recorder(call_id, sample_rate_hz, on_failure=self._storage_failed)
        self._partials = PartialUnderstanding(self._dialog.understand_early, enabled=cfg.act_on_partials)

    # -- clock and events -------------------------------------------------------------------
    def now_ms(self) -> float:
        return (self._clock() - self._t0) * 1000.0

    def _emit(self, event: Event) -> None:
        for sink in self._sinks:
            sink(event)

    # -- the transport's side -----------------------------------------------------------------
    def next_frame(self) -> bytes:
        """One outbound 20 ms frame; any thread; never blocks."""
        playout = self._playout
        if playout is None:
            return b"\x00" * (self.sample_rate_hz // 50 * 2)
        frame = playout.next_frame()
        self._echo.played(frame)
        if self.recorder is not None and self._recording:
            self.recorder.agent(frame)
        return frame

    def feed(self, frame: bytes) -> None:
        """One inbound 20 ms frame, on the loop thread. Never raises: a failing stage (the
        recognizer's worker died, the VAD failed) becomes a fault the call boundary hands to a
        person, and the caller's audio is no longer listened to."""
        if self._ended or self._fault is not None:
            return
        t = self._frame_ms
        self._frame_ms += 20.0
        if self.recorder is not None and self._recording:
            # Secure digits: the tones never reach the recording; silence stands in for them.
            self.recorder.caller(bytes(len(frame)) if self._secure_digits else frame)
        try:
            prob = self._vad.process(frame)
        except Exception as exc:
            self.fault(fault_of(exc, "vad"))
            return
        if prob is not None:
            self._prob = prob
        self._preroll.append(frame)
        self._heard.append(frame)
        self._frames_in += 1
        signals = self._turns.process(self._prob, t, agent_playing=self._agent_active())
        self._judge_pause()
        self._judge_overlap()
        try:
            if self._stream is not None and Signal.SPEECH_START not in signals:
                self._stream.feed(frame)
            for signal in signals:
                self._on_signal(signal)
        except Exception as exc:  # the recognizer: its worker died, or none is free
            self.fault(fault_of(exc, "asr"))
            return
        self._check_partial()
        self._check_no_input()

    def _check_partial(self) -> None:
        """An emergency named while the caller is still talking is acted on at once.

        When the partial transcript already names a certain emergency (the dialog's precise
        patterns and concepts), the turn ends here instead of after the caller's last word, and
        the reply (the 911 instruction and the nurse line) plays whole: a caller who keeps talking
        does not cut it off.
        """
        stream = self._stream
        if stream is None or not self._conversing or not self._turns.turn_open:
            return
        partial = stream.partial_text
        if partial == self._checked_partial:
            return
        self._checked_partial = partial
        if self._dialog.emergency_in_partial(partial):
            self._emergency_words = partial
            self._turns.reset()
            self._interruptible = False  # until this turn's reply is over (`_response_done`)
            self._urgent_reply = True
            self._on_signal(Signal.END_OF_TURN)
        elif self._response is None:  # not over the agent's reply: the dialog is free to look
            self._partials.heard(partial)

    def _check_no_input(self) -> None:
        """A reprompt after `no_input_timeout_ms` of the caller saying nothing to a finished reply.

        Checked on every inbound frame, so the timer runs on the call's own clock (a scripted
        call on a simulated clock reprompts at the same audio time on every run); the inbox
        poll checks it too, for a line whose audio has stopped.
        """
        idle = self._idle_since and not self._turns.turn_open and not self._agent_active()
        timeout_ms = self.services.settings.call.no_input_timeout_ms
        if idle and self._response is None and self.now_ms() - self._idle_since >= timeout_ms:
            self._idle_since = 0.0
            self._post(CallerTurn(kind="silence"))

    def _post(self, item: Any) -> None:
        """Hand an item to the call's loop (`_converse`); it counts as unhandled until then."""
        self._unhandled += 1
        self._inbox.put_nowait(item)

    @property
    def settled(self) -> bool:
        """Nothing is in flight that would finish without more audio.

        The inbox is handled, and every activity (recognition of an ended turn, the dialog,
        synthesis) has finished or is only waiting for its audio to play. A simulated media
        clock advances only when the call has settled, so a scripted call is decided the same
        way on every run, however loaded the machine (appliance/sim/audio.py).
        """
        waiting = 0 if self._drained.is_set() else self._waiting_for_audio  # a set event: they run on
        if self._survey_wait is not None and not self._survey_wait.done():
            waiting += 1  # the goodbye's rating waits for the caller's key
        unhandled = self._unhandled if self._conversing else 0  # before and after: nobody takes them
        if self._awaiting_reply:
            unhandled = 0  # the item in hand, and all behind it, wait for a reply that is playing
        hearing = self._stream is not None and not getattr(self._stream, "caught_up", True)
        return unhandled == 0 and self._activities <= waiting and not hearing

    @contextlib.asynccontextmanager
    async def _activity(self) -> Any:
        self._activities += 1
        try:
            yield
        finally:
            self._activities -= 1

    @contextlib.asynccontextmanager
    async def _awaiting_audio(self) -> Any:
        self._waiting_for_audio += 1
        try:
            yield
        finally:
            self._waiting_for_audio -= 1

    def fault(self, fault: Fault) -> None:
        """A stage failed outside the call's own task (on the loop): hand the call to a person.

        The first fault wins; the caller's audio is no longer fed to anything, and the call's
        task answers it ahead of anything the caller said (a priority message).
        """
        if self._fault is not None or self._ended:
            return
        self._fault = fault
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.cancel()
            self._stream = None
        self._post(CallFault(fault))

    def mark_caller_speech_end(self) -> None:
        """The transport knows when the caller truly stopped (the simulator does): use it."""
        self._true_speech_end_ms = self.now_ms()

    def press(self, digits: str) -> None:
        if self._survey_wait is not None and not self._survey_wait.done():
            self._survey_wait.set_result(digits)
            return
        if self._ended:
            return
        if self._agent_active():
            self._barge_in()
        self._post(CallerTurn(kind="dtmf", dtmf=digits))

    def _audit_failed(self, call_id: str, exc: BaseException) -> None:
        """The audit log cannot be written: this call goes to a person (DESIGN invariant 4)."""
        self.fault(Fault("audit", "audit-unavailable"))

    def _storage_failed(self, exc: BaseException) -> None:
        """The disk is full or read-only (any thread): a person takes the call; after the call,
        the loss itself is recorded."""
        fault = fault_of(exc, "storage")
        loop = self._loop
        if self._ended or loop is None or loop.is_closed():
            self.services.data_lost(self.call_id, fault.code)
            return
        with contextlib.suppress(RuntimeError):  # the loop is closing: the call is over anyway
            loop.call_soon_threadsafe(self.fault, fault)

    def caller_hung_up(self) -> None:
        if self._survey_wait is not None and not self._survey_wait.done():
            self._survey_wait.set_result(None)  # the goodbye was said: the call stays contained
            return
        if not self._ended:  # after the agent ended the call, the caller's hang-up changes nothing
            self._post("hangup")

    # -- turn taking --------------------------------------------------------------------------
    def _agent_active(self) -> bool:
        playing = self._playout is not None and self._playout.busy
        return playing or (self._response is not None and not self._response.task.done())

    def _on_signal(self, signal: Signal) -> None:
        if signal is Signal.SPEECH_START:
            self._idle_since = 0.0
            self._speech_start_ms = self.now_ms()
            cfg = self.services.settings.call
            long = getattr(self._dialog, "expects_long_answer", False)
            self._turns.endpoint_ms = self._pauses.turn_started(
                cfg.long_endpoint_ms if long else cfg.endpoint_ms
            )
            self._emit(SpeechStarted(self.call_id, self.now_ms()))
            self._overlap = None
            last = self._last_turn
            going_on = last is not None and self._speech_start_ms - last.end_of_turn_ms <= cfg.continuation_ms
            if self._agent_active() and self._interruptible and not going_on:
                self._overlap = OverlapJudge(self._barge_settings)
                self._overlap.start()
            if self._stream is not None:
                self._stream.cancel()
            self._stream = self._open_stream()
            self._checked_partial = ""
            self._stream_first_frame = self._frames_in - len(self._preroll)
            self._stream_whole = False
            for frame in self._preroll:
                self._stream.feed(frame)
        elif signal is Signal.BARGE_IN:
            if self._overlap is None:  # not judged (the call's own prompts): stop as always
                self._barge_in()
        elif signal in (Signal.END_OF_TURN, Signal.TURN_TOO_LONG):
            stream, self._stream = self._stream, None
            if stream is None:
                return
            now = self.now_ms()
            speech_end = self._true_speech_end_ms
            if speech_end is None or speech_end > now:
                speech_end = now - (self._frame_ms - self._turns.last_speech_end_ms)
            self._true_speech_end_ms = None
            self._emit(TurnEnded(self.call_id, now, silence_ms=now - speech_end))
            overlap, self._overlap = self._overlap, None
            if overlap is not None and (overlap.decided is not None or self._urgent_reply):
                overlap = None  # already an interruption (or an emergency): an ordinary turn
            turn = _SpokenTurn(
                stream, _TurnTiming(speech_end, now), self._stream_first_frame, self._stream_whole, overlap
            )
            self._post(turn)
        elif signal is Signal.NOISE:
            if self._overlap is not None and self._playout is not None:
                self._playout.resume()  # a cough or a click over the agent: it plays on
            self._overlap = None
            if self._stream is not None:
                self._stream.cancel()
                self._stream = None
            if self._prefix:  # the "continuation" was a cough: answer the turn as it was
                prefix, self._prefix = self._prefix, ""
                self._post(CallerTurn(text=prefix))
            self._true_speech_end_ms = None
            self._idle_since = self.now_ms() if not self._agent_active() else 0.0

    def _judge_pause(self) -> None:
        """At a pause in the caller's turn: does it end the turn soon, or wait for more?"""
        if not self._turns.turn_open or self._stream is None or self._loop is None:
            return
        window, generation = self._pauses.frame(self._turns.silence_ms)
        if window is not None:
            self._turns.endpoint_ms = window
        if generation is not None:
            self._activities += 1  # the lockstep clock waits for the verdict, as for any work
            task = self._loop.create_task(self._judge(generation, self._stream))
            task.add_done_callback(lambda _t: self._activity_done())

    def _activity_done(self) -> None:
        self._activities -= 1

    async def _judge(self, generation: int, stream: AsrStream) -> None:
        try:
            await self._judge_words_and_sound(generation, stream)
        except Exception as exc:  # the window stays as it was: the turn still ends, on silence
            log.warning("call %s: end-of-turn verdict failed (%s)", self.call_id, type(exc).__name__)

    async def _judge_words_and_sound(self, generation: int, stream: AsrStream) -> None:
        # The recognizer decodes at the pause anyway (that decode becomes the final): its words
        # are the ones the verdict reads.
        settle = getattr(stream, "settled", None)
        if settle is not None:
            with contextlib.suppress(Exception):
                await settle()
        if not self._pauses.current(generation) or stream is not self._stream:
            return
        verdict, window = self._pauses.verdict_window(
            stream.partial_text, getattr(self._dialog, "expecting", None)
        )
        if window is None:
            turn_frames = max(1, self._frames_in - self._stream_first_frame)
            audio = b"".join(list(self._heard)[-turn_frames:])
            probability = await asyncio.to_thread(self._pauses.score, audio)
            window = self._pauses.window_for(verdict, probability)
        if self._pauses.current(generation) and stream is self._stream and self._turns.turn_open:
            self._turns.endpoint_ms = window

    def _judge_overlap(self) -> None:
        """Caller sound over the agent, frame by frame: pause at once, stop for real words."""
        overlap = self._overlap
        if overlap is None or overlap.decided is not None or not self._turns.turn_open:
            return
        speech = self._turns.in_speech
        echo = speech and self._echo.is_echo(list(self._heard)[-8:])
        first_voice = speech and not echo and overlap.voice_ms == 0 and overlap.echo_ms > 0
        action = overlap.frame(speech, echo)
        if first_voice:
            self._hear_caller_from(self._frames_in - ECHO_PREROLL_FRAMES)
        if action is None and self._stream is not None and self._stream.partial_text:
            action = overlap.partial(self._stream.partial_text, self._agent_text())
        if action is Action.PAUSE and self._playout is not None:
            self._playout.pause()
        elif action is Action.INTERRUPT:
            self._barge_in()

    def _overlap_passes(self, overlap: OverlapJudge, heard: str) -> bool:
        """A finished overlap was only a backchannel or noise, and there is a reply to go back to.

        An answer to the question being asked ("yes" as the agent finishes "is that right?")
        is a turn, not a backchannel; before the question has been heard, "okay" is listening.
        """
        from appliance.dialog.spoken import is_no, is_yes

        if self._playout is None or not self._playout.busy:
            return False
        expecting = getattr(self._dialog, "expecting", None)
        asked = expecting in ("confirm", "anything_else", "retry", "referral") and self._playout.nearly_done()
        if asked and (is_yes(heard) or is_no(heard)):
            return False
        return overlap.ended(heard, self._agent_text()) is Action.RESUME

    def _agent_text(self) -> str:
        """What the agent has just been saying: the words an echo would bring back."""
        said = self._response.said[-2:] if self._response is not None else []
        pending = self._playout.pending_text() if self._playout is not None else ""
        return " ".join([*said, pending])

    def _barge_in(self) -> None:
        if not self._interruptible:
            if self._playout is not None:
                self._playout.resume()  # a reply that plays whole (an emergency's) goes on
            return
        response, self._response = self._response, None
        if response is not None:
            self._report_latency(response.timing)  # the reply had begun: its first frame counts
        report = self._playout.clear() if self._playout is not None else None
        if response is not None and not response.task.done():
            response.task.cancel()
        if report is None or (response is None and not report.segments):
            return
        continued = self._take_back_last_turn(response)
        if not continued:
            self._emit(BargeIn(self.call_id, self.now_ms()))
        finished = self._playout.take_finished() if self._playout else []
        for seg in finished:
            self._emit(AgentSaid(self.call_id, self.now_ms(), text=seg.text))
        partial = [s for s in report.segments if s.frames_played and not s.done]
        cut = " ".join(s.played_text() for s in partial).strip()
        if cut:
            self._emit(AgentSaid(self.call_id, self.now_ms(), text=cut, interrupted=True))
        said = [*(response.said if response else []), *(s.text for s in finished)]
        if not continued:
            self._dialog.played(" ".join([*said, cut]).strip(), complete=False)
        self._drained.set()

    def _take_back_last_turn(self, response: _Response | None) -> bool:
        """The caller only paused: take the agent's reply back and hear the turn as one.

        Only when the caller went on within `continuation_ms` of the end of their turn and the
        reply ran no tool (the dialog refuses otherwise): then the dialog returns to where it was
        and the words before the pause become the start of the turn now being spoken.
        """
        last = self._last_turn
        window = self.services.settings.call.continuation_ms
        if response is None or last is None or self._speech_start_ms - last.end_of_turn_ms > window:
            return False
        if not self._dialog.take_back(last.snapshot):
            return False
        self._prefix = f"{self._prefix} {last.text}".strip()
        self._last_turn = None
        self._rehear_from(last.first_frame)
        return True

    def _open_stream(self) -> AsrStream:
        """A recognizer stream for a turn, listening for what the dialog now waits for."""
        return self._engines.asr.open_stream(
            self.sample_rate_hz, self._dialog.hints(), context=self._dialog.listening_for()
        )

    def _hear_caller_from(self, first_frame: int) -> None:
        """The turn so far was the agent's echo: recognize only from where the caller came in."""
        oldest = self._frames_in - len(self._heard)
        if self._stream is None:
            return
        first_frame = max(first_frame, oldest)
        self._stream.cancel()
        self._stream = self._open_stream()
        for frame in list(self._heard)[first_frame - oldest :]:
            self._stream.feed(frame)
        self._stream_first_frame = first_frame
        self._checked_partial = ""

    def _rehear_from(self, first_frame: int) -> None:
        """Restart recognition on the audio from `first_frame` on: the pause and both parts."""
        oldest = self._frames_in - len(self._heard)
        if self._stream is None or first_frame < oldest:
            return  # too long ago to re-hear: the words before the pause stay a text prefix
        self._stream.cancel()
        self._stream = self._open_stream()
        for frame in list(self._heard)[first_frame - oldest :]:
            self._stream.feed(frame)
        self._stream_first_frame = first_frame
        self._stream_whole = True

    def _on_playout_progress(self) -> None:
        """On the loop: sentences finished playing, or the queue ran dry."""
        if self._playout is None:
            return
        for seg in self._playout.take_finished():
            self._emit(AgentSaid(self.call_id, self.now_ms(), text=seg.text))
            if self._response is not None:
                self._response.said.append(seg.text)
        if not self._playout.busy:
            self._drained.set()

    # -- the call -----------------------------------------------------------------------------
    async def run(self) -> str:
        # The call keeps the engines it starts with: a model swap meanwhile waits for its end.
        async with self.services.lease_engines() as self._engines:
            return await self._run()

    async def _run(self) -> str:
        loop = self._loop = asyncio.get_running_loop()
        self._playout = OutboundAudio(self.sample_rate_hz, loop, self._on_playout_progress, self._clock)
        self._emit(CallStarted(self.call_id, self.now_ms(), self.sample_rate_hz, self.transport.name))
        try:
            # Only the required notices play whole; a key pressed meanwhile waits in the inbox.
            async with self._activity():
                await self._speak_and_act(self._dialog.disclosure(), None)
            self._interruptible = True
            if not self._ended:
                self._emit(DisclosurePlayed(self.call_id, self.now_ms()))
                self._recording = self._consent
                # The welcome and greeting are a reply like any other: "0" or "operator" cuts them.
                self._start_speaking(self._dialog.welcome(), None)
            await self._converse()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the call-level boundary: any fault goes to a person
            fault = self._fault or fault_of(exc)
            log.warning(
                "call %s: fault in stage %s (%s); transferring to a person",
                self.call_id,
                fault.stage,
                fault.code,
            )
            async with self._activity():
                await self._fail_to_human(fault)
        finally:
            await self._close()
        return self._outcome

    async def _converse(self) -> None:
        self._idle_since = self.now_ms()
        self._conversing = True
        try:
            while not self._ended:
                try:
                    item = await asyncio.wait_for(self._inbox.get(), timeout=0.1)
                except TimeoutError:
                    if self._response is not None and self._response.task.done():
                        await self._finish_response()
                    self._check_no_input()
                    continue
                try:
                    await self._handle(item)
                finally:
                    self._unhandled -= 1
        finally:
            self._conversing = False
        # A reply that is ending the call (a transfer, a goodbye) goes on to its end: a refused
        # transfer still gets its apology and fallback, and the outcome says what happened.
        # Caller input is ignored meanwhile (the call has ended for the dialog).
        response = self._response
        if self._finishing and response is not None and not response.task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await response.task

    async def _handle(self, item: Any) -> None:
        """One inbox item: a caller turn, a key press, a finished reply, a hang-up or a fault."""
        if item == "response-done":
            response = self._response
            if response is not None and response.task.done():
                await self._finish_response()
            return
        if isinstance(item, CallFault):
            raise item
        if item == "hangup" and not self._ended:
            self._emit(HungUp(self.call_id, self.now_ms(), by="caller"))
            self._outcome = CallOutcome.CALLER_HUNG_UP
            self._ended = True
            return
        heard: str | None = None
        if isinstance(item, _SpokenTurn) and item.overlap is not None:
            heard = (await item.stream.finish()).strip()
            if self._overlap_passes(item.overlap, heard):
                # "uh-huh", "okay", a cough: the agent goes on with its sentence.
                if self._playout is not None:
                    self._playout.resume()
                self._emit(AsrFinal(self.call_id, self.now_ms(), text=heard))
                return
        if self._response is not None:
            await self._finish_response(cancel=True)
            if self._ended:  # that reply ended the call (an emergency that played whole)
                if isinstance(item, _SpokenTurn):
                    item.stream.cancel()
                return
        if isinstance(item, _SpokenTurn):
            if heard is None:
                heard = (await item.stream.finish()).strip()
            item.timing.asr_final_ms = self.now_ms()
            self._emit(AsrFinal(self.call_id, self.now_ms(), text=heard))
            text = heard if item.whole and heard else f"{self._prefix} {heard}".strip()
            self._prefix = ""
            named, self._emergency_words = self._emergency_words, ""
            if named and not self._dialog.emergency_in_partial(text):
                text = named  # the words that named the emergency, not a final that lost them
            language = getattr(item.stream, "detected_language", None) or ""  # faster-whisper's
            turn = CallerTurn(text=text, language=language) if text else CallerTurn(kind="silence")
            self._last_turn = (
                _LastTurn(text, item.timing.end_of_turn_ms, self._dialog.snapshot(), item.first_frame)
                if text
                else None
            )
            self._start_response(turn, item.timing, self._partials.take() if text else None)
        elif isinstance(item, CallerTurn) and item.kind in ("speech", "silence"):
            self._start_response(item, None)  # silence: the no-input reprompt
        elif isinstance(item, CallerTurn):
            self._last_turn = None
            if not self._secure_digits:
                self._emit(CallerSaid(self.call_id, self.now_ms(), text=f"DTMF {item.dtmf}"))
            self._start_response(item, None)

    def _start_response(self, turn: CallerTurn, timing: _TurnTiming | None, prepared: Any = None) -> None:
        """`prepared`: what the turn's last stable partial was understood as (preemptive.py)."""
        if prepared is None:
            self._partials.drop()
        self._start_speaking(self._dialog.handle(turn, prepared), timing)

    def _start_speaking(self, actions: Any, timing: _TurnTiming | None) -> None:
        assert self._playout is not None
        self._playout.resume()  # never a new reply into a playout held for an overlap
        self._playout.mark_turn()
        self._activities += 1
        task = asyncio.create_task(self._speak_and_act(actions, timing))
        task.add_done_callback(self._response_done)
        self._response = _Response(task, timing)

    def _response_done(self, task: asyncio.Task[None]) -> None:
        self._activities -= 1
        if self._urgent_reply:
            self._urgent_reply = False
            self._interruptible = True
        if not self._ended:
            self._post("response-done")  # finish it now, not at the next poll: the idle timer starts

    async def _finish_response(self, cancel: bool = False) -> None:
        response, self._response = self._response, None
        if response is None:
            return
        if cancel and not response.task.done():
            self._barge_in_silently(response)
        # A reply that may not be cut (an emergency's instruction) is waited for: the item being
        # handled waits on that reply's audio, and counts as settled when the reply does.
        self._awaiting_reply = True
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await response.task
        finally:
            self._awaiting_reply = False
        exc = response.task.exception() if not response.task.cancelled() else None
        if exc is not None:
            raise exc
        self._report_latency(response.timing)
        if not self._ended and not self._agent_active():
            self._idle_since = self.now_ms()

    def _barge_in_silently(self, response: _Response) -> None:
        self._response = response
        self._barge_in()

    async def _speak_and_act(self, actions: Any, timing: _TurnTiming | None) -> None:
        """Carry out one response: speak its sentences as they come, then transfer or hang up."""
        sentences: asyncio.Queue[str | tuple[str, str] | None] = asyncio.Queue()
        speaker = asyncio.create_task(self._speak(sentences, timing))
        final: Transfer | HangUp | None = None
        spoken: list[str] = []
        try:
            async for action in _aiter(actions):
                if isinstance(action, Say):
                    if timing is not None and not timing.first_text_ms:
                        timing.first_text_ms = self.now_ms()
                    for sentence in split_sentences(action.text):
                        spoken.append(sentence)
                        sentences.put_nowait((sentence, action.language) if action.language else sentence)
                elif isinstance(action, SetRecording):
                    self._consent = action.enabled
                    if not action.enabled:
                        self._recording = False
                        if self.recorder is not None:
                            self.recorder.stop()
                elif isinstance(action, SecureDigits):
                    self._secure_digits = action.enabled
                elif isinstance(action, Transfer | HangUp):
                    final = action
                    break
            sentences.put_nowait(None)
            await speaker
            await self._until_played()
        except BaseException:
            speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await speaker
            raise
        if spoken:
            self._dialog.played(" ".join(spoken), complete=True)
        if final is not None:
            await self._finish_call(final)

    async def _speak(
        self, sentences: asyncio.Queue[str | tuple[str, str] | None], timing: _TurnTiming | None
    ) -> None:
        assert self._playout is not None
        while (item := await sentences.get()) is not None:
            sentence, language = item if isinstance(item, tuple) else (item, None)
            self._drained.clear()
            segment = self._playout.begin(sentence)
            try:
                rendered = self.services.prompts.get(sentence, self.sample_rate_hz) if not language else None
                if rendered is not None:  # a fixed sentence, rendered at start: no engine needed
                    self._playout.push(segment, rendered)
                    continue
                if language:  # another language than the site's: the engine's voice for it
                    audio = self._engines.tts.synthesize(sentence, self.sample_rate_hz, language=language)
                else:
                    audio = self._engines.tts.synthesize(sentence, self.sample_rate_hz)
                async for pcm in audio:
                    if timing is not None and not timing.first_audio_ms:
                        timing.first_audio_ms = self.now_ms()
                    self._playout.push(segment, pcm)
            finally:
                self._playout.end(segment)

    async def _until_played(self) -> None:
        assert self._playout is not None
        while self._playout.busy:
            self._drained.clear()
            if not self._playout.busy:
                break
            async with self._awaiting_audio():
                await self._drained.wait()

    def _report_latency(self, timing: _TurnTiming | None) -> None:
        if timing is None or self._playout is None or self._playout.first_frame_at is None:
            return
        if timing.first_frame_ms:
            return  # reported already
        timing.first_frame_ms = (self._playout.first_frame_at - self._t0) * 1000.0
        first_frame = timing.first_frame_ms
        self._emit(
            TurnLatency(
                self.call_id,
                self.now_ms(),
                voice_to_voice_ms=first_frame - timing.speech_end_ms,
                speech_end_ms=timing.speech_end_ms,
                end_of_turn_ms=timing.end_of_turn_ms,
                asr_final_ms=timing.asr_final_ms,
                first_text_ms=timing.first_text_ms,
                first_audio_ms=timing.first_audio_ms,
                first_frame_ms=first_frame,
                preemptive=self._dialog.preemptive,
            )
        )

    async def _finish_call(self, action: Transfer | HangUp) -> None:
        self._finishing = True
        if isinstance(action, HangUp):
            self._emit(HungUp(self.call_id, self.now_ms(), by="agent"))
            self._outcome = hang_up_outcome(action.reason)
            await self._post_call_survey(action.reason)
            self._ended = True
            await self.transport.hang_up()
            return
        handoff_id = self._store_handoff(action)
        self._emit(
            TransferStarted(
                self.call_id, self.now_ms(), to=action.to, reason=action.reason, handoff_id=handoff_id
            )
        )
        self._outcome = CallOutcome.TRANSFERRED
        self._ended = True
        if await self.transport.transfer(action.to, handoff_id):
            return
        self._emit(TransferFailed(self.call_id, self.now_ms(), to=action.to))  # what really happened
        operator = self.services.extension(OPERATOR)
        if action.to != operator:
            await self._say_now(LINE_DID_NOT_ANSWER)
            self._emit(
                TransferStarted(
                    self.call_id,
                    self.now_ms(),
                    to=operator,
                    reason=TransferReason.TRANSFER_FAILED,
                    handoff_id=handoff_id,
                )
            )
            if await self.transport.transfer(operator, handoff_id):
                return
            self._emit(TransferFailed(self.call_id, self.now_ms(), to=operator))
        await self._say_now(NO_ONE_AVAILABLE)
        self._outcome = CallOutcome.AGENT_HUNG_UP
        await self.transport.hang_up()

    def _store_handoff(self, action: Transfer) -> str:
        """The summary's id once stored; "" when the disk cannot take it (the person still gets
        the caller, without a summary, rather than no one)."""
        try:
            self.services.save_handoff(action.handoff_id, dict(action.summary), self._dialog.history)
        except OSError as exc:
            log.error("call %s: handoff summary not stored (%s)", self.call_id, fault_of(exc).code)
            return ""
        return action.handoff_id

    async def _post_call_survey(self, hangup_reason: str) -> None:
        """After a goodbye the caller may press 1, 2 or 3 to rate the call."""
        survey = self.services.survey(self.call_id, hangup_reason)
        if survey is None:
            return
        await self._say_now(survey.prompt)
        self._survey_wait = asyncio.get_running_loop().create_future()
        try:
            digits = await asyncio.wait_for(self._survey_wait, survey.wait_ms / 1000)
        except TimeoutError:
            digits = None
        finally:
            self._survey_wait = None
        survey.answer(digits)

    async def _say_now(self, text: str) -> None:
        with contextlib.suppress(Exception):
            await self._speak_and_act([Say(text)], None)

    async def _fail_to_human(self, fault: Fault) -> None:
        """Apologise (pre-rendered audio: no engine needed), then transfer to the site's operator
        with a stored summary; the audit log and the figures record which stage failed."""
        self._fault = self._fault or fault
        self._end_reason = fault.reason
        self._emit(CallFaulted(self.call_id, self.now_ms(), stage=fault.stage, code=fault.code))
        if self._ended:
            return
        self._interruptible = False  # the apology plays whole: the caller is no longer heard
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None
        if self._response is not None:
            self._response.task.cancel()
            self._response = None
        if self._playout is not None:
            self._playout.clear()
        actions = self._dialog.fail_to_human(fault.stage)
        try:
            await self._speak_and_act(actions, None)
        except Exception:
            # Even the apology failed: transfer without a word rather than leave the caller alone.
            transfer = next((a for a in actions if isinstance(a, Transfer)), None)
            if transfer is None or self._ended:
                return
            handoff_id = self._store_handoff(transfer)
            self._emit(
                TransferStarted(
                    self.call_id, self.now_ms(), to=transfer.to, reason=transfer.reason, handoff_id=handoff_id
                )
            )
            self._outcome = CallOutcome.TRANSFERRED
            self._ended = True
            if not await self.transport.transfer(transfer.to, handoff_id):
                self._emit(TransferFailed(self.call_id, self.now_ms(), to=transfer.to))
                self._outcome = CallOutcome.AGENT_HUNG_UP
                await self.transport.hang_up()

    async def _close(self) -> None:
        self._ended = True
        self._partials.drop()
        if self._response is not None and not self._response.task.done():
            self._response.task.cancel()
            with contextlib.suppress(BaseException):
                await self._response.task
        if self._stream is not None:
            self._stream.cancel()
            self._stream = None
        if self.recorder is not None:
            self.recorder.close()  # the recorder's writer seals the audio: wait for it off the loop
            await asyncio.to_thread(self.recorder.join, RECORDER_SEAL_S)
        self._emit(CallEnded(self.call_id, self.now_ms(), outcome=self._outcome, reason=self._end_reason))

    # -- for the figures ----------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self._dialog.flow

    @property
    def agent_busy(self) -> bool:
        """The agent is speaking, thinking, or has a caller turn waiting to be handled."""
        return self._agent_active() or self._turns.turn_open or not self._inbox.empty()

    @property
    def outcome(self) -> str:
        return self._outcome


async def _aiter(actions: Any) -> Any:
    """Iterate a list of actions or an async generator of them alike."""
    if hasattr(actions, "__aiter__"):
        async for action in actions:
            yield action
    else:
        for action in actions:
            yield action
