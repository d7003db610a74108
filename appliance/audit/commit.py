"""Salted commitments: references that an auditor can match but nobody can read back.

commit(value) = "hmac-sha256:" + hex(HMAC-SHA256(per-box salt, value)). The salt lives beside
the signing keys (keys/audit-salt, 0600), so the same value on the same box always gives the
same commitment (an auditor holding a value can check it against the log, with the box's
help), while a dictionary attack on, say, dates of birth needs the salt.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from pathlib import Path

from appliance.audit.signing import KeyStore

PREFIX = "hmac-sha256:"
_salts: dict[Path, bytes] = {}
_lock = threading.Lock()


def commit_with(salt: bytes, value: str) -> str:
    return PREFIX + hmac.new(salt, value.encode("utf-8"), hashlib.sha256).hexdigest()


def default_key_dir() -> Path:
    from appliance.config import default_data_dir

    return default_data_dir() / "keys"


def commit(value: str, key_dir: Path | None = None) -> str:
    """The commitment to `value` under this box's salt (created on first use)."""
    path = Path(key_dir) if key_dir else default_key_dir()
    with _lock:
        salt = _salts.get(path)
        if salt is None:
            salt = _salts[path] = KeyStore(path, "commit").salt()
    return commit_with(salt, value)
