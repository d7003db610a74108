"""Operations entries into the signed audit log: console logins and views of call content,
intents switched to people and back.

Inside the service process (`wardline serve`, which also serves the console) entries go straight
to its AuditLog; any other process opens the log and appends itself: the log takes each entry's
sequence number in the database, so several writers never collide (audit/log.py). Files an
older version left in data_dir/ops-audit-pending.jsonl are still appended by the service
(`drain_pending`). Payloads are names, ids and codes: never call content.
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
        origin = default_origin(self.settings)
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
