"""The console: live calls, figures per intent with plots, transfers, handoff summaries and
redacted call transcripts (supervisor), the audit log's status (auditor), behind a login.

This module assembles the app and serves it; each idea has its own module:
pages.py       what every page shares: configuration, templates, who is asking, checked input
sessions.py    session tokens, the login form's signed nonce, and the cookies that carry them
lockout.py     failed logins per account and per address, with a doubling wait
login.py       logging in and out (audited)
csrf.py        the form-token check on every request that could change something
headers.py     the headers on every response (CSP: no script, no external asset)
dashboard.py   figures per intent with plots, live calls, `/api/figures`
calls.py       the last week's calls and a call's redacted transcript (audited before decryption)
handoffs.py    transfers and handoff summaries (audited, counted as opened)
audit_status.py  the audit log exported and verified offline, for the auditor

Every login and every view of call content goes to the audit log first: if it cannot be
recorded, it is refused (a 503 page). A database that is briefly unreachable gives a 503 notice
page, never a stack trace.

Threads: uvicorn runs the app on its own event loop; handlers are sync functions (Starlette
runs them in its thread pool) because they read the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from appliance.ops.auditing import AuditUnavailable
from appliance.ops.console.audit_status import AuditPage
from appliance.ops.console.calls import CallPages
from appliance.ops.console.csrf import CsrfGuard, CsrfRefusals
from appliance.ops.console.dashboard import DashboardPages
from appliance.ops.console.handoffs import HandoffPages
from appliance.ops.console.headers import SecurityHeaders
from appliance.ops.console.login import LoginPages
from appliance.ops.console.pages import Console, ConsoleConfig
from appliance.ops.figures import ALL
from appliance.ops.recorder import NO_INTENT


def create_app(cfg: ConsoleConfig) -> Starlette:
    c = Console(cfg)
    login, dashboard = LoginPages(c), DashboardPages(c)
    calls, handoffs, audit = CallPages(c), HandoffPages(c), AuditPage(c)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 303:
            return RedirectResponse(exc.headers["Location"] if exc.headers else "/login", status_code=303)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
        heading = {400: "Bad request", 403: "Not allowed", 404: "Not found"}.get(exc.status_code, "Error")
        return c.notice(request, exc.status_code, heading, str(exc.detail))

    async def db_down(request: Request, exc: Exception) -> Response:
        message = (
            "The database is not reachable right now. Figures will be back when it is; try again shortly."
        )
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": message}, status_code=503)
        return c.page("notice.html", request, 503, user=None, heading="Database unavailable", message=message)

    async def audit_down(request: Request, exc: Exception) -> Response:
        return c.notice(
            request,
            503,
            "Audit log unavailable",
            f"{exc} This action is refused because it could not be recorded.",
        )

    routes = [
        Route("/login", login.login_form, methods=["GET"]),
        Route("/login", login.login, methods=["POST"]),
        Route("/logout", login.logout, methods=["POST"]),
        Route("/", dashboard.dashboard),
        Route("/api/figures", dashboard.api_figures),
        Route("/transfers", handoffs.transfers),
        Route("/handoffs/{handoff_id}", handoffs.handoff),
        Route("/calls", calls.calls),
        Route("/calls/{call_id}/transcript", calls.transcript),
        Route("/audit", audit.audit_page),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(CsrfGuard, console=c, refusals=CsrfRefusals(c))],
        exception_handlers={
            HTTPException: http_error,
            SQLAlchemyError: db_down,
            AuditUnavailable: audit_down,
        },
    )
    app.state.console = c
    return app


def console_config(
    settings: Any, audit: Any = None, now: Callable[[], datetime] | None = None
) -> ConsoleConfig:
    """The console's configuration from settings: its own engine (no pooling on SQLite, so a
    database that comes back is used at once) and the site's intents and time zone."""
    from sqlalchemy import create_engine

    from appliance.dialog.sitepack import load_site
    from appliance.store.db import migrate

    site = load_site(Path(settings.site.policy_dir))
    migrate(settings.database_url)
    url = settings.database_url
    engine = (
        create_engine(url, poolclass=NullPool)
        if url.startswith("sqlite")
        else create_engine(url, pool_pre_ping=True)
    )
    try:
        tz: tzinfo = ZoneInfo(site.site.time_zone)
    except Exception:
        tz = UTC
    return ConsoleConfig(
        settings=settings,
        sessions=sessionmaker(engine, expire_on_commit=False),
        intents=(*sorted(site.flows), NO_INTENT, ALL),
        tz=tz,
        audit=audit,
        now=now or (lambda: datetime.now(UTC)),
    )


def proxy_options(settings: Any) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-For only from the configured proxies (by default it trusts
    127.0.0.1, so any local process could claim any address and reset a lockout)."""
    proxies = list(settings.ops.console_trusted_proxies)
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": ",".join(proxies) or ""}


def serve(settings: Any, address: str | None = None, port: int | None = None, audit: Any = None) -> None:
    """Serve the console until interrupted (blocking; uvicorn)."""
    import uvicorn

    app = create_app(console_config(settings, audit))
    uvicorn.run(
        app,
        host=address or settings.ops.console_address,
        port=port or settings.ops.console_port,
        log_level="warning",
        access_log=False,
        server_header=False,
        **proxy_options(settings),
    )


def serve_in_thread(
    settings: Any, audit: Any = None, address: str | None = None, port: int | None = None
) -> Any:
    """Start the console on a daemon thread (inside `wardline serve`); returns the uvicorn Server."""
    import uvicorn

    app = create_app(console_config(settings, audit))
    config = uvicorn.Config(
        app,
        host=address or settings.ops.console_address,
        port=port if port is not None else settings.ops.console_port,
        log_level="warning",
        access_log=False,
        server_header=False,
        **proxy_options(settings),
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, name="ops-console", daemon=True).start()
    return server


__all__ = ["ConsoleConfig", "console_config", "create_app", "serve", "serve_in_thread"]
