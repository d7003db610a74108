"""Activating a vLLM model: the unit's env file is written, the server is health-checked, and a
failed check restores the old env and leaves the old model active (llama.cpp's server stands in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.registry import vllm_unit
from appliance.registry.errors import HealthCheckError
from appliance.registry.registry import ModelRegistry
from tests.llm.conftest import SERVED_NAME
from tests.registry.conftest import write_manifest


def vllm_manifest(folder: Path, model_id: str, config: Path) -> Path:
    return write_manifest(
        folder / f"{model_id}.yaml", model_id, "llm", "vllm", [config],
        quantization="AWQ-4bit", vram_estimate_gb=1.0, chat_template="tokenizer_config",
        engine_args={"quantization": "awq_marlin", "enforce_eager": True},
    )  # fmt: skip


def test_activate_writes_the_unit_env_and_checks_the_server(server, tmp_path, monkeypatch):
    monkeypatch.setenv("WARDLINE_LLM__SERVER_URL", server)
    monkeypatch.setenv("WARDLINE_LLM__SERVER_DIALECT", "llama.cpp")
    # the unit env and the server check only; the acceptance gate has its own test (test_registry_gguf)
    monkeypatch.setenv("WARDLINE_MODELS__LLM_ACCEPTANCE", "false")
    settings = load_settings()
    registry = ModelRegistry(settings)
    model = tmp_path / "awq"
    model.mkdir()
    (model / "config.json").write_text('{"architectures": ["Qwen3ForCausalLM"]}')
    registry.install(model, manifest_path=vllm_manifest(tmp_path, SERVED_NAME, model / "config.json"))
    result = registry.activate(SERVED_NAME)
    assert result.health.ok and registry.active("llm") == SERVED_NAME
    env = vllm_unit.env_path(settings).read_text()
    assert f"WARDLINE_VLLM_MODEL={registry.model_dir(SERVED_NAME)}" in env
    assert f"WARDLINE_VLLM_NAME={SERVED_NAME}" in env
    for flag in (
        "--quantization awq_marlin",
        "--enforce-eager",
        "--max-model-len 2048",
        "--enable-prefix-caching",
    ):
        assert flag in env

    # A model the server does not serve: the check fails, the env file and the active model stay.
    registry.install(model, manifest_path=vllm_manifest(tmp_path, "not-served", model / "config.json"))
    monkeypatch.setenv("WARDLINE_MODELS__HEALTH_TIMEOUT_S", "2")
    registry = ModelRegistry(load_settings())
    with pytest.raises(HealthCheckError, match="active model is unchanged"):
        registry.activate("not-served")
    assert registry.active("llm") == SERVED_NAME
    assert vllm_unit.env_path(settings).read_text() == env
