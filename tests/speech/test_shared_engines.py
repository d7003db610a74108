"""The shared engine process over its Unix socket: a real `wardline engines serve` (pocketsphinx
and espeak-ng loaded once), used through SharedAsr and SharedTts as a SIP worker uses them.

Partials arrive while the caller speaks, the final at the end of the turn; closing a stream
(barge-in) frees its decoder and stops its synthesis at once; a full engine refuses with a code;
an engine process that dies fails the streams that needed it, never hangs them.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from wyoming.asr import Transcribe, Transcript
from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.tts import Synthesize, SynthesizeVoice

from appliance.audio import split_frames
from appliance.config import load_settings
from appliance.dialog.sitepack import load_site
from appliance.registry.engines import asr_for
from appliance.service.engine_host import host_settings as in_process
from appliance.speech.asr.base import AsrError
from appliance.speech.shared.client import SharedAsr, SharedTts, describe
from appliance.speech.shared.protocol import Partial
from appliance.speech.shared.state import read_engine_state
from appliance.speech.tts.base import TtsError
from appliance.speech.tts.espeak import EspeakTts
from tests.conftest import REPO
from tests.fixtures.audio import silence, synthesize_caller
from tests.speech.engine_host import EngineHost, engine_host, host_env

pytestmark = pytest.mark.slow

DECODERS = 2  # pocketsphinx decoder processes in the host: two turns at once


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineHost]:
    data = tmp_path_factory.mktemp("engines") / "data"
    with engine_host(data, streams=DECODERS, speech__asr_workers="1") as running:
        yield running


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower()).split()


async def until(condition, what: str, timeout_s: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s  # a net: the engine answers in milliseconds
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        await asyncio.sleep(0.02)


async def speak(stream, frames: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    """Feed 20 ms frames paced like a media clock (faster than real time: a test is short)."""
    for frame in frames:
        stream.feed(frame)
        await asyncio.sleep(0.005)


def in_use(host: EngineHost) -> dict[str, int]:
    state = read_engine_state(host.socket) or {}
    return {kind: state.get(kind, {}).get("in_use", -1) for kind in ("asr", "tts")}


def espeak_running(host: EngineHost) -> list[int]:
    return [pid for pid, name in host.children() if name.startswith("espeak")]


def test_every_wire_message_round_trips() -> None:
    messages = [
        Transcribe(language="en", context={"listening_for": "identity"}, transcript_terms=["Patel"]),
        AudioStart(rate=8000, width=2, channels=1),
        AudioChunk(rate=8000, width=2, channels=1, audio=b"\x01\x00" * 160),
        AudioStop(),
        Transcript(text="parking for visitors", language="en"),
        Synthesize(text="Hello.", voice=SynthesizeVoice(language="es"), context={"sample_rate_hz": 8000}),
        Error(text="all decoders busy", code="asr-busy"),
        Partial(text="parking for", heard=3200, caught_up=True),
    ]
    for message in messages:
        event = message.event()
        again = type(message).from_event(Event(event.type, json.loads(json.dumps(event.data)), event.payload))
        assert again == message
        assert type(message).is_type(event.type)


def test_describe_names_the_engines_it_serves(host: EngineHost) -> None:
    info = asyncio.run(describe(host.socket))
    assert [p.name for p in info.asr] == ["pocketsphinx"]
    assert [p.name for p in info.tts] == ["espeak-ng"]


def test_partials_while_the_caller_speaks_then_the_same_final_as_in_process(host: EngineHost) -> None:
    frames = split_frames(
        synthesize_caller("How much is parking for visitors?", 8000) + silence(8000, 300), 8000
    )
    seen: dict[str, object] = {}

    async def main() -> None:
        asr = SharedAsr(host.socket)
        await asr.start()
        stream = asr.open_stream(8000, hints=["parking"], context="")
        cut = len(frames) * 2 // 3
        await speak(stream, frames[:cut])
        await until(lambda: stream.partial_text, "a partial before the end of the turn")
        seen["partial"] = stream.partial_text
        await speak(stream, frames[cut:])
        await stream.settled()
        seen["caught_up"] = stream.caught_up
        seen["final"] = await stream.finish()
        await asr.close()
        # The same engine in-process, built by the same factory from the same site, hears the
        # same audio: the socket changes nothing about what is heard.
        local = asr_for(
            in_process(load_settings(), DECODERS), load_site(Path(load_settings().site.policy_dir))
        )
        await local.start()
        try:
            turn = local.open_stream(8000, hints=["parking"], context="")
            for frame in frames:
                turn.feed(frame)
            seen["in_process"] = await turn.finish()
        finally:
            await local.close()

    asyncio.run(main())
    assert words(str(seen["partial"])), seen
    # caught up: the engine process was fed every byte the worker sent, and decoded them all
    assert seen["caught_up"] is True
    # The same words: the decoder hears the same samples however the socket and the worker's
    # pipe batched them (pocketsphinx_worker.py resamples and decodes in fixed blocks).
    assert words(str(seen["final"])) and seen["final"] == seen["in_process"], seen


def test_barge_in_frees_the_decoder_for_the_next_turn(host: EngineHost) -> None:
    chatter = synthesize_caller("I want to talk to a nurse about my medication", 8000)
    parking = synthesize_caller("How much is parking for visitors?", 8000)
    result: dict[str, object] = {}

    async def main() -> None:
        asr = SharedAsr(host.socket)
        await asr.start()
        streams = [asr.open_stream(8000) for _ in range(DECODERS)]  # every decoder taken
        for stream in streams:
            await speak(stream, split_frames(chatter, 8000)[:40])
        await until(lambda: in_use(host)["asr"] == DECODERS, "both streams in use")
        streams[0].cancel()  # the caller barged in: that turn is discarded
        with pytest.raises(AsrError):
            await streams[0].finish()
        await until(lambda: in_use(host)["asr"] == DECODERS - 1, "the cancelled stream released")
        again = asr.open_stream(8000)  # the freed decoder, at once
        await speak(again, split_frames(parking + silence(8000, 300), 8000))
        result["text"] = await again.finish()
        streams[1].cancel()
        await asr.close()

    asyncio.run(main())
    # the freed decoder heard the next turn, and nothing of the discarded one (which words
    # pocketsphinx makes of the next turn is its accuracy, judged in test_pocketsphinx.py)
    assert words(str(result["text"])) and "nurse" not in words(str(result["text"])), result


def test_a_full_engine_refuses_with_a_code_and_never_hangs(host: EngineHost) -> None:
    speech = synthesize_caller("parking for visitors", 8000)
    errors: list[AsrError] = []

    async def main() -> None:
        asr = SharedAsr(host.socket)
        await asr.start()
        held = [asr.open_stream(8000) for _ in range(DECODERS)]
        for stream in held:
            stream.feed(speech[:3200])
        await until(lambda: in_use(host)["asr"] == DECODERS, "every decoder in use")
        extra = asr.open_stream(8000)
        for _ in range(60):  # a long turn's audio still in flight when the refusal comes
            extra.feed(speech)
        try:
            await extra.finish()
        except AsrError as exc:
            errors.append(exc)
        for stream in held:
            stream.cancel()
        await asr.close()

    asyncio.run(main())
    assert errors and errors[0].code == "asr-busy", errors


def test_the_voice_streams_audio_at_the_call_rate(host: EngineHost) -> None:
    sentence = "Parking for visitors is free for the first thirty minutes."
    lengths: dict[str, int] = {}

    async def main() -> None:
        shared = SharedTts(host.socket)
        await shared.start()
        local = EspeakTts()
        for rate in (8000, 16000):
            chunks = [pcm async for pcm in shared.synthesize(sentence, rate)]
            assert len(chunks) > 1, "streamed, not one block at the end"
            lengths[f"shared-{rate}"] = sum(map(len, chunks))
            lengths[f"local-{rate}"] = sum([len(pcm) async for pcm in local.synthesize(sentence, rate)])

    asyncio.run(main())
    for rate in (8000, 16000):  # the same voice as in-process: the same length of speech
        shared, local = lengths[f"shared-{rate}"], lengths[f"local-{rate}"]
        assert abs(shared - local) <= 0.02 * local, lengths


def test_barge_in_stops_the_synthesis_in_the_engine_process(host: EngineHost) -> None:
    long_text = " ".join(["Parking for visitors is free for the first thirty minutes."] * 30)
    seen: dict[str, object] = {}

    async def consume(tts: SharedTts, first: asyncio.Event) -> None:
        async for _pcm in tts.synthesize(long_text, 8000):
            first.set()

    async def main() -> None:
        tts = SharedTts(host.socket)
        await tts.start()
        first = asyncio.Event()
        task = asyncio.ensure_future(consume(tts, first))
        await asyncio.wait_for(first.wait(), 30)
        seen["speaking"] = espeak_running(host)
        task.cancel()  # barge-in: the playout task is cancelled between two chunks
        with pytest.raises(asyncio.CancelledError):
            await task
        await until(lambda: not espeak_running(host), "espeak stopped", 5)
        await until(lambda: in_use(host)["tts"] == 0, "the synthesis released", 5)

    asyncio.run(main())
    assert seen["speaking"], "espeak-ng was running in the engine process"


def _cli_json(host: EngineHost, *args: str) -> dict:  # type: ignore[type-arg]
    env = host_env(host.socket.parent.parent, speech__engines="shared")
    done = subprocess.run(
        [sys.executable, "-m", "appliance.cli.main", *args, "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_status_shows_the_engines_load_and_doctor_checks_their_socket(host: EngineHost) -> None:
    speech = synthesize_caller("parking for visitors", 8000)
    seen: dict[str, dict] = {}  # type: ignore[type-arg]

    async def main() -> None:
        asr = SharedAsr(host.socket)
        await asr.start()
        stream = asr.open_stream(8000)
        stream.feed(speech[:3200])
        await until(lambda: in_use(host)["asr"] == 1, "the stream counted")
        seen["status"] = await asyncio.to_thread(_cli_json, host, "status")
        stream.cancel()

    asyncio.run(main())
    engines = seen["status"]["engines"]
    assert engines["shared"] and engines["running"] and engines["pid"] == host.pid, engines
    assert engines["asr"]["in_use"] == 1 and engines["asr"]["model"].startswith("pocketsphinx"), engines
    assert engines["tts"]["model"].startswith("espeak-ng"), engines
    doctor = _cli_json(host, "doctor")
    check = next(c for c in doctor["checks"] if c["name"] == "engines")
    assert check["status"] == "ok" and "pocketsphinx" in check["detail"], check


def test_an_engine_process_that_dies_fails_its_streams(tmp_path: Path) -> None:
    speech = synthesize_caller("How much is parking for visitors?", 8000)
    raised: dict[str, BaseException] = {}

    async def main(host: EngineHost) -> None:
        asr, tts = SharedAsr(host.socket), SharedTts(host.socket)
        await asr.start()
        await tts.start()
        stream = asr.open_stream(8000)
        await speak(stream, split_frames(speech, 8000)[:40])
        host.kill()
        with pytest.raises(AsrError) as turn:
            await until(lambda: stream.caught_up, "the dead stream noticed", 10)
            stream.feed(speech[len(speech) // 2 :])
            await stream.finish()
        raised["turn"] = turn.value
        with pytest.raises(TtsError) as sentence:
            _ = [pcm async for pcm in tts.synthesize("Hello.", 8000)]
        raised["sentence"] = sentence.value
        later = asr.open_stream(8000)  # a turn before any restart: refused at once, not hung
        with pytest.raises(AsrError):
            await asyncio.wait_for(later.finish(), 10)

    with engine_host(tmp_path / "data", streams=1, speech__asr_workers="1") as host:
        asyncio.run(main(host))
        doctor = _cli_json(host, "doctor")
    assert raised["turn"].code == "asr-failed" and raised["sentence"].code == "tts-failed"
    check = next(c for c in doctor["checks"] if c["name"] == "engines")
    assert check["status"] == "fail" and "does not answer" in check["detail"], check


def test_sighup_swaps_the_voice_and_a_sentence_in_flight_still_finishes(tmp_path: Path) -> None:
    config = Path(os.environ["WARDLINE_CONFIG"])  # the host reads the same file
    sentence = "Parking for visitors is free for the first thirty minutes."
    seen: dict[str, object] = {}

    async def main(host: EngineHost) -> None:
        tts = SharedTts(host.socket)
        await tts.start()
        seen["before"] = sum([len(pcm) async for pcm in tts.synthesize(sentence, 8000)])
        first = asyncio.Event()

        async def long_reply() -> int:
            total = 0
            async for pcm in tts.synthesize(" ".join([sentence] * 6), 8000):
                total += len(pcm)
                first.set()
            return total

        in_flight = asyncio.ensure_future(long_reply())
        await asyncio.wait_for(first.wait(), 30)
        config.write_text("[speech]\nwords_per_minute = 120\n")  # `wardline models activate` + reload
        os.kill(host.pid, signal.SIGHUP)
        model = lambda: (read_engine_state(host.socket) or {}).get("tts", {}).get("model")  # noqa: E731
        await until(lambda: model() == "espeak-ng/en-us/120wpm", "the new voice swapped in", 60)
        seen["in_flight"] = await asyncio.wait_for(in_flight, 60)  # no error: it finished on the old voice
        seen["after"] = sum([len(pcm) async for pcm in tts.synthesize(sentence, 8000)])

    with engine_host(tmp_path / "data", streams=1, speech__asr_workers="1") as host:
        asyncio.run(main(host))
        assert host.process.poll() is None, "SIGHUP reloads, it does not stop the engine process"
    assert int(seen["in_flight"]) > 5 * int(seen["before"])  # type: ignore[call-overload]
    assert int(seen["after"]) > 1.2 * int(seen["before"]), seen  # type: ignore[call-overload]
