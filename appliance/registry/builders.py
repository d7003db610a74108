"""Engines built from a model file: the constructors' arguments, written once.

Used by the registry's health check on a model it is about to activate, and by engines.py for
the box's own engines. Imports nothing of the registry (health.py imports this, and the
registry imports health.py). Nothing is started: the caller starts and closes what it builds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from appliance.config import Settings


def whisper(
    model_dir: Path, *, vocabulary: Iterable[str] = (), expectations: Iterable[Any] = (), **options: Any
) -> Any:
    """`options`: what differs from the engine's defaults (a health check's max_new_tokens);
    `expectations`: where the dialog expects which site terms (engines.site_expectations)."""
    from appliance.speech.asr.faster_whisper import FasterWhisperAsr

    return FasterWhisperAsr(model_dir, vocabulary=vocabulary, expectations=expectations, **options)


def pocketsphinx(site: Any, workers: int) -> Any:
    from appliance.dialog.corpus import contexts, corpus
    from appliance.speech.asr.pocketsphinx import PocketsphinxAsr

    return PocketsphinxAsr(corpus=corpus(site), contexts=contexts(site), workers=workers)


def piper(voices: Mapping[str, Path], workers: int = 1) -> Any:
    """`voices`: language code → the voice's .onnx file; `workers`: syntheses at once."""
    from appliance.speech.tts.piper import PiperTts

    return PiperTts(dict(voices), workers=workers)


def espeak(voice: str, words_per_minute: int) -> Any:
    from appliance.speech.tts.espeak import EspeakTts

    return EspeakTts(voice=voice, words_per_minute=words_per_minute)


def llama_cpp(path: Path, settings: Settings, **options: Any) -> Any:
    """`options`: what differs from the box's settings (a health check's model_id, n_ctx, …)."""
    from appliance.llm.llama_cpp import LlamaCppEngine

    kwargs: dict[str, Any] = {"n_ctx": settings.llm.n_ctx, "n_gpu_layers": settings.llm.n_gpu_layers}
    return LlamaCppEngine(path, **{**kwargs, **options})


def llm_server(settings: Settings, model_id: str, **options: Any) -> Any:
    """An OpenAI-compatible server on the site's network (vLLM), or the box's own llama.cpp
    server (`options`: its dialect, and how long to wait for it to load its model)."""
    from appliance.llm.openai_compat import OpenAiCompatEngine

    kwargs: dict[str, Any] = {
        "dialect": settings.llm.server_dialect,
        "timeout_s": settings.llm.request_timeout_s,
        "site_networks": settings.network.site_networks,
    }
    return OpenAiCompatEngine(settings.llm.server_url, model_id, **{**kwargs, **options})
