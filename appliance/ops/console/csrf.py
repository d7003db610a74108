"""Cross-site request forgery, with no JavaScript: every unsafe request carries a valid form token.

Every form carries a hidden `csrf_token`, and `CsrfGuard` checks it on EVERY request that is not
GET/HEAD/OPTIONS before any route runs (so a route added later cannot forget it). A logged-in
form's token is the session's own random token; the login form's is the HMAC of its nonce cookie
(sessions.py). A missing or wrong token is a 403 page saying why, nothing is changed, and the
refusal goes to the audit log (`console-csrf-refused`, at most CSRF_AUDITS per client per window,
so forged requests cannot flood it). Refusals do NOT count as failed logins: a forged login post
comes from the victim's own browser and would lock them out. The session cookie is
SameSite=Strict: the login redirect is a same-site 303, which Strict allows; its cost is that a
link to the console from another site (mail, a wiki) first shows the login page."""

from __future__ import annotations

import contextlib
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from appliance.ops.auditing import AuditUnavailable
from appliance.ops.console.lockout import FAILURE_WINDOW_S, Limiter
from appliance.ops.console.pages import MAX_FORM_BYTES, Console, in_thread, parse_form
from appliance.ops.console.sessions import LOGIN_COOKIE, plausible_nonce, same

CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_AUDITS = 5  # refusals recorded per client per FAILURE_WINDOW_S; more are refused silently


class CsrfRefusals:
    """Why a form's token is refused, and the refusal's audit entry (a few per client per window)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.audits = Limiter(console.cfg.clock, CSRF_AUDITS, FAILURE_WINDOW_S)

    def refusal(self, request: Request, form: dict[str, str]) -> str | None:
        """Why this unsafe request's form token is not acceptable, or None when it is.

        /login is checked against the signed nonce cookie; everything else against the
        session's token (a request with no live session has nothing it could change)."""
        sent = form.get(CSRF_FIELD, "")
        if not sent:
            return "the form has no security token"
        if request.url.path == "/login":
            nonce = request.cookies.get(LOGIN_COOKIE, "")
            if not plausible_nonce(nonce):
                return "the log-in form's security cookie is missing (is the page old, or are cookies off?)"
            ok = same(sent, self.console.login_forms.sign(nonce))
        else:
            expected = self.console.session_csrf(request)
            if not expected:
                return None if request.url.path == "/logout" else "you are not logged in"
            ok = same(sent, expected)
        mismatch = "the form's security token does not match (the page may be from an older session)"
        return None if ok else mismatch

    def record(self, request: Request, reason: str) -> None:
        client = request.client.host if request.client else "-"
        if self.audits.blocked_for(client) > 0:
            return
        self.audits.failed(client)
        user = self.console.user_of(request)
        actor = f"console:{user.name}" if user else "console"
        # the request is refused either way and nothing was changed, so a log outage is not fatal
        with contextlib.suppress(AuditUnavailable):
            self.console.audit.record(
                "console-csrf-refused", actor, {"path": request.url.path[:64], "reason": reason}
            )


class CsrfGuard:
    """ASGI middleware: a request that is not GET/HEAD/OPTIONS must carry a valid form token.

    It reads the (small) body itself, checks the token, and replays the body to the route; a
    refusal is a 403 page with the reason and an audit entry, and the route never runs."""

    def __init__(self, app: Any, console: Console, refusals: CsrfRefusals) -> None:
        self.app, self.console, self.refusals = app, console, refusals

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        body, too_big = await _read_body(receive)
        if too_big:
            resp: Response = self.console.notice(request, 413, "Form too large", "The form is too large.")
            await resp(scope, receive, send)
            return
        reason = self._refusal(request, body)
        if reason is not None:
            await in_thread(self.refusals.record, request, reason)
            resp = self.console.page("csrf.html", request, 403, heading="Form refused", reason=reason)
            await resp(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _refusal(self, request: Request, body: bytes) -> str | None:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return "the request is not a form post"
        try:
            form = parse_form(body)
        except HTTPException:
            return "the form is not UTF-8"
        return self.refusals.refusal(request, form)


async def _read_body(receive: Any) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def again() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
