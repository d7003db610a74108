"""Cross-site request forgery on the console: every form carries a token, every unsafe request is
checked, a forged one is a 403 that changes nothing and is audited; the cookies' attributes."""

from __future__ import annotations

import html

import pytest
from starlette.testclient import TestClient

from appliance.config import load_settings
from appliance.ops.console.app import console_config, create_app
from appliance.ops.users import add_user

PASSWORD = "correct horse battery"


@pytest.fixture
def cfg():  # type: ignore[no-untyped-def]
    cfg = console_config(load_settings())
    for name, role in (("sam", "supervisor"), ("vic", "viewer"), ("ada", "auditor")):
        add_user(cfg.sessions, name, role, PASSWORD)
    return cfg


@pytest.fixture
def client(cfg) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(cfg), follow_redirects=False)


def token(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def login(client: TestClient, name: str) -> str:
    """Logs in through the form; returns the session's form token."""
    r = client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf_token": token(client.get("/login").text)}
    )
    assert r.status_code == 303
    return token(client.get("/").text)


def refusals() -> list[dict]:
    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.store.db import make_engine

    entries = [r.entry for r in read_entries(make_engine(load_settings().database_url), default_origin())]
    return [e for e in entries if e and e["type"] == "console-csrf-refused"]


def test_a_forged_login_is_refused_changes_nothing_and_is_audited(client: TestClient) -> None:
    for _ in range(7):  # more than the failed-login limit: forgeries must not lock the user out
        r = client.post("/login", data={"name": "sam", "password": PASSWORD})
        assert r.status_code == 403
        assert "nothing was changed" in r.text and "no security token" in r.text
        assert "wardline_console=" not in r.headers.get("set-cookie", "")
    assert client.get("/").status_code == 303  # not logged in
    logged = refusals()
    assert 1 <= len(logged) <= 5  # recorded, but a flood of forgeries cannot flood the log
    assert logged[0]["actor"] == "console" and logged[0]["payload"]["path"] == "/login"
    login(client, "sam")  # the real form still works
    assert client.get("/").status_code == 200


def test_a_login_token_must_match_its_own_cookie_and_this_console(cfg, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    good = token(client.get("/login").text)
    other = TestClient(create_app(cfg), follow_redirects=False)  # another (or a restarted) console
    foreign = token(other.get("/login").text)
    r = client.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": foreign})
    assert r.status_code == 403 and "does not match" in html.unescape(r.text)
    client.cookies.clear()
    client.cookies.set("wardline_console_login", "A" * 32)  # a cookie planted by another site
    r = client.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": good})
    assert r.status_code == 403
    client.cookies.clear()
    r = client.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": good})
    assert r.status_code == 403 and "cookie is missing" in r.text
    assert client.get("/").status_code == 303


def test_logout_needs_this_sessions_token(cfg, client: TestClient) -> None:  # type: ignore[no-untyped-def]
    mine = login(client, "sam")
    other = TestClient(create_app(cfg), follow_redirects=False)
    theirs = login(other, "vic")  # a token from a different console and session
    for data in ({}, {"csrf_token": theirs}, {"csrf_token": "x" * 43}, {"csrf_token": "é" * 10}):
        r = client.post("/logout", data=data)
        assert r.status_code == 403 and "nothing was changed" in r.text
        assert client.get("/").status_code == 200  # still logged in
    r = client.post("/logout", json={"csrf_token": mine})  # not a form: refused too
    assert r.status_code == 403 and "not a form post" in r.text
    assert [e["actor"] for e in refusals()][:1] == ["console:sam"]
    assert client.post("/logout", data={"csrf_token": mine}).status_code == 303
    assert client.get("/").status_code == 303


def test_every_unsafe_request_is_checked_before_any_route(client: TestClient) -> None:
    mine = login(client, "sam")
    assert client.post("/calls", data={}).status_code == 403
    assert client.delete("/").status_code == 403
    assert client.post("/calls", data={"csrf_token": mine}).status_code == 405  # passed the check
    assert (
        client.post(
            "/logout",
            content=b"csrf_token=" + b"a" * 5000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ).status_code
        == 413
    )


def test_every_form_on_every_page_carries_a_token(client: TestClient) -> None:
    login_page = client.get("/login").text
    assert login_page.count("<form") == login_page.count('name="csrf_token" value="') == 1
    for name, paths in (("sam", ("/", "/transfers", "/calls")), ("ada", ("/audit",))):
        mine = login(client, name)
        for path in paths:
            page = client.get(path).text
            assert page.count("<form") >= 1, path
            assert page.count("<form") == page.count(f'name="csrf_token" value="{mine}"'), path


@pytest.mark.parametrize("base", ["http://testserver", "https://testserver"])
def test_cookies_are_httponly_strict_and_secure_over_tls(cfg, base: str) -> None:  # type: ignore[no-untyped-def]
    client = TestClient(create_app(cfg), base_url=base, follow_redirects=False)
    page = client.get("/login")
    r = client.post("/login", data={"name": "sam", "password": PASSWORD, "csrf_token": token(page.text)})
    cookies = [*page.headers.get_list("set-cookie"), *r.headers.get_list("set-cookie")]
    session = next(c for c in cookies if c.startswith("wardline_console=")).lower()
    for cookie in cookies:
        c = cookie.lower()
        assert "httponly" in c and "samesite=strict" in c
        assert ("secure" in c.split("; ")) == base.startswith("https")
    assert "max-age=28800" in session
