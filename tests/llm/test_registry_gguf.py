"""A GGUF through the registry: install, activate with a real short generation, roll back."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.registry.errors import HealthCheckError
from appliance.registry.registry import ModelRegistry
from tests.fixtures.tiny_models import build_gguf
from tests.registry.conftest import write_manifest


def test_gguf_install_activate_and_rollback(tiny_gguf, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WARDLINE_LLM__N_GPU_LAYERS", "0")
    # the mechanics only: random weights could never pass the acceptance gate (the test below)
    monkeypatch.setenv("WARDLINE_MODELS__LLM_ACCEPTANCE", "false")
    registry = ModelRegistry(load_settings())
    other = build_gguf(tmp_path / "other.gguf", seed=7, n_layer=1)
    for path, model_id in ((tiny_gguf, "tiny-a"), (other, "tiny-b")):
        manifest = write_manifest(
            tmp_path / f"{model_id}.yaml", model_id, "llm", "llama.cpp", [path], architecture="llama"
        )
        registry.install(path, manifest_path=manifest)
    first = registry.activate("tiny-a")
    assert "generated" in first.health.detail
    registry.activate("tiny-b")
    assert registry.active_model_path("llm").name == "other.gguf"
    assert registry.rollback("llm").id == "tiny-a" and registry.active("llm") == "tiny-a"


def test_a_model_that_hears_callers_worse_than_the_embedded_default_is_refused(
    tiny_gguf, tmp_path: Path, monkeypatch
):
    monkeypatch.setenv("WARDLINE_LLM__N_GPU_LAYERS", "0")
    monkeypatch.setenv("WARDLINE_MODELS__LLM_ACCEPTANCE", "false")
    registry = ModelRegistry(load_settings())
    good = write_manifest(
        tmp_path / "kept.yaml", "kept", "llm", "llama.cpp", [tiny_gguf], architecture="llama"
    )
    registry.install(tiny_gguf, manifest_path=good)
    registry.activate("kept")
    monkeypatch.setenv("WARDLINE_MODELS__LLM_ACCEPTANCE", "true")
    # the model's own answers are measured, however slow a loaded test box makes it (past the
    # deadline the embedded stack would answer for it and the gate would see the default's figures)
    monkeypatch.setenv("WARDLINE_LLM__DEADLINE_MS", "10000")
    registry = ModelRegistry(load_settings())
    other = build_gguf(tmp_path / "random.gguf", seed=11, n_layer=1)
    manifest = write_manifest(
        tmp_path / "random.yaml", "random", "llm", "llama.cpp", [other], architecture="llama"
    )
    registry.install(other, manifest_path=manifest)
    with pytest.raises(HealthCheckError) as info:
        registry.activate("random")
    message = str(info.value)
    assert "below the embedded default" in message and "intent accuracy" in message
    assert "red-flag recall" in message and "the active model is unchanged" in message
    assert registry.active("llm") == "kept"
