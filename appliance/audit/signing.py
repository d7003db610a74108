"""The audit log's signing keys, key rotation and the per-box commitment salt.

This is the audit log's one module that imports `cryptography.hazmat` to sign; the standalone
verifier (verify.py) is the only other audit module that does, and it only verifies.

Files, in the keys folder (WARDLINE_DATA_DIR/keys by default), all mode 0600 and owned by the
service user; a key file that others can read is refused:
  audit-signing.key    the current Ed25519 private key: PRIVATE+KEY+<name>+<key id>+<base64(0x01 ‖ seed)>
  trusted-keys.txt     every public key with its tree-size window (format in note.py); auditors copy it
  audit-salt           32 random bytes (hex) keying the HMAC commitments of commit.py
When systemd passes credentials ($CREDENTIALS_DIRECTORY/audit-signing.key), that private key is
used instead and rotation means replacing the credential.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from appliance.audit import note

KEY_FILE = "audit-signing.key"
TRUSTED_FILE = "trusted-keys.txt"
SALT_FILE = "audit-salt"
CREDENTIAL_NAME = "audit-signing.key"


class KeyFileError(Exception):
    """A key file that is missing, unreadable, malformed or too widely readable.

    The message names the file, what is wrong, and the fix (`key_error` builds it).
    """


# file name -> what to do when it is damaged or gone (keys cannot be made up again: the log's
# checkpoints and commitments depend on them)
_FIXES = {
    KEY_FILE: "restore audit-signing.key from the box's key backup (it must be the current key "
    "in trusted-keys.txt)",
    TRUSTED_FILE: "restore trusted-keys.txt from the key backup or an auditor's copy",
    SALT_FILE: "restore audit-salt from the box's key backup",
}


def key_error(path: Path | str, reason: str) -> KeyFileError:
    """'<file>: <reason>; fix: <what to do>'."""
    fix = _FIXES.get(Path(path).name, "restore it from the box's key backup")
    return KeyFileError(f"{path}: {reason}; fix: {fix}")


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verifier_key(self) -> note.VerifierKey:
        pub = self.public_key
        return note.VerifierKey(self.name, note.key_id(self.name, pub), pub)

    def sign(self, body: str) -> note.NoteSignature:
        return note.NoteSignature(
            self.name, note.key_id(self.name, self.public_key), self.private_key.sign(body.encode("utf-8"))
        )

    def encode(self) -> str:
        seed = self.private_key.private_bytes_raw()
        kid = note.key_id(self.name, self.public_key).hex()
        return f"PRIVATE+KEY+{self.name}+{kid}+{note.b64(bytes([note.ALG_ED25519]) + seed)}\n"

    @staticmethod
    def generate(name: str) -> Signer:
        return Signer(name, Ed25519PrivateKey.generate())

    @staticmethod
    def decode(text: str, where: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise key_error(where, "not a Wardline signing key (PRIVATE+KEY+name+id+key)")
        try:
            raw = note.b64decode_strict(parts[4], "private key")
        except note.NoteError as exc:
            raise key_error(where, str(exc)) from None
        if len(raw) != 33 or raw[0] != note.ALG_ED25519:
            raise key_error(where, "not an Ed25519 key")
        signer = Signer(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if note.key_id(signer.name, signer.public_key).hex() != parts[3]:
            raise key_error(where, "key id does not match the key")
        return signer


def write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, atomically (never briefly world-readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def read_private(path: Path) -> str:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise key_error(path, "missing") from None
    except OSError as exc:
        raise key_error(path, f"cannot be read: {exc.strerror}") from None
    if stat.S_IMODE(st.st_mode) & 0o077:
        raise KeyFileError(f"{path}: readable by others (mode {stat.S_IMODE(st.st_mode):o}); run chmod 600")
    if st.st_uid != os.geteuid():
        raise KeyFileError(f"{path}: not owned by the service user")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise key_error(path, "not a text key file (binary or damaged)") from None
    except OSError as exc:
        raise key_error(path, f"cannot be read: {exc.strerror}") from None


class KeyStore:
    """The keys folder of one box: current signer, trusted keys, salt. Not thread-safe by itself."""

    def __init__(self, key_dir: Path, name: str, credentials_dir: Path | None = None) -> None:
        self.key_dir = Path(key_dir)
        self.name = name
        env = os.environ.get("CREDENTIALS_DIRECTORY")
        self.credentials_dir = credentials_dir or (Path(env) if env else None)

    @property
    def trusted_path(self) -> Path:
        return self.key_dir / TRUSTED_FILE

    def _credential(self) -> Path | None:
        if self.credentials_dir and (self.credentials_dir / CREDENTIAL_NAME).exists():
            return self.credentials_dir / CREDENTIAL_NAME
        return None

    def signer(self) -> Signer:
        """The current signing key; generated on first use (with its trusted-keys line)."""
        cred = self._credential()
        if cred is not None:
            # systemd already restricts credentials to the service; its files are 0400 or 0440.
            try:
                text = cred.read_text(encoding="utf-8")
            except OSError as exc:
                raise KeyFileError(f"{cred}: cannot be read: {exc.strerror}") from None
            signer = Signer.decode(text, str(cred))
            if not self.trusted_path.exists():
                self.write_trusted([note.TrustedKey(signer.verifier_key, 0, None)])
            return signer
        path = self.key_dir / KEY_FILE
        if not path.exists() and not self.trusted_path.exists():
            signer = Signer.generate(self.name)
            write_private(path, signer.encode())
            self.write_trusted([note.TrustedKey(signer.verifier_key, 0, None)])
            return signer
        signer = Signer.decode(read_private(path), str(path))
        current = self.trusted_keys()[-1]
        if current.key.key_id != signer.verifier_key.key_id:
            raise key_error(path, f"is not the current key listed in {self.trusted_path}")
        return signer

    def trusted_keys(self) -> list[note.TrustedKey]:
        try:
            text = self.trusted_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise key_error(self.trusted_path, "missing") from None
        except UnicodeDecodeError:
            raise key_error(self.trusted_path, "not a text file (binary or damaged)") from None
        except OSError as exc:
            raise key_error(self.trusted_path, f"cannot be read: {exc.strerror}") from None
        try:
            keys = note.parse_trusted_keys(text)
        except note.NoteError as exc:
            raise key_error(self.trusted_path, str(exc)) from None
        if not keys:
            raise key_error(self.trusted_path, "lists no key")
        return keys

    def write_trusted(self, keys: list[note.TrustedKey]) -> None:
        write_private(self.trusted_path, note.format_trusted_keys(keys))
        # Public keys only: auditors and the export read this file.
        os.chmod(self.trusted_path, 0o644)

    def install_rotation(self, new: Signer, at_size: int) -> None:
        """Close the current key's window at `at_size`, open the new one there, make it current."""
        if self._credential() is not None:
            raise KeyFileError("the signing key comes from a systemd credential: replace the credential")
        keys = self.trusted_keys()
        last = keys[-1]
        keys[-1] = note.TrustedKey(last.key, last.first_size, at_size)
        keys.append(note.TrustedKey(new.verifier_key, at_size, None))
        note.check_windows(keys)
        write_private(self.key_dir / KEY_FILE, new.encode())
        self.write_trusted(keys)

    def salt(self) -> bytes:
        path = self.key_dir / SALT_FILE
        if not path.exists():
            write_private(path, secrets.token_hex(32) + "\n")
        return self._read_salt(path)

    def _read_salt(self, path: Path) -> bytes:
        text = read_private(path).strip()
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise key_error(path, "not hex") from None
        if len(raw) < 16:
            raise key_error(path, "too short")
        return raw

    def check(self) -> None:
        """Parse every key file as the service will, writing nothing (`wardline doctor`).

        Raises KeyFileError naming the first damaged file and the fix.
        """
        cred = self._credential()
        if cred is None:
            signer = Signer.decode(read_private(self.key_dir / KEY_FILE), str(self.key_dir / KEY_FILE))
        else:
            try:
                signer = Signer.decode(cred.read_text(encoding="utf-8"), str(cred))
            except (OSError, UnicodeDecodeError) as exc:
                raise key_error(cred, f"cannot be read: {exc}") from None
        if self.trusted_keys()[-1].key.key_id != signer.verifier_key.key_id:
            raise key_error(self.key_dir / KEY_FILE, f"is not the current key listed in {self.trusted_path}")
        if (self.key_dir / SALT_FILE).exists():  # an absent salt is made on first use
            self._read_salt(self.key_dir / SALT_FILE)
