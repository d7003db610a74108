"""Export an audit bundle for an auditor: entries, checkpoints, proofs, keys and the verifier.

The layout is documented in verify.py, which also checks it. Export only reads the database:
it covers the log up to its latest signed checkpoint (entries after it are not signed yet).
Every stored entry is re-hashed on the way out, so a damaged row is reported, never exported.
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from appliance.audit import merkle, note, verify
from appliance.audit.entries import canonical_json
from appliance.audit.log import AuditCorruptError, NodeReader
from appliance.audit.signing import KeyStore
from appliance.audit.store import AuditCheckpointRow, AuditEntryRow

HERE = Path(__file__).resolve().parent


class ExportError(Exception):
    """The bundle cannot be written as asked (bad --since-checkpoint, no checkpoint, bad folder)."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    origin: str
    first_index: int
    tree_size: int
    checkpoints: int


def _checkpoint_from_file(text: str) -> note.Checkpoint:
    try:
        return note.parse_checkpoint(note.parse_note(text).body)
    except note.NoteError as exc:
        raise ExportError(f"--since-checkpoint: not a signed checkpoint: {exc}") from None


def export_bundle(
    engine: Engine, keys: KeyStore, origin: str, out_dir: Path, since_checkpoint: str | None = None
) -> ExportResult:
    out_dir = Path(out_dir)
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditCheckpointRow.size, AuditCheckpointRow.note)
            .where(AuditCheckpointRow.log == origin)
            .order_by(AuditCheckpointRow.size)
        ).all()
    if not rows:
        raise ExportError(f"log {origin} has no signed checkpoint yet: nothing to export")
    first = 0
    if since_checkpoint is not None:
        prev = _checkpoint_from_file(since_checkpoint)
        if prev.origin != origin:
            raise ExportError(f"--since-checkpoint is from log {prev.origin!r}, this box writes {origin!r}")
        if prev.size not in {r.size for r in rows}:
            raise ExportError(f"this log has no checkpoint at tree size {prev.size}")
        first = prev.size
    rows = [r for r in rows if r.size >= first]
    size = rows[-1].size
    cps = [note.parse_checkpoint(note.parse_note(r.note).body) for r in rows]
    nodes = NodeReader(engine, origin)

    if out_dir.exists() and any(out_dir.iterdir()):
        raise ExportError(f"{out_dir}: exists and is not empty")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_entries(engine, origin, first, size, out_dir / verify.ENTRIES, nodes)
        (out_dir / verify.CHECKPOINTS).write_bytes(
            b"".join(canonical_json({"note": r.note}) + b"\n" for r in rows)
        )
        proofs = {
            "base": {
                "size": first,
                "frontier": [note.b64(nodes(lv, ix)) for lv, ix in merkle.frontier_nodes(first)],
            },
            "consistency": [
                {"size1": a.size, "size2": b.size, "proof": [note.b64(h) for h in _consistency(a, b, nodes)]}
                for a, b in itertools.pairwise(cps)
            ],
            "inclusion": [
                {
                    "index": cp.size - 1,
                    "size": cp.size,
                    "proof": [note.b64(h) for h in merkle.inclusion_proof(cp.size - 1, cp.size, nodes)],
                }
                for cp in cps
                if cp.size > first
            ],
        }
        (out_dir / verify.PROOFS).write_bytes(canonical_json(proofs))
        (out_dir / verify.KEYS).write_text(note.format_trusted_keys(keys.trusted_keys(), header=False))
        manifest = {
            "format": verify.FORMAT,
            "origin": origin,
            "first_index": first,
            "tree_size": size,
            "checkpoints": len(rows),
        }
        (out_dir / verify.MANIFEST).write_bytes(canonical_json(manifest))
        _copy_verifier(out_dir / verify.VERIFIER_DIR)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot write the bundle: {exc.strerror}") from None
    return ExportResult(out_dir, origin, first, size, len(rows))


def _consistency(a: note.Checkpoint, b: note.Checkpoint, nodes: NodeReader) -> list[bytes]:
    return merkle.consistency_proof(a.size, b.size, nodes) if a.size > 0 else []


def _write_entries(engine: Engine, origin: str, first: int, size: int, path: Path, nodes: NodeReader) -> None:
    expected = first
    with engine.connect() as conn, path.open("wb") as out:
        result = conn.execution_options(stream_results=True, yield_per=5000).execute(
            select(AuditEntryRow.seq, AuditEntryRow.data, AuditEntryRow.leaf)
            .where(AuditEntryRow.log == origin, AuditEntryRow.seq >= first, AuditEntryRow.seq < size)
            .order_by(AuditEntryRow.seq)
        )
        for seq, data, leaf in result:
            if seq != expected:
                raise AuditCorruptError(f"audit entry {expected} is missing from the database")
            data = bytes(data)
            if merkle.leaf_hash(data) != bytes(leaf) or b"\n" in data:
                raise AuditCorruptError(f"audit entry {seq} in the database does not match its hash")
            out.write(data + b"\n")
            expected += 1
    if expected != size:
        raise AuditCorruptError(f"audit entries {expected}..{size - 1} are missing from the database")


def _copy_verifier(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for name in verify.VERIFIER_MODULES:
        shutil.copyfile(HERE / name, dest / name)
    (dest / "README.txt").write_text(
        "Offline verifier for this audit bundle. Needs Python 3.11+ and the 'cryptography' package only.\n"
        "  python3 verifier/verify.py . --trusted-keys YOUR-COPY-OF-trusted-keys.txt "
        "[--previous-checkpoint LAST.txt]\n"
        "Exit status: 0 verified, 1 tampered, 2 unusable input.\n"
        "Keep the last checkpoint line you verified: the next bundle must extend it.\n"
        "\n"
        "This copy of the verifier comes from the party being audited. Before you trust its report,\n"
        f"check it against the sha256 published with the release (the README, and {verify.VERIFIER_SUMS}\n"
        "in /usr/share/doc/wardline/ of the .deb), obtained separately from this bundle:\n"
        f"  cd verifier && sha256sum -c YOUR-COPY-OF-{verify.VERIFIER_SUMS}\n"
        "The report prints the verifier's own sha256 on its last line for the same comparison.\n"
        "Or run an independent copy of the verifier (from the release you installed, or your own\n"
        "implementation of the format described in verify.py) instead of this one.\n"
    )
