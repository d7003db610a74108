"""The sha256 of the model files that registry wheels carry and more than one layer loads, and
`read_pinned`, the one way a layer reads a file it has pinned (a changed file is refused).

wordllama's token table serves both the understanding's encoder (dialog/encoder.py) and the
redaction tagger's word classes (privacy/redaction/word_classes.py); the pins live here once so
that a new wheel is re-pinned in one place, and privacy/ need not import dialog/ to share them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

# wordllama 0.4.0.post1: its l2_supercat_256 table and tokenizer, relative to the package folder
WORDLLAMA_FILES = {
    "weights/l2_supercat_256.safetensors": "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5",
    "tokenizers/l2_supercat_tokenizer_config.json": (
        "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68"
    ),
}


class PinnedFileError(ValueError):
    """A pinned file that cannot be read, or whose bytes are not the pinned ones; says which."""


def read_pinned(path: Path, sha256: str) -> bytes:
    """The file's bytes, refused unless their sha256 is `sha256`: a changed file is never used."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PinnedFileError(f"{path}: missing") from None
    except OSError as exc:
        raise PinnedFileError(f"{path}: {exc.strerror or exc}") from None
    got = hashlib.sha256(data).hexdigest()
    if got != sha256:
        raise PinnedFileError(f"{path}: sha256 {got[:12]}… is not the pinned {sha256[:12]}…")
    return data
