"""Registry fixtures: tiny real models and manifests that describe them exactly."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from appliance.config import load_settings
from appliance.registry.registry import ModelRegistry
from tests.fixtures.tiny_models import build_gguf, build_piper_voice


@contextlib.contextmanager
def registry_in(data_dir: Path) -> Iterator[ModelRegistry]:
    """The model registry of a scratch data directory, WARDLINE_DATA_DIR pointing at it while the
    block runs: for a fixture wider than one test (the autouse data directory is per test)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WARDLINE_DATA_DIR", str(data_dir))
        yield ModelRegistry(load_settings())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(model_id: str, kind: str, engine: str, files: list[dict], **extra) -> dict:  # type: ignore[type-arg]
    """A test model's manifest: `files` as the manifest lists them (name, sha256, size); `extra`
    adds fields or overrides the defaults (f32, English, no VRAM)."""
    return {
        "id": model_id,
        "kind": kind,
        "engine": engine,
        "files": files,
        "quantization": "f32",
        "context_length": 2048 if kind == "llm" else None,
        "languages": ["en"],
        "license": "test",
        "vram_estimate_gb": 0.0,
        "chat_template": "gguf" if engine == "llama.cpp" else "none",
        **extra,
    }


def write_manifest(path: Path, model_id: str, kind: str, engine: str, files: list[Path], **extra) -> Path:
    """The manifest that describes the model `files` on disk exactly, written to `path`."""
    listed = [{"name": f.name, "sha256": sha256(f), "size": f.stat().st_size} for f in files]
    path.write_text(yaml.safe_dump(manifest(model_id, kind, engine, listed, **extra)), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("voices")
    return {
        "a": build_piper_voice(root / "a" / "en_US-tiny_a.onnx"),
        "b": build_piper_voice(root / "b" / "en_US-tiny_b.onnx", sample_rate_hz=16000),
    }


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_gguf(tmp_path_factory.mktemp("gguf") / "tiny-llama.gguf")


@pytest.fixture
def registry() -> ModelRegistry:
    return ModelRegistry(load_settings())


def voice_manifest(tmp_path: Path, voice: Path, model_id: str) -> Path:
    return write_manifest(
        tmp_path / f"{model_id}.yaml", model_id, "tts", "piper", [voice, Path(f"{voice}.json")]
    )
