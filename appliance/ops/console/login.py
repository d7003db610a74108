"""Logging in and out: wrong passwords are refused the same way as unknown names, and locked out.

Every login, good or bad, goes to the audit log first: if it cannot be recorded, it is refused.
A lockout (lockout.py) is audited with the account's name or the address, never a password."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from appliance.ops.console.lockout import LoginLockout
from appliance.ops.console.pages import Console, in_thread, read_form
from appliance.ops.console.sessions import (
    COOKIE,
    LOGIN_COOKIE,
    LOGIN_FORM_S,
    SESSION_S,
    plausible_nonce,
    set_cookie,
)
from appliance.ops.users import authenticate


class LoginPages:
    def __init__(self, console: Console) -> None:
        self.c = console
        self.lockout = LoginLockout(console.cfg.clock, self._audit_lockout)

    def _audit_lockout(self, scope: str, who: str, seconds: float) -> None:
        """A login lockout: an account's name or an address, and for how long (no password)."""
        self.c.audit.record(
            "console-lockout", "console", {"scope": scope, "who": who[:80], "seconds": int(seconds)}
        )

    def login_page(self, request: Request, code: int = 200, message: str = "") -> HTMLResponse:
        """The login form with its signed token; the nonce cookie is reused while it is valid."""
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not plausible_nonce(nonce):
            nonce = secrets.token_urlsafe(24)
        resp = self.c.page(
            "login.html", request, code, user=None, message=message, csrf_token=self.c.login_forms.sign(nonce)
        )
        set_cookie(resp, request, LOGIN_COOKIE, nonce, LOGIN_FORM_S)
        return resp

    async def login_form(self, request: Request) -> Response:
        self.c.query(request, {})
        return self.login_page(request)

    async def login(self, request: Request) -> Response:
        self.c.query(request, {})
        form = await read_form(request)
        name, password = form.get("name", "").strip(), form.get("password", "")
        client = request.client.host if request.client else "-"
        wait = self.lockout.wait_s(name, client)
        if wait > 0:
            return self.login_page(
                request, 429, f"Too many failed logins. Try again in {int(wait // 60) + 1} minutes."
            )
        user = await in_thread(authenticate, self.c.cfg.sessions, name, password)
        if user is None:
            self.lockout.failed(name, client)
            self.c.audit.record("console-login", "console", {"ok": False})
            return self.login_page(request, 401, "Wrong name or password.")
        self.c.audit.record("console-login", f"console:{user.name}", {"ok": True, "role": user.role})
        self.lockout.succeeded(name)
        token = self.c.tokens.open(user)
        resp = RedirectResponse("/", status_code=303)
        set_cookie(resp, request, COOKIE, token, SESSION_S)
        set_cookie(resp, request, LOGIN_COOKIE, "", 0)  # one login per form
        return resp

    async def logout(self, request: Request) -> Response:
        self.c.tokens.close(request.cookies.get(COOKIE, ""))
        resp = RedirectResponse("/login", status_code=303)
        set_cookie(resp, request, COOKIE, "", 0)
        return resp
