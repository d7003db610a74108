"""A GGUF through the registry: install, activate with a real short generation, roll back."""

from __future__ import annotations

from pathlib import Path

from appliance.config import load_settings
from appliance.registry.registry import ModelRegistry
from tests.fixtures.tiny_models import build_gguf
from tests.registry.conftest import write_manifest


def test_gguf_install_activate_and_rollback(tiny_gguf, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("WARDLINE_LLM__N_GPU_LAYERS", "0")
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
