"""Operations entries into the signed audit log: console logins and views of call content,
intents switched to people and back.

The audit log has one writer per origin. Inside the service process (`wardline serve`, which
also serves the console) entries go straight to its AuditLog. From another process: directly
while the service is stopped; while it runs, into data_dir/ops-audit-pending.jsonl, which the
service's OpsRuntime appends on its writer thread (`drain_pending`), the pattern of
registry/audit_hook.py. Payloads are names, ids and codes: never call content.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

PENDING_FILE = "ops-audit-pending.jsonl"
_lock = threading.Lock()


class AuditUnavailable(Exception):
    """The audit log cannot be written, so the action it would record is refused."""


class OpsAudit:
    def __init__(self, settings: Any, log: Any = None) -> None:
        self.settings = settings
        self.log = log  # the service's AuditLog, when this runs inside it
        self._engine: Any = None

    def record(self, type: str, actor: str, payload: dict[str, Any], call_id: str | None = None) -> None:
        if self.log is not None:
            self._append(self.log, type, actor, call_id, payload)
            return
        from appliance.pidfile import running_service_pid

        if running_service_pid(self.settings) is not None:
            _write_pending(
                Path(self.settings.data_dir),
                {"type": type, "actor": actor, "call_id": call_id, "payload": payload},
            )
            return
        try:
            with self._open() as log:
                self._append(log, type, actor, call_id, payload)
        except AuditUnavailable:
            raise
        except Exception as exc:
            raise AuditUnavailable(f"the audit log cannot be written ({type_name(exc)})") from None

    def _open(self) -> Any:
        """The log for one entry; the schema is migrated once per process, not per entry."""
        from appliance.audit.log import AuditLog, default_origin
        from appliance.audit.signing import KeyStore
        from appliance.store.db import make_engine, migrate

        if self._engine is None:
            migrate(self.settings.database_url)
            self._engine = make_engine(self.settings.database_url)
        origin = default_origin()
        keys = KeyStore(Path(self.settings.data_dir) / "keys", origin)
        return AuditLog(self._engine, keys, origin, background=False)

    @staticmethod
    def _append(log: Any, type: str, actor: str, call_id: str | None, payload: dict[str, Any]) -> None:
        try:
            log.append(type, actor, call_id, payload)
        except Exception as exc:
            raise AuditUnavailable(f"the audit log cannot be written ({type_name(exc)})") from None


def type_name(exc: BaseException) -> str:
    return type(exc).__name__


def _write_pending(data_dir: Path, entry: dict[str, Any]) -> None:
    path = data_dir / PENDING_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    with _lock:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")


def drain_pending(data_dir: Path, log: Any) -> int:
    """Append the entries other processes left for the service; returns how many."""
    path = Path(data_dir) / PENDING_FILE
    with _lock:
        if not path.is_file():
            return 0
        work = path.with_suffix(".draining")
        os.replace(path, work)
    lines = [json.loads(x) for x in work.read_text(encoding="utf-8").splitlines() if x.strip()]
    for e in lines:
        log.append(e["type"], e["actor"], e.get("call_id"), e["payload"])
    work.unlink()
    return len(lines)
