"""The console: live calls, figures per intent with plots, transfers, handoff summaries and
redacted call transcripts (supervisor), the audit log's status (auditor), behind a login.

Starlette with Jinja2 templates; no script and no external asset on any page (a strict
Content-Security-Policy says so to the browser). Sessions are random tokens held in memory
(HttpOnly, SameSite=Strict cookie, Secure when served over TLS); a restart logs everyone out.
Wrong passwords are refused the same way as unknown names and rate-limited per client and name.
Every login and every view of call content goes to the audit log first: if it cannot be
recorded, it is refused.

Cross-site request forgery, with no JavaScript: every form carries a hidden `csrf_token`, and
`CsrfGuard` checks it on EVERY request that is not GET/HEAD/OPTIONS before any route runs (so a
route added later cannot forget it). A logged-in form's token is the session's own random token.
The login form, which has no session yet, uses a signed double-submit: a random nonce in a
short-lived HttpOnly cookie and, in the form, its HMAC under a per-process key; a site that can
plant a cookie still cannot compute the HMAC. A missing or wrong token is a 403 page saying why,
nothing is changed, and the refusal goes to the audit log (`console-csrf-refused`, at most a
few per client per window, so forged requests cannot flood it). Refusals do NOT count as failed
logins: a forged login post comes from the victim's own browser and would lock them out.
The session cookie is SameSite=Strict: the login redirect is a same-site 303, which Strict
allows; its cost is that a link to the console from another site (mail, a wiki) first shows
the login page. No Origin/Referer check: the pages send Referrer-Policy no-referrer, under
which browsers post `Origin: null`.

Query parameters are checked per page: an unknown or malformed one is a 400 that says which.
A database that is briefly unreachable gives a 503 notice page, never a stack trace.

Threads: uvicorn runs the app on its own event loop; handlers are sync functions (Starlette
runs them in its thread pool) because they read the database.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from appliance.ops.auditing import AuditUnavailable, OpsAudit
from appliance.ops.figures import ALL
from appliance.ops.recorder import NO_INTENT
from appliance.ops.report import gather, plots, templates
from appliance.ops.store import OpsCall, OpsHandoffOpen, OpsIntentSwitch, OpsLiveCall, aware
from appliance.ops.users import User, authenticate
from appliance.privacy.handoffs import BadHandoffId, HandoffNotFound, load_handoff

COOKIE = "wardline_console"
LOGIN_COOKIE = "wardline_console_login"  # the login form's CSRF nonce (signed double-submit)
LOGIN_FORM_S = 3600
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_FORM_BYTES = 4096
CSRF_AUDITS = 5  # refusals recorded per client per FAILURE_WINDOW_S; more are refused silently
SESSION_S = 8 * 3600
MAX_FAILURES = 5
ADDRESS_FAILURES = 20  # across accounts: an address shared by many staff (NAT) is not one guesser
MAX_LOCK_S = 24 * 3600.0
FAILURE_WINDOW_S = 900.0
LIVE_STALE = timedelta(hours=4)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PERIODS = {"today": "Today", "week": "This week"}


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


@dataclass
class _Session:
    user: User
    expires: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


class Limiter:
    """Failed logins per key within a sliding window."""

    def __init__(
        self, clock: Callable[[], float], limit: int = MAX_FAILURES, window_s: float = FAILURE_WINDOW_S
    ):
        self.clock, self.limit, self.window_s = clock, limit, window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked_for(self, key: str) -> float:
        with self._lock:
            q = self._fails.get(key)
            now = self.clock()
            while q and now - q[0] > self.window_s:
                q.popleft()
            return self.window_s - (now - q[0]) if q and len(q) >= self.limit else 0.0

    def failed(self, key: str) -> None:
        with self._lock:
            self._fails.setdefault(key, deque()).append(self.clock())

    def clear(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


class LoginLockout:
    """Failed logins, locked per account and per address, with a doubling wait (audited).

    An account is locked after MAX_FAILURES failures in FAILURE_WINDOW_S from anywhere, so a
    guesser gains nothing by changing address (or forging one). An address is locked only after
    ADDRESS_FAILURES failures across accounts, so one person's typos do not lock out everyone
    behind the same NAT. Each lockout of the same key lasts twice the one before (up to
    MAX_LOCK_S); a successful login clears the account's count.
    """

    def __init__(self, clock: Callable[[], float], on_lock: Callable[[str, str, float], None]) -> None:
        self.accounts = Limiter(clock, MAX_FAILURES)
        self.addresses = Limiter(clock, ADDRESS_FAILURES)
        self.clock = clock
        self.on_lock = on_lock
        self._until: dict[str, float] = {}
        self._lockouts: dict[str, int] = {}
        self._lock = threading.Lock()

    def wait_s(self, account: str, address: str) -> float:
        now = self.clock()
        with self._lock:
            return max(0.0, *(self._until.get(k, 0.0) - now for k in _keys(account, address)))

    def failed(self, account: str, address: str) -> None:
        for scope, key, limiter in (
            ("account", _keys(account, address)[0], self.accounts),
            ("address", _keys(account, address)[1], self.addresses),
        ):
            limiter.failed(key)
            if limiter.blocked_for(key) > 0:
                limiter.clear(key)
                with self._lock:
                    n = self._lockouts[key] = self._lockouts.get(key, 0) + 1
                    seconds = min(FAILURE_WINDOW_S * 2 ** (n - 1), MAX_LOCK_S)
                    self._until[key] = self.clock() + seconds
                self.on_lock(scope, key.split(":", 1)[1], seconds)

    def succeeded(self, account: str) -> None:
        self.accounts.clear(_keys(account, "")[0])


def _keys(account: str, address: str) -> tuple[str, str]:
    return f"account:{account.casefold()}", f"address:{address}"


class BadQuery(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


class Console:
    def __init__(self, cfg: ConsoleConfig) -> None:
        self.cfg = cfg
        self.env = templates()
        self.audit = OpsAudit(cfg.settings, cfg.audit)
        self.tokens: dict[str, _Session] = {}
        self.logins = LoginLockout(cfg.clock, self._audit_lockout)
        self.csrf_audits = Limiter(cfg.clock, CSRF_AUDITS)
        self._login_key = secrets.token_bytes(32)  # per process: a restart voids open login forms
        self._lock = threading.Lock()
        self._audit_status: tuple[float, dict[str, Any]] | None = None
        self._store_lock = threading.Lock()

    def _audit_lockout(self, scope: str, who: str, seconds: float) -> None:
        """A login lockout: an account's name or an address, and for how long (no password)."""
        self.audit.record(
            "console-lockout", "console", {"scope": scope, "who": who[:80], "seconds": int(seconds)}
        )

    # -- plumbing -----------------------------------------------------------------------------
    def page(self, name: str, request: Request, code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("user", self.user_of(request))
        ctx.setdefault("csrf_token", self.session_csrf(request) if ctx["user"] else "")
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=code)

    def login_page(self, request: Request, code: int = 200, message: str = "") -> HTMLResponse:
        """The login form with its signed token; the nonce cookie is reused while it is valid."""
        nonce = request.cookies.get(LOGIN_COOKIE, "")
        if not _plausible_nonce(nonce):
            nonce = secrets.token_urlsafe(24)
        resp = self.page(
            "login.html", request, code, user=None, message=message, csrf_token=self._sign(nonce)
        )
        _set_cookie(resp, request, LOGIN_COOKIE, nonce, LOGIN_FORM_S)
        return resp

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._login_key, b"login|" + nonce.encode(), hashlib.sha256).hexdigest()

    def session_csrf(self, request: Request) -> str:
        with self._lock:
            s = self.tokens.get(request.cookies.get(COOKIE, ""))
            return s.csrf if s is not None else ""

    def csrf_refusal(self, request: Request, form: dict[str, str]) -> str | None:
        """Why this unsafe request's form token is not acceptable, or None when it is.

        /login is checked against the signed nonce cookie; everything else against the
        session's token (a request with no live session has nothing it could change)."""
        sent = form.get(CSRF_FIELD, "")
        if not sent:
            return "the form has no security token"
        if request.url.path == "/login":
            nonce = request.cookies.get(LOGIN_COOKIE, "")
            if not _plausible_nonce(nonce):
                return "the log-in form's security cookie is missing (is the page old, or are cookies off?)"
            ok = _same(sent, self._sign(nonce))
        else:
            expected = self.session_csrf(request)
            if not expected:
                return None if request.url.path == "/logout" else "you are not logged in"
            ok = _same(sent, expected)
        mismatch = "the form's security token does not match (the page may be from an older session)"
        return None if ok else mismatch

    def record_csrf_refusal(self, request: Request, reason: str) -> None:
        client = request.client.host if request.client else "-"
        if self.csrf_audits.blocked_for(client) > 0:
            return
        self.csrf_audits.failed(client)
        user = self.user_of(request)
        actor = f"console:{user.name}" if user else "console"
        # the request is refused either way and nothing was changed, so a log outage is not fatal
        with contextlib.suppress(AuditUnavailable):
            self.audit.record(
                "console-csrf-refused", actor, {"path": request.url.path[:64], "reason": reason}
            )

    def notice(self, request: Request, status: int, heading: str, message: str) -> HTMLResponse:
        return self.page("notice.html", request, status, heading=heading, message=message)

    def user_of(self, request: Request) -> User | None:
        token = request.cookies.get(COOKIE, "")
        with self._lock:
            s = self.tokens.get(token)
            if s is None:
                return None
            if s.expires < self.cfg.clock():
                del self.tokens[token]
                return None
            return s.user

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

    # -- login --------------------------------------------------------------------------------
    async def login_form(self, request: Request) -> Response:
        self.query(request, {})
        return self.login_page(request)

    async def login(self, request: Request) -> Response:
        self.query(request, {})
        form = await _form(request)
        name, password = form.get("name", "").strip(), form.get("password", "")
        client = request.client.host if request.client else "-"
        wait = self.logins.wait_s(name, client)
        if wait > 0:
            return self.login_page(
                request, 429, f"Too many failed logins. Try again in {int(wait // 60) + 1} minutes."
            )
        user = await _in_thread(authenticate, self.cfg.sessions, name, password)
        if user is None:
            self.logins.failed(name, client)
            self.audit.record("console-login", "console", {"ok": False})
            return self.login_page(request, 401, "Wrong name or password.")
        self.audit.record("console-login", f"console:{user.name}", {"ok": True, "role": user.role})
        self.logins.succeeded(name)
        token = secrets.token_urlsafe(32)
        with self._lock:
            self.tokens[token] = _Session(user, self.cfg.clock() + SESSION_S)
        resp = RedirectResponse("/", status_code=303)
        _set_cookie(resp, request, COOKIE, token, SESSION_S)
        _set_cookie(resp, request, LOGIN_COOKIE, "", 0)  # one login per form
        return resp

    async def logout(self, request: Request) -> Response:
        with self._lock:
            self.tokens.pop(request.cookies.get(COOKIE, ""), None)
        resp = RedirectResponse("/login", status_code=303)
        _set_cookie(resp, request, COOKIE, "", 0)
        return resp

    # -- figures ------------------------------------------------------------------------------
    def _figures(self, request: Request) -> tuple[str, str | None, Any]:
        q = self.query(
            request,
            {
                "period": self.one_of("period", tuple(PERIODS)),
                "intent": self.one_of("intent", self.cfg.intents),
            },
        )
        period = q.get("period", "today")
        now = self.cfg.now()
        local = now.astimezone(self.cfg.tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if period == "week":
            start -= timedelta(days=local.weekday())
        return (
            period,
            q.get("intent"),
            gather(self.cfg.sessions, now - start, now, self.cfg.tz, q.get("intent")),
        )

    def dashboard(self, request: Request) -> Response:
        self.need(request, "figures")
        period, intent, g = self._figures(request)
        return self.page(
            "dashboard.html",
            request,
            f=g.figures,
            plots=plots(g),
            live=self._live(),
            off=self._off(),
            period_title=PERIODS[period],
            intent=intent,
        )

    def api_figures(self, request: Request) -> Response:
        user = self.user_of(request)
        if user is None:
            return JSONResponse({"error": "log in first"}, status_code=401)
        period, _intent, g = self._figures(request)
        return JSONResponse({"period": period, **g.to_dict(), "off": self._off()})

    def _live(self) -> list[dict[str, Any]]:
        now = self.cfg.now()
        with self.cfg.sessions() as db:
            rows = db.scalars(select(OpsLiveCall).order_by(OpsLiveCall.started_at)).all()
        out = []
        for r in rows:
            if now - aware(r.updated_at) > LIVE_STALE:
                continue
            secs = int((now - aware(r.started_at)).total_seconds())
            out.append(
                {
                    "call_id": r.call_id,
                    "intent": r.intent,
                    "state": r.state,
                    "duration": f"{secs // 60}:{secs % 60:02d}",
                }
            )
        return out

    def _off(self) -> dict[str, str]:
        with self.cfg.sessions() as db:
            rows = db.scalars(select(OpsIntentSwitch).where(OpsIntentSwitch.enabled.is_(False))).all()
        return {r.intent: r.reason for r in rows}

    # -- call content (supervisor) ------------------------------------------------------------
    def transfers(self, request: Request) -> Response:
        self.need(request, "call-content")
        self.query(request, {})
        rows = self._last_week_calls(OpsCall.outcome == "transferred")
        with self.cfg.sessions() as db:
            opened = set(db.scalars(select(OpsHandoffOpen.handoff_id)))
        items = [
            {
                "when": aware(r.started_at).astimezone(self.cfg.tz).strftime("%Y-%m-%d %H:%M"),
                "intent": r.intent,
                "reason": r.transfer_reason or "-",
                "to": r.transfer_to or "-",
                "handoff_id": r.handoff_id,
                "delivered": r.summary_delivered,
                "opened": r.handoff_id in opened,
                "call_id": r.call_id,
            }
            for r in rows
        ]
        with_transcript = _transcript_calls(self.cfg.sessions, [r.call_id for r in rows])
        for item in items:
            item["transcript"] = item["call_id"] in with_transcript
        return self.page("transfers.html", request, transfers=items)

    def _last_week_calls(self, *where: Any) -> list[OpsCall]:
        """The last 7 days' calls matching `where`, newest first (at most 200: one page)."""
        since = self.cfg.now() - timedelta(days=7)
        with self.cfg.sessions() as db:
            return list(
                db.scalars(
                    select(OpsCall)
                    .where(OpsCall.started_at >= since, *where)
                    .order_by(OpsCall.started_at.desc())
                    .limit(200)
                )
            )

    def calls(self, request: Request) -> Response:
        """The last week's calls, each with its redacted transcript where one is stored."""
        self.need(request, "call-content")
        self.query(request, {})
        rows = self._last_week_calls()
        with_transcript = _transcript_calls(self.cfg.sessions, [r.call_id for r in rows])
        items = [
            {
                "when": aware(r.started_at).astimezone(self.cfg.tz).strftime("%Y-%m-%d %H:%M"),
                "intent": r.intent,
                "outcome": r.outcome,
                "handle": _mmss(r.handle_ms),
                "call_id": r.call_id,
                "transcript": r.call_id in with_transcript,
            }
            for r in rows
        ]
        return self.page("calls.html", request, calls=items)

    def transcript(self, request: Request) -> Response:
        """A call's REDACTED transcript; the view is recorded in the audit log before decryption."""
        from appliance.privacy.transcripts import (
            TranscriptDamaged,
            TranscriptNotFound,
            read_redacted_transcript,
            valid_call_id,
        )

        user = self.need(request, "call-content")
        self.query(request, {})
        call_id = request.path_params["call_id"]
        if not valid_call_id(call_id):
            raise HTTPException(400, "that is not a call id")
        if not _transcript_calls(self.cfg.sessions, [call_id]):
            raise HTTPException(404, "no redacted transcript is stored for that call id")
        actor = f"console:{user.name}"

        def audit(entry_type: str, payload: dict) -> None:
            self.audit.record(entry_type, actor, payload, call_id=call_id)

        try:
            lines = read_redacted_transcript(self._store(), call_id, actor=actor, audit=audit)
        except TranscriptNotFound:
            raise HTTPException(404, "no redacted transcript is stored for that call id") from None
        except TranscriptDamaged as exc:
            raise HTTPException(500, str(exc)) from None
        with self.cfg.sessions() as db:
            row = db.get(OpsCall, call_id)
        meta = (
            {
                "when": aware(row.started_at).astimezone(self.cfg.tz).strftime("%Y-%m-%d %H:%M"),
                "intent": row.intent,
                "outcome": row.outcome,
            }
            if row is not None
            else None
        )
        shown = [
            {"at": _mmss(ln.t_ms), "speaker": ln.speaker, "text": ln.text, "interrupted": ln.interrupted}
            for ln in lines
        ]
        return self.page("transcript.html", request, call_id=call_id, meta=meta, lines=shown)

    def _store(self) -> Any:
        """The encrypted store, opened once; a missing or wrong key is a 503, not a traceback."""
        with self._store_lock:
            if self.cfg.store is None:
                from appliance.privacy.kek import KekError
                from appliance.privacy.store import open_store

                settings = self.cfg.settings
                try:
                    self.cfg.store = open_store(Path(settings.data_dir), database_url=settings.database_url)
                except KekError:
                    raise HTTPException(
                        503,
                        "the encrypted store cannot be opened (its key-encryption key is missing or wrong)",
                    ) from None
            return self.cfg.store

    def handoff(self, request: Request) -> Response:
        user = self.need(request, "call-content")
        self.query(request, {})
        handoff_id = request.path_params["handoff_id"]
        try:
            summary = load_handoff(self.cfg.settings.data_dir, handoff_id)
        except BadHandoffId:
            raise HTTPException(400, "that is not a handoff id") from None
        except HandoffNotFound:
            raise HTTPException(404, "no handoff summary with that id") from None
        self.audit.record(
            "console-view", f"console:{user.name}", {"what": "handoff", "handoff_id": handoff_id}
        )
        record_open(self.cfg.sessions, handoff_id, f"console:{user.name}", self.cfg.now())
        pairs = [(k.replace("_", " "), _text(v)) for k, v in summary.items() if k != "id"]
        return self.page("handoff.html", request, summary=pairs)

    # -- audit (auditor) ----------------------------------------------------------------------
    def audit_page(self, request: Request) -> Response:
        user = self.need(request, "audit")
        self.query(request, {})
        self.audit.record("console-view", f"console:{user.name}", {"what": "audit-status"})
        return self.page("audit.html", request, audit=self._verify())

    def _verify(self) -> dict[str, Any]:
        """Export the log to a temporary bundle and verify it offline (cached for a minute)."""
        now = self.cfg.clock()
        if self._audit_status and now - self._audit_status[0] < 60:
            return self._audit_status[1]
        status = audit_status(self.cfg.settings)
        self._audit_status = (now, status)
        return status


def _same(sent: str, expected: str) -> bool:
    # bytes: compare_digest refuses non-ASCII str, and a forged field may hold anything
    return hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode())


def _plausible_nonce(nonce: str) -> bool:
    return 16 <= len(nonce) <= 64 and all(c.isalnum() or c in "-_" for c in nonce)


def _set_cookie(resp: Response, request: Request, name: str, value: str, max_age: int) -> None:
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


def _mmss(ms: float) -> str:
    return f"{int(ms // 60000)}:{int(ms // 1000) % 60:02d}"


def _transcript_calls(sessions: sessionmaker, call_ids: list[str]) -> set[str]:
    from appliance.privacy.transcripts import calls_with_transcripts

    return calls_with_transcripts(sessions, call_ids)


def record_open(sessions: sessionmaker, handoff_id: str, by: str, when: datetime) -> None:
    """The receiving side opened a handoff summary (transfer quality counts it)."""
    with sessions.begin() as db:
        db.add(OpsHandoffOpen(handoff_id=handoff_id, opened_at=when.astimezone(UTC), opened_by=by[:64]))


def audit_status(settings: Any) -> dict[str, Any]:
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


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
    return str(value) if value not in (None, "") else "-"


async def _form(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "the form is too large")
    return _parse_form(body)


def _parse_form(body: bytes) -> dict[str, str]:
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise HTTPException(400, "the form is not UTF-8") from None
    return {k: v[0] for k, v in fields.items()}


async def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


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


class CsrfGuard:
    """ASGI middleware: a request that is not GET/HEAD/OPTIONS must carry a valid form token.

    It reads the (small) body itself, checks the token, and replays the body to the route; a
    refusal is a 403 page with the reason and an audit entry, and the route never runs."""

    def __init__(self, app: Any, console: Console) -> None:
        self.app, self.console = app, console

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
        reason = self._refusal(request, scope, body)
        if reason is not None:
            await _in_thread(self.console.record_csrf_refusal, request, reason)
            resp = self.console.page("csrf.html", request, 403, heading="Form refused", reason=reason)
            await resp(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _refusal(self, request: Request, scope: Any, body: bytes) -> str | None:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/x-www-form-urlencoded":
            return "the request is not a form post"
        try:
            form = _parse_form(body)
        except HTTPException:
            return "the form is not UTF-8"
        return self.console.csrf_refusal(request, form)


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


def create_app(cfg: ConsoleConfig) -> Starlette:
    c = Console(cfg)

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
        Route("/login", c.login_form, methods=["GET"]),
        Route("/login", c.login, methods=["POST"]),
        Route("/logout", c.logout, methods=["POST"]),
        Route("/", c.dashboard),
        Route("/api/figures", c.api_figures),
        Route("/transfers", c.transfers),
        Route("/handoffs/{handoff_id}", c.handoff),
        Route("/calls", c.calls),
        Route("/calls/{call_id}/transcript", c.transcript),
        Route("/audit", c.audit_page),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(CsrfGuard, console=c)],
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


__all__ = ["ConsoleConfig", "console_config", "create_app", "record_open", "serve", "serve_in_thread"]
