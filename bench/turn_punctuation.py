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


def written(judge, pcm, upto_ms: float) -> str:  # type: ignore[no-untyped-def]
    """Whisper's own best hypothesis as it wrote it (before the site's vocabulary snaps near-misses
    and numbers are spelled: the detector reads the text after those), cached beside the judge's."""
    key = judge._key("raw", pcm, upto_ms)
    if key not in judge.cache:
        decoded = judge.asr.decode(pcm[: int(upto_ms * 8000 / 1000)].tobytes(), 8000, "en")
        judge.cache[key] = decoded.hypotheses[0][0] if decoded.hypotheses else decoded.text
    return judge.cache[key]


CONTINUING = (",", "...", "…", " -", "-")  # marks Whisper writes where the voice goes on
STOPPING = (".", "?", "!")


def continuing(judge, pcm, upto_ms: float) -> float:  # type: ignore[no-untyped-def]
    """How much Whisper leans to a sentence going on at the pause: its decoder, forced through its
    own words (`written`, trailing marks off), scores the next token; of the probability it gives
    the marks, the share of a comma, "…" or a dash against a full stop, "?" or "!". Cached."""
    key = judge._key("cont", pcm, upto_ms)
    if key in judge.cache:
        return judge.cache[key]
    import numpy as np
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.tokenizer import Tokenizer

    from appliance.audio import resample

    asr = judge.asr
    model = asr._model
    pcm16 = resample(pcm[: int(upto_ms * 8000 / 1000)].tobytes(), 8000, 16000)
    features = model.feature_extractor(np.frombuffer(pcm16, dtype="<i2").astype(np.float32) / 32768.0)
    frames = asr.encoder_frames(features.shape[-1], asr.window_margin(True))
    encoded, held = asr._encode(np.stack([pad_or_trim(features, frames)]))
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language="en")
    words = written(judge, pcm, upto_ms).rstrip(" .,?!…-")
    said = tokenizer.encode(" " + words) if words else []
    prompt = model.get_prompt(tokenizer, [], without_timestamps=True) + said
    result = model.model.generate(
        encoded, [prompt], beam_size=1, max_length=len(prompt) + 4, return_logits_vocab=True
    )[0]
    del held
    steps = result.logits[0]
    if len(steps) <= len(said):
        judge.cache[key] = 0.0
        return 0.0
    logits = np.asarray(steps[len(said)], dtype=np.float64)
    p = np.exp(logits - logits.max())
    p /= p.sum()

    def mass(marks) -> float:  # type: ignore[no-untyped-def]
        return float(sum(p[tokenizer.encode(m)[0]] for m in marks if len(tokenizer.encode(m)) == 1))

    go, stop = mass(CONTINUING), mass(STOPPING)
    judge.cache[key] = go / (go + stop) if go + stop > 0 else 0.0
    return judge.cache[key]


def auc(scores: list[float], labels: list[bool]) -> float:
    """Probability that a random positive (label True) scores above a random negative."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


def held_when(profile: str, holds):  # type: ignore[no-untyped-def]
    """The shipped profile, but a turn it would end within FAST_MS waits the profile's unsure
    window where `holds(judge, pcm, look)` says more is coming (look: the first look, 120 ms in)."""
    import turns as bench

    from appliance.call.endpointing import PROFILES

    base = bench.wardline(profile)
    hold = PROFILES[profile].unsure_ms

    def decide(u, pcm, s, judge) -> float:  # type: ignore[no-untyped-def]
        at = base(u, pcm, s, judge)
        if at - s.start_ms > FAST_MS:
            return at
        return s.start_ms + hold if holds(judge, pcm, s.start_ms + 120) else at

    return decide


def held_if_continuing(profile: str, bar: float):  # type: ignore[no-untyped-def]
    """Held where Whisper leans to a sentence going on (`continuing` at or over `bar`)."""
    return held_when(profile, lambda judge, pcm, look: continuing(judge, pcm, look) >= bar)


def held_without_stop(profile: str, raw: bool = False):  # type: ignore[no-untyped-def]
    """Held where the words do not end in a full stop, "?" or "!" (`raw`: as Whisper wrote them)."""

    def holds(judge, pcm, look) -> bool:  # type: ignore[no-untyped-def]
        text = written(judge, pcm, look) if raw else judge.text(pcm, look)
        return tail(text) not in ".?!"

    return held_when(profile, holds)


async def run(args) -> None:  # type: ignore[no-untyped-def]
    import turns as bench

    from appliance.config import load_settings

    settings = load_settings()
    judge = bench.whisper_judge(settings)
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
    rows: list[tuple] = []  # (utterance, is_end, tail, text, normal's window, silence, own tail, own)
    pcm_of = {u.uid: pcm for u, pcm, _, _ in corpus}
    for (u, pcm, _, _), ss in zip(corpus, sil, strict=True):
        for s in ss:
            look = s.start_ms + 120
            if s.end_ms is not None and s.end_ms <= look:
                continue
            text = judge.text(pcm, look)
            own = written(judge, pcm, look)
            window = normal(u, pcm, s, judge) - s.start_ms
            rows.append((u, s.end_ms is None, tail(text), text, window, s, tail(own), own))
    print(f"\ncorpus {number}: how Whisper's text ends at the first look into a silence (share of "
          f"decision points; read: the text the detector reads, own: Whisper's best as written)")  # fmt: skip

    def line(label: str, pick) -> None:  # type: ignore[no-untyped-def]
        got = [r for r in rows if pick(r)]
        for name, at in (("read", 2), ("own", 6)):
            c = Counter(r[at] for r in got)
            cells = " ".join(f"{t} {c[t] / max(1, len(got)) * 100:4.0f}%" for t in TAILS)
            print(f"  {label:42} {name:4} {len(got):4d}  {cells}")

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
    cont = {id(r): continuing(judge, pcm_of[r[0].uid], r[5].start_ms + 120) for r in rows}
    hard = [
        r for r in rows if (not r[1] and r[5].start_ms + r[4] < r[5].end_ms) or (r[1] and r[4] <= FAST_MS)
    ]
    print(f"  Whisper's lean to a comma at the pause (share of its mark probability), AUC pause vs end: "
          f"all {auc([-cont[id(r)] for r in rows], [r[1] for r in rows]):.3f}; "
          f"hard (cut pauses vs fast ends) "
          f"{auc([-cont[id(r)] for r in hard], [r[1] for r in hard]):.3f}")  # fmt: skip
    for label, pick in (
        ("pauses", lambda r: not r[1]),
        ("ends", lambda r: r[1]),
        ("pauses normal cuts off", lambda r: not r[1] and r[5].start_ms + r[4] < r[5].end_ms),
        ("ends normal ends fast", lambda r: r[1] and r[4] <= FAST_MS),
    ):
        vals = sorted(cont[id(r)] for r in rows if pick(r))
        if vals:
            q = [vals[int(f * (len(vals) - 1))] for f in (0.25, 0.5, 0.75, 0.9)]
            print(
                f"    {label:26} n={len(vals):3d} lean p25 {q[0]:.3f} median {q[1]:.3f} "
                f"p75 {q[2]:.3f} p90 {q[3]:.3f}"
            )
    for profile in ("normal", "fast"):
        cells = []
        for bar in (0.05, 0.1, 0.2, 0.3, 0.5):
            r, m, _, _ = bench.evaluate(held_if_continuing(profile, bar), corpus, sil, judge)
            cells.append(f"{bar:.2f}: {r * 100:4.1f}% {m:4.0f} ms")
        print(
            f"  {profile}: a fast end with Whisper leaning to a comma waits unsure, by bar: "
            + " | ".join(cells)
        )
    for profile in ("normal", "fast"):
        before = bench.evaluate(bench.wardline(profile), corpus, sil, judge)
        after = bench.evaluate(held_without_stop(profile), corpus, sil, judge)
        own = bench.evaluate(held_without_stop(profile, raw=True), corpus, sil, judge)
        print(f"  {profile}: shipped {before[0] * 100:.1f}% at {before[1]:.0f} ms (p90 {before[2]:.0f}); "
              f"a fast end without a full stop waits unsure: {after[0] * 100:.1f}% at {after[1]:.0f} ms "
              f"(p90 {after[2]:.0f}); by Whisper's own text: {own[0] * 100:.1f}% at {own[1]:.0f} ms "
              f"(p90 {own[2]:.0f})")  # fmt: skip
    if show:
        for u, end, _, text, win, _s, _t, own in rows:
            if u.kind in ("complete-at-pause", "yes-no-choice") or (end and win <= FAST_MS):
                print(
                    f"  {'END' if end else 'pause':5} {u.voice:10} {u.kind:17} {win:4.0f} ms {text!r} {own!r}"
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
