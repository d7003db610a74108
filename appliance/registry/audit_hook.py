"""Model installs and swaps into the signed audit log (no PHI: model ids, hashes, timings).

The audit log has one writer per origin, holding the Merkle frontier in memory. So a
`wardline models …` command appends directly only while the service is stopped; while it runs,
the command leaves the entry in data_dir/models/swaps.jsonl and the service, reloading on the
SIGHUP that follows, appends it (WIRING POINT for the service: `pending_swaps()` and
`mark_recorded()`). Either way every swap also stays in swaps.jsonl.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from appliance.config import Settings
from appliance.pidfile import running_service_pid
from appliance.registry.errors import RegistryError
from appliance.registry.registry import AuditHook

ACTOR = "wardline-models"


def journal_path(settings: Settings) -> Path:
    return settings.data_dir / "models" / "swaps.jsonl"


def audit_hook(settings: Settings) -> AuditHook:
    def record(event: str, payload: dict[str, Any]) -> None:
        entry = {"t": time.time(), "type": event, **payload}
        in_log = False
        if running_service_pid(settings) is None:
            _append_to_audit_log(settings, event, payload)
            in_log = True
        path = journal_path(settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(json.dumps({**entry, "in_audit_log": in_log}, sort_keys=True) + "\n")

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
