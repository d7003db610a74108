"""The auditor's page: the audit log exported to a temporary bundle and verified offline, as an
auditor would (cached for a minute, so reloading the page does not re-export the log each time)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from appliance.ops.console.pages import Console

CACHE_S = 60.0


class AuditPage:
    def __init__(self, console: Console) -> None:
        self.c = console
        self._status: tuple[float, dict[str, Any]] | None = None

    def audit_page(self, request: Request) -> Response:
        user = self.c.need(request, "audit")
        self.c.query(request, {})
        self.c.audit.record("console-view", f"console:{user.name}", {"what": "audit-status"})
        return self.c.page("audit.html", request, audit=self._verify())

    def _verify(self) -> dict[str, Any]:
        now = self.c.cfg.clock()
        if self._status and now - self._status[0] < CACHE_S:
            return self._status[1]
        status = audit_status(self.c.cfg.settings)
        self._status = (now, status)
        return status


def audit_status(settings: Any) -> dict[str, Any]:
    """The log's verification as the page shows it: a headline and (label, value) rows."""
    try:
        from appliance.audit.bundle import ExportError, export_bundle
        from appliance.audit.log import default_origin
        from appliance.audit.signing import KeyStore
        from appliance.audit.verify import verify_bundle
        from appliance.store.db import make_engine
    except ImportError:
        return {"verified": False, "headline": "The audit log is not installed on this box.", "rows": []}
    origin = default_origin(settings)
    engine = make_engine(settings.database_url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "bundle"
            try:
                export_bundle(engine, KeyStore(Path(settings.data_dir) / "keys", origin), origin, out)
            except ExportError as exc:
                return {"verified": False, "headline": f"Not verified: {exc}", "rows": [("log", origin)]}
            report = verify_bundle(out, None, None)
    finally:
        engine.dispose()
    rows = [
        ("log", report.origin),
        ("entries", report.tree_size),
        ("signed checkpoints", report.checkpoints),
        ("root", report.root[:24] + "…"),
        ("checked", "; ".join(report.checks[:6])),
    ]
    ok = report.exit_code == 0
    headline = (
        "Verified: every entry is covered by a valid signed checkpoint."
        if ok
        else (f"NOT verified ({report.status}): {(report.failure or {}).get('reason', '')}")
    )
    return {"verified": ok, "headline": headline, "rows": rows}
