"""What the service does when its audit log fails or recovers: say so where IT looks.

`audit_reporter` is the AuditLog's `on_health_change` listener in `wardline serve`: each change
becomes a journal event (AUDIT_WRITE_FAILED with the database's own error, AUDIT_RECOVERED) and
the health file `wardline doctor` reads (audit/health.py). /metrics reads the log directly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from appliance.audit.health import write_health
from appliance.service.journal import Event, Journal


def audit_reporter(data_dir: Path, journal: Journal | None = None) -> Callable[[dict[str, Any]], None]:
    journal = journal or Journal()
    pid = os.getpid()

    def report(health: dict[str, Any]) -> None:
        write_health(data_dir, health, pid)
        if health["ok"]:
            journal.send(Event.AUDIT_RECOVERED, count=int(health["pending"]))
        else:
            journal.send(Event.AUDIT_WRITE_FAILED, count=int(health["pending"]), detail=str(health["error"]))

    return report


def watch_audit_log(audit: Any, data_dir: Path, journal: Journal | None = None) -> None:
    """Report `audit`'s health changes from now on, and its present health to the doctor."""
    audit.on_health_change = audit_reporter(data_dir, journal)
    write_health(data_dir, audit.health())
