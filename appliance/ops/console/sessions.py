"""What a browser holds: session tokens, the login form's signed nonce, and the cookies that carry them.

Sessions are random tokens held in memory (a restart logs everyone out), each with its own CSRF
token for the forms of the pages it sees. The login form, which has no session yet, uses a signed
double-submit: a random nonce in a short-lived HttpOnly cookie and, in the form, its HMAC under a
per-process key; a site that can plant a cookie still cannot compute the HMAC. Every cookie is
HttpOnly and SameSite=Strict, and Secure when the request came over TLS."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from appliance.ops.users import User

COOKIE = "wardline_console"
LOGIN_COOKIE = "wardline_console_login"  # the login form's CSRF nonce (signed double-submit)
LOGIN_FORM_S = 3600
SESSION_S = 8 * 3600


@dataclass
class _Session:
    user: User
    expires: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


class SessionTokens:
    """The logged-in sessions by cookie token; one that has expired is forgotten when next seen."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._tokens: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def open(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = _Session(user, self.clock() + SESSION_S)
        return token

    def close(self, token: str) -> None:
        with self._lock:
            self._tokens.pop(token, None)

    def user(self, token: str) -> User | None:
        with self._lock:
            s = self._tokens.get(token)
            if s is None:
                return None
            if s.expires < self.clock():
                del self._tokens[token]
                return None
            return s.user

    def csrf(self, token: str) -> str:
        """The session's form token; "" when there is no such session."""
        with self._lock:
            s = self._tokens.get(token)
            return s.csrf if s is not None else ""


class LoginForms:
    """The login form's signed double-submit token, under a key that lives as long as the process."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)  # per process: a restart voids open login forms

    def sign(self, nonce: str) -> str:
        return hmac.new(self._key, b"login|" + nonce.encode(), hashlib.sha256).hexdigest()


def plausible_nonce(nonce: str) -> bool:
    return 16 <= len(nonce) <= 64 and all(c.isalnum() or c in "-_" for c in nonce)


def same(sent: str, expected: str) -> bool:
    # bytes: compare_digest refuses non-ASCII str, and a forged field may hold anything
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode())


def set_cookie(resp: Response, request: Request, name: str, value: str, max_age: int) -> None:
    """HttpOnly, SameSite=Strict, and Secure when this request came over TLS."""
    resp.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
