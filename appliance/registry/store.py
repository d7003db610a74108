"""The content-addressed store: each model file kept once, under its sha256.

Layout under data_dir/models:
    blobs/sha256/<hex>        the bytes, read-only
    installed/<id>.json       what was installed: the manifest and each file's size and sha256
    links/<id>/<name>         symlinks to the blobs, so an engine opens the model as a folder
    catalog/                  manifests a site added (`install --manifest`)
    state.json                the active model per kind and the history for rollback
Writes go to a temporary name and land with os.replace, so a crash never leaves half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.registry.errors import IntegrityError, RegistryError

CHUNK = 4 * 1024 * 1024
Progress = Callable[[int], None]  # bytes just processed


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if progress:
                progress(len(chunk))
    return digest.hexdigest()


def write_json_atomic(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs" / "sha256"

    def blob_path(self, sha256: str) -> Path:
        return self.blobs / sha256

    def has(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()

    def add(
        self,
        source: Path,
        *,
        expected_sha256: str | None,
        expected_size: int | None,
        label: str,
        progress: Progress | None = None,
    ) -> tuple[str, int]:
        """Copy `source` in, hashing as it goes; refuses a size or hash mismatch. Returns (sha256, size)."""
        size = source.stat().st_size
        if expected_size is not None and size != expected_size:
            raise IntegrityError(
                f"{label}: {source} is {size} bytes, the manifest says {expected_size} "
                "(truncated or a different file); nothing was installed"
            )
        if expected_sha256 and self.has(expected_sha256):
            # Already stored under the hash the publisher states: the bytes were checked then.
            if progress:
                progress(size)
            return expected_sha256, size
        self.blobs.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming.", dir=self.blobs)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    if progress:
                        progress(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if expected_sha256 and actual != expected_sha256:
                raise IntegrityError(
                    f"{label}: {source} has sha256 {actual}, the manifest says {expected_sha256}; "
                    "nothing was installed"
                )
            tmp.chmod(0o444)
            os.replace(tmp, self.blob_path(actual))
            return actual, size
        finally:
            tmp.unlink(missing_ok=True)

    def verify(self, sha256: str, size: int, label: str, progress: Progress | None = None) -> None:
        path = self.blob_path(sha256)
        if not path.is_file():
            raise IntegrityError(f"{label}: stored file {path} is missing")
        actual_size = path.stat().st_size
        if actual_size != size:
            raise IntegrityError(f"{label}: stored file {path} is {actual_size} bytes, expected {size}")
        actual = sha256_file(path, progress)
        if actual != sha256:
            raise IntegrityError(f"{label}: stored file {path} has sha256 {actual}, expected {sha256}")

    def remove_unreferenced(self, referenced: set[str]) -> list[str]:
        removed = []
        if not self.blobs.is_dir():
            return removed
        for blob in self.blobs.iterdir():
            if blob.name.startswith("."):
                continue
            if blob.name not in referenced:
                blob.chmod(0o644)
                blob.unlink()
                removed.append(blob.name)
        return removed


def check_inside(root: Path, path: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise RegistryError(f"{path} is outside {root}")
    return resolved
