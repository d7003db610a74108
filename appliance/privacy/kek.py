"""The key-encryption key (KEK): where it comes from, how it is checked, and how it is rotated.

Sources, first match wins:
1. a systemd credential: $CREDENTIALS_DIRECTORY/wardline-kek (LoadCredentialEncrypted=, sealed to
   the TPM where the box has one; systemd decrypts it for the service only);
2. a file: WARDLINE_DATA_DIR/keys/kek, owned by the service and mode 0600.
The key is 32 bytes, stored raw or as 64 hex digits. A missing, unreadable, loosely permissioned or
malformed key, or one that does not match the key that wrapped the stored data keys, raises
`KekError` with a message that names the path and what to do; the service must not start then.

Rotation (privacy/rotation.py) writes the new key beside the old one first (keys/kek.next), re-wraps
every live data key in one transaction, then renames kek.next over kek. A crash in between is
repaired on the next load (`recover_interrupted_rotation`): whichever of the two keys matches the
stored data keys is kept.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from appliance.privacy import crypto

CREDENTIAL_NAME = "wardline-kek"


class KekError(Exception):
    """The key-encryption key is missing, unreadable, malformed or wrong."""


@dataclass(frozen=True)
class Kek:
    key: bytes
    source: str  # "file" or "credential"
    path: Path

    @property
    def key_id(self) -> str:
        return crypto.key_id(self.key)

    def __repr__(self) -> str:  # never print the key
        return f"Kek(source={self.source!r}, path={str(self.path)!r}, key_id={self.key_id!r})"


def kek_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / "kek"


def next_kek_path(data_dir: Path) -> Path:
    return kek_path(data_dir).with_name("kek.next")


def credential_path(credentials_dir: str | None = None) -> Path | None:
    base = credentials_dir if credentials_dir is not None else os.environ.get("CREDENTIALS_DIRECTORY")
    if not base:
        return None
    path = Path(base) / CREDENTIAL_NAME
    return path if path.exists() else None


def create_kek(data_dir: Path) -> Kek:
    """Create a fresh key file (0600). Refuses to overwrite an existing key."""
    path = kek_path(data_dir)
    if path.exists():
        raise KekError(f"{path}: a key-encryption key already exists; use `wardline keys rotate-kek`")
    write_key_file(path, crypto.new_kek())
    return read_key_file(path, "file")


def write_key_file(path: Path, key: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.hex().encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)


def read_key_file(path: Path, source: str) -> Kek:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KekError(
            f"{path}: no key-encryption key; create one with `wardline keys init` "
            "(or provide the systemd credential wardline-kek)"
        ) from None
    if source == "file" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KekError(
            f"{path}: key-encryption key is readable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
            "run `chmod 600` on it"
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KekError(f"{path}: cannot read the key-encryption key: {exc.strerror}") from None
    return Kek(_parse_key(raw, path), source, path)


def _parse_key(raw: bytes, path: Path) -> bytes:
    if len(raw) == crypto.KEY_BYTES:
        return raw
    text = raw.strip()
    if len(text) == 2 * crypto.KEY_BYTES:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    raise KekError(
        f"{path}: not a key-encryption key (expected 32 bytes, raw or as 64 hex digits); "
        "fix: restore it from the box's key backup (stored calls cannot be read without it)"
    )


def load_kek(data_dir: Path, credentials_dir: str | None = None) -> Kek:
    """The configured KEK (credential first, then the key file); raises KekError if unusable."""
    cred = credential_path(credentials_dir)
    if cred is not None:
        return read_key_file(cred, "credential")
    return read_key_file(kek_path(data_dir), "file")


def recover_interrupted_rotation(data_dir: Path, live_key_ids: set[str]) -> None:
    """If a rotation stopped between re-wrapping and renaming, finish or undo it."""
    nxt = next_kek_path(data_dir)
    if not nxt.exists():
        return
    new = read_key_file(nxt, "file")
    if new.key_id in live_key_ids:
        os.replace(nxt, kek_path(data_dir))
    else:
        nxt.unlink()
    fsync_dir(nxt.parent)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
