"""Rotating the key-encryption key: a new key beside the old one, every live data key re-wrapped
under it, then the new key in the old one's place (the order privacy/kek.py repairs after a crash).

Apart from privacy/kek.py because it opens the encrypted store, and the store loads the key.
"""

from __future__ import annotations

import os
from pathlib import Path

from appliance.privacy import crypto
from appliance.privacy.kek import (
    KekError,
    credential_path,
    fsync_dir,
    kek_path,
    next_kek_path,
    read_key_file,
    write_key_file,
)
from appliance.privacy.store import open_store


def rotate_kek(data_dir: Path, credentials_dir: str | None = None) -> int:
    """Re-wrap every live data key under a new KEK; returns how many were re-wrapped.

    Objects are not re-encrypted: only their wrapped data keys change. The old key file is removed
    once the new one is in place. With a systemd credential the key cannot be replaced from here.
    """
    if credential_path(credentials_dir) is not None:
        raise KekError(
            "the key-encryption key is a systemd credential: rotate it by sealing a new one with "
            "systemd-creds and re-wrapping from a key file, not in place"
        )
    store = open_store(Path(data_dir), credentials_dir=credentials_dir)
    old = store.kek
    nxt = next_kek_path(data_dir)
    nxt.unlink(missing_ok=True)
    write_key_file(nxt, crypto.new_kek())
    new = read_key_file(nxt, "file")
    count = store.rewrap_all(old, new)
    os.replace(nxt, kek_path(data_dir))
    fsync_dir(nxt.parent)
    return count
