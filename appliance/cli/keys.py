"""`wardline keys`: the box's signing keys. Other key commands (rotate-kek) attach to `keys_app`."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from appliance.audit.log import AuditLog, AuditWriteError, default_origin
from appliance.audit.signing import KeyFileError, KeyStore
from appliance.cli import errors
from appliance.cli.output import JsonOption, console, emit_json, table

errors.USER_ERRORS.setdefault(KeyFileError, 2)
errors.USER_ERRORS.setdefault(AuditWriteError, 3)

keys_app = typer.Typer(name="keys", help="Signing and encryption keys of this box.", no_args_is_help=True)
OriginOption = Annotated[
    str | None, typer.Option("--origin", help="Log name (default: wardline.<hostname>).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@keys_app.command()
def rotate(origin: OriginOption = None, json: JsonOption = False) -> None:
    """Start a new audit signing key (best with the service stopped). Old checkpoints keep verifying."""
    from appliance.config import load_settings

    settings = load_settings()
    log = AuditLog.open(settings, origin=origin or default_origin(settings), background=False)
    try:
        new = log.rotate_key(actor())
    finally:
        log.close()
    if json:
        emit_json({"key": new.vkey, "trusted_keys": str(log.keys.trusted_path)})
    else:
        console.print(f"new audit signing key {new.vkey}", highlight=False)
        console.print(f"give auditors the updated {log.keys.trusted_path}", highlight=False)


@keys_app.command("list")
def list_keys(origin: OriginOption = None, json: JsonOption = False) -> None:
    """The audit signing keys with their tree-size windows (the trusted-keys file)."""
    from appliance.config import load_settings

    settings = load_settings()
    store = KeyStore(settings.data_dir / "keys", origin or default_origin(settings))
    keys = store.trusted_keys()
    rows = [(k.key.vkey, k.first_size, "current" if k.last_size is None else k.last_size) for k in keys]
    if json:
        emit_json(
            {
                "trusted_keys": str(store.trusted_path),
                "keys": [dict(zip(("key", "first", "last"), r, strict=True)) for r in rows],
            }
        )
    else:
        table(
            f"audit signing keys ({store.trusted_path})", ["key", "first tree size", "last tree size"], rows
        )


@keys_app.command("rotate-kek")
def rotate_kek(json: JsonOption = False) -> None:
    """Re-wrap every stored data key under a new key-encryption key (nothing is re-encrypted)."""
    from appliance.config import load_settings
    from appliance.privacy.rotation import rotate_kek as rewrap

    settings = load_settings()
    count = rewrap(settings.data_dir)
    log = AuditLog.open(settings, background=False)
    try:
        log.append("kek-rotated", actor(), None, {"rewrapped": count})
        log.checkpoint()
    finally:
        log.close()
    if json:
        emit_json({"rewrapped": count})
    else:
        console.print(f"New key-encryption key; {count} data keys re-wrapped.")


@keys_app.command("init")
def init(json: JsonOption = False) -> None:
    """Create the keys this box lacks (signing key, salt, key-encryption key); never replaces one."""
    from appliance.config import load_settings
    from appliance.service.maintenance import ensure_keys

    settings = load_settings()
    created = ensure_keys(settings.data_dir, settings.store.audit_origin)
    if json:
        emit_json({"created": [str(p) for p in created]})
    else:
        console.print("\n".join(f"created {p}" for p in created) or "all keys present")
