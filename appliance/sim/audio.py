"""The simulated caller on a media clock; audio mode, and text mode on the same session.

Caller turns are synthesized in a voice that is not the agent's (appliance/sim/voices.py: the
one the recognizer under test hears best, or the one asked for), carried as a phone line would
(G.711 μ-law on an 8 kHz call, G.722 on a 16 kHz one), and fed as 20 ms frames on a media clock
into a CallSession, exactly as a phone call is; the agent's frames are pulled on the same clock.
Both sides are kept for a stereo WAV (caller left, agent right). The caller waits for the agent
to finish before speaking, unless the scenario says to barge in.

Text mode (appliance/sim/text.py) plays the same script through the same CallSession and the
same clock: the session hears the caller's words typed and speaks timed text
(appliance/call/text.py), so only recognition and synthesis are left out.

Threads: one asyncio loop runs the scripted caller, which drives the media clock (`MediaClock`),
and the CallSession.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import wave
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import numpy as np

from appliance.audio import FRAME_MS, frame_bytes, resample, split_frames
from appliance.call.assembly import open_call
from appliance.call.services import CallServices
from appliance.call.session import CallSession
from appliance.events import CallerSaid, Event
from appliance.sim.record import CallLog
from appliance.sim.scenario import Scenario, plain_text, spoken_parts
from appliance.sim.voices import CallerVoice, default_caller_voice, line_round_trip

log = logging.getLogger(__name__)

QUIET_MS = 600  # the agent counts as finished after this much outbound silence
RESPONSE_TIMEOUT_S = 20.0  # of audio time
FRAME_S = FRAME_MS / 1000
SETTLE_TIMEOUT_S = 60.0  # wall time; an engine that takes longer has its own timeout and fault
Pacing = Literal["lockstep", "realtime"]


class SimTransport:
    """The simulator's side of transfers and hang-ups: it accepts them and remembers."""

    def __init__(self, name: str = "sim") -> None:
        self.name = name
        self.transfers: list[tuple[str, str]] = []
        self.hung_up = False
        self.refuse_transfers: set[str] = set()

    async def transfer(self, to: str, handoff_id: str) -> bool:
        self.transfers.append((to, handoff_id))
        return to not in self.refuse_transfers

    async def hang_up(self) -> None:
        self.hung_up = True


class MediaClock:
    """The call's audio clock: each `tick` feeds one caller frame and pulls one agent frame.

    The scripted caller drives it, so that the caller's words and the agent's replies fall on the
    same audio frames on every run. Two pacings:
    - "lockstep" (tests, `wardline simulate`): time is simulated. After each tick the clock waits
      until the session has settled (recognition, dialog and synthesis finished or only waiting
      for their audio to play), as if they took no time. Same input, same call: the same VAD
      windows, the same recognizer input, the same decisions, on a quiet machine or a loaded one.
    - "realtime" (the demo, the benchmarks): one tick every 20 ms of wall time, and whatever the
      engines take is heard as latency, as on a phone line.
    The session's clock is this audio clock in both pacings (`seconds`).
    """

    def __init__(self, sample_rate_hz: int, pacing: Pacing = "lockstep", *, timed_text: bool = False) -> None:
        self.rate = sample_rate_hz
        self.pacing = pacing
        # Timed text (text mode) is silent: the agent speaks while the session plays frames.
        self.timed_text = timed_text
        self._played = 0
        self.session: CallSession | None = None
        self.call: asyncio.Task[str] | None = None
        self._silence = b"\x00" * frame_bytes(sample_rate_hz)
        self._caller: deque[bytes] = deque()
        self._on_last_frame: Callable[[], None] | None = None
        self.caller_track: list[bytes] = []
        self.agent_track: list[bytes] = []
        self.frames = 0
        self.last_agent_audio_frame = 0  # the tick of the last non-silent agent frame
        self.agent_frames = 0
        self._started_at: float | None = None

    def seconds(self) -> float:
        """Audio time: one frame per tick since the call started."""
        return self.frames * FRAME_S

    def say(self, pcm: bytes, on_last_frame: Callable[[], None]) -> None:
        self._caller.extend(split_frames(pcm, self.rate))
        self._on_last_frame = on_last_frame

    @property
    def caller_speaking(self) -> bool:
        return bool(self._caller)

    @property
    def quiet_ms(self) -> float:
        """How long the agent has said nothing, in audio time."""
        return (self.frames - self.last_agent_audio_frame) * FRAME_S * 1000

    async def tick(self) -> None:
        session = self.session
        assert session is not None
        if self._caller:
            frame = self._caller.popleft()
            session.feed(frame)
            if not self._caller and self._on_last_frame is not None:
                self._on_last_frame()
                self._on_last_frame = None
        else:
            frame = self._silence
            session.feed(frame)
        self.caller_track.append(frame)
        out = session.next_frame()
        self.agent_track.append(out)
        self.frames += 1
        if self._agent_spoke(session, out):
            self.last_agent_audio_frame = self.frames
            self.agent_frames += 1
        if self.pacing == "realtime":
            if self._started_at is None:
                self._started_at = time.monotonic()
            delay = self._started_at + self.frames * FRAME_S - time.monotonic()
            await asyncio.sleep(max(0.0, delay))
        else:
            await self._until_settled()

    def _agent_spoke(self, session: CallSession, out: bytes) -> bool:
        if not self.timed_text:
            return out != self._silence and bool(out.strip(b"\x00"))
        played, self._played = self._played, session.frames_played
        return session.frames_played > played

    async def ticks(self, ms: float) -> None:
        for _ in range(round(ms / 1000 / FRAME_S)):
            await self.tick()

    async def _until_settled(self) -> None:
        session, call = self.session, self.call
        assert session is not None and call is not None
        await asyncio.sleep(0)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while not session.settled and not call.done():
            if time.monotonic() > deadline:
                log.warning("simulated call: still busy after %.0f s; the clock goes on", SETTLE_TIMEOUT_S)
                return
            await asyncio.sleep(0.002)

    def write_wav(self, path: Path) -> Path:
        left = np.frombuffer(b"".join(self.caller_track), dtype="<i2")
        right = np.frombuffer(b"".join(self.agent_track), dtype="<i2")
        n = min(len(left), len(right))
        stereo = np.empty(2 * n, dtype="<i2")
        stereo[0::2], stereo[1::2] = left[:n], right[:n]
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(stereo.tobytes())
        return path


async def run_audio(
    scenario: Scenario,
    services: CallServices,
    *,
    sample_rate_hz: int = 16000,
    wav_path: Path | None = None,
    on_event: Callable[[Event], None] | None = None,
    pacing: Pacing = "lockstep",
    caller_voice: CallerVoice | None = None,
) -> CallLog:
    voice = caller_voice or default_caller_voice(services.settings)
    # Every caller line is synthesized before the call: nothing but the call runs on its clock.
    voices = {
        i: await _caller_line(voice, turn.say or "", sample_rate_hz)
        for i, turn in enumerate(scenario.turns)
        if turn.dtmf is None and turn.silence_ms is None and not turn.hang_up
    }
    return await run_call(
        scenario, services, voices, sample_rate_hz=sample_rate_hz, wav_path=wav_path, on_event=on_event,
        pacing=pacing,
    )  # fmt: skip


async def run_call(
    scenario: Scenario,
    services: CallServices,
    voices: dict[int, bytes] | None,
    *,
    sample_rate_hz: int,
    wav_path: Path | None = None,
    on_event: Callable[[Event], None] | None = None,
    pacing: Pacing = "lockstep",
) -> CallLog:
    """One scripted call through a CallSession: spoken (`voices`: each caller line's audio) or,
    with `voices` None, typed (text mode)."""
    log_ = CallLog(scenario.name)
    typed = voices is None
    transport = SimTransport("sim-text" if typed else "sim")

    def sink(event: Event) -> None:
        log_.add(event)
        if on_event is not None:
            on_event(event)

    clock = MediaClock(sample_rate_hz, pacing, timed_text=typed)
    session = open_call(
        services,
        call_id=uuid.uuid4().hex,
        sample_rate_hz=sample_rate_hz,
        transport=transport,
        emit=sink,
        caller_id=scenario.caller_id,
        clock=clock.seconds,
        hearing="text" if typed else "audio",
    )
    clock.session = session
    call = clock.call = asyncio.create_task(session.run())
    try:
        await _play_caller(scenario, voices, session, clock, call, log_, sink)
    finally:
        if not call.done():
            session.caller_hung_up()
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(call), 10)
        call.cancel()
        with contextlib.suppress(BaseException):
            await call
    if wav_path is not None:
        clock.write_wav(wav_path)
    return log_


async def _caller_line(voice: CallerVoice, text: str, sample_rate_hz: int) -> bytes:
    pieces = []
    for part in spoken_parts(text):  # "[pause 800 ms]": the caller stops mid-line, then goes on
        if isinstance(part, int):
            pieces.append(bytes(sample_rate_hz * part // 1000 * 2))
        else:
            pieces.append(resample(await voice.speak(part, 16000), 16000, sample_rate_hz))
    pcm = b"".join(pieces)
    return line_round_trip(pcm, sample_rate_hz)


async def _play_caller(
    scenario: Scenario,
    voices: dict[int, bytes] | None,
    session: CallSession,
    clock: MediaClock,
    call: asyncio.Task[str],
    log_: CallLog,
    sink: Callable[[Event], None],
) -> None:
    first = scenario.turns[0] if scenario.turns else None
    if first is not None and first.barge_in_after_ms is not None:
        # A caller who speaks up during the opening: barge_in_after_ms from its first audio.
        await _agent_started(clock, call, after=0)
        if voices is None:  # typed: on the call's clock, from the opening's first frame
            await clock.ticks(first.barge_in_after_ms)
        else:
            await asyncio.sleep(first.barge_in_after_ms / 1000)
    else:
        await _agent_done(clock, call, after=0)
    for i, turn in enumerate(scenario.turns, 1):
        if call.done():
            return
        log_.turn = i
        if turn.hang_up:
            session.caller_hung_up()
            await asyncio.wait_for(asyncio.shield(call), 10)
            return
        if turn.silence_ms is not None:
            await clock.ticks(turn.silence_ms)
            await _agent_done(clock, call, after=clock.agent_frames)
            continue
        if turn.dtmf is not None:
            heard_before = clock.agent_frames
            session.press(turn.dtmf)
        elif voices is None:  # typed: the session records what it was told
            session.hear(plain_text(turn.say or ""))
            heard_before = clock.agent_frames
        else:
            sink(CallerSaid(session.call_id, session.now_ms(), text=plain_text(turn.say or "")))
            clock.say(voices[i - 1], session.mark_caller_speech_end)
            while clock.caller_speaking and not call.done():
                await clock.tick()
            # The reply to this turn is what the agent plays after the caller's last word (a reply
            # to a fragment, cut off when the caller went on, does not count).
            heard_before = clock.agent_frames
        nxt = scenario.turns[i] if i < len(scenario.turns) else None
        if nxt is not None and nxt.barge_in_after_ms is not None:
            await _agent_started(clock, call, after=heard_before)
            await clock.ticks(nxt.barge_in_after_ms)
        else:
            await _agent_done(clock, call, after=heard_before)


async def _agent_started(clock: MediaClock, call: asyncio.Task[str], after: int) -> None:
    """Listen until the agent has played some audio after its `after`-th frame (audio time)."""
    deadline = clock.frames + RESPONSE_TIMEOUT_S / FRAME_S
    while clock.agent_frames <= after and not call.done() and clock.frames < deadline:
        await clock.tick()


async def _agent_done(clock: MediaClock, call: asyncio.Task[str], after: int) -> None:
    """Listen until the agent has answered (some audio after `after`) and then gone quiet."""
    await _agent_started(clock, call, after)
    deadline = clock.frames + 3 * RESPONSE_TIMEOUT_S / FRAME_S
    assert clock.session is not None
    while not call.done() and clock.frames < deadline:
        if clock.quiet_ms >= QUIET_MS and not clock.session.agent_busy:
            return
        await clock.tick()
