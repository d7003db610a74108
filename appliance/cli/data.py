"""`wardline data …`: read stored call data (audited) and purge what retention says is due."""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, err_console, table

app = typer.Typer(help="Stored call data: list, read (audited), purge by retention.", no_args_is_help=True)

AuditFn = Callable[[str, dict], None]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


@contextmanager
def _audit_log(settings: Any, actor: str) -> Iterator[AuditFn]:
    """The signed audit log as an `audit(type, payload)` callback; checkpointed on the way out."""
    from appliance.audit import AuditLog

    log = AuditLog.open(settings, background=False)
    try:

        def audit(entry_type: str, payload: dict) -> None:
            log.append(entry_type, actor, payload.get("call_id"), payload)

        yield audit
        log.checkpoint()
    finally:
        log.close()


def _open(settings: Any):  # type: ignore[no-untyped-def]
    from appliance.privacy.store import open_store

    return open_store(Path(settings.data_dir), database_url=settings.database_url)


@app.command("list")
def list_objects(
    call: Annotated[str | None, typer.Argument(help="Only this call's objects.")] = None,
    json: JsonOption = False,
) -> None:
    """List stored objects (ids, classes and sizes only: nothing is decrypted)."""
    from appliance.config import load_settings

    infos = _open(load_settings()).list(call)
    rows = [
        {"id": i.id, "call_id": i.call_id, "data_class": i.data_class, "name": i.name,
         "bytes": i.plaintext_bytes, "created_at": i.created_at.isoformat(), "complete": i.complete}
        for i in infos
    ]  # fmt: skip
    if json:
        emit_json({"objects": rows})
    else:
        keys = ("id", "call_id", "data_class", "name", "bytes", "created_at")
        columns = ["id", "call", "class", "name", "bytes", "created"]
        table("Stored objects", columns, [[r[k] for k in keys] for r in rows])


@app.command()
def show(
    call: Annotated[str, typer.Argument(help="The call id.")],
    reason: Annotated[
        str, typer.Option("--reason", help="Why you need to read it (recorded in the audit log).")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write each object as a file in this folder.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Decrypt a call's recordings and transcripts; every read is recorded in the audit log."""
    from appliance.config import load_settings
    from appliance.privacy.crypto import CorruptData
    from appliance.privacy.store import TEXT_TYPES, read_call_data

    settings = load_settings()
    store = _open(settings)
    results, failed = [], 0
    with _audit_log(settings, _actor()) as audit:
        for info, data in read_call_data(store, call, reason=reason, actor=_actor(), audit=audit):
            row: dict[str, Any] = {"id": info.id, "data_class": info.data_class, "name": info.name,
                                   "media_type": info.media_type}  # fmt: skip
            if isinstance(data, CorruptData):
                failed += 1
                row["error"] = (
                    f"chunk {data.chunk} failed authentication"
                    if data.chunk is not None
                    else ("header or data key failed authentication")
                )
            else:
                row["bytes"] = len(data)
                if out is not None:
                    out.mkdir(parents=True, exist_ok=True)
                    path = out / f"{info.id}-{info.name or info.data_class}"
                    path.write_bytes(data)
                    path.chmod(0o600)
                    row["written_to"] = str(path)
                elif info.media_type in TEXT_TYPES:
                    row["text"] = data.decode("utf-8", "replace")
            results.append(row)
    _render_show(call, results, json)
    if failed:
        raise typer.Exit(5)


def _render_show(call: str, rows: list[dict[str, Any]], json: bool) -> None:
    if json:
        emit_json({"call_id": call, "objects": rows})
        return
    for r in rows:
        head = f"── {r['data_class']} {r['name']} ({r['id']})"
        if "error" in r:
            err_console.print(f"{head}: damaged: {r['error']}; other objects are unaffected",
                              highlight=False, markup=False)  # fmt: skip
        elif "written_to" in r:
            console.print(
                f"{head}: {r['bytes']} bytes written to {r['written_to']}", highlight=False, markup=False
            )
        elif "text" in r:
            console.print(head, highlight=False, markup=False)
            console.print(r["text"], highlight=False, markup=False, soft_wrap=True)
        else:
            console.print(f"{head}: {r['bytes']} bytes of {r['media_type']}; use --out DIR to write it",
                          highlight=False, markup=False)  # fmt: skip


@app.command()
def purge(
    due: Annotated[bool, typer.Option("--due", help="Purge every object past its retention window.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is due.")] = False,
    json: JsonOption = False,
) -> None:
    """Crypto-shred objects past their retention window (run daily by wardline-purge.timer)."""
    from appliance.config import load_settings
    from appliance.privacy.retention import due_objects, load_retention, purge_due

    if not due:
        raise typer.BadParameter("say --due to purge what the retention windows make due", param_hint="--due")
    settings = load_settings()
    store = _open(settings)
    policy = load_retention(settings.site.policy_dir)
    now = datetime.now(UTC)
    if dry_run:
        rows = [{"object_id": i.id, "data_class": i.data_class, "call_id": i.call_id}
                for i in due_objects(store, policy, now)]  # fmt: skip
    else:
        with _audit_log(settings, "retention") as audit:
            rows = [vars(p) for p in purge_due(store, policy, now=now, audit=audit)]
    if json:
        emit_json({"dry_run": dry_run, "purged" if not dry_run else "due": rows})
    else:
        verb = "due" if dry_run else "purged"
        console.print(f"{len(rows)} object(s) {verb}", highlight=False, markup=False)
        for r in rows:
            console.print(f"  {r['data_class']} {r['object_id']}", highlight=False, markup=False)


def register(root: typer.Typer) -> None:
    from appliance.privacy.kek import KekError
    from appliance.privacy.retention import RetentionError
    from appliance.privacy.store import AccessDenied, ObjectNotFound, ObjectShredded

    for exc, code in ((KekError, 3), (ObjectNotFound, 4), (ObjectShredded, 4), (AccessDenied, 2),
                      (RetentionError, 2)):  # fmt: skip
        errors.USER_ERRORS.setdefault(exc, code)
    root.add_typer(app, name="data")
