"""Retention windows from the site pack, and crypto-shredding purges."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from appliance.config import REPO_ROOT
from appliance.privacy import crypto
from appliance.privacy.retention import RetentionError, load_retention, purge_due
from appliance.privacy.store import ObjectShredded, open_store

DAY = timedelta(days=1)


def test_windows_come_from_the_site_pack():
    policy = load_retention(REPO_ROOT / "policies" / "riverside")
    assert policy.window("recording") == 30 * DAY
    assert policy.window("transcript") == 365 * DAY
    assert policy.window("audit") >= 6 * 365 * DAY


def test_a_bad_retention_section_names_file_and_line(tmp_path: Path):
    (tmp_path / "site.yaml").write_text("name: x\nretention:\n  audio_days: soon\n")
    with pytest.raises(RetentionError) as err:
        load_retention(tmp_path)
    assert "site.yaml:3" in str(err.value) and "audio_days" in str(err.value)


def test_purge_shreds_only_what_is_due_and_records_each(store, clock, audit, data_dir: Path):
    policy = load_retention(REPO_ROOT / "policies" / "riverside")
    old_rec = store.put("recording", b"old audio" * 1000, call_id="c1")
    old_txt = store.put("transcript", b"old words", call_id="c1")
    clock.now += 31 * DAY
    new_rec = store.put("recording", b"new audio", call_id="c2")
    purged = purge_due(store, policy, now=clock.now, audit=audit)
    assert [p.object_id for p in purged] == [old_rec]
    assert [(t, p["object_id"], p["data_class"]) for t, p in audit.entries] == [
        ("data-purge", old_rec, "recording")
    ]
    assert not store.path_of(old_rec).exists()
    with pytest.raises(ObjectShredded):
        store.read(old_rec)
    assert store.read(old_txt) == b"old words" and store.read(new_rec) == b"new audio"
    assert [i.id for i in store.list()] == [old_txt, new_rec]


def test_a_copy_taken_before_the_purge_cannot_be_decrypted_after(
    store, clock, audit, data_dir: Path, tmp_path
):
    oid = store.put("recording", b"caller audio " * 5000, call_id="c1")
    backup = tmp_path / "backup"
    shutil.copytree(data_dir / "objects", backup)  # someone copied the files (not the key table)
    wrapped = _wrapped_key(store, oid)
    clock.now += 400 * DAY
    purge_due(store, load_retention(REPO_ROOT / "policies" / "riverside"), now=clock.now, audit=audit)

    copy = next(backup.rglob(f"{oid}.wlo")).read_bytes()
    # With everything left on the box (KEK, database), the copy is unreadable: its key is gone.
    reopened = open_store(data_dir)
    with pytest.raises(ObjectShredded):
        reopened.read(oid)
    leftovers = b"".join(p.read_bytes() for p in data_dir.glob("wardline.db*"))
    assert wrapped not in leftovers  # not even in free pages or the write-ahead log
    # And no other key the box holds opens it.
    for other in reopened.list():
        key = crypto.unwrap_key(reopened.kek.key, _wrapped_key(reopened, other.id))
        with pytest.raises(crypto.CorruptData):
            crypto.decrypt_bytes(key, copy)


def _wrapped_key(store, oid: str) -> bytes:
    from appliance.privacy.store import ObjectRow

    with store.sessions() as s:
        return s.get(ObjectRow, oid).wrapped_key
