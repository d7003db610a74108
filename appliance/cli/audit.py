"""`wardline audit`: read the log in plain language, export a bundle, verify a bundle offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from appliance.audit.bundle import ExportError, export_bundle
from appliance.audit.log import AuditCorruptError, AuditWriteError, default_origin
from appliance.audit.query import SinceError, parse_since, read_entries
from appliance.audit.render import line
from appliance.audit.signing import KeyFileError, KeyStore
from appliance.audit.verify import render, verify_bundle
from appliance.audit.verify import save_checkpoint as keep_checkpoint
from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json

for _cls, _code in (
    (SinceError, 2),
    (ExportError, 2),
    (KeyFileError, 2),
    (AuditCorruptError, 1),
    (AuditWriteError, 3),
):
    errors.USER_ERRORS.setdefault(_cls, _code)

audit_app = typer.Typer(
    name="audit", help="Read, export and verify the signed audit log.", no_args_is_help=True
)

CallOption = Annotated[str | None, typer.Option("--call", help="Only this call id.")]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only entries since: 90m, 2h, 1d or an ISO time.")
]
OriginOption = Annotated[str | None, typer.Option("--origin", help="Which box's log (default: this box).")]


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _engine():  # type: ignore[no-untyped-def]
    from appliance.config import load_settings
    from appliance.store.db import make_engine, migrate

    settings = load_settings()
    migrate(settings.database_url)
    return settings, make_engine(settings.database_url)


def _print_entries(
    call: str | None, since: str | None, last: int | None, origin: str | None, as_json: bool
) -> None:
    settings, engine = _engine()
    since_time = parse_since(since) if since else None
    rows = read_entries(engine, origin or default_origin(settings), call, since_time, last)
    if as_json:
        emit_json([r.entry if r.entry else {"seq": r.seq, "damaged": r.problem} for r in rows])
        return
    if not rows:
        console.print("no audit entries match")
    for r in rows:
        text = line(r.entry) if r.entry else f"#{r.seq} DAMAGED: {r.problem}"
        console.print(text, highlight=False, markup=False, soft_wrap=True)


@audit_app.command()
def tail(
    lines: Annotated[int, typer.Option("--lines", "-n", min=1, help="How many entries.")] = 20,
    call: CallOption = None,
    since: SinceOption = None,
    origin: OriginOption = None,
    json: JsonOption = False,
) -> None:
    """The latest entries, oldest first, in plain language."""
    _print_entries(call, since, lines, origin, json)


@audit_app.command()
def show(
    call: CallOption = None, since: SinceOption = None, origin: OriginOption = None, json: JsonOption = False
) -> None:
    """Every entry (of a call, or since a time) in plain language."""
    _print_entries(call, since, None, origin, json)


@audit_app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="New folder for the bundle.")],
    since_checkpoint: Annotated[
        Path | None,
        typer.Option("--since-checkpoint", help="Start at a checkpoint the auditor already holds."),
    ] = None,
    origin: OriginOption = None,
    json: JsonOption = False,
) -> None:
    """Write a bundle: entries, checkpoints, proofs, public keys and the offline verifier."""
    settings, engine = _engine()
    origin = origin or default_origin(settings)
    since_text = None
    if since_checkpoint is not None:
        try:
            since_text = since_checkpoint.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ExportError(f"{since_checkpoint}: cannot be read: {exc}") from None
    keys = KeyStore(settings.data_dir / "keys", origin)
    result = export_bundle(engine, keys, origin, directory, since_text)
    if json:
        emit_json(result.__dict__)
    else:
        console.print(
            f"exported entries {result.first_index}..{result.tree_size - 1} of {result.origin} "
            f"with {result.checkpoints} checkpoints to {result.path}",
            highlight=False,
        )


@audit_app.command()
def verify(
    bundle: Annotated[Path, typer.Argument(help="A folder made by 'wardline audit export'.")],
    trusted_keys: Annotated[
        Path | None, typer.Option("--trusted-keys", help="The box's trusted-keys file.")
    ] = None,
    previous_checkpoint: Annotated[
        Path | None, typer.Option("--previous-checkpoint", help="A checkpoint kept from an earlier check.")
    ] = None,
    save_checkpoint: Annotated[
        Path | None, typer.Option("--save-checkpoint", help="When verified, keep the latest checkpoint here.")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Verify a bundle offline. Exit 0 verified, 1 tampered, 2 unusable input."""
    report = verify_bundle(bundle, trusted_keys, previous_checkpoint)
    keep_checkpoint(report, save_checkpoint)
    if json:
        emit_json(report.to_dict())
    else:
        console.print(render(report), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(report.exit_code)
