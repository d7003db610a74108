"""Checks on a model's files before they are installed: is this what the engine can load?

Only headers are read (a GGUF's metadata, a voice's JSON config), never the weights, so a
multi-gigabyte file is judged in milliseconds. Each failure names the file and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

from appliance.registry.errors import UnsupportedModelError
from appliance.registry.manifest import ModelManifest

# GGUF general.architecture values Wardline ships chat templates and tests for.
SUPPORTED_GGUF_ARCHITECTURES = frozenset(
    {"llama", "qwen2", "qwen3", "qwen3moe", "glm4", "chatglm", "gemma2", "gemma3", "phi3", "mistral3"}
)


def gguf_architecture(path: Path) -> str:
    """general.architecture from a GGUF header; UnsupportedModelError when it is not a readable GGUF."""
    try:
        with path.open("rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise UnsupportedModelError(f"{path}: cannot be read: {exc.strerror}") from None
    if magic != b"GGUF":
        raise UnsupportedModelError(f"{path}: not a GGUF file (llama.cpp models are GGUF)")
    from gguf import GGUFReader

    try:
        reader = GGUFReader(str(path), "r")
    except Exception as exc:  # a truncated or corrupt header: gguf raises a mix of types
        raise UnsupportedModelError(f"{path}: unreadable GGUF header ({type(exc).__name__}: {exc})") from None
    field = reader.get_field("general.architecture")
    if field is None:
        raise UnsupportedModelError(f"{path}: GGUF has no general.architecture")
    return str(field.contents())


def check_files(manifest: ModelManifest, files: dict[str, Path]) -> None:
    """Engine-specific checks on the files about to be installed (name -> local path)."""
    if manifest.engine == "llama.cpp":
        ggufs = [p for n, p in files.items() if n.endswith(".gguf")]
        if not ggufs:
            raise UnsupportedModelError(f"{manifest.id}: a llama.cpp model needs a .gguf file")
        arch = gguf_architecture(ggufs[0])
        if arch not in SUPPORTED_GGUF_ARCHITECTURES:
            raise UnsupportedModelError(
                f"{ggufs[0]}: GGUF architecture {arch!r} is not supported "
                f"(supported: {', '.join(sorted(SUPPORTED_GGUF_ARCHITECTURES))})"
            )
        if manifest.architecture and arch != manifest.architecture:
            raise UnsupportedModelError(
                f"{ggufs[0]}: GGUF architecture is {arch!r}, the manifest {manifest.id} says "
                f"{manifest.architecture!r}"
            )
    elif manifest.engine == "faster-whisper":
        for needed in ("model.bin", "config.json", "tokenizer.json"):
            if needed not in files:
                raise UnsupportedModelError(
                    f"{manifest.id}: a faster-whisper model needs {needed} (CTranslate2 format)"
                )
    elif manifest.engine == "piper":
        onnx = [n for n in files if n.endswith(".onnx")]
        if not onnx or f"{onnx[0]}.json" not in files:
            raise UnsupportedModelError(f"{manifest.id}: a piper voice needs VOICE.onnx and VOICE.onnx.json")
        config_path = files[f"{onnx[0]}.json"]
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
            int(config["audio"]["sample_rate"])
            dict(config["phoneme_id_map"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UnsupportedModelError(
                f"{config_path}: not a piper voice config ({type(exc).__name__}: {exc})"
            ) from None
