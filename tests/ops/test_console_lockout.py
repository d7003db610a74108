"""Console login lockout (issue 19, item 8): per account and per address, with a doubling wait,
audited; a forged X-Forwarded-For changes nothing unless the proxy is configured."""

from __future__ import annotations

import dataclasses
import time

import httpx
from starlette.testclient import TestClient

from appliance.audit.log import default_origin
from appliance.audit.query import read_entries
from appliance.config import load_settings
from appliance.ops.console.app import console_config, create_app, serve_in_thread
from appliance.ops.console.lockout import FAILURE_WINDOW_S
from appliance.ops.users import add_user
from appliance.store.db import make_engine
from tests.ops.conftest import console_login, form_token
from tests.processes import free_port

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _app(clock: Clock):  # type: ignore[no-untyped-def]
    cfg = dataclasses.replace(console_config(load_settings()), clock=clock)
    for name in ("sam", "vic"):
        add_user(cfg.sessions, name, "supervisor", PASSWORD)
    return create_app(cfg)


def _client(app, address: str) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, client=(address, 40000), follow_redirects=False)


def test_an_account_locks_from_every_address_and_the_wait_doubles():
    clock = Clock()
    app = _app(clock)
    for i in range(5):  # five guesses, each from another address
        assert console_login(_client(app, f"10.0.0.{i + 1}"), "sam", "guess").status_code == 401
    assert console_login(_client(app, "10.0.0.99"), "sam", PASSWORD).status_code == 429
    clock.t += FAILURE_WINDOW_S + 1
    assert console_login(_client(app, "10.0.0.99"), "sam", PASSWORD).status_code == 303
    for _ in range(5):
        console_login(_client(app, "10.0.0.7"), "sam", "guess")
    clock.t += FAILURE_WINDOW_S + 1  # the second lockout lasts twice as long
    assert console_login(_client(app, "10.0.0.99"), "sam", PASSWORD).status_code == 429
    clock.t += FAILURE_WINDOW_S
    assert console_login(_client(app, "10.0.0.99"), "sam", PASSWORD).status_code == 303
    entries = [r.entry for r in read_entries(make_engine(load_settings().database_url), default_origin())]
    lockouts = [e["payload"] for e in entries if e and e["type"] == "console-lockout"]
    assert [(p["scope"], p["who"]) for p in lockouts] == [("account", "sam"), ("account", "sam")]
    assert lockouts[1]["seconds"] == 2 * lockouts[0]["seconds"]


def test_one_persons_typos_do_not_lock_out_everyone_behind_the_same_address():
    app = _app(Clock())
    shared = _client(app, "192.0.2.10")
    for _ in range(5):
        console_login(shared, "sam", "typo")
    assert console_login(_client(app, "192.0.2.10"), "vic", PASSWORD).status_code == 303


def test_a_forged_forwarded_for_header_does_not_reset_the_lockout():
    settings = load_settings()
    for name in ("sam",):
        add_user(console_config(settings).sessions, name, "supervisor", PASSWORD)
    port = free_port()
    server = serve_in_thread(settings, address="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        codes = []
        for i in range(7):
            with httpx.Client(
                base_url=f"http://127.0.0.1:{port}", headers={"X-Forwarded-For": f"203.0.113.{i}"}
            ) as c:
                token = form_token(c.get("/login").text)
                codes.append(
                    c.post(
                        "/login", data={"name": "sam", "password": "guess", "csrf_token": token}
                    ).status_code
                )
    finally:
        server.should_exit = True
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429], codes
