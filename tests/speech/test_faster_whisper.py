"""faster-whisper with a tiny CTranslate2 Whisper: streaming partials, final, language, offline.

The tiny model has random weights, so its words are noise; what is tested is the streaming
contract: a partial after every 300 ms of caller audio, stable words never taken back, the
final text at the end of the turn, the detected language reported, and 8 kHz input upsampled.
(CTranslate2 4.8 treats this tiny model as English-only, so detection answers "en" here; a real
multilingual model detects among its 99 languages through the same code path.)
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import pytest

from appliance.speech.asr.base import AsrError
from appliance.speech.asr.faster_whisper import FasterWhisperAsr, LocalAgreement
from tests.fixtures.tiny_models import build_whisper


@pytest.fixture(scope="module")
def whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_whisper(tmp_path_factory.mktemp("whisper") / "tiny-whisper")


def tone(rate: int, ms: int, hz: float = 300.0) -> bytes:
    t = np.arange(rate * ms // 1000) / rate
    return (np.sin(2 * np.pi * hz * t) * 6000).astype("<i2").tobytes()


def test_local_agreement_commits_only_what_two_hypotheses_share():
    la = LocalAgreement()
    assert la.update(["please", "book"]) == []
    assert la.text() == "please book"
    assert la.update(["please", "book", "an"]) == ["please", "book"]
    assert la.update(["please", "book", "a", "visit"]) == []
    assert la.update(["please", "book", "a", "visit"]) == ["a", "visit"]
    # A later hypothesis that disagrees cannot take back stable words.
    la.update(["police", "book"])
    assert la.committed == ["please", "book", "a", "visit"]
    assert la.text().startswith("please book a visit")


def test_partials_every_300_ms_of_audio_then_final(whisper_dir):
    async def run() -> tuple[list[int], str, str | None, str]:
        asr = FasterWhisperAsr(whisper_dir, cpu_threads=1, max_new_tokens=8)
        await asr.start()
        try:
            stream = asr.open_stream(8000)
            for _ in range(5):  # 1.5 s of caller speech, 300 ms at a time, in 20 ms frames
                chunk = tone(8000, 300)
                for i in range(0, len(chunk), 320):
                    stream.feed(chunk[i : i + 320])
                await stream.settled()
            final = await stream.finish()
            return [ms for ms, _ in stream.partials], stream.partial_text, stream.detected_language, final
        finally:
            await asr.close()

    partial_ms, partial, language, final = asyncio.run(run())
    assert partial_ms == [300, 600, 900, 1200, 1500]
    assert isinstance(final, str) and isinstance(partial, str)
    assert language is not None and len(language) in (2, 3)


def test_forced_language_and_cancel(whisper_dir):
    async def run() -> str | None:
        asr = FasterWhisperAsr(whisper_dir, cpu_threads=1, language="en", max_new_tokens=4)
        await asr.start()
        try:
            stream = asr.open_stream(16000)
            stream.feed(tone(16000, 400))
            await stream.settled()
            lang = stream.detected_language
            stream.cancel()
            stream.feed(tone(16000, 400))  # after cancel: ignored, no decode starts
            with pytest.raises(AsrError, match="cancelled"):
                await stream.finish()
            return lang
        finally:
            await asr.close()

    assert asyncio.run(run()) == "en"


def test_folder_without_tokenizer_is_refused_rather_than_downloaded(whisper_dir, tmp_path):
    partial = tmp_path / "no-tokenizer"
    partial.mkdir()
    for name in ("model.bin", "config.json", "vocabulary.json"):
        (partial / name).symlink_to(whisper_dir / name)

    async def run() -> None:
        await FasterWhisperAsr(partial).start()

    with pytest.raises(AsrError, match=r"tokenizer\.json"):
        asyncio.run(run())
    with pytest.raises(AsrError, match="hub id"):
        asyncio.run(FasterWhisperAsr("Systran/faster-whisper-small").start())


def test_rescoring_prefers_the_sites_words_only_among_hypotheses_heard_nearly_as_well():
    from appliance.speech.asr.rescoring import rescore, vocabulary_words

    vocab = vocabulary_words(["Maria Gonzalez", "lisinopril", "Doctor Anita Patel"])
    assert rescore([("Marie Gonzalez, March 3.", -0.493), ("Maria Gonzalez, March 3.", -0.509)], vocab) == (
        "Maria Gonzalez, March 3."
    )
    # A hypothesis the model heard clearly better is kept: context never outvotes the audio.
    assert rescore(
        [("What are your visiting hours?", -0.10), ("What are your Patel hours?", -0.40)], vocab
    ) == ("What are your visiting hours?")
    assert rescore([], vocab) == ""


def test_decodes_encode_the_turn_and_a_margin_never_past_30_s():
    from appliance.speech.asr.faster_whisper import FULL_WINDOW_FRAMES, FasterWhisperAsr

    engine = FasterWhisperAsr("/nonexistent")  # nothing loads before start()
    turn = 250  # 2.5 s of features
    for margin in (engine.partial_margin_s, engine.spliced_margin_s):
        frames = engine.encoder_frames(turn, margin)
        assert turn + 500 <= frames < FULL_WINDOW_FRAMES and frames % 2 == 0
    assert engine.encoder_frames(turn, engine.final_margin_s) == FULL_WINDOW_FRAMES  # unspliced final
    assert engine.encoder_frames(2900, 10.0) == FULL_WINDOW_FRAMES  # never past Whisper's 30 s


def test_the_decoder_always_sees_whisper_s_whole_30_s_window(whisper_dir):
    """A short window is encoded, and the rest of the 30 s comes from the padding's encoding."""
    engine = FasterWhisperAsr(whisper_dir, cpu_threads=1)
    engine.load()
    n_mels = engine._model.model.n_mels
    short, held = engine._encode(np.zeros((n_mels, 800), dtype=np.float32))
    full, _ = engine._encode(np.zeros((n_mels, 3000), dtype=np.float32))
    assert np.asarray(short).shape == np.asarray(full).shape  # 1500 positions either way
    assert held is not None and np.shares_memory(np.asarray(short), held)


def test_a_decode_cannot_run_far_past_what_the_audio_could_say():
    from appliance.speech.asr.faster_whisper import FasterWhisperAsr

    engine = FasterWhisperAsr("/nonexistent", max_new_tokens=128)
    assert engine.token_budget(1.0) < 16  # "yes" cannot become a paragraph
    assert engine.token_budget(3.0) >= 3 * 5  # a fast talker's three seconds still fit
    assert engine.token_budget(60.0) == 128


class GatedWhisper(FasterWhisperAsr):
    """The real engine, with each decode held until the test lets it run, and every decode
    recorded: (audio ms, whether it read the final window as the pause's decode)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.gate.set()
        self.decodes: list[tuple[int, bool]] = []

    def decode(self, pcm16, sample_rate_hz, language, final=True, context=""):
        self.decodes.append((len(pcm16) // 2 * 1000 // sample_rate_hz, final))
        if not self.gate.wait(60):  # a net: the test always opens it
            raise RuntimeError("gate never opened")
        return super().decode(pcm16, sample_rate_hz, language, final, context)


def feed_frames(stream, pcm: bytes, rate: int = 8000) -> None:
    frame = rate * 20 // 1000 * 2
    for i in range(0, len(pcm), frame):
        stream.feed(pcm[i : i + frame])


@pytest.mark.parametrize(
    "options",
    [{}, {"spliced_margin_s": None}, {"partial_spliced_margin_s": None}],
    ids=["partials-cheaper-than-the-final", "a-window-of-their-own", "partials-read-the-final-window"],
)
def test_the_silence_after_the_last_word_is_not_decoded_and_no_decode_follows_the_end_of_turn(
    whisper_dir, options
):
    """A caller says 600 ms and stops. The final comes from a decode made at the pause (or the
    partial that already held the last word, where partials read the final's window), never from
    a decode after the end of turn, and the silence after the last word is never decoded again:
    those decodes held the worker, and the final behind them, while the turn taker and the voice
    needed the CPU."""

    async def run() -> tuple[list[tuple[int, bool]], bool, str, str, bool]:
        asr = GatedWhisper(whisper_dir, cpu_threads=1, language="en", max_new_tokens=4, **options)
        await asr.start()
        try:
            stream = asr.open_stream(8000)
            speech, quiet = tone(8000, 600), b"\x00" * (2 * 8000 * 1500 // 1000)
            for pcm in (speech, quiet):
                for i in range(0, len(pcm), 320):
                    stream.feed(pcm[i : i + 320])
                    await stream.settled()  # the lockstep clock: a decode due now runs now
            newest = stream.partials[-1][1]
            final = await asyncio.wait_for(stream.finish(), 60)
            return asr.decodes, stream.final_decoded, final, newest, asr.partials_read_final_window
        finally:
            await asr.close()

    decodes, final_decoded, final, newest, one_window = asyncio.run(run())
    assert one_window is ("partial_spliced_margin_s" in options)
    assert max(ms for ms, _ in decodes) <= 800  # 1.5 s of silence after the last word: unread
    assert final_decoded is False  # no decode after the end of turn
    assert final.split() == newest.split()
    if not one_window:  # a partial is not the final's decode: one decode at the pause
        assert [ms for ms, at_pause in decodes if at_pause] == [700]


def test_a_partial_in_flight_when_the_caller_stops_is_the_final_not_followed_by_another_decode(whisper_dir):
    """Where partials read the final's window (tiny.en, spliced), the partial in flight as the
    caller pauses holds every word: the final is its text, with no second decode behind it."""

    async def run() -> tuple[list[tuple[int, bool]], bool, str, str]:
        asr = GatedWhisper(
            whisper_dir, cpu_threads=1, language="en", max_new_tokens=4, partial_spliced_margin_s=None
        )
        await asr.start()
        try:
            assert asr.partials_read_final_window
            stream = asr.open_stream(8000)
            asr.gate.clear()
            feed_frames(stream, tone(8000, 300))  # 300 ms: a partial starts, held in flight
            feed_frames(stream, b"\x00" * (2 * 8000 * 300 // 1000))  # the caller stops meanwhile
            finishing = asyncio.ensure_future(stream.finish())
            await asyncio.sleep(0)
            asr.gate.set()
            final = await asyncio.wait_for(finishing, 60)
            return asr.decodes, stream.final_decoded, final, stream.partials[-1][1]
        finally:
            asr.gate.set()
            await asr.close()

    decodes, final_decoded, final, partial = asyncio.run(run())
    assert decodes == [(300, False)]  # one decode: the partial, read on the final window
    assert final_decoded is False
    assert final.split() == partial.split()


def test_the_final_to_be_replaces_stable_words_it_heard_differently():
    """Stable words a whole-turn decode reads differently ("work on a" for "book an appointment
    with") no longer hide that decode: the partial the end of turn reads is the final's words."""
    la = LocalAgreement()
    la.update(["I", "need", "to", "work", "on", "a"])
    la.update(["I", "need", "to", "work", "on", "a"])
    la.update(["I", "need", "to", "book", "an", "appointment", "with", "Doctor", "Patel."])
    assert la.text() == "I need to work on a"  # an ordinary hypothesis cannot take them back
    la.adopt(["I", "need", "to", "book", "an", "appointment", "with", "Doctor", "Patel."])
    assert la.text() == "I need to book an appointment with Doctor Patel."
    assert la.committed[-1] == "Patel."


def test_a_partial_still_waiting_for_the_model_when_the_caller_pauses_gives_way_to_the_pause_s_decode(
    whisper_dir,
):
    """Other calls' decodes hold the model. A partial queued behind them when the caller pauses
    is never decoded: the decode at the pause holds its words and may be the final, and it no
    longer waits behind a partial nobody will read."""

    async def run() -> tuple[list[tuple[int, bool]], bool, str]:
        asr = GatedWhisper(whisper_dir, cpu_threads=1, language="en", max_new_tokens=4, batch_size=1)
        await asr.start()
        release = threading.Event()
        try:
            assert not asr.partials_read_final_window
            held = asr.submit(release.wait, 60)  # the model, busy with another call
            stream = asr.open_stream(8000)
            feed_frames(stream, tone(8000, 300))  # a partial is due: it queues
            feed_frames(stream, b"\x00" * (2 * 8000 * 300 // 1000))  # the caller pauses meanwhile
            release.set()
            await asyncio.wrap_future(held)
            final = await asyncio.wait_for(stream.finish(), 60)
            return asr.decodes, stream.final_decoded, final
        finally:
            release.set()
            await asr.close()

    decodes, final_decoded, final = asyncio.run(run())
    assert decodes == [(400, True)]  # only the decode at the pause (100 ms into it) ran
    assert final_decoded is False
    assert isinstance(final, str)


def test_decodes_at_a_pause_go_before_partials_that_waited_longer(whisper_dir):
    """The model is busy; three callers' partials queue, then a fourth caller pauses. Their
    decode at the pause (the end-of-turn verdict and the final wait for it) is in the first
    batch the model takes, not behind the partials."""

    class Recorded(FasterWhisperAsr):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.batches: list[list[bool]] = []  # per model pass: each decode's `final`

        def decode(self, pcm16, sample_rate_hz, language, final=True, context=""):
            self.batches.append([final])
            return super().decode(pcm16, sample_rate_hz, language, final, context)

        def decode_many(self, requests):
            self.batches.append([final for _, _, _, final, _ in requests])
            return super().decode_many(requests)

    async def run() -> list[list[bool]]:
        asr = Recorded(whisper_dir, cpu_threads=1, language="en", max_new_tokens=4, batch_size=2)
        await asr.start()
        release = threading.Event()
        try:
            held = asr._pool.submit(release.wait, 60)  # the model, busy with another call
            speech = tone(8000, 300)
            waiting = [asr.submit(asr.decode, speech, 8000, "en", False, "") for _ in range(3)]
            waiting.append(asr.submit(asr.decode, speech, 8000, "en", True, ""))
            release.set()
            await asyncio.wrap_future(held)
            for future in waiting:
                await asyncio.wait_for(asyncio.wrap_future(future), 60)
            return asr.batches
        finally:
            release.set()
            await asr.close()

    batches = asyncio.run(run())
    assert True in batches[0]  # the pause's decode, in the model's first pass
    assert sorted(final for batch in batches for final in batch) == [False, False, False, True]


@pytest.mark.parametrize("noise_rms", [0, 60, 300], ids=["clean-line", "quiet-hiss", "noisy-line"])
def test_a_caller_who_stops_on_a_noisy_line_still_gets_the_final_decoded_at_the_pause(whisper_dir, noise_rms):
    """The pause is counted below 3 % of the caller's loudest frame (stops inside a sentence do
    not cost a final's decode each), or below the line's own noise where that is louder: a line
    whose hiss is 7 % of the caller's voice still pauses when the caller stops, so the final is
    decoded at the pause, never after the end of turn."""

    async def run() -> tuple[list[tuple[int, bool]], bool]:
        asr = GatedWhisper(whisper_dir, cpu_threads=1, language="en", max_new_tokens=4)
        await asr.start()
        try:
            rng = np.random.default_rng(7)
            speech, quiet = tone(8000, 600), b"\x00" * (2 * 8000 * 1000 // 1000)
            pcm = np.frombuffer(speech + quiet, dtype="<i2").astype(np.float64)
            pcm += rng.normal(0.0, noise_rms, pcm.size)
            stream = asr.open_stream(8000)
            audio = np.clip(pcm, -32768, 32767).astype("<i2").tobytes()
            for i in range(0, len(audio), 320):
                stream.feed(audio[i : i + 320])
                await stream.settled()  # the lockstep clock: a decode due now runs now
            await asyncio.wait_for(stream.finish(), 60)
            return asr.decodes, stream.final_decoded
        finally:
            await asr.close()

    decodes, final_decoded = asyncio.run(run())
    assert [ms for ms, at_pause in decodes if at_pause] == [700]  # 100 ms after the caller stopped
    assert final_decoded is False
