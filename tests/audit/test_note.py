"""Signed notes and keys, against the golang.org/x/mod/sumdb/note example (PeterNeumann)."""

from __future__ import annotations

import pytest

from appliance.audit import note
from appliance.audit.signing import KeyFileError, Signer

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT
    + "\n\u2014 PeterNeumann "
    + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_keys_and_signature_match_the_go_implementation() -> None:
    signer = Signer.decode(GO_SKEY, "example")
    assert signer.encode().strip() == GO_SKEY
    assert signer.verifier_key.vkey == GO_VKEY
    assert note.parse_vkey(GO_VKEY) == signer.verifier_key
    assert note.format_note(GO_TEXT, [signer.sign(GO_TEXT)]) == GO_NOTE  # Ed25519 is deterministic
    parsed = note.parse_note(GO_NOTE)
    assert parsed.body == GO_TEXT and parsed.signatures[0].key_id.hex() == "c74f20a3"


def test_mangled_keys_are_refused() -> None:
    for bad in (
        GO_VKEY.replace("c74f20a3", "c74f20a4"),
        GO_VKEY[:-1],
        "PeterNeumann+c74f20a3",
        GO_VKEY + "+x",
    ):
        with pytest.raises(note.NoteError):
            note.parse_vkey(bad)
    with pytest.raises(KeyFileError):
        Signer.decode(GO_SKEY.replace("c74f20a3", "00000000"), "example")


def test_notes_must_be_well_formed() -> None:
    sig = GO_NOTE.rsplit(" ", 1)[1].strip()
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    # Same bytes, different spelling: the unused low bits of the last base64 digit are set.
    sloppy = sig[:-2] + last[last.index(sig[-2]) + 1] + "="
    for bad in (
        GO_NOTE.replace(sig, sloppy),
        GO_NOTE.replace("\n\n", "\n"),
        GO_TEXT + "\n",
        GO_NOTE.replace("\n", "\r\n"),
        GO_NOTE.replace("\u2014", "-"),
        GO_NOTE[:-1],
    ):
        with pytest.raises(note.NoteError):
            note.parse_note(bad)


def test_checkpoint_body_round_trips_and_is_strict() -> None:
    root = bytes(range(32))
    body = note.format_checkpoint("wardline.box", 42, root)
    assert note.parse_checkpoint(body) == note.Checkpoint("wardline.box", 42, root)
    for bad in (body.replace("42", "042"), body.replace("42", "-1"), body[:-1], "wardline.box\n42\n"):
        with pytest.raises(note.NoteError):
            note.parse_checkpoint(bad)


def test_trusted_key_windows_are_contiguous() -> None:
    a = note.parse_vkey(GO_VKEY)
    b = Signer.generate("PeterNeumann").verifier_key
    good = [note.TrustedKey(a, 0, 10), note.TrustedKey(b, 10, None)]
    text = note.format_trusted_keys(good)
    assert note.parse_trusted_keys(text) == good
    with pytest.raises(note.NoteError):
        note.parse_trusted_keys(text, strict=True)  # a bundle's copy carries no comments
    assert good[0].covers(10) and not good[0].covers(11) and good[1].covers(10**9)
    for keys in (
        [note.TrustedKey(a, 1, None)],
        [note.TrustedKey(a, 0, 10), note.TrustedKey(b, 11, None)],
        [note.TrustedKey(a, 0, 10), note.TrustedKey(b, 10, 20)],
        [note.TrustedKey(a, 0, 10), note.TrustedKey(a, 10, None)],
    ):
        with pytest.raises(note.NoteError):
            note.parse_trusted_keys(note.format_trusted_keys(keys))
