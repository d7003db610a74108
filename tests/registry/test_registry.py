"""Install, verify, activate, roll back and remove, with tiny real models; bad input changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from appliance.config import load_settings
from appliance.privacy.offline import local_model_path
from appliance.registry.errors import (
    HealthCheckError,
    IntegrityError,
    ManifestError,
    OfflineError,
    RegistryError,
    UnsupportedModelError,
)
from appliance.registry.manifest import load_catalog
from appliance.registry.registry import ModelRegistry
from tests.conftest import REPO
from tests.fixtures.tiny_models import build_gguf
from tests.registry.conftest import voice_manifest, write_manifest


def test_shipped_catalog_is_valid_and_complete():
    catalog = {m.id: m for m, _ in load_catalog([REPO / "models"]).values()}
    for needed in (
        "qwen3-8b-q4_k_m",
        "qwen3-14b-q4_k_m",
        "qwen3-32b-q4_k_m",
        "qwen3-8b-awq",
        "qwen3-14b-awq",
        "qwen3-32b-awq",
        "glm-4-9b-q4_k_m",
        "faster-whisper-small",
        "faster-whisper-large-v3-turbo",
        "piper-en_us-lessac-medium",
        "piper-es_es-davefx-medium",
    ):
        assert needed in catalog, needed
    assert {m.kind for m in catalog.values()} == {"llm", "asr", "tts"}
    assert catalog["qwen3-8b-awq"].engine == "vllm"
    assert catalog["qwen3-8b-q4_k_m"].chat_template == "gguf"


def test_install_copies_into_a_store_named_by_sha256(registry, voices, tmp_path):
    manifest = voice_manifest(tmp_path, voices["a"], "voice-a")
    record = registry.install(voices["a"].parent, manifest_path=manifest)
    assert record.id == "voice-a" and all(f.publisher_hash for f in record.files)
    for f in record.files:
        blob = registry.store.blob_path(f.sha256)
        assert blob.read_bytes() == (voices["a"].parent / f.name).read_bytes()
    assert registry.model_path("voice-a").resolve() == registry.store.blob_path(record.files[0].sha256)
    assert [r["id"] for r in registry.list() if r["installed"]] == ["voice-a"]
    assert registry.verify("voice-a")[0].ok


def test_truncated_and_wrong_hash_files_are_refused_and_nothing_is_installed(registry, voices, tmp_path):
    manifest = voice_manifest(tmp_path, voices["a"], "voice-a")
    bad = tmp_path / "bad"
    shutil.copytree(voices["a"].parent, bad)
    onnx = bad / voices["a"].name
    data = onnx.read_bytes()
    onnx.write_bytes(data[: len(data) // 2])
    with pytest.raises(IntegrityError, match="truncated"):
        registry.install(bad, manifest_path=manifest)
    onnx.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])  # same size, other bytes
    with pytest.raises(IntegrityError, match="sha256"):
        registry.install(bad, manifest_path=manifest)
    assert registry.installed() == []
    assert not any(p for p in registry.store.blobs.iterdir() if not p.name.startswith("."))


def test_manifest_with_a_missing_field_is_refused_naming_the_field(registry, voices, tmp_path):
    path = voice_manifest(tmp_path, voices["a"], "voice-a")
    data = yaml.safe_load(path.read_text())
    del data["license"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ManifestError, match=r"license: missing field"):
        registry.install(voices["a"].parent, manifest_path=path)
    assert registry.installed() == []


def test_gguf_of_an_unsupported_architecture_is_refused(registry, tmp_path):
    gguf = build_gguf(tmp_path / "encoder.gguf", architecture="bert")
    manifest = write_manifest(
        tmp_path / "m.yaml", "bert-tiny", "llm", "llama.cpp", [gguf], architecture="llama"
    )
    with pytest.raises(UnsupportedModelError, match="'bert' is not supported"):
        registry.install(gguf, manifest_path=manifest)
    assert registry.installed() == []


def test_not_a_gguf_is_refused(registry, tmp_path):
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model at all")
    manifest = write_manifest(tmp_path / "m.yaml", "fake", "llm", "llama.cpp", [fake], architecture="llama")
    with pytest.raises(UnsupportedModelError, match="not a GGUF"):
        registry.install(fake, manifest_path=manifest)


def test_activate_swaps_after_health_check_and_rollback_returns(registry, voices, tmp_path):
    for key in ("a", "b"):
        registry.install(
            voices[key].parent, manifest_path=voice_manifest(tmp_path, voices[key], f"voice-{key}")
        )
    first = registry.activate("voice-a")
    assert first.previous is None and first.health.ok and "synthesized" in first.health.detail
    second = registry.activate("voice-b")
    assert (second.previous, registry.active("tts")) == ("voice-a", "voice-b")
    back = registry.rollback("tts")
    assert (back.id, back.previous, registry.active("tts")) == ("voice-a", "voice-b", "voice-a")
    with pytest.raises(RegistryError, match="no earlier tts model"):
        registry.rollback("tts")
    journal = registry.root / "swaps.jsonl"
    assert not journal.exists()  # no audit hook given to this registry


def test_failed_health_check_leaves_the_old_model_active(registry, voices, tmp_path):
    registry.install(voices["a"].parent, manifest_path=voice_manifest(tmp_path, voices["a"], "voice-a"))
    registry.activate("voice-a")
    broken = tmp_path / "broken"
    broken.mkdir()
    shutil.copy(f"{voices['a']}.json", broken / "en_US-broken.onnx.json")
    (broken / "en_US-broken.onnx").write_bytes(b"\x08\x07garbage that is no onnx graph")
    manifest = voice_manifest(tmp_path, broken / "en_US-broken.onnx", "voice-broken")
    registry.install(broken, manifest_path=manifest)
    state_before = (registry.root / "state.json").read_bytes()
    with pytest.raises(HealthCheckError, match="active model is unchanged"):
        registry.activate("voice-broken")
    assert registry.active("tts") == "voice-a"
    assert (registry.root / "state.json").read_bytes() == state_before


def test_stored_file_changed_after_install_fails_verify_and_blocks_activation(registry, voices, tmp_path):
    record = registry.install(
        voices["a"].parent, manifest_path=voice_manifest(tmp_path, voices["a"], "voice-a")
    )
    blob = registry.store.blob_path(record.files[0].sha256)
    blob.chmod(0o644)
    blob.write_bytes(blob.read_bytes()[:-10] + b"0123456789")
    assert not registry.verify("voice-a")[0].ok
    with pytest.raises(IntegrityError):
        registry.activate("voice-a")
    assert registry.active("tts") is None


def test_remove_refuses_the_active_model_and_frees_unshared_blobs(registry, voices, tmp_path):
    registry.install(voices["a"].parent, manifest_path=voice_manifest(tmp_path, voices["a"], "voice-a"))
    registry.install(voices["b"].parent, manifest_path=voice_manifest(tmp_path, voices["b"], "voice-b"))
    registry.activate("voice-a")
    with pytest.raises(RegistryError, match="active tts model"):
        registry.remove("voice-a")
    shared = {f.sha256 for f in registry.record("voice-a").files}
    only_b = {f.sha256 for f in registry.record("voice-b").files} - shared
    freed = registry.remove("voice-b")
    # The two tiny voices share their ONNX bytes: stored once, kept while voice-a needs it.
    assert set(freed) == only_b and len(only_b) == 1
    assert all(registry.store.has(h) for h in shared)
    assert [r.id for r in registry.installed()] == ["voice-a"]


def test_activation_signals_the_running_service_to_reload(registry, voices, tmp_path):
    marker = tmp_path / "hup"
    code = (
        "import signal, sys, time, pathlib\n"
        f"mark = pathlib.Path({str(marker)!r})\n"
        "signal.signal(signal.SIGHUP, lambda *a: (mark.write_text('x'), sys.exit(0)))\n"
        "print('ready', flush=True)\ntime.sleep(30)\n"
    )
    service = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert service.stdout.readline().strip() == "ready"
        settings = load_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        (settings.data_dir / "wardline.pid").write_text(str(service.pid))
        registry.install(voices["a"].parent, manifest_path=voice_manifest(tmp_path, voices["a"], "voice-a"))
        assert registry.activate("voice-a").service_reloaded
        service.wait(timeout=10)
        assert marker.read_text() == "x"
        assert registry.ps()["active"][0]["id"] == "voice-a"
    finally:
        if service.poll() is None:
            service.kill()


def test_model_references_must_be_local_files(tmp_path):
    with pytest.raises(OfflineError, match="hub id"):
        local_model_path("Qwen/Qwen3-8B-GGUF")
    with pytest.raises(OfflineError, match="URL"):
        local_model_path("https://huggingface.co/Qwen/Qwen3-8B-GGUF")
    assert local_model_path(tmp_path) == tmp_path


def test_install_guesses_the_manifest_from_the_catalog(voices, tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    voice_manifest(catalog, voices["a"], "voice-a")
    monkeypatch.setenv("WARDLINE_MODELS__CATALOG_DIR", str(catalog))
    registry = ModelRegistry(load_settings())
    assert registry.install(voices["a"].parent).id == "voice-a"
    with pytest.raises(RegistryError, match="matches no manifest"):
        registry.install(tmp_path)


def test_state_survives_a_crash_between_writes(registry, voices, tmp_path):
    registry.install(voices["a"].parent, manifest_path=voice_manifest(tmp_path, voices["a"], "voice-a"))
    registry.activate("voice-a")
    leftovers = [p for p in registry.root.iterdir() if p.name.startswith(".state.json.")]
    assert leftovers == []
    assert json.loads((registry.root / "state.json").read_text())["active"] == {"tts": "voice-a"}
    assert os.stat(registry.root / "state.json").st_size > 0
    assert time.time() >= registry.record("voice-a").installed_at
