"""LLM figures: the engine wrapper's overhead, deadline fallback timing, a model swap mid-call.

    .venv/bin/python bench/llm_overhead.py [--trials 7] [--tokens 128]

1. Overhead: LlamaCppEngine (worker thread, asyncio queue, template, stats) against raw
   llama-cpp-python on the same GGUF, same prompts, same greedy settings: time to first token
   and tokens per second; the ratio is wrapper time / raw time (target ≤ 1.05).
2. Deadline: DeadlineRouter with the rule NLU as fallback and a model too slow for the deadline;
   how long after the deadline the caller's turn is answered.
3. Swap: a simulated call runs turn after turn on model A while `ModelRegistry.activate` health-
   checks model B and the service-side ModelSlot swaps it in; counts calls dropped.
Models are random-weight GGUFs built here (nothing downloaded): the figures measure Wardline's
code, not a model's quality. Prints figures; never passes or fails on time.
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

from appliance.llm.base import ChatMessage, GenerationRequest  # noqa: E402
from appliance.llm.llama_cpp import LlamaCppEngine  # noqa: E402
from tests.fixtures.tiny_models import build_gguf  # noqa: E402


def prompt(i: int) -> GenerationRequest:
    return GenerationRequest(
        messages=(
            ChatMessage("system", f"Session {i}. You are the Riverside clinic's phone assistant."),
            ChatMessage("user", "I would like to book an appointment with family medicine next week."),
        ),
        max_tokens=0,
        temperature=0.0,
    )


def raw_run(llm, tokens: list[int], n: int) -> tuple[float, float]:
    started = time.perf_counter()
    first = None
    for chunk in llm.create_completion(prompt=tokens, max_tokens=n, temperature=0.0, stream=True, seed=1):
        if first is None and chunk["choices"][0]["text"]:
            first = time.perf_counter() - started
    return first or 0.0, time.perf_counter() - started


async def wrapper_run(engine: LlamaCppEngine, request: GenerationRequest) -> tuple[float, float, int]:
    started = time.perf_counter()
    first = None
    async for _ in engine.stream(request):
        if first is None:
            first = time.perf_counter() - started
    return first or 0.0, time.perf_counter() - started, engine.last_stats.completion_tokens


def overhead(model: Path, trials: int, n_tokens: int, threads: int) -> None:
    from llama_cpp import Llama

    engine = LlamaCppEngine(model, n_ctx=2048, n_gpu_layers=0, n_threads=threads, prompt_cache_bytes=0)
    raw = Llama(
        model_path=str(model), n_ctx=2048, n_gpu_layers=0, n_threads=threads, seed=1234, verbose=False
    )

    async def trials_on_one_loop() -> tuple[list[tuple[float, float]], list[tuple[float, float, int]]]:
        # One event loop for every trial, as in the service; the raw call runs on the same thread.
        await engine.start()
        raws, wraps = [], []
        for i in range(trials + 1):  # round 0 warms both up and is not counted
            request = GenerationRequest(messages=prompt(i).messages, max_tokens=n_tokens, temperature=0.0)
            tokens = raw.tokenize(engine.render_prompt(request).encode(), add_bos=True, special=True)
            r = raw_run(raw, tokens, n_tokens)
            w = await wrapper_run(engine, request)
            if i:
                raws.append(r)
                wraps.append(w)
        await engine.close()
        return raws, wraps

    raws, wraps = asyncio.run(trials_on_one_loop())
    ttft_raw = statistics.median(r[0] for r in raws)
    ttft_wrap = statistics.median(w[0] for w in wraps)
    total_raw = statistics.median(r[1] for r in raws)
    total_wrap = statistics.median(w[1] for w in wraps)
    tokens = statistics.median(w[2] for w in wraps)  # greedy on one model: both make the same tokens
    print(f"== overhead: {trials} trials, up to {n_tokens} tokens ({tokens:.0f} made), {threads} thread(s)")
    print(f"   raw llama-cpp-python  TTFT {ttft_raw * 1000:7.2f} ms   {tokens / total_raw:8.1f} tok/s")
    print(f"   LlamaCppEngine        TTFT {ttft_wrap * 1000:7.2f} ms   {tokens / total_wrap:8.1f} tok/s")
    print(
        f"   ratio (wrapper / raw): TTFT {ttft_wrap / ttft_raw:.3f}, time per token "
        f"{total_wrap / total_raw:.3f}   (target ≤ 1.05)"
    )


def deadline(model: Path, turns: int, deadline_ms: int, threads: int) -> None:
    from appliance.dialog.llm_understanding import DeadlineRouter, LlmCommandGenerator
    from appliance.dialog.nlu import RuleNlu
    from appliance.dialog.sitepack import load_site
    from appliance.dialog.understanding import DialogContext

    site = load_site(REPO / "policies" / "riverside")
    context = DialogContext(flows=tuple(site.flows))
    engine = LlamaCppEngine(model, n_ctx=2048, n_gpu_layers=0, n_threads=threads)

    async def run() -> list[tuple[float, str]]:
        await engine.start()
        router = DeadlineRouter(
            LlmCommandGenerator(engine, max_tokens=700), RuleNlu(site), deadline_ms=deadline_ms
        )
        out = []
        for i in range(turns):
            started = time.perf_counter()
            await router.propose(["I need a refill", "where do I park", "operator please"][i % 3], context)
            out.append(((time.perf_counter() - started) * 1000, router.last_outcome.reason))
        await engine.close()
        return out

    results = asyncio.run(run())
    late = [ms - deadline_ms for ms, reason in results if reason == "deadline"]
    print(f"== deadline: {deadline_ms} ms to the first command, {turns} turns")
    print(f"   answered by the rule NLU after the deadline: {len(late)}/{turns}")
    if late:
        print(
            "   time past the deadline until the turn was answered: "
            f"median {statistics.median(late):.1f} ms, "
            f"max {max(late):.1f} ms"
        )


def swap(model_a: Path, model_b: Path, threads: int) -> None:
    import hashlib

    import yaml

    from appliance.config import load_settings
    from appliance.model_slot import ModelSlot
    from appliance.registry.registry import ModelRegistry

    def manifest(path: Path, model_id: str, folder: Path) -> Path:
        data = path.read_bytes()
        m = {
            "id": model_id, "kind": "llm", "engine": "llama.cpp", "architecture": "llama",
            "files": [{"name": path.name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}],
            "quantization": "f32", "context_length": 2048, "languages": ["en"], "license": "test",
            "vram_estimate_gb": 0.0, "chat_template": "gguf",
        }  # fmt: skip
        out = folder / f"{model_id}.yaml"
        out.write_text(yaml.safe_dump(m))
        return out

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["WARDLINE_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["WARDLINE_LLM__N_GPU_LAYERS"] = "0"
        registry = ModelRegistry(load_settings())
        registry.install(model_a, manifest_path=manifest(model_a, "bench-a", Path(tmp)))
        registry.install(model_b, manifest_path=manifest(model_b, "bench-b", Path(tmp)))
        registry.activate("bench-a")

        def load(model_id: str) -> LlamaCppEngine:
            return LlamaCppEngine(
                registry.model_path(model_id),
                model_id=model_id,
                n_ctx=2048,
                n_gpu_layers=0,
                n_threads=threads,
            )

        async def call(slot: ModelSlot, name: str, turns: int, log: list[str]) -> None:
            async with slot.lease() as engine:
                for t in range(turns):
                    request = GenerationRequest(messages=(ChatMessage("user", f"turn {t}"),), max_tokens=24)
                    async for _ in engine.stream(request):
                        pass
                    log.append(f"{name}:{engine.model_id}")
                    await asyncio.sleep(0.05)

        async def run() -> tuple[list[str], list[BaseException], float]:
            first = load("bench-a")
            await first.start()
            slot: ModelSlot[LlamaCppEngine] = ModelSlot(first, "bench-a")
            log: list[str] = []
            running = asyncio.create_task(call(slot, "call-1", 8, log))
            await asyncio.sleep(0.1)
            started = time.perf_counter()
            # What `wardline models activate` does (health check, atomic pointer), then the reload.
            await asyncio.to_thread(registry.activate, "bench-b")
            new = load(registry.active("llm") or "")
            await new.start()
            await slot.swap(new, "bench-b")
            swap_s = time.perf_counter() - started
            second = asyncio.create_task(call(slot, "call-2", 3, log))
            results = await asyncio.gather(running, second, return_exceptions=True)
            await slot.engine.close()
            return log, [r for r in results if isinstance(r, BaseException)], swap_s

        log, errors, swap_s = asyncio.run(run())
    old = sorted({x for x in log if x.startswith("call-1")})
    new = sorted({x for x in log if x.startswith("call-2")})
    print("== swap during a running call")
    print(f"   activate + reload took {swap_s * 1000:.0f} ms while call-1 kept talking")
    print(f"   call-1 turns on: {old}; call-2 turns on: {new}")
    print(f"   calls dropped: {len(errors)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=21)
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench = build_gguf(
            Path(tmp) / "bench.gguf", n_embd=256, n_layer=4, n_head=4, n_ff=768, byte_fallback=False
        )
        slow = build_gguf(Path(tmp) / "slow.gguf", n_embd=768, n_layer=12, n_head=12, n_ff=2048)
        tiny = build_gguf(Path(tmp) / "tiny.gguf")
        overhead(bench, args.trials, args.tokens, args.threads)
        deadline(slow, 6, 700, args.threads)
        swap(bench, tiny, args.threads)


if __name__ == "__main__":
    main()
