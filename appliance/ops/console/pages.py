"""What every console page shares: its configuration, its templates, who is asking, and checked input.

`Console` is built once per app and handed to each group of pages (login, dashboard, calls,
handoffs, audit) and to the CSRF guard. Query parameters are checked per page: an unknown or
malformed one is a 400 that says which (`BadQuery`). Forms are small and read whole
(`read_form`); a larger one is a 413."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.orm import sessionmaker
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from appliance.ops.auditing import OpsAudit
from appliance.ops.console.sessions import COOKIE, LoginForms, SessionTokens
from appliance.ops.report import templates
from appliance.ops.users import User

MAX_FORM_BYTES = 4096


@dataclass
class ConsoleConfig:
    settings: Any
    sessions: sessionmaker
    intents: tuple[str, ...]  # the site's flows (and "none")
    tz: tzinfo = UTC
    audit: Any = None  # the service's AuditLog when the console runs inside it
    store: Any = None  # the encrypted ObjectStore (transcripts); opened on first use when None
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    clock: Callable[[], float] = time.monotonic


class BadQuery(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


class Console:
    """The state every page reads: settings, templates, the audit log, the logged-in sessions."""

    def __init__(self, cfg: ConsoleConfig) -> None:
        self.cfg = cfg
        self.env = templates()
        self.audit = OpsAudit(cfg.settings, cfg.audit)
        self.tokens = SessionTokens(cfg.clock)
        self.login_forms = LoginForms()

    def page(self, name: str, request: Request, code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("user", self.user_of(request))
        ctx.setdefault("csrf_token", self.session_csrf(request) if ctx["user"] else "")
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=code)

    def notice(self, request: Request, status: int, heading: str, message: str) -> HTMLResponse:
        return self.page("notice.html", request, status, heading=heading, message=message)

    def session_csrf(self, request: Request) -> str:
        return self.tokens.csrf(request.cookies.get(COOKIE, ""))

    def user_of(self, request: Request) -> User | None:
        return self.tokens.user(request.cookies.get(COOKIE, ""))

    def need(self, request: Request, permission: str) -> User:
        user = self.user_of(request)
        if user is None:
            raise HTTPException(303, headers={"Location": "/login"})
        if not user.can(permission):
            raise HTTPException(403, f"your role ({user.role}) cannot open this page")
        return user

    def query(self, request: Request, allowed: dict[str, Callable[[str], Any]]) -> dict[str, Any]:
        """Checked query parameters: unknown names and bad values are a 400 naming them."""
        out: dict[str, Any] = {}
        for name, values in parse_qs(request.url.query, keep_blank_values=True).items():
            if name not in allowed:
                known = ", ".join(sorted(allowed)) or "none"
                raise BadQuery(f"unknown query parameter {name[:40]!r} (this page takes: {known})")
            if len(values) > 1:
                raise BadQuery(f"query parameter {name!r} is given more than once")
            out[name] = allowed[name](values[0])
        return out

    def one_of(self, name: str, choices: tuple[str, ...]) -> Callable[[str], str]:
        def check(value: str) -> str:
            if value not in choices:
                raise BadQuery(f"query parameter {name}={value[:40]!r}: use one of {', '.join(choices)}")
            return value

        return check

    def local_time(self, when: datetime) -> str:
        """A stored (UTC) time as the site's clock reads it, to the minute."""
        return when.astimezone(self.cfg.tz).strftime("%Y-%m-%d %H:%M")


async def read_form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "the form is too large")
    return parse_form(body)


def parse_form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise HTTPException(400, "the form is not UTF-8") from None
    return {k: v[0] for k, v in fields.items()}


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)
