"""The console over HTTP (Starlette's test client): login, roles, bad input, a database outage."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from appliance.config import load_settings
from appliance.ops.console.app import console_config, create_app
from appliance.ops.users import add_user
from tests.ops.conftest import PUBLIC, Sim, console_login

PASSWORD = "correct horse battery"


@pytest.fixture
def client(sim: Sim) -> TestClient:
    sim.run([p for p in PUBLIC if p.stem in ("refill-request", "operator-request", "chest-pain")])
    cfg = console_config(load_settings())
    for name, role in (("sam", "supervisor"), ("vic", "viewer"), ("ada", "auditor")):
        add_user(cfg.sessions, name, role, PASSWORD)
    return TestClient(create_app(cfg), follow_redirects=False)


def login(client: TestClient, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return console_login(client, name, password)


def test_pages_need_a_login(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/api/figures").status_code == 401


def test_a_viewer_sees_figures_but_no_call_content(client: TestClient) -> None:
    assert login(client, "vic").status_code == 303
    page = client.get("/")
    assert page.status_code == 200
    assert 'data-intent="refill_request"' in page.text and "<svg" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text and "http://" not in page.text.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert client.get("/transfers").status_code == 403
    r = client.get("/handoffs/anything")
    assert r.status_code == 403 and "viewer" in r.text
    assert client.get("/audit").status_code == 403


def test_unknown_or_malformed_query_parameters_are_a_400_with_the_reason(client: TestClient) -> None:
    login(client, "vic")
    r = client.get("/?colour=red")
    assert r.status_code == 400 and "unknown query parameter 'colour'" in html.unescape(r.text)
    r = client.get("/api/figures?period=fortnight")
    assert r.status_code == 400 and "today, week" in r.json()["error"]
    r = client.get("/?intent=../../etc")
    assert r.status_code == 400 and "intent=" in r.text
    assert client.get("/?period=week&intent=refill_request").status_code == 200


def test_a_wrong_password_is_refused_and_rate_limited(client: TestClient) -> None:
    for _ in range(5):
        r = login(client, "sam", "wrong password!")
        assert r.status_code == 401 and "Wrong name or password" in r.text
    r = login(client, "sam")  # even the right one, for a while
    assert r.status_code == 429 and "Too many failed logins" in r.text
    assert login(client, "nobody-here", "whatever").status_code in (401, 429)


def test_a_supervisor_opens_a_handoff_summary_and_it_counts_and_is_audited(client: TestClient) -> None:
    login(client, "sam")
    page = client.get("/transfers")
    assert page.status_code == 200
    hrefs = [
        line.split('href="')[1].split('"')[0] for line in page.text.split("\n") if 'class="handoff"' in line
    ]
    assert hrefs
    summary = client.get(hrefs[0])
    assert summary.status_code == 200 and "recorded in the audit log" in summary.text
    figures = client.get("/api/figures").json()
    total = next(i for i in figures["intents"] if i["intent"] == "all")
    assert total["summaries_opened"] == 1
    assert client.get("/handoffs/no-such-one").status_code == 404
    assert client.get("/handoffs/bad%20id").status_code == 400

    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.store.db import make_engine

    entries = [r.entry for r in read_entries(make_engine(load_settings().database_url), default_origin())]
    kinds = [(e["type"], e["actor"]) for e in entries if e]
    assert ("console-login", "console:sam") in kinds and ("console-view", "console:sam") in kinds


def test_the_auditor_sees_the_audit_logs_verification_status(client: TestClient) -> None:
    login(client, "ada")
    page = client.get("/audit")
    assert page.status_code == 200
    assert "Verified" in page.text or "Not verified" in page.text


def test_a_database_that_is_briefly_away_shows_a_notice_not_a_stack_trace(client: TestClient) -> None:
    login(client, "vic")
    db = Path(load_settings().data_dir) / "wardline.db"
    aside = db.with_suffix(".aside")
    os.replace(db, aside)
    db.mkdir()  # a directory where the database file was: SQLite cannot open it
    try:
        r = client.get("/")
        assert r.status_code == 503
        assert "database is not reachable" in r.text and "Traceback" not in r.text
        assert client.get("/api/figures").status_code == 503
    finally:
        db.rmdir()
        os.replace(aside, db)
    assert client.get("/").status_code == 200
