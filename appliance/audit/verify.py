"""Offline verifier for an exported audit bundle; runs on its own with the standard library and
`cryptography` only:

    python3 verify.py BUNDLE [--trusted-keys FILE] [--previous-checkpoint FILE] [--json]
    python3 verify.py --sha256sums      (this verifier's own files, as `sha256sum` lists them)

This and signing.py are the only audit modules that import `cryptography.hazmat` (here:
Ed25519 signature checks only). The proof maths and formats come from the sibling modules merkle.py,
note.py and entries.py, imported as package modules inside Wardline and as plain modules when
this file runs as a script (`wardline audit export` copies all four into BUNDLE/verifier/).

Exit status: 0 verified, 1 tampered (the bundle is not what the log signed, or does not extend
the auditor's earlier checkpoint), 2 unusable input (missing or unreadable files, a keys file
or previous checkpoint that cannot be used).

Bundle layout (every file is checked byte for byte; JSON must be canonical):
  manifest.json       {"checkpoints": n, "first_index": i, "format": ..., "origin": ..., "tree_size": s}
  entries.jsonl       entries i .. s-1, one canonical JSON entry per line (the leaf bytes)
  checkpoints.jsonl   {"note": <signed checkpoint>} per line, tree sizes ascending, the last at s
  proofs.json         {"base": {"frontier": [...], "size": i}, "consistency": [...], "inclusion": [...]}
  keys.txt            the box's trusted-keys file (no comments)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

if __package__:
    from . import entries, merkle, note
else:  # run as a script: the sibling modules sit beside this file
    import entries  # type: ignore[no-redef]
    import merkle  # type: ignore[no-redef]
    import note  # type: ignore[no-redef]

FORMAT = "wardline-audit-bundle/1"
MANIFEST = "manifest.json"
ENTRIES = "entries.jsonl"
CHECKPOINTS = "checkpoints.jsonl"
PROOFS = "proofs.json"
KEYS = "keys.txt"
DATA_FILES = (MANIFEST, ENTRIES, CHECKPOINTS, PROOFS, KEYS)
VERIFIER_DIR = "verifier"
VERIFIER_MODULES = ("verify.py", "merkle.py", "note.py", "entries.py")
# Published with each release (README, /usr/share/doc/wardline/verifier.sha256): an auditor who
# runs the copy inside a bundle checks it against that, or runs an independent copy instead.
VERIFIER_SUMS = "verifier.sha256"

VERIFIED, TAMPERED, UNUSABLE = 0, 1, 2


class Unusable(Exception):
    """Input that cannot be checked at all."""


class Tampered(Exception):
    """The bundle is not what the log signed."""

    def __init__(
        self, reason: str, where: str = "", entry: int | None = None, last: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where = where
        self.entry = entry  # the first bad entry, or the first of a range that holds it
        self.last = last  # the end of that range, when the bad entry is known only to lie in it


@dataclass
class Report:
    status: str = "unusable"
    exit_code: int = UNUSABLE
    origin: str = ""
    first_index: int = 0
    entries: int = 0
    tree_size: int = 0
    root: str = ""
    checkpoints: int = 0
    keys_source: str = ""
    keys: list[str] = field(default_factory=list)
    previous_checkpoint_size: int | None = None
    checks: list[str] = field(default_factory=list)
    failure: dict[str, Any] | None = None
    latest_checkpoint: str = ""  # the signed note to keep for next time (--previous-checkpoint)
    verifier_sha256: str = ""  # of the verifier that wrote this report (see verifier_sha256)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- the verifier itself


def verifier_sums(folder: Path | None = None) -> str:
    """The verifier's files as `sha256sum` lists them (check a copy with `sha256sum -c`)."""
    folder = folder or Path(__file__).resolve().parent
    return "".join(
        f"{hashlib.sha256((folder / name).read_bytes()).hexdigest()}  {name}\n"
        for name in sorted(VERIFIER_MODULES)
    )


def verifier_sha256(folder: Path | None = None) -> str:
    """One number for the verifier: the sha256 of its `verifier_sums` listing (what is published)."""
    try:
        return hashlib.sha256(verifier_sums(folder).encode()).hexdigest()
    except OSError:
        return ""  # a file of it cannot be read: the report says nothing rather than a wrong number


# ---------------------------------------------------------------- reading


def read_bundle(path: Path) -> dict[str, bytes]:
    """The bundle's data files as bytes; raises Unusable when one is missing or unreadable."""
    path = Path(path)
    if not path.is_dir():
        raise Unusable(
            f"{path}: not a directory (an audit bundle is a folder made by 'wardline audit export')"
        )
    files = {}
    for name in DATA_FILES:
        try:
            files[name] = (path / name).read_bytes()
        except FileNotFoundError:
            raise Unusable(f"{path / name}: missing; the bundle is incomplete") from None
        except OSError as exc:
            raise Unusable(f"{path / name}: cannot be read: {exc.strerror}") from None
    return files


def _read_text(path: Path, what: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Unusable(f"{what} {path}: missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Unusable(f"{what} {path}: cannot be read: {exc}") from None


def _canonical(data: bytes, where: str) -> Any:
    try:
        return entries.parse_canonical(data)
    except entries.CanonicalError as exc:
        raise Tampered(str(exc), where) from None


def _object(value: Any, keys: set[str], where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise Tampered(f"expected an object with fields {sorted(keys)}", where)
    return value


def _int(value: Any, where: str) -> int:
    if type(value) is not int or value < 0:
        raise Tampered("expected a non-negative integer", where)
    return value


def _hashes(value: Any, where: str) -> list[bytes]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Tampered("expected a list of base64 hashes", where)
    try:
        out = [note.b64decode_strict(v, "hash") for v in value]
    except note.NoteError as exc:
        raise Tampered(str(exc), where) from None
    if any(len(h) != merkle.HASH_SIZE for h in out):
        raise Tampered("a hash is not 32 bytes", where)
    return out


def _lines(data: bytes, where: str) -> list[bytes]:
    if not data:
        return []
    if not data.endswith(b"\n"):
        raise Tampered("the last line is cut short (no final newline)", where)
    lines = data[:-1].split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line:
            raise Tampered("empty line", f"{where} line {number}")
    return lines


# ---------------------------------------------------------------- signatures


class KeyRing:
    def __init__(self, keys: list[note.TrustedKey]) -> None:
        self.keys = keys
        self._public: dict[bytes, Ed25519PublicKey] = {}

    def find(self, name: str, key_id: bytes) -> note.TrustedKey | None:
        for k in self.keys:
            if k.key.key_id == key_id and k.key.name == name:
                return k
        return None

    def check(self, text: str, where: str, error: type[Exception] = Tampered) -> note.Checkpoint:
        """Parse a signed checkpoint; every signature must be valid and from a key valid at its size."""
        try:
            signed = note.parse_note(text)
            cp = note.parse_checkpoint(signed.body)
        except note.NoteError as exc:
            raise error(f"not a well-formed signed checkpoint: {exc}", where) from None
        body = signed.body.encode("utf-8")
        for sig in signed.signatures:
            k = self.find(sig.name, sig.key_id)
            label = f"{sig.name}+{sig.key_id.hex()}"
            if k is None:
                raise error(f"signed by an unknown key {label}", where)
            if not k.covers(cp.size):
                raise error(f"key {label} may not sign tree size {cp.size} (outside its window)", where)
            public = self._public.get(k.key.key_id)
            if public is None:
                public = self._public[k.key.key_id] = Ed25519PublicKey.from_public_bytes(k.key.public_key)
            try:
                public.verify(sig.signature, body)
            except InvalidSignature:
                raise error(f"signature by {label} does not verify", where) from None
        return cp


# ---------------------------------------------------------------- the checks


def verify_files(
    files: Mapping[str, bytes],
    trusted_keys: str | None = None,
    previous_checkpoint: str | None = None,
) -> Report:
    """Verify a bundle given as {file name: bytes}; never raises for bad input."""
    report = Report(verifier_sha256=verifier_sha256())
    try:
        _verify(files, trusted_keys, previous_checkpoint, report)
    except Unusable as exc:
        report.status, report.exit_code = "unusable", UNUSABLE
        report.failure = {"reason": str(exc), "where": "", "entry": None, "last_entry": None}
    except Tampered as exc:
        report.status, report.exit_code = "tampered", TAMPERED
        report.failure = {
            "reason": exc.reason,
            "where": exc.where,
            "entry": exc.entry,
            "last_entry": exc.last,
        }
    else:
        report.status, report.exit_code = "verified", VERIFIED
    return report


def verify_bundle(
    path: Path, trusted_keys: Path | None = None, previous_checkpoint: Path | None = None
) -> Report:
    try:
        files = read_bundle(Path(path))
        keys_text = _read_text(trusted_keys, "trusted keys") if trusted_keys else None
        prev_text = _read_text(previous_checkpoint, "previous checkpoint") if previous_checkpoint else None
    except Unusable as exc:
        return Report(
            failure={"reason": str(exc), "where": "", "entry": None, "last_entry": None},
            verifier_sha256=verifier_sha256(),
        )
    return verify_files(files, keys_text, prev_text)


def _verify(files: Mapping[str, bytes], trusted_text: str | None, prev_text: str | None, r: Report) -> None:
    manifest = _read_manifest(files[MANIFEST])
    r.origin, r.first_index, r.tree_size = manifest["origin"], manifest["first_index"], manifest["tree_size"]
    first, size = r.first_index, r.tree_size
    r.checks.append("bundle format and manifest")

    ring = _read_keys(files[KEYS], trusted_text, r)

    prev: note.Checkpoint | None = None
    if prev_text is not None:
        prev = ring.check(prev_text, "previous checkpoint", error=Unusable)
        if prev.origin != r.origin:
            raise Unusable(f"previous checkpoint is from log {prev.origin!r}, the bundle from {r.origin!r}")
        r.previous_checkpoint_size = prev.size
        if prev.size > size:
            raise Tampered(
                f"the log now ends at tree size {size}, before your earlier checkpoint at {prev.size}: "
                "it was truncated or rolled back",
                "previous checkpoint",
            )
        if prev.size < first:
            raise Unusable(
                f"the bundle starts at entry {first}, after your checkpoint at tree size {prev.size}; "
                "export it with --since-checkpoint that checkpoint"
            )

    cps, latest = _read_checkpoints(files[CHECKPOINTS], manifest, ring)
    r.checkpoints = len(cps)
    r.root = note.b64(cps[-1].root) if cps else ""
    r.checks.append(f"{len(cps)} signed checkpoints (Ed25519), tree sizes ascending")

    proofs = _object(_canonical(files[PROOFS], PROOFS), {"base", "consistency", "inclusion"}, PROOFS)
    frontier = _read_base(proofs["base"], first, cps)

    leaves, roots = _check_entries(files[ENTRIES], first, size, frontier, cps, prev, ring, r)
    r.entries = size - first
    r.checks.append(f"{r.entries} entries: canonical JSON, sequence numbers {first}..{size - 1}")
    r.checks.append(f"Merkle roots recomputed from the entries match all {len(cps)} signed checkpoints")

    _check_consistency(proofs["consistency"], cps)
    r.checks.append(f"{max(len(cps) - 1, 0)} consistency proofs between successive checkpoints")
    _check_inclusion(proofs["inclusion"], first, cps, leaves)
    r.checks.append(
        f"{len([c for c in cps if c.size > first])} inclusion proofs (last entry of each checkpoint)"
    )

    if prev is not None:
        if roots.get(prev.size) != prev.root:
            raise Tampered(
                f"history was rewritten: the entries up to tree size {prev.size} no longer hash to "
                "your earlier checkpoint",
                "previous checkpoint",
            )
        r.checks.append(f"the log extends your earlier checkpoint at tree size {prev.size} (consistency)")
    r.latest_checkpoint = latest


def _read_manifest(data: bytes) -> dict[str, Any]:
    try:
        value = entries.parse_canonical(data)
    except entries.CanonicalError as exc:
        raise Tampered(f"manifest: {exc}", MANIFEST) from None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise Unusable(f"{MANIFEST}: not a Wardline audit bundle of format {FORMAT}")
    m = _object(value, {"checkpoints", "first_index", "format", "origin", "tree_size"}, MANIFEST)
    for k in ("checkpoints", "first_index", "tree_size"):
        _int(m[k], f"{MANIFEST} {k}")
    if not isinstance(m["origin"], str) or not m["origin"]:
        raise Tampered("origin is missing", MANIFEST)
    if m["first_index"] > m["tree_size"]:
        raise Tampered("first_index is beyond tree_size", MANIFEST)
    return m


def _read_keys(data: bytes, trusted_text: str | None, r: Report) -> KeyRing:
    try:
        bundle_keys = note.parse_trusted_keys(data.decode("utf-8"), strict=True)
    except (UnicodeDecodeError, note.NoteError) as exc:
        raise Tampered(f"keys file: {exc}", KEYS) from None
    if trusted_text is None:
        keys = bundle_keys
        r.keys_source = "the bundle's own keys.txt (not independent: pass --trusted-keys for that)"
    else:
        try:
            keys = note.parse_trusted_keys(trusted_text)
        except note.NoteError as exc:
            raise Unusable(f"trusted keys: {exc}") from None
        r.keys_source = "the trusted-keys file you gave"
    r.keys = [k.key.vkey for k in keys]
    r.checks.append(f"{len(keys)} trusted keys, windows contiguous")
    return KeyRing(keys)


def _read_checkpoints(
    data: bytes, manifest: dict[str, Any], ring: KeyRing
) -> tuple[list[note.Checkpoint], str]:
    cps: list[note.Checkpoint] = []
    latest = ""
    lines = _lines(data, CHECKPOINTS)
    if len(lines) != manifest["checkpoints"]:
        raise Tampered(f"{len(lines)} checkpoints, the manifest lists {manifest['checkpoints']}", CHECKPOINTS)
    for number, line in enumerate(lines, 1):
        where = f"{CHECKPOINTS} line {number}"
        wrapper = _object(_canonical(line, where), {"note"}, where)
        if not isinstance(wrapper["note"], str):
            raise Tampered("note is not text", where)
        cp = ring.check(wrapper["note"], where)
        latest = wrapper["note"]
        if cp.origin != manifest["origin"]:
            raise Tampered(f"checkpoint of log {cp.origin!r}, not {manifest['origin']!r}", where)
        if cp.extensions:
            raise Tampered("checkpoint carries extension lines this log never writes", where)
        if cps and cp.size <= cps[-1].size:
            raise Tampered(
                f"tree size {cp.size} does not grow past the previous checkpoint's {cps[-1].size} "
                "(reordered, duplicated or an older checkpoint swapped in)",
                where,
            )
        cps.append(cp)
    if not cps:
        raise Tampered("no checkpoints", CHECKPOINTS)
    if manifest["first_index"] > 0 and cps[0].size != manifest["first_index"]:
        raise Tampered("the first checkpoint is not the bundle's starting point", CHECKPOINTS)
    if cps[0].size < manifest["first_index"]:
        raise Tampered("a checkpoint precedes the bundle's first entry", CHECKPOINTS)
    if cps[-1].size != manifest["tree_size"]:
        raise Tampered(
            f"the last checkpoint is at tree size {cps[-1].size}, the bundle claims {manifest['tree_size']}",
            CHECKPOINTS,
        )
    return cps, latest


def _read_base(value: Any, first: int, cps: list[note.Checkpoint]) -> merkle.CompactRange:
    base = _object(value, {"frontier", "size"}, f"{PROOFS} base")
    if _int(base["size"], f"{PROOFS} base size") != first:
        raise Tampered("base size differs from the bundle's first entry", f"{PROOFS} base")
    try:
        frontier = merkle.CompactRange(first, _hashes(base["frontier"], f"{PROOFS} base"))
    except merkle.ProofError as exc:
        raise Tampered(str(exc), f"{PROOFS} base") from None
    if first > 0 and frontier.root() != cps[0].root:
        raise Tampered("the tree before the bundle does not match its first checkpoint", f"{PROOFS} base")
    return frontier


def _check_entries(
    data: bytes,
    first: int,
    size: int,
    frontier: merkle.CompactRange,
    cps: list[note.Checkpoint],
    prev: note.Checkpoint | None,
    ring: KeyRing,
    r: Report,
) -> tuple[dict[int, bytes], dict[int, bytes]]:
    """Hash every entry into the tree; compare the root at every checkpoint and at `prev`."""
    lines = _lines(data, ENTRIES)
    if len(lines) != size - first:
        raise Tampered(
            f"{len(lines)} entries, the signed tree has {size - first} after entry {first}", ENTRIES
        )
    boundaries = {cp.size: cp for cp in cps}
    wanted = {cp.size - 1 for cp in cps if cp.size > first}
    leaves: dict[int, bytes] = {}
    roots: dict[int, bytes] = {first: frontier.root()}
    window_start = first
    for offset, line in enumerate(lines):
        seq = first + offset
        where = f"{ENTRIES} line {offset + 1}"
        try:
            entry = entries.parse_entry(line, seq)
        except entries.EntryError as exc:
            raise Tampered(f"entry {seq}: {exc}", where, seq) from None
        if entry["type"] == "key-rotated":
            _check_rotation(entry, seq, ring, where)
        leaf = merkle.leaf_hash(line)
        if seq in wanted:
            leaves[seq] = leaf
        frontier.append(leaf)
        n = frontier.size
        if n in boundaries or (prev is not None and n == prev.size):
            root = frontier.root()
            roots[n] = root
            cp = boundaries.get(n)
            if cp is not None and root != cp.root:
                raise Tampered(
                    f"entries {window_start}..{n - 1} do not hash to the signed checkpoint at tree size {n}: "
                    "one of them was changed, removed, added or moved",
                    where,
                    window_start,
                    n - 1,
                )
            if cp is not None:
                window_start = n
    return leaves, roots


def _check_rotation(entry: dict[str, Any], seq: int, ring: KeyRing, where: str) -> None:
    # Keys listed with their windows must agree with the rotations the log itself recorded.
    new_vkey = entry["payload"].get("new_key")
    for k in ring.keys:
        if k.key.vkey == new_vkey:
            if k.first_size != seq + 1:
                raise Tampered(
                    f"entry {seq} rotated to key {k.key.key_id.hex()}, whose window starts at {k.first_size}",
                    where,
                    seq,
                )
            return


def _check_consistency(value: Any, cps: list[note.Checkpoint]) -> None:
    where = f"{PROOFS} consistency"
    if not isinstance(value, list) or len(value) != max(len(cps) - 1, 0):
        raise Tampered("expected one consistency proof per pair of successive checkpoints", where)
    for i, item in enumerate(value):
        p = _object(item, {"proof", "size1", "size2"}, f"{where} {i}")
        old, new = cps[i], cps[i + 1]
        if (_int(p["size1"], where), _int(p["size2"], where)) != (old.size, new.size):
            raise Tampered(f"proof {i} is for sizes {p['size1']}→{p['size2']}", where)
        try:
            merkle.verify_consistency(old.size, new.size, _hashes(p["proof"], where), old.root, new.root)
        except merkle.ProofError as exc:
            raise Tampered(f"tree size {new.size} does not extend {old.size}: {exc}", where) from None


def _check_inclusion(value: Any, first: int, cps: list[note.Checkpoint], leaves: dict[int, bytes]) -> None:
    where = f"{PROOFS} inclusion"
    targets = [cp for cp in cps if cp.size > first]
    if not isinstance(value, list) or len(value) != len(targets):
        raise Tampered("expected one inclusion proof per checkpoint", where)
    for item, cp in zip(value, targets, strict=True):
        p = _object(item, {"index", "proof", "size"}, where)
        if (_int(p["index"], where), _int(p["size"], where)) != (cp.size - 1, cp.size):
            raise Tampered(f"inclusion proof for entry {p['index']} in size {p['size']}", where)
        try:
            merkle.verify_inclusion(
                cp.size - 1, cp.size, leaves[cp.size - 1], _hashes(p["proof"], where), cp.root
            )
        except merkle.ProofError as exc:
            raise Tampered(
                f"entry {cp.size - 1} is not in the checkpoint at {cp.size}: {exc}", where
            ) from None


# ---------------------------------------------------------------- presentation


def render(report: Report) -> str:
    lines = []
    if report.status == "verified":
        lines.append(f"VERIFIED: audit log {report.origin}")
    elif report.status == "tampered":
        lines.append(f"TAMPERED: audit log {report.origin or '(unknown)'}")
    else:
        lines.append("UNUSABLE INPUT")
    if report.origin:
        lines.append(
            f"  entries {report.first_index}..{report.tree_size - 1} ({report.entries} checked), "
            f"signed tree size {report.tree_size}, {report.checkpoints} checkpoints"
        )
    if report.root:
        lines.append(f"  root hash {report.root}")
    if report.keys_source:
        lines.append(f"  keys: {report.keys_source}")
    for check in report.checks:
        lines.append(f"  ok  {check}")
    if report.failure:
        f = report.failure
        where = f" ({f['where']})" if f.get("where") else ""
        if f.get("last_entry") is not None:
            entry = f"first bad entry among {f['entry']}..{f['last_entry']}; "
        elif f.get("entry") is not None:
            entry = f"first bad entry: {f['entry']}; "
        else:
            entry = ""
        lines.append(f"  FAIL {entry}{f['reason']}{where}")
    if report.verifier_sha256:
        lines.append(
            f"  verifier sha256 {report.verifier_sha256}: trust this report only if it matches the "
            f"value published with the release (README, /usr/share/doc/wardline/{VERIFIER_SUMS})"
        )
    return "\n".join(lines)


def save_checkpoint(report: Report, path: Path | None) -> None:
    """Keep the verified bundle's latest checkpoint for the next --previous-checkpoint."""
    if path is None or report.exit_code != VERIFIED:
        return
    try:
        Path(path).write_text(report.latest_checkpoint, encoding="utf-8")
    except OSError as exc:
        report.checks.append(f"could not save the checkpoint to {path}: {exc.strerror}")
    else:
        report.checks.append(f"latest checkpoint saved to {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verify.py", description="Verify a Wardline audit bundle offline.")
    parser.add_argument("bundle", type=Path, nargs="?")
    parser.add_argument("--trusted-keys", type=Path, help="the box's trusted-keys file, obtained separately")
    parser.add_argument(
        "--previous-checkpoint", type=Path, help="a checkpoint you kept from an earlier check"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--save-checkpoint", type=Path, help="when verified, keep the latest checkpoint here")
    parser.add_argument(
        "--sha256sums", action="store_true", help="print this verifier's files as sha256sum lists them"
    )
    args = parser.parse_args(argv)
    if args.sha256sums:
        print(verifier_sums(), end="")
        return VERIFIED
    if args.bundle is None:
        parser.error("the bundle folder is required")  # exits 2: unusable input
    report = verify_bundle(args.bundle, args.trusted_keys, args.previous_checkpoint)
    save_checkpoint(report, args.save_checkpoint)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        print(render(report))
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
