"""STREAM encryption: round trips, fixed vectors, and every kind of tampering detected by chunk."""

from __future__ import annotations

import io

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from appliance.privacy import crypto
from appliance.privacy.crypto import CHUNK_BYTES, HEADER_BYTES, SEALED_CHUNK_BYTES, CorruptData

KEY = bytes(range(32))
NONCE = bytes(range(100, 116))


def _sealed(plaintext: bytes) -> bytes:
    return crypto.encrypt_from_parts(KEY, NONCE, plaintext)


def _chunks(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_BYTES:]
    return blob[:HEADER_BYTES], [
        body[i : i + SEALED_CHUNK_BYTES] for i in range(0, len(body), SEALED_CHUNK_BYTES)
    ]


def _failing_chunk(blob: bytes) -> int | None:
    with pytest.raises(CorruptData) as err:
        crypto.decrypt_bytes(KEY, blob)
    return err.value.chunk


PLAIN = bytes((i * 7 + 3) % 251 for i in range(3 * CHUNK_BYTES + 1234))


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES, len(PLAIN)]
)
def test_round_trip_at_chunk_boundaries(size: int):
    data = PLAIN[:size]
    blob = _sealed(data)
    assert crypto.decrypt_bytes(KEY, blob) == data
    assert len(blob) == HEADER_BYTES + max(1, -(-size // CHUNK_BYTES)) * crypto.TAG_BYTES + size


def test_fixed_vector_is_the_documented_construction():
    # Chunk 0 (not last) and chunk 1 (last) rebuilt by hand from the spec in the module docstring.
    data = PLAIN[: CHUNK_BYTES + 10]
    blob = _sealed(data)
    aead = AESGCM(crypto.payload_key(KEY, NONCE))
    expected = (
        crypto.MAGIC
        + NONCE
        + aead.encrypt(bytes(11) + b"\x00", data[:CHUNK_BYTES], None)
        + aead.encrypt((1).to_bytes(11, "big") + b"\x01", data[CHUNK_BYTES:], None)
    )
    assert blob == expected
    assert _sealed(data) == blob  # deterministic given key and nonce


def test_writer_emits_only_ciphertext_from_the_first_byte():
    sink = io.BytesIO()
    marker = b"PATIENT-AUDIO-MARKER" * 50
    w = crypto.StreamWriter(sink, KEY)
    assert sink.getvalue()[: len(crypto.MAGIC)] == crypto.MAGIC  # header before any data
    for _ in range(200):
        w.write(marker)
        assert marker[:20] not in sink.getvalue()
    w.close()
    assert marker[:20] not in sink.getvalue()
    assert b"".join(crypto.decrypt_stream(KEY, io.BytesIO(sink.getvalue()))) == marker * 200


def test_two_streams_under_one_key_do_not_share_a_keystream():
    sinks = [io.BytesIO(), io.BytesIO()]
    for sink in sinks:
        w = crypto.StreamWriter(sink, KEY)
        w.write(b"same words")
        w.close()
    a, b = (s.getvalue() for s in sinks)
    assert a[HEADER_BYTES:] != b[HEADER_BYTES:]  # a fresh stream nonce → a fresh payload key


def test_every_flipped_bit_position_class_is_detected_with_its_chunk():
    blob = _sealed(PLAIN)
    header, chunks = _chunks(blob)
    for index, chunk in enumerate(chunks):
        for pos in (0, len(chunk) // 2, len(chunk) - 1):  # ciphertext start, middle, tag
            bad = bytearray(chunk)
            bad[pos] ^= 0x01
            tampered = header + b"".join(chunks[:index]) + bytes(bad) + b"".join(chunks[index + 1 :])
            assert _failing_chunk(tampered) == index
    for pos in range(HEADER_BYTES):
        bad = bytearray(blob)
        bad[pos] ^= 0x80
        with pytest.raises(CorruptData):
            crypto.decrypt_bytes(KEY, bytes(bad))


def test_dropped_chunks_are_detected():
    header, chunks = _chunks(_sealed(PLAIN))
    for index in range(len(chunks)):
        rest = chunks[:index] + chunks[index + 1 :]
        assert _failing_chunk(header + b"".join(rest)) == min(index, len(rest) - 1)


def test_reordered_chunks_are_detected():
    header, chunks = _chunks(_sealed(PLAIN))
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    assert _failing_chunk(header + b"".join(swapped)) == 0
    last_two = [*chunks[:-2], chunks[-1], chunks[-2]]
    assert _failing_chunk(header + b"".join(last_two)) == len(chunks) - 2


def test_truncation_is_detected_at_a_boundary_and_mid_chunk():
    blob = _sealed(PLAIN)
    header, chunks = _chunks(blob)
    # Cut after a whole chunk: that chunk was sealed as "not last", so it fails as the last one.
    assert _failing_chunk(header + chunks[0]) == 0
    assert _failing_chunk(header + b"".join(chunks[:2])) == 1
    assert _failing_chunk(blob[:-1]) == len(chunks) - 1
    assert _failing_chunk(blob[: HEADER_BYTES + 100]) == 0
    assert _failing_chunk(header) == 0  # no chunk at all
    assert _failing_chunk(b"") is None


def test_extension_is_detected():
    blob = _sealed(PLAIN)
    _, chunks = _chunks(blob)
    assert _failing_chunk(blob + chunks[-1]) == len(chunks) - 1  # duplicate last chunk appended
    assert _failing_chunk(blob + b"\x00") == len(chunks) - 1
    empty = _sealed(b"")
    assert _failing_chunk(empty + _chunks(empty)[1][0]) == 0


def test_wrong_data_key_fails_at_the_first_chunk():
    with pytest.raises(CorruptData) as err:
        crypto.decrypt_bytes(bytes(32), _sealed(b"hello"))
    assert err.value.chunk == 0


def test_key_wrap_round_trip_and_tamper():
    kek, dk = bytes(range(1, 33)), bytes(range(50, 82))
    wrapped = crypto.wrap_key(kek, dk)
    assert crypto.unwrap_key(kek, wrapped) == dk
    with pytest.raises(CorruptData) as err:
        crypto.unwrap_key(bytes(32), wrapped)
    assert err.value.chunk is None
    bad = bytearray(wrapped)
    bad[3] ^= 1
    with pytest.raises(CorruptData):
        crypto.unwrap_key(kek, bytes(bad))


def test_key_wrap_matches_rfc5649_construction():
    # RFC 5649 §6, second example (7-octet key) under a 192-bit KEK, through the same primitive.
    from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

    kek = bytes.fromhex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8")
    assert aes_key_wrap_with_padding(kek, bytes.fromhex("466f7250617369")) == bytes.fromhex(
        "afbeb0f07dfbf5419200f2ccb50bb24f"
    )


def test_one_opaque_error_type_and_message_without_detail():
    blob = bytearray(_sealed(b"secret words"))
    blob[-1] ^= 1
    with pytest.raises(CorruptData) as err:
        crypto.decrypt_bytes(KEY, bytes(blob))
    assert "secret" not in str(err.value) and str(err.value).endswith("chunk 0")
