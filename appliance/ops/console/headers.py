"""The headers every console response carries: no script, no framing, no sniffing, no cache, no referrer.

No page uses a script or an external asset, so a strict Content-Security-Policy says so to the
browser. The pages send Referrer-Policy no-referrer (under which browsers post `Origin: null`,
which is why the CSRF guard checks a form token, not the Origin)."""

from __future__ import annotations

from typing import Any

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


class SecurityHeaders:
    """ASGI middleware: every response forbids scripts, framing, sniffing, caching and referrers."""

    HEADERS = (
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"cache-control", b"no-store"),
    )

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
