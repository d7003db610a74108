"""RFC 9162 Merkle tree maths: hashing, proof construction and proof verification.

Pure functions over bytes and integers, standard library only: the standalone verifier
(verify.py) imports this file as a plain sibling module, so it must not import anything from
`appliance`. Every precondition is checked before any hashing, and every failure is a typed
`ProofError` with named fields. The verification semantics follow transparency-dev/merkle and
its published vectors (including the subtree proofs of the Merkle Tree Certificates draft);
a consistency proof from the empty tree is refused as meaningless.

Node (level, index) is the perfect subtree over leaves [index·2^level, (index+1)·2^level).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeSource = Callable[[int, int], bytes]
"""Returns the hash of perfect node (level, index); level 0 is a leaf hash."""


# ---------------------------------------------------------------- errors


class ProofError(ValueError):
    """A proof that does not verify, or inputs it cannot be checked against."""


@dataclass
class RootMismatchError(ProofError):
    expected: bytes
    calculated: bytes
    size: int = 0

    def __str__(self) -> str:
        return (
            f"root hash at tree size {self.size} does not match: "
            f"computed {self.calculated.hex()}, signed {self.expected.hex()}"
        )


@dataclass
class ProofSizeError(ProofError):
    got: int
    want: int

    def __str__(self) -> str:
        return f"proof has {self.got} hashes, a proof for these sizes has {self.want}"


@dataclass
class LeafIndexError(ProofError):
    index: int
    size: int

    def __str__(self) -> str:
        return f"index {self.index} is outside a tree of size {self.size}"


@dataclass
class SizeError(ProofError):
    size1: int
    size2: int
    reason: str

    def __str__(self) -> str:
        return f"tree sizes {self.size1} and {self.size2}: {self.reason}"


@dataclass
class HashLengthError(ProofError):
    what: str
    length: int

    def __str__(self) -> str:
        return f"{self.what} is {self.length} bytes, a hash is {HASH_SIZE}"


@dataclass
class SubtreeError(ProofError):
    start: int
    end: int

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}) is not a valid subtree"


# ---------------------------------------------------------------- hashing


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_pow2(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def _bit_ceil(n: int) -> int:
    return 1 << (n - 1).bit_length() if n > 1 else 1


def is_valid_subtree(start: int, end: int) -> bool:
    """A subtree [start, end) of some tree: non-empty, start aligned to BIT_CEIL(end - start)."""
    return 0 <= start < end and start % _bit_ceil(end - start) == 0


def _check_hashes(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        if len(h) != HASH_SIZE:
            raise HashLengthError(f"proof hash {i}", len(h))


# ---------------------------------------------------------------- compact range (the frontier)


class CompactRange:
    """The frontier of a growing tree: one perfect node per set bit of `size`, largest first.

    Appending a leaf completes O(1) nodes on average; `append` returns them so the caller can
    store them for later proofs. The root of the tree so far folds the frontier right to left.
    """

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != bin(size).count("1"):
            raise ProofError(
                f"a frontier of size {size} has {bin(size).count('1')} hashes, not {len(hashes)}"
            )
        _check_hashes(hashes)
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the nodes (level, index, hash) it completed, above level 0."""
        done: list[tuple[int, int, bytes]] = []
        h = leaf
        index = self.size
        level = 0
        while index & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            index >>= 1
            done.append((level, index, h))
        self.hashes.append(h)
        self.size += 1
        return done

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        h = self.hashes[-1]
        for left in reversed(self.hashes[:-1]):
            h = node_hash(left, h)
        return h

    def copy(self) -> CompactRange:
        return CompactRange(self.size, self.hashes)


def frontier_nodes(size: int) -> list[tuple[int, int]]:
    """(level, index) of the perfect nodes that make up the frontier of a tree of `size`."""
    nodes = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def root_of(leaves: Sequence[bytes]) -> bytes:
    """Root hash over leaf hashes (for tests and small trees)."""
    cr = CompactRange()
    for leaf in leaves:
        cr.append(leaf)
    return cr.root()


# ---------------------------------------------------------------- proof construction (RFC 9162 2.1)


def subtree_hash(start: int, end: int, node: NodeSource) -> bytes:
    """MTH(D[start:end]) for a valid subtree, from perfect nodes."""
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if _is_pow2(n):
        level = n.bit_length() - 1
        return node(level, start >> level)
    k = _split(n)
    return node_hash(subtree_hash(start, start + k, node), subtree_hash(start + k, end, node))


def inclusion_proof(index: int, size: int, node: NodeSource) -> list[bytes]:
    """PATH(index, D[0:size]): the audit path, lowest level first."""
    if not 0 <= index < size:
        raise LeafIndexError(index, size)
    return _path(index, 0, size, node)


def _path(m: int, a: int, b: int, node: NodeSource) -> list[bytes]:
    if b - a == 1:
        return []
    k = _split(b - a)
    if m < a + k:
        return [*_path(m, a, a + k, node), subtree_hash(a + k, b, node)]
    return [*_path(m, a + k, b, node), subtree_hash(a, a + k, node)]


def consistency_proof(size1: int, size2: int, node: NodeSource) -> list[bytes]:
    """PROOF(size1, D[0:size2]); empty when the sizes are equal."""
    if not 0 < size1 <= size2:
        raise SizeError(size1, size2, "a consistency proof needs 0 < size1 <= size2")
    if size1 == size2:
        return []
    return _subproof(size1, 0, size2, True, node)


def _subproof(m: int, a: int, b: int, complete: bool, node: NodeSource) -> list[bytes]:
    if m == b:
        return [] if complete else [subtree_hash(a, b, node)]
    k = _split(b - a)
    if m <= a + k:
        return [*_subproof(m, a, a + k, complete, node), subtree_hash(a + k, b, node)]
    return [*_subproof(m, a + k, b, False, node), subtree_hash(a, a + k, node)]


# ---------------------------------------------------------------- proof verification


def _match(size: int, calculated: bytes, expected: bytes) -> None:
    if calculated != expected:
        raise RootMismatchError(expected=expected, calculated=calculated, size=size)


def _range_size(begin: int) -> int:
    """Number of perfect nodes that cover [0, begin)."""
    return bin(begin).count("1")


def _verify(level: int, index: int, size: int, h: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that node (level, index) with hash h sits in the tree of `size` with `root`."""
    inner = ((index ^ (size >> level)).bit_length()) - 1
    fork_level = level + inner
    fork_index = index >> inner
    begin = fork_index << fork_level
    end = (fork_index + 1) << fork_level
    left = _range_size(begin)
    right = 0 if end == size else 1
    if len(proof) != inner + right + left:
        raise ProofSizeError(len(proof), inner + right + left)
    i = index
    for sibling in proof[:inner]:
        h = node_hash(h, sibling) if i & 1 == 0 else node_hash(sibling, h)
        i >>= 1
    if right:
        h = node_hash(h, proof[inner])
    for sibling in proof[inner + right :]:
        h = node_hash(sibling, h)
    _match(size, h, root)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Raise ProofError unless `proof` shows leaf hash `leaf` at `index` in the tree (size, root)."""
    if not 0 <= index < size:
        raise LeafIndexError(index, size)
    if len(leaf) != HASH_SIZE:
        raise HashLengthError("leaf hash", len(leaf))
    _check_hashes(proof)
    _verify(0, index, size, leaf, proof, root)


def verify_subtree_inclusion(
    index: int, start: int, end: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Inclusion of leaf `index` in subtree [start, end) whose hash is `root`."""
    if not is_valid_subtree(start, end):
        raise SubtreeError(start, end)
    if not start <= index < end:
        raise LeafIndexError(index, end)
    verify_inclusion(index - start, end - start, leaf, proof, root)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise ProofError unless the tree (size2, root2) extends the tree (size1, root1)."""
    if size1 == 0:
        raise SizeError(size1, size2, "consistency with the empty tree proves nothing")
    verify_subtree_consistency(0, size1, size2, proof, root1, root2)


def verify_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], node_root: bytes, root: bytes
) -> None:
    """Raise ProofError unless subtree [start, end) with hash `node_root` is part of (size, root)."""
    if end > size:
        raise SizeError(end, size, "the subtree ends beyond the tree")
    if start == end:
        # An empty subtree is trivially contained; only its hash and the empty proof are checked.
        if proof:
            raise ProofSizeError(len(proof), 0)
        _match(0, node_root, EMPTY_ROOT)
        return
    if not is_valid_subtree(start, end):
        raise SubtreeError(start, end)
    if start == 0 and end == size:
        if proof:
            raise ProofSizeError(len(proof), 0)
        _match(size, node_root, root)
        return
    _check_hashes(proof)
    n = end - start
    if _is_pow2(n):
        # The subtree is a perfect node: its proof is that node's inclusion proof.
        level = n.bit_length() - 1
        _verify(level, start >> level, size, node_root, proof, root)
        return
    # Otherwise the proof starts with the last perfect node inside the subtree, followed by
    # that node's inclusion proof; the subtree hash is rebuilt from the left siblings that lie
    # inside [start, end), i.e. below the subtree's own level.
    if not proof:
        raise ProofSizeError(0, 1)
    level = (n & -n).bit_length() - 1
    index = (end - 1) >> level
    top = (n - 1).bit_length()
    _verify(level, index, size, proof[0], proof[1:], root)
    inner = ((index ^ (size >> level)).bit_length()) - 1
    h = proof[0]
    for i, sibling in enumerate(proof[1 : 1 + inner]):
        if level + i < top and (index >> i) & 1:
            h = node_hash(sibling, h)
    fork_level = level + inner
    begin = (index >> inner) << fork_level
    right = 0 if (((index >> inner) + 1) << fork_level) == size else 1
    border_bits = [b for b in range(begin.bit_length()) if begin >> b & 1]
    for bit, sibling in zip(border_bits, proof[1 + inner + right :], strict=True):
        if bit < top:
            h = node_hash(sibling, h)
    _match(end, h, node_root)
