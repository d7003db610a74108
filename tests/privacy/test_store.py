"""The encrypted object store and its key-encryption key: start-up checks, rotation, audited reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appliance.privacy import crypto
from appliance.privacy.kek import KekError, create_kek, kek_path, load_kek
from appliance.privacy.rotation import rotate_kek
from appliance.privacy.store import AccessDenied, ObjectNotFound, open_store, read_call_data

TRANSCRIPT = b"caller: my name is Maria Gonzalez, born March third nineteen eighty\n"
AUDIO = bytes(range(256)) * 1000  # ~256 KB: several chunks


def test_objects_round_trip_and_files_hold_no_plaintext(store):
    rid = store.put("recording", AUDIO, call_id="call-1", name="caller.raw")
    tid = store.put("transcript", TRANSCRIPT, call_id="call-1", name="t.txt", media_type="text/plain")
    assert store.read(rid) == AUDIO and store.read(tid) == TRANSCRIPT
    raw = store.path_of(tid).read_bytes()
    assert b"Gonzalez" not in raw and raw.startswith(crypto.MAGIC)
    assert oct(store.path_of(tid).stat().st_mode & 0o777) == "0o600"
    assert {i.id for i in store.list("call-1")} == {rid, tid}
    assert store.info(rid).plaintext_bytes == len(AUDIO)


def test_writer_is_encrypted_while_the_call_is_still_going(store):
    w = store.create("transcript", call_id="call-2", media_type="text/plain")
    for _ in range(3000):
        w.write(TRANSCRIPT)
    on_disk = store.path_of(w.id).read_bytes()
    assert len(on_disk) > 100_000 and b"Gonzalez" not in on_disk
    w.close()
    assert store.read(w.id) == TRANSCRIPT * 3000


def test_an_unfinished_object_reads_as_truncated(store):
    w = store.create("recording", call_id="call-3")
    w.write(AUDIO)
    w._file.flush()  # the box lost power before close: the last chunk was never sealed
    with pytest.raises(crypto.CorruptData):
        store.read(w.id)


def test_missing_kek_refuses_with_a_clear_message(_isolated_data_dir: Path):
    with pytest.raises(KekError) as err:
        open_store(_isolated_data_dir)
    assert str(kek_path(_isolated_data_dir)) in str(err.value) and "no key-encryption key" in str(err.value)
    assert not (_isolated_data_dir / "objects").exists()


def test_wrong_kek_refuses_to_start(store, data_dir: Path):
    store.put("transcript", TRANSCRIPT, call_id="c")
    kek_path(data_dir).unlink()
    create_kek(data_dir)  # a different key
    with pytest.raises(KekError) as err:
        open_store(data_dir)
    assert "did not wrap the stored data keys" in str(err.value)


def test_loose_permissions_and_garbage_are_refused(data_dir: Path):
    path = kek_path(data_dir)
    os.chmod(path, 0o644)
    with pytest.raises(KekError, match="readable by others"):
        load_kek(data_dir)
    os.chmod(path, 0o600)
    path.write_text("not a key\n")
    with pytest.raises(KekError, match="not a key-encryption key"):
        load_kek(data_dir)


def test_systemd_credential_takes_precedence(data_dir: Path, tmp_path: Path):
    creds = tmp_path / "creds"
    creds.mkdir()
    key = crypto.new_kek()
    (creds / "wardline-kek").write_bytes(key)  # systemd hands credentials over raw, read-only
    kek = load_kek(data_dir, credentials_dir=str(creds))
    assert kek.source == "credential" and kek.key == key
    assert "key" not in repr(kek).replace("key_id", "")  # the key never appears in a repr


def test_rotate_kek_rewraps_and_old_objects_still_read(store, data_dir: Path):
    ids = [store.put("transcript", TRANSCRIPT + bytes([i]), call_id="c") for i in range(3)]
    blobs = {i: store.path_of(i).read_bytes() for i in ids}
    old_key = load_kek(data_dir).key
    assert rotate_kek(data_dir) == 3
    new_key = load_kek(data_dir).key
    assert new_key != old_key
    reopened = open_store(data_dir)
    assert [reopened.read(i) for i in ids] == [TRANSCRIPT + bytes([i]) for i in range(3)]
    assert {i: store.path_of(i).read_bytes() for i in ids} == blobs  # not re-encrypted
    assert not kek_path(data_dir).with_name("kek.next").exists()


def test_interrupted_rotation_is_finished_on_next_start(store, data_dir: Path):
    oid = store.put("transcript", TRANSCRIPT, call_id="c")
    nxt = kek_path(data_dir).with_name("kek.next")
    # Simulate a crash after re-wrapping but before the rename.
    from appliance.privacy.kek import read_key_file, write_key_file

    write_key_file(nxt, crypto.new_kek())
    store.rewrap_all(store.kek, read_key_file(nxt, "file"))
    assert open_store(data_dir).read(oid) == TRANSCRIPT
    assert not nxt.exists()


def test_read_call_data_records_access_without_phi(store, audit):
    store.put("transcript", TRANSCRIPT, call_id="call-9", media_type="text/plain")
    got = list(
        read_call_data(
            store, "call-9", reason="complaint review for Maria Gonzalez", actor="cli:ann", audit=audit
        )
    )
    assert got[0][1] == TRANSCRIPT
    ((entry_type, payload),) = audit.entries
    assert entry_type == "data-access" and payload["actor"] == "cli:ann" and payload["call_id"] == "call-9"
    assert "Gonzalez" not in str(payload) and "[NAME]" in payload["reason"]


def test_access_is_recorded_before_decryption_and_needs_a_reason(store, audit):
    store.put("transcript", TRANSCRIPT, call_id="call-9")
    with pytest.raises(AccessDenied):
        read_call_data(store, "call-9", reason="  ", actor="x", audit=audit)
    with pytest.raises(ObjectNotFound):
        read_call_data(store, "nope", reason="r", actor="x", audit=audit)
    read_call_data(store, "call-9", reason="r", actor="x", audit=audit)  # not iterated
    assert len(audit.entries) == 1


def test_a_corrupt_object_reports_its_chunk_and_leaves_others_readable(store, audit):
    good = store.put("transcript", TRANSCRIPT, call_id="c")
    bad = store.put("recording", AUDIO, call_id="c")
    path = store.path_of(bad)
    raw = bytearray(path.read_bytes())
    raw[crypto.HEADER_BYTES + 2 * crypto.SEALED_CHUNK_BYTES + 5] ^= 0x10  # inside chunk 2
    path.write_bytes(bytes(raw))
    results = dict(
        (info.id, data) for info, data in read_call_data(store, "c", reason="r", actor="x", audit=audit)
    )
    assert results[good] == TRANSCRIPT
    assert isinstance(results[bad], crypto.CorruptData) and results[bad].chunk == 2
