"""piper with a tiny ONNX voice: sentence streaming, a voice per language, warm session, barge-in."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from appliance.speech.tts.base import TtsError
from appliance.speech.tts.piper import PiperTts, pcm_peak, split_sentences
from tests.fixtures.tiny_models import build_piper_voice


@pytest.fixture(scope="module")
def voice_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("piper")
    return {
        "en": build_piper_voice(root / "en_US-tiny.onnx", espeak_voice="en-us"),
        "es": build_piper_voice(root / "es_ES-tiny.onnx", espeak_voice="es", sample_rate_hz=16000),
    }


def test_sentences_are_split_for_streaming():
    assert split_sentences("Hello there. Your visit is at nine!  Bye") == [
        "Hello there.",
        "Your visit is at nine!",
        "Bye",
    ]


def test_streams_one_chunk_per_sentence_at_the_call_rate(voice_paths):
    async def run() -> list[bytes]:
        tts = PiperTts(voice_paths)
        await tts.start()
        try:
            return [
                c async for c in tts.synthesize("Good morning. The clinic opens at eight. Goodbye.", 8000)
            ]
        finally:
            await tts.close()

    chunks = asyncio.run(run())
    assert len(chunks) == 3
    assert all(len(c) % 2 == 0 and pcm_peak(c) > 1000 for c in chunks)
    # A longer sentence makes more phonemes, so more audio: the chunks follow the text.
    assert len(chunks[1]) > len(chunks[2])


def test_voice_per_language_and_unknown_language_speaks_with_the_default(voice_paths):
    async def run() -> tuple[int, int]:
        tts = PiperTts(voice_paths)
        await tts.start()
        try:
            en = b"".join([c async for c in tts.synthesize("Hola, buenos días.", 16000, language="en")])
            es = b"".join([c async for c in tts.synthesize("Hola, buenos días.", 16000, language="es")])
            assert tts.voice_rate_hz("es") == 16000 and tts.voice_rate_hz("en_US") == 22050
            with pytest.raises(TtsError, match="no voice for language 'fr'"):
                tts.voice_rate_hz("fr")
            # a sentence in a language without a voice is still spoken (the default voice), never silence
            fr = b"".join([c async for c in tts.synthesize("Bonjour.", 8000, language="fr")])
            default = b"".join([c async for c in tts.synthesize("Bonjour.", 8000)])
            assert fr == default and len(fr) > 0
            return len(en), len(es)
        finally:
            await tts.close()

    en, es = asyncio.run(run())
    assert en > 0 and es > 0 and en != es  # espeak phonemizes the same words differently per language


def test_voice_is_warm_before_the_call_and_barge_in_stops_synthesis(voice_paths, monkeypatch):
    from piper import PiperVoice

    loads: list[str] = []
    spoken: list[str] = []  # every text the voice synthesized, in order
    caller_spoke = threading.Event()
    load, synthesize = PiperVoice.load, PiperVoice.synthesize

    def counted_load(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        loads.append(Path(path).name)
        return load(path, *args, **kwargs)

    def held_synthesize(self, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        spoken.append(text)
        if text == "Two.":
            caller_spoke.wait(60)  # the second sentence is still being made when the caller speaks
        return synthesize(self, text, *args, **kwargs)

    monkeypatch.setattr(PiperVoice, "load", staticmethod(counted_load))
    monkeypatch.setattr(PiperVoice, "synthesize", held_synthesize)

    async def run() -> tuple[list[str], list[str], int]:
        tts = PiperTts({"en": voice_paths["en"]})
        await tts.start()
        try:
            at_start = (list(loads), list(spoken))
            stream = tts.synthesize("One. Two. Three. Four. Five. Six. Seven. Eight.", 8000)
            first = await anext(stream)
            await stream.aclose()  # barge-in
        finally:
            caller_spoke.set()
            await tts.close()  # waits for the worker to stop
        return *at_start, len(first)

    loaded, warmed, size = asyncio.run(run())
    # The voice was loaded and run once before the call: its first sentence pays neither.
    assert loaded == ["en_US-tiny.onnx"] and warmed == ["Ready."]
    assert loads == loaded  # nothing loaded during the call
    assert size > 0
    # After the barge-in no sentence was started beyond the one in progress.
    assert spoken[1] == "One." and spoken[2:] in ([], ["Two."]), spoken


def test_missing_voice_file_is_a_clear_error(tmp_path):
    async def run() -> None:
        await PiperTts({"en": tmp_path / "absent.onnx"}).start()

    with pytest.raises(TtsError, match="no such file"):
        asyncio.run(run())


def test_a_sentence_said_before_is_not_synthesized_again(voice_paths, monkeypatch):
    from piper import PiperVoice

    made: list[str] = []
    synthesize = PiperVoice.synthesize

    def counted(self, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(text)
        return synthesize(self, text, *args, **kwargs)

    monkeypatch.setattr(PiperVoice, "synthesize", counted)

    async def say(tts: PiperTts, text: str, rate: int = 8000) -> list[bytes]:
        return [c async for c in tts.synthesize(text, rate)]

    async def run() -> tuple[list[bytes], list[bytes], list[bytes]]:
        tts = PiperTts({"en": voice_paths["en"]})
        await tts.start()
        try:
            made.clear()
            first = await say(tts, "Is there anything else? Goodbye.")
            again = await say(tts, "Is there anything else? Thank you.")
            wide = await say(tts, "Is there anything else?", 16000)
            return first, again, wide
        finally:
            await tts.close()

    first, again, wide = asyncio.run(run())
    # the repeated question came from memory; the new sentence and the other call rate were made
    assert made == ["Is there anything else?", "Goodbye.", "Thank you.", "Is there anything else?"]
    assert again[0] == first[0] and pcm_peak(again[0]) > 1000  # the same audio, played again
    assert abs(len(wide[0]) / len(first[0]) - 2) < 0.01  # made anew at 16 kHz, not the 8 kHz copy


def test_the_sentence_cache_keeps_the_most_recently_said_within_its_bytes():
    from appliance.speech.tts.cache import SentenceAudioCache

    cache = SentenceAudioCache(max_bytes=30)
    cache.put("en", "one", 8000, b"1" * 10)
    cache.put("en", "two", 8000, b"2" * 10)
    cache.put("en", "three", 8000, b"3" * 10)
    assert cache.get("en", "one", 8000) == b"1" * 10  # now the most recent
    cache.put("en", "four", 8000, b"4" * 10)  # over 30 bytes: "two" goes, the least recent
    assert cache.get("en", "two", 8000) is None
    assert [cache.get("en", s, 8000) is not None for s in ("one", "three", "four")] == [True] * 3
    assert cache.get("en", "one", 16000) is None and cache.get("es", "one", 8000) is None
    cache.put("en", "huge", 8000, b"x" * 31)  # larger than the whole cache: not kept
    assert cache.get("en", "huge", 8000) is None and len(cache) == 3
