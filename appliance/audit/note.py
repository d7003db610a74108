"""C2SP signed notes, tlog checkpoints, verifier keys and the trusted-keys file: text formats only.

Standard library only (the standalone verifier imports this file as a sibling); signatures
are made in signing.py and checked in verify.py, the only two modules that touch
`cryptography`.

Checkpoint (C2SP tlog-checkpoint): the note body is
    <origin>\\n<tree size, decimal>\\n<base64 root hash>\\n
followed by a blank line and one or more signature lines
    — <key name> <base64(4-byte key id ‖ 64-byte Ed25519 signature)>\\n
The Ed25519 signature covers the body bytes. A verifier key ("vkey") is written
    <name>+<key id, 8 hex digits>+<base64(0x01 ‖ 32-byte public key)>
with key id = SHA-256(name ‖ "\\n" ‖ 0x01 ‖ public key)[:4], as in golang.org/x/mod/sumdb/note.

Trusted-keys file: one key per line, `<vkey> <first tree size> <last tree size or ->`. A key
may sign checkpoints whose tree size lies in its window (both ends inclusive). Windows are
contiguous: the first starts at 0, each next one starts where the previous ends (the size of
the checkpoint both keys signed at the rotation) and only the newest is open ("-"). Lines
starting with '#' and blank lines are comments (not allowed in a bundle's own copy).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import itertools
import re
from dataclasses import dataclass

ALG_ED25519 = 1
SIG_PREFIX = "\u2014 "  # em dash, then a space
NAME_RE = re.compile(r"^[^\s+]+$")
DECIMAL_RE = re.compile(r"^(0|[1-9][0-9]{0,19})$")


class NoteError(ValueError):
    """Text that is not a well-formed note, checkpoint, key or keys file; the message says why."""


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    body: str
    signatures: tuple[NoteSignature, ...]


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: bytes

    @property
    def vkey(self) -> str:
        return format_vkey(self.name, self.public_key)


@dataclass(frozen=True)
class TrustedKey:
    key: VerifierKey
    first_size: int
    last_size: int | None  # None: still the signing key

    def covers(self, size: int) -> bool:
        return self.first_size <= size and (self.last_size is None or size <= self.last_size)


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode base64 that must be in canonical form (no stray bits, padding or characters)."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError(f"{what} is not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def parse_decimal(text: str, what: str) -> int:
    if not DECIMAL_RE.match(text):
        raise NoteError(f"{what} {text!r} is not a decimal number")
    return int(text)


# ---------------------------------------------------------------- keys


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def format_vkey(name: str, public_key: bytes) -> str:
    return f"{name}+{key_id(name, public_key).hex()}+{b64(bytes([ALG_ED25519]) + public_key)}"


def parse_vkey(text: str) -> VerifierKey:
    parts = text.split("+", 2)  # base64 itself may contain "+"
    if len(parts) != 3:
        raise NoteError("a verifier key is <name>+<key id>+<key>")
    name, hex_id, encoded = parts
    if not NAME_RE.match(name):
        raise NoteError(f"key name {name!r} is not valid")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError(f"key id {hex_id!r} is not 8 lowercase hex digits")
    raw = b64decode_strict(encoded, "verifier key")
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("verifier key is not an Ed25519 key")
    public_key = raw[1:]
    if key_id(name, public_key).hex() != hex_id:
        raise NoteError(f"key id {hex_id} does not belong to that key")
    return VerifierKey(name, bytes.fromhex(hex_id), public_key)


def format_trusted_keys(keys: list[TrustedKey], header: bool = True) -> str:
    lines = []
    if header:
        lines += [
            "# Wardline audit log: trusted signing keys.",
            "# <verifier key> <first tree size> <last tree size, or - for the current key>",
        ]
    for k in keys:
        last = "-" if k.last_size is None else str(k.last_size)
        lines.append(f"{k.key.vkey} {k.first_size} {last}")
    return "\n".join(lines) + "\n"


def parse_trusted_keys(text: str, strict: bool = False) -> list[TrustedKey]:
    """Parse and check a trusted-keys file; `strict` refuses comments (a bundle's own copy)."""
    keys: list[TrustedKey] = []
    if not text.endswith("\n"):
        raise NoteError("keys file does not end with a newline")
    for number, line in enumerate(text[:-1].split("\n"), 1):
        if not strict and (not line.strip() or line.startswith("#")):
            continue
        fields = line.split(" ")
        if len(fields) != 3:
            raise NoteError(f"line {number}: expected '<vkey> <first size> <last size or ->'")
        try:
            key = parse_vkey(fields[0])
            first = parse_decimal(fields[1], "first tree size")
            last = None if fields[2] == "-" else parse_decimal(fields[2], "last tree size")
        except NoteError as exc:
            raise NoteError(f"line {number}: {exc}") from None
        if last is not None and last < first:
            raise NoteError(f"line {number}: window ends before it starts")
        keys.append(TrustedKey(key, first, last))
    check_windows(keys)
    return keys


def check_windows(keys: list[TrustedKey]) -> None:
    if not keys:
        raise NoteError("no keys listed")
    if keys[0].first_size != 0:
        raise NoteError("the first key's window does not start at tree size 0")
    for older, newer in itertools.pairwise(keys):
        if older.last_size is None or older.last_size != newer.first_size:
            raise NoteError(f"key {newer.key.vkey.split('+')[1]}'s window does not follow the previous one")
    if keys[-1].last_size is not None:
        raise NoteError("the newest key's window is closed")
    ids = [k.key.key_id for k in keys]
    if len(set(ids)) != len(ids):
        raise NoteError("a key is listed twice")


# ---------------------------------------------------------------- notes and checkpoints


def format_checkpoint(origin: str, size: int, root: bytes) -> str:
    return f"{origin}\n{size}\n{b64(root)}\n"


def parse_checkpoint(body: str) -> Checkpoint:
    if not body.endswith("\n"):
        raise NoteError("checkpoint body does not end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint has fewer than three lines")
    origin, size_text, root_text, *extensions = lines
    if not origin or origin != origin.strip():
        raise NoteError("checkpoint origin is empty or padded")
    size = parse_decimal(size_text, "tree size")
    root = b64decode_strict(root_text, "root hash")
    if len(root) != 32:
        raise NoteError("root hash is not 32 bytes")
    if any(not line for line in extensions):
        raise NoteError("checkpoint has an empty extension line")
    return Checkpoint(origin, size, root, tuple(extensions))


def format_note(body: str, signatures: list[NoteSignature]) -> str:
    lines = [f"{SIG_PREFIX}{s.name} {b64(s.key_id + s.signature)}\n" for s in signatures]
    return body + "\n" + "".join(lines)


def parse_note(text: str) -> Note:
    """Split a signed note into body and signature lines (signatures are not checked here)."""
    if "\r" in text or "\t" in text:
        raise NoteError("note contains carriage returns or tabs")
    if not text.endswith("\n"):
        raise NoteError("note does not end with a newline")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise NoteError("note has no blank line before its signatures")
    body = text[: cut + 1]
    if "\n\n" in body or body.startswith("\n"):
        raise NoteError("note body has a blank line")
    signatures = []
    for line in text[cut + 2 : -1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise NoteError("signature line does not start with an em dash")
        parts = line[len(SIG_PREFIX) :].split(" ")
        if len(parts) != 2 or not NAME_RE.match(parts[0]):
            raise NoteError("signature line is not '— <name> <signature>'")
        raw = b64decode_strict(parts[1], "signature")
        if len(raw) < 5:
            raise NoteError("signature is too short")
        signatures.append(NoteSignature(parts[0], raw[:4], raw[4:]))
    if not signatures:
        raise NoteError("note has no signatures")
    return Note(body, tuple(signatures))
