#!/usr/bin/env python3
"""Does the voice's loudness at a pause tell a pause from a turn's end? (issue 16: the sentences
whole at the pause that go on, and the yes/no answers the caller goes on from.)

A sentence's end usually trails off (its last syllables quieter than the rest), a comma less so.
At every decision point of bench/turns.py's written corpora (the first look into each silence),
from the turn's audio up to the silence (20 ms frames; "loud" frames within 30 dB of the turn's
loudest): the last 200 ms of loud frames against the median loud frame (dB), and the slope of the
last 300 ms (dB per 100 ms). AUC of pause against true end, over all points and over the hard
ones (the pauses the shipped "normal" cuts off against the ends it ends within 250 ms), by voice.
Then as a rule: a turn "normal" would end within 250 ms whose last 200 ms are at least `bar` dB
above the turn's median waits the unsure window; bars are read on corpora 3-4 first. Reads the
recognizer's and Smart Turn's verdicts from bench/turns.py's cache (run it first); no model runs.

    .venv/bin/python bench/turn_loudness.py [--corpus 3,4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

FAST_MS = 250
VOICES = ("piper-low", "piper-high", "espeak-f3")


def loudness(pcm: np.ndarray, upto_ms: float) -> tuple[float, float]:
    """(last 200 ms of loud frames minus the median loud frame, dB; slope of the last 300 ms of
    loud frames, dB per 100 ms) of 8 kHz audio up to `upto_ms`."""
    x = pcm[: int(upto_ms * 8)].astype(np.float64)
    n = len(x) // 160
    db = 10 * np.log10((x[: n * 160].reshape(n, 160) ** 2).mean(axis=1) + 1.0)
    if not n:
        return 0.0, 0.0
    loud = np.nonzero(db > db.max() - 30)[0]
    if len(loud) < 10:
        return 0.0, 0.0
    last = loud[-1]
    tail = db[max(0, last - 9) : last + 1]
    tail = tail[tail > db.max() - 30]
    recent = loud[loud > last - 15]
    slope = float(np.polyfit(recent, db[recent], 1)[0] * 5) if len(recent) > 3 else 0.0
    return float(tail.mean() - np.median(db[loud])), slope


def held_if_loud(bar: float):  # type: ignore[no-untyped-def]
    """Shipped "normal", but a turn it would end within FAST_MS whose voice kept its loudness
    into the pause (tail minus median >= `bar` dB) waits the unsure window."""
    import turns as bench

    from appliance.call.endpointing import PROFILES

    base = bench.wardline("normal")

    def decide(u, pcm, s, judge) -> float:  # type: ignore[no-untyped-def]
        at = base(u, pcm, s, judge)
        if at - s.start_ms > FAST_MS:
            return at
        return s.start_ms + PROFILES["normal"].unsure_ms if loudness(pcm, s.start_ms)[0] >= bar else at

    return decide


class CachedJudge:
    """bench/turns.py's Judge from its cache alone (this bench runs no model)."""

    def __init__(self) -> None:
        import turns as bench

        self._bench = bench
        self.cache = json.loads((bench.CACHE / "judgements.json").read_text())

    def text(self, pcm: np.ndarray, upto_ms: float) -> str:
        return self.cache[self._bench.Judge._key(self, "asr", pcm, upto_ms)]  # type: ignore[arg-type]

    def probability(self, pcm: np.ndarray, upto_ms: float) -> float:
        return self.cache[self._bench.Judge._key(self, "st", pcm, upto_ms)]  # type: ignore[arg-type]

    def voice_up(self, pcm: np.ndarray, upto_ms: float) -> bool:
        return self._bench.Judge.voice_up(self, pcm, upto_ms)  # type: ignore[arg-type]


async def run(args) -> None:  # type: ignore[no-untyped-def]
    import turns as bench
    from turn_punctuation import auc

    from appliance.call.endpointing_intent import request_names_for
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site

    settings = load_settings()
    bench.SITE_NAMES[0] = request_names_for(load_site(settings.site.policy_dir))
    judge = CachedJudge()
    for number in args.corpus.split(","):
        corpus = await bench.build_listed(number, list(VOICES), settings)
        sil = [bench.silences(pcm) for _, pcm, _, _ in corpus]
        normal = bench.wardline("normal")
        rows = []
        for (u, pcm, _, _), ss in zip(corpus, sil, strict=True):
            for s in ss:
                if s.end_ms is not None and s.end_ms <= s.start_ms + 120:
                    continue
                window = normal(u, pcm, s, judge) - s.start_ms
                cut = s.end_ms is not None and s.start_ms + window < s.end_ms
                rows.append(
                    (
                        u,
                        s.end_ms is None,
                        cut or (s.end_ms is None and window <= FAST_MS),
                        loudness(pcm, s.start_ms),
                    )
                )
        for k, name in ((0, "last 200 ms against the turn"), (1, "slope of the last 300 ms")):
            cells = [f"all {auc([-r[3][k] for r in rows], [r[1] for r in rows]):.3f}"]
            hard = [r for r in rows if r[2]]
            cells.append(f"hard {auc([-r[3][k] for r in hard], [r[1] for r in hard]):.3f}")
            for v in VOICES:
                mine = [r for r in hard if r[0].voice == v]
                cells.append(f"{v} {auc([-r[3][k] for r in mine], [r[1] for r in mine]):.3f}")
            print(f"corpus {number}, {name}: AUC pause vs end (quieter = end): " + "; ".join(cells))
        r0, m0, _, _ = bench.evaluate(normal, corpus, sil, judge)
        cells = []
        for bar in (-1.0, 0.0, 1.0, 2.0, 3.0):
            r, m, _, _ = bench.evaluate(held_if_loud(bar), corpus, sil, judge)
            cells.append(f"{bar:+.0f} dB: {r * 100:.1f}% at {m:.0f} ms")
        print(
            f"  normal {r0 * 100:.1f}% at {m0:.0f} ms; a fast end still loud waits unsure, by bar: "
            + " | ".join(cells)
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="3,4")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-loud-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
