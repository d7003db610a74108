"""The one place speech and language engines are constructed.

Two kinds of callers: the call services build the engines the box runs on from its settings
and the active models (`asr_for`, `tts_for`, `llm_for`); the registry's health check builds
one from a model folder it is about to activate (builders.py: `whisper`, `piper`, `llama_cpp`, …).
Both go through the builders, so an engine's constructor arguments are written once.
Nothing is started: the caller starts and closes what it builds.

Where a box shares its engines (`[speech] engines = "shared"`), `asr_for` and `tts_for` give
the worker clients of the shared engine process (appliance/speech/shared) instead; that process
builds the real ones here too (appliance/service/engine_host.py, with the engines in-process).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.registry.builders import espeak, llama_cpp, llm_server, piper, pocketsphinx, whisper

__all__ = [
    "ModelNotActive", "active_model", "asr_for", "closed_on_failure", "espeak", "llama_cpp", "llm_for",
    "llm_server", "model_key", "piper", "pocketsphinx", "served_gguf", "site_expectations", "site_names",
    "site_topics", "site_vocabulary", "tts_for", "tts_pool", "whisper",
]  # fmt: skip


class ModelNotActive(Exception):
    """The configuration names a model engine, but no model of that kind is active."""


# -- from the settings and the active models -------------------------------------------------
def active_model(settings: Settings, kind: str) -> Path:
    from appliance.registry.registry import ModelRegistry

    path = ModelRegistry(settings).active_model_path(kind)
    if path is None:
        raise ModelNotActive(f"no {kind} model is active: install one and run `wardline models activate ID`")
    return path


def site_vocabulary(site: Any) -> list[str]:
    """The site's own words a recognizer may prefer among hypotheses it heard about as well:
    patients' and providers' names, medications (appliance/speech/asr/rescoring.py)."""
    nlu = site.nlu
    return [*nlu.vocabulary.names, *nlu.vocabulary.medications, *nlu.provider_names.values()]


def site_topics(site: Any) -> list[str]:
    """What the site's callers ask about by name: its knowledge base's section titles ("Visiting
    hours", "Visitor parking"). A recognizer hears a final again with one of them in place of
    words that sound somewhat like it (appliance/speech/asr/rescoring.py: topic_respellings)."""
    from appliance.knowledge.index import split_sections

    folder = Path(site.directory) / "knowledge"
    return [section.title for path in sorted(folder.glob("*.md")) for section in split_sections(path)]


def site_names(site: Any) -> list[str]:
    """Names of patients and providers: never put in by sound, never replaced by a topic."""
    nlu = site.nlu
    return [*nlu.vocabulary.names, *nlu.provider_names.values()]


def site_expectations(site: Any) -> list[Any]:
    """Where the dialog expects a term of the site's own (appliance/speech/asr/rescoring.py): a
    medication of the formulary when it asked "which medication?" and in the place the site's
    grammar names one ("a refill on my ___": the intents' `medication` groups); a pharmacy when
    it asked "which pharmacy?". Patients' names are not among them: a near-miss is never read
    as a patient."""
    from appliance.speech.asr.rescoring import Expectation

    nlu = site.nlu
    slots = tuple(
        pattern
        for intent in nlu.intents.values()
        for pattern in intent.patterns
        if "medication" in pattern.groupindex
    )
    pharmacies = tuple(w for words in nlu.entities.get("pharmacy", {}).values() for w in words)
    return [
        Expectation(tuple(nlu.vocabulary.medications), frozenset({"medication"}), slots, "medication"),
        Expectation(pharmacies, frozenset({"pharmacy"})),
    ]


def asr_for(settings: Settings, site: Any) -> Any:
    if settings.speech.engines == "shared":  # loaded once per box, in `wardline engines serve`
        from appliance.speech.shared.client import SharedAsr
        from appliance.speech.shared.protocol import engine_socket

        return SharedAsr(engine_socket(settings))
    if settings.speech.asr == "faster-whisper":
        return whisper(
            active_model(settings, "asr"),
            vocabulary=site_vocabulary(site),
            expectations=site_expectations(site),
            topics=site_topics(site),
            names=site_names(site),
            batch_size=settings.speech.asr_batch or None,  # 0: the engine decides by its device
        )
    return pocketsphinx(site, settings.speech.asr_workers)


def tts_for(settings: Settings) -> Any:
    if settings.speech.engines == "shared":
        from appliance.speech.shared.client import SharedTts
        from appliance.speech.shared.protocol import engine_socket

        return SharedTts(engine_socket(settings))
    if settings.speech.tts == "piper":
        voices = {settings.speech.voice.split("-")[0]: active_model(settings, "tts")}
        return piper(voices, tts_pool(settings, settings.sip.max_calls))
    return espeak(settings.speech.voice, settings.speech.words_per_minute)


@contextlib.asynccontextmanager
async def closed_on_failure() -> AsyncIterator[dict[str, Any]]:
    """A dict to put engines in as they are built and started: on any failure (cancellation
    too) each one in it is closed and the failure goes on, so a refused swap leaves none open."""
    built: dict[str, Any] = {}
    try:
        yield built
    except BaseException:
        for engine in built.values():
            with contextlib.suppress(Exception):
                await engine.close()
        raise


LOCAL_LLM_START_TIMEOUT_S = 300.0  # the box's llama.cpp server loads its model first


def tts_pool(settings: Settings, calls: int) -> int:
    """How many syntheses a neural voice runs at once: `[speech] tts_workers`, else one per call
    the process holds (a worker's 3, the engine process's whole box), at most one per CPU."""
    return settings.speech.tts_workers or max(1, min(calls, os.cpu_count() or 1))


def llm_for(settings: Settings) -> Any:
    """The active LLM: for a .gguf file, the box's one llama.cpp server when the box shares it
    (`[llm] engine`, resolved per worker) or llama.cpp in-process; else the site's model server."""
    from appliance.registry.registry import ModelRegistry

    path = active_model(settings, "llm")
    model_id = ModelRegistry(settings).active("llm") or path.name
    if path.suffix == ".gguf":
        if settings.llm.engine == "shared":  # served once per box by `wardline llm serve`
            return llm_server(
                settings, model_id, dialect="llama.cpp", start_timeout_s=LOCAL_LLM_START_TIMEOUT_S
            )
        return llama_cpp(path, settings)
    return llm_server(settings, model_id)


def served_gguf(settings: Settings) -> tuple[Path, str] | None:
    """The GGUF model this box serves to its workers (`wardline llm serve`) and its id, or None:
    [llm] off or not shared, or the active model is another server's (vLLM)."""
    from appliance.registry.registry import ModelRegistry

    if not settings.llm.shared:
        return None
    path = active_model(settings, "llm")
    if path.suffix != ".gguf":
        return None
    return path, ModelRegistry(settings).active("llm") or path.name


def model_key(settings: Settings, kind: str) -> str:
    """The model `kind` runs under `settings`, with the engine settings that need a new engine."""
    from appliance.registry.registry import ModelRegistry

    speech = settings.speech
    if kind == "asr":
        if speech.asr == "faster-whisper":
            return f"faster-whisper/{ModelRegistry(settings).active('asr')}"
        return f"pocketsphinx/{speech.asr_workers}-workers"
    if kind == "tts":
        if speech.tts == "piper":
            return f"piper/{ModelRegistry(settings).active('tts')}/{speech.voice.split('-')[0]}"
        return f"espeak-ng/{speech.voice}/{speech.words_per_minute}wpm"
    if not settings.llm.enabled:
        return "off"
    return str(ModelRegistry(settings).active("llm"))
