"""pocketsphinx in worker processes: incremental partials, final text, a free event loop,
cancel and reuse, and a crashed worker that fails its turn and is replaced."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from appliance.audio import split_frames
from appliance.speech.asr.base import AsrError
from appliance.speech.asr.pocketsphinx import PocketsphinxAsr
from tests.fixtures.audio import silence, synthesize_caller
from tests.speech.corpus import riverside_corpus, scenario_lines


@pytest.fixture(scope="module")
def lm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One language-model cache for the module: the model is built once, then only loaded."""
    return tmp_path_factory.mktemp("pocketsphinx-cache")


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z' ]", " ", text.lower().replace("-", " ")).split()


def run_with_engine(
    body: Callable[[PocketsphinxAsr], Awaitable[None]], cache: Path, *, corpus: bool = True, workers: int = 1
) -> None:
    async def main() -> None:
        engine = PocketsphinxAsr(
            riverside_corpus() if corpus else (),
            workers=workers,
            cache_dir=cache,
            finish_timeout_s=60.0,  # a shared CI box can be slow; latency is a bench figure
        )
        await engine.start()
        try:
            await body(engine)
        finally:
            await engine.close()

    asyncio.run(main())


async def until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30  # a safety net: the worker answers in milliseconds
    while not condition():
        assert time.monotonic() < deadline, f"never {what}"
        await asyncio.sleep(0.01)


def test_partials_before_the_end_of_the_turn_and_final_text_at_both_rates(lm_cache: Path) -> None:
    name = synthesize_caller("Maria Gonzalez. March third, nineteen eighty.", 16000)
    parking = synthesize_caller("How much is parking for visitors?", 8000)
    half = len(name) // 4 * 2
    seen: dict[str, str] = {}

    async def body(engine: PocketsphinxAsr) -> None:
        stream = engine.open_stream(16000)
        stream.feed(name[:half])
        # It recognizes as audio arrives: words come while the caller is still talking.
        await until(lambda: stream.partial_text, "a partial")
        seen["partial"] = stream.partial_text
        stream.feed(name[half:] + silence(16000, 200))
        seen["final_16k"] = await stream.finish()
        narrow = engine.open_stream(8000)
        narrow.feed(parking + silence(8000, 200))
        seen["final_8k"] = await narrow.finish()

    run_with_engine(body, lm_cache)
    assert words(seen["partial"]), seen
    assert {"maria", "gonzalez", "march"} <= set(words(seen["final_16k"])), seen
    assert "parking" in words(seen["final_8k"]), seen


def test_decoding_never_holds_up_the_event_loop(lm_cache: Path) -> None:
    # pocketsphinx holds the interpreter lock while it decodes, so it runs in another process.
    # Here that worker is stopped in the middle of a turn (as if far behind on a loaded box):
    # the loop must go on serving timers and tasks, and take more audio than the worker's
    # pipe holds, while the turn waits for its words.
    speech = synthesize_caller("How much is parking for visitors?", 16000)
    half = len(speech) // 4 * 2
    seen: dict[str, object] = {}

    async def body(engine: PocketsphinxAsr) -> None:
        (pid,) = engine.pids
        seen["worker_pid"] = pid
        stream = engine.open_stream(16000)
        stream.feed(speech[:half])
        await until(lambda: stream.partial_text, "a partial")  # the worker is decoding this turn
        rescued = threading.Event()

        def rescue() -> None:  # only if the loop itself is stuck waiting for the worker
            rescued.set()
            os.kill(pid, signal.SIGCONT)

        net = threading.Timer(30, rescue)
        os.kill(pid, signal.SIGSTOP)
        net.start()
        try:
            for frame in split_frames(speech[half:] + silence(16000, 2000), 16000):
                stream.feed(frame)  # 100 kB: more than the pipe to a stopped worker takes
            finishing = asyncio.ensure_future(stream.finish())
            for _ in range(20):
                await asyncio.sleep(0.001)  # timers fire while the decode is stopped mid-turn
            seen["waiting_while_stopped"] = not finishing.done()
        finally:
            net.cancel()
            os.kill(pid, signal.SIGCONT)
        seen["rescued"] = rescued.is_set()
        seen["final"] = await finishing

    run_with_engine(body, lm_cache)
    assert seen["worker_pid"] != os.getpid()
    assert not seen["rescued"], "the event loop waited for the stopped worker"
    assert seen["waiting_while_stopped"], seen
    assert "parking" in words(str(seen["final"])), seen


def test_domain_model_recognizes_most_scenario_words(lm_cache: Path) -> None:
    lines = scenario_lines()
    audio = [synthesize_caller(line, 16000) for line in lines]
    finals: list[str] = []

    async def body(engine: PocketsphinxAsr) -> None:
        for pcm in audio:  # faster than real time: the worker catches up in larger batches
            stream = engine.open_stream(16000)
            stream.feed(pcm + silence(16000, 200))
            finals.append(await stream.finish())

    run_with_engine(body, lm_cache)
    hits = sum(len(set(words(ref)) & set(words(hyp))) for ref, hyp in zip(lines, finals, strict=True))
    total = sum(len(set(words(ref))) for ref in lines)
    assert hits / total > 0.6, list(zip(lines, finals, strict=True))


def test_cancel_frees_the_worker_for_the_next_turn(lm_cache: Path) -> None:
    first = synthesize_caller("I want to talk to a nurse", 16000)
    second = synthesize_caller("How much is parking for visitors?", 16000)
    result: dict[str, str] = {}

    async def body(engine: PocketsphinxAsr) -> None:
        stream = engine.open_stream(16000)
        stream.feed(first)
        with pytest.raises(AsrError, match="busy"):
            engine.open_stream(16000)  # one worker, and it is taken
        stream.cancel()
        with pytest.raises(AsrError):
            await stream.finish()
        again = engine.open_stream(16000)  # the same worker, reused at once
        again.feed(second + silence(16000, 200))
        result["text"] = await again.finish()

    run_with_engine(body, lm_cache)
    assert "nurse" not in words(result["text"])
    assert {"parking", "visitors"} <= set(words(result["text"]))


def test_a_dead_worker_fails_the_turn_and_is_replaced(lm_cache: Path) -> None:
    speech = synthesize_caller("How much is parking for visitors?", 8000)
    result: dict[str, object] = {}

    async def body(engine: PocketsphinxAsr) -> None:
        (pid,) = engine.pids
        stream = engine.open_stream(8000)
        stream.feed(speech[: len(speech) // 2])
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(AsrError):
            await stream.finish()
        with pytest.raises(AsrError):
            stream.feed(speech)
        deadline = time.monotonic() + 60  # a safety net: a fresh worker loads in a few seconds
        while True:  # the replacement loads in the background; the call in progress went to a person
            try:
                fresh = engine.open_stream(8000)
                break
            except AsrError:
                assert time.monotonic() < deadline, "no replacement worker"
                await asyncio.sleep(0.1)
        result["new_pid"] = engine.pids[0]
        fresh.feed(speech + silence(8000, 200))
        result["text"] = await fresh.finish()
        result["old_pid"] = pid

    run_with_engine(body, lm_cache)
    assert result["new_pid"] != result["old_pid"]
    assert "parking" in words(str(result["text"]))


def test_general_model_without_a_corpus_still_hears_words(lm_cache: Path) -> None:
    speech = synthesize_caller("parking for visitors", 16000)
    result: dict[str, str] = {}

    async def body(engine: PocketsphinxAsr) -> None:
        stream = engine.open_stream(16000)
        stream.feed(speech + silence(16000, 200))
        result["text"] = await stream.finish()

    run_with_engine(body, lm_cache, corpus=False)
    assert len(words(result["text"])) >= 2


def test_bad_arguments_are_refused(lm_cache: Path) -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        PocketsphinxAsr(workers=0)
    with pytest.raises(AsrError, match="not started"):
        PocketsphinxAsr().open_stream(16000)


def test_a_turn_listens_with_its_dialog_context(lm_cache: Path) -> None:
    # While the dialog waits for a name and date of birth, the identity model hears the site's
    # names better than the site model does (which, knowing "a real person", hears "real" for
    # "Maria"); an unknown context falls back to the site model.
    from appliance.dialog.corpus import contexts
    from appliance.dialog.sitepack import load_site
    from tests.conftest import REPO

    site = load_site(REPO / "policies" / "riverside")
    said = {
        "maria gonzalez": "Maria Gonzalez. March third, nineteen eighty.",
        "aisha rahman": "Aisha Rahman, July fourteenth, nineteen ninety-two.",
        "robert kim": "Robert Kim, January thirtieth, nineteen forty-nine.",
        "emily novak": "It's Emily Novak, born May ninth, two thousand sixteen.",
        "john whitfield": "John Whitfield, November twenty-first, nineteen fifty-seven.",
        "david thompson": "My name is David Thompson.",
    }
    audio = {name: synthesize_caller(line, 16000) + silence(16000, 300) for name, line in said.items()}
    heard: dict[str, list[str]] = {"": [], "identity": [], "no-such-context": []}

    async def main() -> None:
        engine = PocketsphinxAsr(
            riverside_corpus(), contexts=contexts(site), workers=1, cache_dir=lm_cache, finish_timeout_s=60.0
        )
        await engine.start()
        try:
            for context, texts in heard.items():
                for pcm in audio.values():
                    stream = engine.open_stream(16000, context=context)
                    stream.feed(pcm)
                    texts.append(await stream.finish())
        finally:
            await engine.close()

    asyncio.run(main())

    def names_heard(texts: list[str]) -> int:
        return sum(name in text for name, text in zip(said, texts, strict=True))

    assert names_heard(heard["identity"]) > names_heard(heard[""]), heard
    assert heard["no-such-context"] == heard[""]


def test_the_same_audio_gives_the_same_words_however_it_was_batched(lm_cache: Path) -> None:
    """A loaded box batches audio into the worker's pipe differently: the final must not change."""
    frames = split_frames(
        synthesize_caller("How much is parking for visitors?", 8000) + silence(8000, 300), 8000
    )
    finals: list[str] = []

    async def body(engine: PocketsphinxAsr) -> None:
        whole = engine.open_stream(8000)
        whole.feed(b"".join(frames))  # one write: one batch
        finals.append(await whole.finish())
        paced = engine.open_stream(8000)
        for frame in frames:  # every 20 ms frame its own batch, decoded before the next
            paced.feed(frame)
            await until(lambda: paced.caught_up, "the frame decoded")
        finals.append(await paced.finish())

    run_with_engine(body, lm_cache)
    assert words(finals[0]) and finals[0] == finals[1], finals


def test_resampling_to_the_decoder_rate_does_not_depend_on_how_audio_is_cut() -> None:
    from appliance.speech.asr.pocketsphinx_worker import _Turn

    pcm = synthesize_caller("How much is parking for visitors?", 8000)
    outputs = []
    for size in (len(pcm), 320, 1000, 4802):  # whole, a frame, and cuts that split frames
        turn = _Turn(1, 8000)
        parts = [turn.to_decoder_rate(pcm[i : i + size]) for i in range(0, len(pcm), size)]
        outputs.append(b"".join(parts) + turn.to_decoder_rate(b"", last=True))
    assert all(out == outputs[0] for out in outputs[1:])
