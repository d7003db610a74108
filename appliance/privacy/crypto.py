"""Envelope encryption for call data: the only Wardline module that imports cryptography.hazmat.

A small safe API over a fenced low-level layer, in the style of Fernet:
- `new_data_key()` / `new_kek()` make keys (randomness lives only in these edge functions and in
  `StreamWriter.__init__`, which draws the stream nonce and passes it to `StreamWriter.with_nonce`).
- `wrap_key` / `unwrap_key`: RFC 5649 AES key wrap of a data key under a key-encryption key.
- `StreamWriter` / `decrypt_stream`: the STREAM construction of age (C2SP age spec, "payload"):
  the plaintext is cut into 64 KiB chunks, each sealed with AES-256-GCM under a per-object payload
  key, with a nonce made of an 11-byte big-endian chunk counter and a last-chunk flag byte. Flipped
  bits, dropped, reordered, duplicated or appended chunks and truncation all fail authentication.
  Every chunk's tag is checked before its plaintext is released.

Every failure is one opaque error type, `CorruptData`, which carries only the index of the chunk
that failed (or None for the header / key wrap): no reason is given, so no oracle is offered.

Object layout: MAGIC (8 bytes) | stream nonce (16 bytes) | chunk 0 | chunk 1 | … | last chunk,
each chunk being ciphertext plus a 16-byte GCM tag. payload key = HKDF-SHA256(data key,
salt=stream nonce, info="wardline payload v1"), so a data key is never used directly.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.keywrap import (
    InvalidUnwrap,
    aes_key_unwrap_with_padding,
    aes_key_wrap_with_padding,
)

MAGIC = b"WLSTRM\x00\x01"
KEY_BYTES = 32
NONCE_BYTES = 16
CHUNK_BYTES = 64 * 1024
TAG_BYTES = 16
SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES
HEADER_BYTES = len(MAGIC) + NONCE_BYTES
_COUNTER_BYTES = 11
_MAX_CHUNKS = 2 ** (8 * _COUNTER_BYTES)
_PAYLOAD_INFO = b"wardline payload v1"
_KEY_ID_LABEL = b"wardline kek id v1"


class CorruptData(Exception):
    """Stored data failed authentication; `chunk` is the failing chunk index (None: header or key)."""

    def __init__(self, chunk: int | None = None) -> None:
        self.chunk = chunk
        where = "the header or key" if chunk is None else f"chunk {chunk}"
        super().__init__(f"encrypted data failed authentication at {where}")


# ---- edge: randomness ---------------------------------------------------------------------------


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_kek() -> bytes:
    return os.urandom(KEY_BYTES)


# ---- key wrap (RFC 5649) -------------------------------------------------------------------------


def wrap_key(kek: bytes, data_key: bytes) -> bytes:
    _check_key(kek, "key-encryption key")
    _check_key(data_key, "data key")
    return aes_key_wrap_with_padding(kek, data_key)


def unwrap_key(kek: bytes, wrapped: bytes) -> bytes:
    _check_key(kek, "key-encryption key")
    try:
        key = aes_key_unwrap_with_padding(kek, wrapped)
    except (InvalidUnwrap, ValueError):
        raise CorruptData(None) from None
    if len(key) != KEY_BYTES:
        raise CorruptData(None)
    return key


def key_id(kek: bytes) -> str:
    """A short public fingerprint of a key-encryption key (names it without revealing it)."""
    return hmac.new(kek, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _check_key(key: bytes, what: str) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise ValueError(f"{what} must be {KEY_BYTES} bytes")


# ---- STREAM: pure inner functions ----------------------------------------------------------------


def payload_key(data_key: bytes, stream_nonce: bytes) -> bytes:
    _check_key(data_key, "data key")
    if len(stream_nonce) != NONCE_BYTES:
        raise ValueError(f"stream nonce must be {NONCE_BYTES} bytes")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=stream_nonce, info=_PAYLOAD_INFO)
    return hkdf.derive(data_key)


def chunk_nonce(index: int, last: bool) -> bytes:
    if not 0 <= index < _MAX_CHUNKS:
        raise ValueError("chunk counter out of range")
    return index.to_bytes(_COUNTER_BYTES, "big") + (b"\x01" if last else b"\x00")


def seal_chunk(aead: AESGCM, index: int, last: bool, plaintext: bytes) -> bytes:
    if len(plaintext) > CHUNK_BYTES:
        raise ValueError("chunk too large")
    return aead.encrypt(chunk_nonce(index, last), plaintext, None)


def open_chunk(aead: AESGCM, index: int, last: bool, sealed: bytes) -> bytes:
    try:
        return aead.decrypt(chunk_nonce(index, last), sealed, None)
    except InvalidTag:
        raise CorruptData(index) from None


def encrypt_from_parts(data_key: bytes, stream_nonce: bytes, plaintext: bytes) -> bytes:
    """Whole-object encryption with a given nonce (for fixed test vectors)."""
    out = bytearray()
    writer = StreamWriter.with_nonce(_BytesSink(out), data_key, stream_nonce)
    writer.write(plaintext)
    writer.close()
    return bytes(out)


def decrypt_bytes(data_key: bytes, blob: bytes) -> bytes:
    return b"".join(decrypt_chunks(data_key, _split(blob)))


def _split(blob: bytes) -> Iterator[bytes]:
    yield blob[:HEADER_BYTES]
    for i in range(HEADER_BYTES, len(blob), SEALED_CHUNK_BYTES):
        yield blob[i : i + SEALED_CHUNK_BYTES]


# ---- STREAM: writer ------------------------------------------------------------------------------


class _BytesSink:
    def __init__(self, buf: bytearray) -> None:
        self._buf = buf

    def write(self, data: bytes) -> int:
        self._buf.extend(data)
        return len(data)


class StreamWriter:
    """Encrypts as it writes: nothing reaches `sink` that is not ciphertext (header first).

    A full chunk is held back until at least one more byte arrives, because only then is it known
    not to be the last one. `close()` seals the final chunk; a stream never closed reads back as
    truncated.
    """

    def __init__(self, sink: BinaryIO, data_key: bytes) -> None:
        self._init(sink, data_key, os.urandom(NONCE_BYTES))

    @classmethod
    def with_nonce(cls, sink: BinaryIO | _BytesSink, data_key: bytes, stream_nonce: bytes) -> StreamWriter:
        self = cls.__new__(cls)
        self._init(sink, data_key, stream_nonce)
        return self

    def _init(self, sink: BinaryIO | _BytesSink, data_key: bytes, stream_nonce: bytes) -> None:
        self._aead = AESGCM(payload_key(data_key, stream_nonce))
        self._sink = sink
        self._pending = bytearray()
        self._index = 0
        self._closed = False
        self.ciphertext_bytes = 0
        self._emit(MAGIC + stream_nonce)

    def _emit(self, data: bytes) -> None:
        self._sink.write(data)
        self.ciphertext_bytes += len(data)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("stream already closed")
        if len(self._pending) + len(data) <= CHUNK_BYTES:  # the common case: a 20 ms frame
            self._pending += data
            return len(data)
        view = memoryview(data)
        while view:
            if len(self._pending) == CHUNK_BYTES:  # full, and more is coming: not the last chunk
                self._emit(seal_chunk(self._aead, self._index, False, bytes(self._pending)))
                self._pending.clear()
                self._index += 1
            take = CHUNK_BYTES - len(self._pending)
            self._pending += view[:take]
            view = view[take:]
        return len(data)

    def close(self) -> None:
        if self._closed:
            return
        self._emit(seal_chunk(self._aead, self._index, True, bytes(self._pending)))
        self._pending.clear()
        self._closed = True


# ---- STREAM: reader ------------------------------------------------------------------------------


def read_sealed_chunks(source: BinaryIO) -> Iterator[bytes]:
    """Header, then sealed chunks as stored (the last one may be short)."""
    yield source.read(HEADER_BYTES)
    while chunk := source.read(SEALED_CHUNK_BYTES):
        yield chunk


def decrypt_chunks(data_key: bytes, pieces: Iterable[bytes]) -> Iterator[bytes]:
    """Yield plaintext chunk by chunk, each only after its tag has been checked.

    `pieces` is the header followed by the sealed chunks. A consumer that stops early has seen only
    authenticated data, but has not yet learnt that the stream is complete: that is known only when
    this generator ends without raising.
    """
    it = iter(pieces)
    header = next(it, b"")
    if len(header) != HEADER_BYTES or not hmac.compare_digest(header[: len(MAGIC)], MAGIC):
        raise CorruptData(None)
    aead = AESGCM(payload_key(data_key, header[len(MAGIC) :]))
    current = next(it, None)
    index = 0
    if current is None:
        raise CorruptData(0)  # not even the last chunk: truncated
    while current is not None:
        following = next(it, None)
        last = following is None
        if len(current) < TAG_BYTES or (not last and len(current) != SEALED_CHUNK_BYTES):
            raise CorruptData(index)
        plain = open_chunk(aead, index, last, current)
        # age forbids an empty last chunk unless the whole payload is empty: otherwise an attacker
        # holding a full stream could not extend it, but ambiguity costs nothing to refuse.
        if last and not plain and index > 0:
            raise CorruptData(index)
        yield plain
        current = following
        index += 1


def decrypt_stream(data_key: bytes, source: BinaryIO) -> Iterator[bytes]:
    return decrypt_chunks(data_key, read_sealed_chunks(source))
