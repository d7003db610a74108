"""Model installs and swaps into the signed audit log (no PHI: model ids, hashes, timings).

A `wardline models …` command appends to the audit log itself, whether or not the service runs
(the log takes sequence numbers in the database, so the CLI and the service never collide),
and every change also stays in data_dir/models/swaps.jsonl. The service adds its own
`model-swapped` entry when a reload puts the new model in use.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.registry.errors import RegistryError
from appliance.registry.registry import AuditHook

ACTOR = "wardline-models"


def journal_path(settings: Settings) -> Path:
    return settings.data_dir / "models" / "swaps.jsonl"


def audit_hook(settings: Settings) -> AuditHook:
    def record(event: str, payload: dict[str, Any]) -> None:
        entry = {"t": time.time(), "type": event, **payload}
        _append_to_audit_log(settings, event, payload)
        path = journal_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({**entry, "in_audit_log": True}, sort_keys=True) + "\n")

    return record


def _append_to_audit_log(settings: Settings, event: str, payload: dict[str, Any]) -> None:
    from appliance.audit.log import AuditLog, AuditWriteError

    try:
        with AuditLog.open(settings, background=False) as log:
            log.append(event, ACTOR, None, payload)
    except AuditWriteError as exc:
        raise RegistryError(f"the model change was made but could not be audited: {exc}") from None


def pending_swaps(settings: Settings) -> list[dict[str, Any]]:
    """Entries a running service still has to append to its audit log."""
    path = journal_path(settings)
    if not path.is_file():
        return []
    entries = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for e in entries if not e.get("in_audit_log")]


def mark_recorded(settings: Settings) -> None:
    """After the service appended `pending_swaps()`: flag them so they are not appended twice."""
    path = journal_path(settings)
    if not path.is_file():
        return
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            lines.append(json.dumps({**json.loads(line), "in_audit_log": True}, sort_keys=True))
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
