"""Signed, tamper-evident audit log: Merkle tree (merkle.py), signed checkpoints (note.py,
signing.py), the writer (log.py), export (bundle.py) and the offline verifier (verify.py).

The names below are imported lazily so that `appliance.audit.merkle` and friends stay light.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "AuditLog": "appliance.audit.log",
    "AuditWriteError": "appliance.audit.log",
    "AuditCorruptError": "appliance.audit.log",
    "AuditSink": "appliance.audit.events",
    "audit_sink": "appliance.audit.events",
    "audit_entry": "appliance.audit.events",
    "commit": "appliance.audit.commit",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'appliance.audit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
