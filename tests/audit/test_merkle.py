"""Merkle maths against the transparency-dev/merkle vectors, and proofs we build against ourselves."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import pytest

from appliance.audit import merkle
from tests.conftest import TESTVECTORS

VECTORS = TESTVECTORS / "rfc6962" / "testdata"


def _files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json"))


def _b(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


def _proof(items: list[str] | None) -> list[bytes]:
    return [_b(x) for x in items or []]


def _check(kind: str, d: dict) -> None:
    if kind == "inclusion":
        merkle.verify_inclusion(
            d["leafIdx"], d["treeSize"], _b(d["leafHash"]), _proof(d["proof"]), _b(d["root"])
        )
    elif kind == "consistency":
        merkle.verify_consistency(d["size1"], d["size2"], _proof(d["proof"]), _b(d["root1"]), _b(d["root2"]))
    elif kind == "subtreeinclusion":
        merkle.verify_subtree_inclusion(
            d["leafIdx"], d["start"], d["end"], _b(d["leafHash"]), _proof(d["proof"]), _b(d["root"])
        )
    else:
        merkle.verify_subtree_consistency(
            d["start"], d["end"], d["size"], _proof(d["proof"]), _b(d["root1"]), _b(d["root2"])
        )


KINDS = ("inclusion", "consistency", "subtreeinclusion", "subtreeconsistency")


def test_the_vector_set_is_there() -> None:
    counts = {kind: len(_files(kind)) for kind in KINDS}
    assert all(n > 20 for n in counts.values()), counts


@pytest.mark.parametrize("kind", KINDS)
def test_every_vector(kind: str) -> None:
    wrong = []
    valid = invalid = 0
    for path in _files(kind):
        d = json.loads(path.read_text())
        try:
            _check(kind, d)
            failed = None
        except merkle.ProofError as exc:
            failed = exc
        if d["wantErr"]:
            invalid += 1
        else:
            valid += 1
        if (failed is not None) != d["wantErr"]:
            wrong.append(f"{path.relative_to(VECTORS)}: {d['desc']}: {failed}")
    assert not wrong, "\n".join(wrong)
    assert valid and invalid


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"entry {i}".encode()) for i in range(n)]


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 definition, recursively, as the reference for everything else."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


def _source(leaves: list[bytes]):  # type: ignore[no-untyped-def]
    def node(level: int, index: int) -> bytes:
        return _mth(leaves[index << level : (index + 1) << level])

    return node


def test_hashing_matches_rfc_9162() -> None:
    assert merkle.leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_frontier_root_and_stored_nodes_match_the_definition() -> None:
    leaves = _leaves(70)
    cr = merkle.CompactRange()
    for n, leaf in enumerate(leaves, 1):
        for level, index, h in cr.append(leaf):
            assert h == _mth(leaves[index << level : (index + 1) << level])
        assert cr.root() == _mth(leaves[:n])
        again = merkle.CompactRange(n, [_source(leaves)(lv, ix) for lv, ix in merkle.frontier_nodes(n)])
        assert again.root() == cr.root()


def test_built_proofs_verify_and_stay_small() -> None:
    leaves = _leaves(33)
    node = _source(leaves)
    for size in range(1, 34):
        root = _mth(leaves[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, node)
            assert len(proof) * 32 <= 32 * math.ceil(math.log2(size)) if size > 1 else not proof
            merkle.verify_inclusion(index, size, leaves[index], proof, root)
        for size1 in range(1, size + 1):
            proof = merkle.consistency_proof(size1, size, node)
            merkle.verify_consistency(size1, size, proof, _mth(leaves[:size1]), root)


def _corruptions(proof: list[bytes]) -> list[list[bytes]]:
    out = [[*proof, b"\x00" * 32], [b"\x00" * 32, *proof]]
    if proof:
        out.append(proof[:-1])
        out.append(proof[1:])
    for i, h in enumerate(proof):
        for bit in (0, 7, 255):
            flipped = bytearray(h)
            flipped[bit // 8] ^= 1 << (bit % 8)
            out.append([*proof[:i], bytes(flipped), *proof[i + 1 :]])
    return out


def test_every_corrupted_inclusion_proof_is_rejected() -> None:
    leaves = _leaves(21)
    node = _source(leaves)
    for size in (1, 2, 3, 7, 8, 13, 21):
        root = _mth(leaves[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, node)
            for bad in _corruptions(proof):
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(index, size, leaves[index], bad, root)
            # The transparency-dev mutations: index +1, -1, XOR 2, size *2 (a size alone is not bound
            # by the proof: it only means something together with its signed root).
            for i2, s2 in ((index + 1, size), (index - 1, size), (index ^ 2, size), (index, size * 2)):
                if 0 <= i2 < s2 and (i2, s2) != (index, size):
                    with pytest.raises(merkle.ProofError):
                        merkle.verify_inclusion(i2, s2, leaves[index], proof, root)


def test_every_corrupted_consistency_proof_is_rejected() -> None:
    leaves = _leaves(20)
    node = _source(leaves)
    for size2 in (2, 5, 8, 13, 20):
        root2 = _mth(leaves[:size2])
        for size1 in range(1, size2):
            root1 = _mth(leaves[:size1])
            proof = merkle.consistency_proof(size1, size2, node)
            for bad in _corruptions(proof):
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(size1, size2, bad, root1, root2)
            with pytest.raises(merkle.ProofError):
                merkle.verify_consistency(size1, size2, proof, root2, root1)
            if size1 + 1 < size2:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(size1 + 1, size2, proof, root1, root2)


def test_preconditions_are_checked_before_hashing() -> None:
    with pytest.raises(merkle.LeafIndexError):
        merkle.verify_inclusion(5, 5, b"\x00" * 32, [], b"\x00" * 32)
    with pytest.raises(merkle.HashLengthError):
        merkle.verify_inclusion(0, 2, b"\x00" * 31, [b"\x00" * 32], b"\x00" * 32)
    with pytest.raises(merkle.SizeError):
        merkle.verify_consistency(3, 2, [], b"", b"")
    with pytest.raises(merkle.RootMismatchError) as err:
        merkle.verify_inclusion(0, 1, b"\x01" * 32, [], b"\x02" * 32)
    assert err.value.expected == b"\x02" * 32 and err.value.calculated == b"\x01" * 32
