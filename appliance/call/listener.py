"""The listener: hears the caller, frame by frame, and posts their turns to the call's inbox.

Per inbound frame (on the call's loop): the VAD, the turn-taking state machine
(appliance/call/turns.py), how long a pause may last (endpointing.py), whether sound over the
agent is an interruption (bargein.py, echo.py), and a non-blocking hand-off of the audio to the
recognizer's stream. Speech start opens a stream with ~300 ms of pre-roll; end of turn posts
`SpeechEnded`, whose final words the loop awaits. A caller who pauses and goes on is re-heard as
one utterance from the audio kept here, and the reply to the pause is held from their first
sound; the call's later pauses then wait longer for that caller (endpointing.PauseHistory). A
certain emergency named in a partial ends the turn at once, however long the pause windows have
grown; other stable partials are understood early (preemptive.py). An interruption stops the
speaker on the frame that decides it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.audio import FRAME_MS
from appliance.call.bargein import SENSITIVITY, Action, OverlapJudge
from appliance.call.echo import EchoGuard
from appliance.call.endpointing import EndpointPolicy, PauseJudge
from appliance.call.endpointing_intent import RequestNames, request_names_for
from appliance.call.faults import Fault, fault_of
from appliance.call.latency import TurnTiming
from appliance.call.messages import Message, NoInput, SpeechEnded, TurnHeard
from appliance.call.preemptive import PartialUnderstanding
from appliance.call.speaker import Reply, Speaker
from appliance.call.state import CallState, Work
from appliance.call.turns import EndOfTurnDetector, Signal, TurnTakingConfig
from appliance.dialog.sitepack import SitePack
from appliance.events import EventSink, SpeechStarted, TurnEnded

if TYPE_CHECKING:
    from appliance.config import CallSettings
    from appliance.speech.asr.base import AsrStream

log = logging.getLogger(__name__)

PREROLL_FRAMES = 300 // FRAME_MS  # the VAD needs a few frames to be sure speech started
ECHO_PREROLL_FRAMES = 100 // FRAME_MS  # the caller's words after echo: from 100 ms before their first frame


@dataclass
class LastTurn:
    """The caller's last spoken turn and the dialog before it: what a continuation takes back."""

    text: str
    end_of_turn_ms: float
    snapshot: Any
    first_frame: int  # where the turn's audio starts in the inbound frame count


class AudioListener:
    def __init__(
        self,
        *,
        call_id: str,
        sample_rate_hz: int,
        settings: CallSettings,
        vad: Any,
        turn_model: Any,
        dialog: Any,
        state: CallState,
        work: Work,
        speaker: Speaker,
        echo: EchoGuard,
        recorder: Any,
        partials: PartialUnderstanding,
        emit: EventSink,
        now_ms: Callable[[], float],
        post: Callable[[Message], None],
        fault: Callable[[Fault], None],
    ) -> None:
        self.call_id = call_id
        self.sample_rate_hz = sample_rate_hz
        self._cfg = settings
        self._dialog = dialog
        self._state = state
        self._work = work
        self._speaker = speaker
        self._echo = echo
        self._recorder = recorder
        self.partials = partials
        self._emit = emit
        self._now_ms = now_ms
        self._post = post
        self._fault = fault
        self._turns = EndOfTurnDetector(
            TurnTakingConfig(
                endpoint_ms=settings.endpoint_ms,
                barge_in_ms=settings.barge_in_ms,
                max_turn_ms=settings.max_turn_ms,
                threshold=settings.vad_threshold,
                release=max(0.05, settings.vad_threshold - 0.15),
            ),
            frame_ms=FRAME_MS,
        )
        self._vad = vad
        # How much of a pause ends the turn: the words, Smart Turn, the site's dial.
        self._pauses = PauseJudge(
            EndpointPolicy.for_site(settings.endpointing),
            turn_model,
            sample_rate_hz,
            settings.endpoint_ms,
            names_request=_request_names(dialog),
        )
        self._adapt_to_caller = settings.adapt_to_caller
        self._prob = 0.0
        # Caller sound over the agent: backchannel, noise, echo or a real interruption.
        self._barge_settings = SENSITIVITY[settings.interrupt_sensitivity]
        self._overlap: OverlapJudge | None = None
        self._frame_ms = 0.0  # audio time of the next inbound frame
        self._preroll: deque[bytes] = deque(maxlen=PREROLL_FRAMES)
        # Recent inbound audio, so that a caller who pauses and goes on is heard as one utterance
        # (the recognizer mishears a fragment like "thanks, bye" alone far more than in context).
        self._heard: deque[bytes] = deque(
            maxlen=(settings.max_turn_ms + settings.continuation_ms) // FRAME_MS + PREROLL_FRAMES
        )
        self._frames_in = 0
        self.asr: Any = None  # the call's recognizer, pinned when the call runs
        self.stream: AsrStream | None = None
        self._stream_first_frame = 0
        self._stream_whole = False
        self._checked_partial = ""
        # The partial that named a certain emergency and ended the turn. The final decode of the
        # same audio may hear it worse ("crushing chest" then "crushing chip"): a named emergency
        # is never taken back, so the dialog gets these words if the final lost them.
        self._emergency_words = ""
        self._true_speech_end_ms: float | None = None
        self.last_turn: LastTurn | None = None
        self._prefix = ""  # words of a turn the caller went on with after a pause
        self._speech_start_ms = 0.0
        self._held_for_continuation = False  # the reply is held: the caller went on (see below)
        # Where the caller's last speech before the last turn ended (inbound audio time, as the
        # turn taker saw it: the pause windows count from there)
        self._last_speech_end_ms = 0.0
        # The pause the caller is going on after, past the end of their turn, while the reply to
        # it is still coming: once their speech is a turn (not a cough), the call's later pauses
        # wait longer for them (endpointing.PauseHistory). None: not going on.
        self._going_on_after_ms: float | None = None
        self.listening = False  # the loop takes turns from the inbox (partials are checked then)
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def turn_open(self) -> bool:
        return self._turns.turn_open

    @property
    def hearing(self) -> bool:
        """The recognizer is still catching up with audio already fed."""
        return self.stream is not None and not getattr(self.stream, "caught_up", True)

    # -- frames -------------------------------------------------------------------------------
    def feed(self, frame: bytes) -> None:
        """One inbound frame. Never raises: a failing stage (the recognizer's worker died, the
        VAD failed) becomes a fault the call boundary hands to a person."""
        t = self._frame_ms
        self._frame_ms += FRAME_MS
        if self._recorder is not None and self._state.recording:
            # Secure digits: the tones never reach the recording; silence stands in for them.
            self._recorder.caller(bytes(len(frame)) if self._state.secure_digits else frame)
        try:
            prob = self._vad.process(frame)
        except Exception as exc:
            self._fault(fault_of(exc, "vad"))
            return
        if prob is not None:
            self._prob = prob
        self._preroll.append(frame)
        self._heard.append(frame)
        self._frames_in += 1
        signals = self._turns.process(self._prob, t, agent_playing=self._speaker.active())
        self._judge_pause()
        self._judge_overlap()
        try:
            if self.stream is not None and Signal.SPEECH_START not in signals:
                self.stream.feed(frame)
            for signal in signals:
                self._on_signal(signal)
        except Exception as exc:  # the recognizer: its worker died, or none is free
            self._fault(fault_of(exc, "asr"))
            return
        self._check_partial()
        self.check_no_input()

    def mark_caller_speech_end(self) -> None:
        """The transport knows when the caller truly stopped (the simulator does): use it."""
        self._true_speech_end_ms = self._now_ms()

    def check_no_input(self) -> None:
        """A reprompt after `no_input_timeout_ms` of the caller saying nothing to a finished reply.

        Checked on every inbound frame, so the timer runs on the call's own clock (a scripted
        call on a simulated clock reprompts at the same audio time on every run); the session's
        timer checks it too, for a line whose audio has stopped.
        """
        state = self._state
        idle = state.idle_since and not self._turns.turn_open and not self._speaker.active()
        if (
            idle
            and self._speaker.reply is None
            and self._now_ms() - state.idle_since >= self._cfg.no_input_timeout_ms
        ):
            state.idle_since = 0.0
            self._post(NoInput())

    def _check_partial(self) -> None:
        """An emergency named while the caller is still talking is acted on at once.

        When the partial transcript already names a certain emergency (the dialog's precise
        patterns and concepts), the turn ends here instead of after the caller's last word, and
        the reply (the 911 instruction and the nurse line) plays whole: a caller who keeps talking
        does not cut it off.
        """
        stream = self.stream
        if stream is None or not self.listening or not self._turns.turn_open:
            return
        partial = stream.partial_text
        if partial == self._checked_partial:
            return
        self._checked_partial = partial
        if self._dialog.emergency_in_partial(partial):
            self._emergency_words = partial
            self._turns.reset()
            self._state.interruptible = False  # until this turn's reply is over (the speaker)
            self._state.urgent_reply = True
            self._on_signal(Signal.END_OF_TURN)
        elif self._speaker.reply is None:  # not over the agent's reply: the dialog is free to look
            self.partials.heard(partial)

    # -- turn taking --------------------------------------------------------------------------
    def _on_signal(self, signal: Signal) -> None:
        if signal is Signal.SPEECH_START:
            self._speech_started()
        elif signal is Signal.BARGE_IN:
            if self._overlap is None:  # not judged (the call's own prompts): stop as always
                self._speaker.interrupt()
        elif signal in (Signal.END_OF_TURN, Signal.TURN_TOO_LONG):
            self._turn_ended()
        elif signal is Signal.NOISE:
            self._noise()

    def _speech_started(self) -> None:
        cfg = self._cfg
        self._state.idle_since = 0.0
        self._speech_start_ms = self._now_ms()
        long = getattr(self._dialog, "expects_long_answer", False)
        self._turns.endpoint_ms = self._pauses.turn_started(cfg.long_endpoint_ms if long else cfg.endpoint_ms)
        self._emit(SpeechStarted(self.call_id, self._now_ms()))
        self._overlap = None
        last = self.last_turn
        going_on = last is not None and self._speech_start_ms - last.end_of_turn_ms <= cfg.continuation_ms
        # The pause as the windows count it: from the turn taker's last speech frame to this one.
        # One shorter than the first look ended no turn on silence (a turn cut at max_turn_ms, or
        # at an emergency named mid-sentence, that the caller talks on through).
        pause_ms = self._frame_ms - FRAME_MS - self._last_speech_end_ms
        paused = pause_ms >= self._pauses.policy.first_look_ms
        cut_off = going_on and paused and self._speaker.active()  # not an answer to a reply over
        self._going_on_after_ms = pause_ms if cut_off else None
        if self._speaker.active() and self._state.interruptible and not going_on:
            self._overlap = OverlapJudge(self._barge_settings, frame_ms=FRAME_MS)
            self._overlap.start()
        elif going_on and self._speaker.active() and self._state.interruptible:
            # The caller goes on after the pause that ended their turn: hold the reply to it at
            # once, so that none of it is heard while their speech builds up to the barge-in that
            # takes it back (take_back); a blip that turns out to be noise lets it play.
            self._hold_for_continuation()
        self._restart_stream(self._frames_in - len(self._preroll), self._preroll)
        self._checked_partial = ""
        self._stream_whole = False

    def _turn_ended(self) -> None:
        self._held_for_continuation = False  # the session takes the held reply back (or resumes it)
        stream, self.stream = self.stream, None
        if stream is None:
            return
        now = self._now_ms()
        speech_end = self._true_speech_end_ms
        if speech_end is None or speech_end > now:
            speech_end = now - (self._frame_ms - self._turns.last_speech_end_ms)
        self._true_speech_end_ms = None
        self._last_speech_end_ms = self._turns.last_speech_end_ms
        going_on_after, self._going_on_after_ms = self._going_on_after_ms, None
        if going_on_after is not None and self._adapt_to_caller:
            self._pauses.caller_went_on(going_on_after)
        self._emit(TurnEnded(self.call_id, now, silence_ms=now - speech_end))
        overlap, self._overlap = self._overlap, None
        if overlap is not None and (overlap.decided is not None or self._state.urgent_reply):
            overlap = None  # already an interruption (or an emergency): an ordinary turn
        timing = TurnTiming(speech_end, now)
        self._post(SpeechEnded(stream, timing, self._stream_first_frame, self._stream_whole, overlap))

    def _hold_for_continuation(self) -> None:
        if self._speaker.playout is not None:
            self._speaker.playout.pause()
            self._held_for_continuation = True

    def _noise(self) -> None:
        held, self._held_for_continuation = self._held_for_continuation, False
        if (self._overlap is not None or held) and self._speaker.playout is not None:
            self._speaker.playout.resume()  # a cough or a click over the agent: it plays on
        self._overlap = None
        self._going_on_after_ms = None  # a cough is not the caller going on
        if self.stream is not None:
            self.stream.cancel()
            self.stream = None
        if self._prefix:  # the "continuation" was a cough: answer the turn as it was
            prefix, self._prefix = self._prefix, ""
            self._post(TurnHeard(prefix))
        self._true_speech_end_ms = None
        self._state.idle_since = self._now_ms() if not self._speaker.active() else 0.0

    def _judge_pause(self) -> None:
        """At a pause in the caller's turn: does it end the turn soon, or wait for more?"""
        if not self._turns.turn_open or self.stream is None or self._loop is None:
            return
        window, generation = self._pauses.frame(self._turns.silence_ms)
        if window is not None:
            self._turns.endpoint_ms = window
        if generation is not None:
            self._work.begin()  # the lockstep clock waits for the verdict, as for any work
            task = self._loop.create_task(self._judge(generation, self.stream))
            task.add_done_callback(self._work.end)

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
        if not self._pauses.current(generation) or stream is not self.stream:
            return
        verdict, window = self._pauses.verdict_window(
            stream.partial_text, getattr(self._dialog, "expecting", None)
        )
        if window is None:
            turn_frames = max(1, self._frames_in - self._stream_first_frame)
            audio = b"".join(list(self._heard)[-turn_frames:])
            heard = await asyncio.to_thread(self._pauses.hear, audio, stream.partial_text, verdict)
            window = self._pauses.window_for(verdict, heard.probability, heard.voice_up, stream.partial_text)
        if self._pauses.current(generation) and stream is self.stream and self._turns.turn_open:
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
        if action is None and self.stream is not None and self.stream.partial_text:
            action = overlap.partial(self.stream.partial_text, self._speaker.recent_text())
        if action is Action.PAUSE and self._speaker.playout is not None:
            self._speaker.playout.pause()
        elif action is Action.INTERRUPT:
            self._speaker.interrupt()

    def overlap_passes(self, overlap: OverlapJudge, heard: str) -> bool:
        """A finished overlap was only a backchannel or noise, and there is a reply to go back to.

        An answer to the question being asked ("yes" as the agent finishes "is that right?")
        is a turn, not a backchannel; before the question has been heard, "okay" is listening.
        """
        from appliance.dialog.spoken import is_no, is_yes

        playout = self._speaker.playout
        if playout is None or not playout.busy:
            return False
        expecting = getattr(self._dialog, "expecting", None)
        asked = expecting in ("confirm", "anything_else", "retry", "referral") and playout.nearly_done()
        if asked and (is_yes(heard) or is_no(heard)):
            return False
        return overlap.ended(heard, self._speaker.recent_text()) is Action.RESUME

    # -- what the turn said -------------------------------------------------------------------
    def turn_text(self, heard: str, *, whole: bool) -> str:
        """A spoken turn's words: with what came before a pause, and with an emergency named in
        a partial that the final lost."""
        text = heard if whole and heard else f"{self._prefix} {heard}".strip()
        self._prefix = ""
        named, self._emergency_words = self._emergency_words, ""
        if named and not self._dialog.emergency_in_partial(text):
            text = named  # the words that named the emergency, not a final that lost them
        return text

    def remember_turn(self, text: str, end_of_turn_ms: float, first_frame: int) -> None:
        """A spoken turn about to be answered, so that the caller going on can take it back."""
        self.last_turn = (
            LastTurn(text, end_of_turn_ms, self._dialog.snapshot(), first_frame) if text else None
        )

    def take_back(self, reply: Reply | None) -> bool:
        """The caller only paused: take the agent's reply back and hear the turn as one.

        Only when the caller went on within `continuation_ms` of the end of their turn and the
        reply ran no tool (the dialog refuses otherwise): then the dialog returns to where it was
        and the words before the pause become the start of the turn now being spoken.
        """
        last = self.last_turn
        if (
            reply is None
            or last is None
            or self._speech_start_ms - last.end_of_turn_ms > self._cfg.continuation_ms
        ):
            return False
        if not self._dialog.take_back(last.snapshot):
            return False
        self._prefix = f"{self._prefix} {last.text}".strip()
        self.last_turn = None
        self._rehear_from(last.first_frame)
        return True

    # -- recognition --------------------------------------------------------------------------
    def _open_stream(self) -> AsrStream:
        """A recognizer stream for a turn, listening for what the dialog now waits for."""
        stream: AsrStream = self.asr.open_stream(
            self.sample_rate_hz, self._dialog.hints(), context=self._dialog.listening_for()
        )
        return stream

    def _hear_caller_from(self, first_frame: int) -> None:
        """The turn so far was the agent's echo: recognize only from where the caller came in."""
        oldest = self._frames_in - len(self._heard)
        if self.stream is None:
            return
        first_frame = max(first_frame, oldest)
        self._restart_stream(first_frame, list(self._heard)[first_frame - oldest :])
        self._checked_partial = ""

    def _rehear_from(self, first_frame: int) -> None:
        """Restart recognition on the audio from `first_frame` on: the pause and both parts."""
        oldest = self._frames_in - len(self._heard)
        if self.stream is None or first_frame < oldest:
            return  # too long ago to re-hear: the words before the pause stay a text prefix
        self._restart_stream(first_frame, list(self._heard)[first_frame - oldest :])
        self._stream_whole = True

    def _restart_stream(self, first_frame: int, frames: Iterable[bytes]) -> None:
        """A new recognition stream in place of the running one (cancelled), fed `frames`: the
        caller's audio from frame `first_frame` of the call on."""
        if self.stream is not None:
            self.stream.cancel()
        self.stream = self._open_stream()
        self._stream_first_frame = first_frame
        for frame in frames:
            self.stream.feed(frame)

    def stop(self) -> None:
        """The caller is no longer heard (a fault, the call's end)."""
        if self.stream is not None:
            with contextlib.suppress(Exception):
                self.stream.cancel()
            self.stream = None


def _request_names(dialog: Any) -> RequestNames | None:
    """The dialog's site understanding, for terse answers at a pause; None for a dialog without
    a site pack (the turn then waits as for any few words)."""
    site = getattr(dialog, "site", None)
    return request_names_for(site) if isinstance(site, SitePack) else None
