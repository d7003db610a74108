"""Redacted call transcripts in the console: supervisors read them, every view is audited,
viewers are refused, and no page shows an identifier the caller spoke."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import CallEnded
from appliance.ops.console.app import console_config, create_app
from appliance.ops.users import add_user
from appliance.privacy.kek import create_kek
from appliance.privacy.store import open_store
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario
from tests.ops.conftest import console_login, scenario_file

PASSWORD = "correct horse battery"
# Identifiers of a riverside patient (riverside.md), spoken on the calls below.
CANARIES = ("Whitfield", "John", "November", "fifty-seven", "RCH-100877", "oh one seven")
TRANSFER = {
    "name": "transcript-operator",
    "caller_id": "+15550174410",
    "turns": [{"say": "This is John Whitfield, can I just talk to a real person please?"}],
}
REFILL = {
    "name": "transcript-refill",
    "caller_id": "+15550174410",
    "turns": [
        {"say": "I need a refill on my lisinopril."},
        {"say": "John Whitfield, November twenty-first, nineteen fifty-seven. My MRN is RCH-100877."},
        {"say": "The pharmacy on Main Street, my cell is five five five, oh one seven, four four one oh."},
        {"say": "That's all, thanks."},
    ],
}


@pytest.fixture
def calls(tmp_path: Path, _isolated_data_dir: Path) -> dict[str, str]:
    """Two text-mode calls on a box that records: outcome → call id."""
    create_kek(_isolated_data_dir)
    settings = load_settings()
    store = open_store(_isolated_data_dir, database_url=settings.database_url)

    async def go() -> dict[str, str]:
        services = await build_services(settings, speech=False, audit=False, store=store)
        out = {}
        try:
            for data in (TRANSFER, REFILL):
                result = await run_scenario(load_scenario(scenario_file(tmp_path, data)), services, "text")
                ended = next(e for e in result.log.events if isinstance(e, CallEnded))
                out[ended.outcome] = ended.call_id
            services.ops.flush()
        finally:
            await services.close()
        return out

    return asyncio.run(go())


@pytest.fixture
def client(calls: dict[str, str]) -> TestClient:
    cfg = console_config(load_settings())
    for name, role in (("sam", "supervisor"), ("vic", "viewer")):
        add_user(cfg.sessions, name, role, PASSWORD)
    return TestClient(create_app(cfg), follow_redirects=False)


def _login(client: TestClient, name: str) -> None:
    assert console_login(client, name, PASSWORD).status_code == 303


def _links(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('class="transcript" href="')[1:]]


def _assert_clean(page: str) -> None:
    text = html.unescape(page).lower()
    for canary in CANARIES:
        assert canary.lower() not in text, canary
    assert "<script" not in text


def _data_access_entries() -> list[dict]:
    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.store.db import make_engine

    entries = [r.entry for r in read_entries(make_engine(load_settings().database_url), default_origin())]
    return [e for e in entries if e and e["type"] == "data-access"]


def test_a_supervisor_reads_a_redacted_transcript_from_the_transfers(client, calls) -> None:
    _login(client, "sam")
    transfers = client.get("/transfers")
    assert transfers.status_code == 200
    assert _links(transfers.text) == [f"/calls/{calls['transferred']}/transcript"]

    page = client.get(_links(transfers.text)[0])
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "recorded in the audit log" in page.text
    assert "real person" in page.text and "[NAME]" in page.text  # the caller's words, redacted
    assert "automated assistant" in page.text  # and the agent's
    _assert_clean(page.text)

    [entry] = _data_access_entries()
    assert entry["actor"] == "console:sam" and entry["call_id"] == calls["transferred"]
    assert entry["payload"]["data_classes"] == ["transcript"]


def test_the_calls_page_opens_every_recorded_call(client, calls) -> None:
    _login(client, "sam")
    listing = client.get("/calls")
    assert listing.status_code == 200
    assert sorted(_links(listing.text)) == sorted(f"/calls/{c}/transcript" for c in calls.values())
    _assert_clean(listing.text)
    page = client.get(f"/calls/{calls['contained']}/transcript")
    assert page.status_code == 200
    assert "[DATE]" in page.text and "[MRN]" in page.text and "[PHONE]" in page.text
    _assert_clean(page.text)
    client.get(f"/calls/{calls['contained']}/transcript")
    assert len(_data_access_entries()) == 2  # every view is one entry


def test_a_viewer_is_refused_and_nothing_is_read(client, calls) -> None:
    _login(client, "vic")
    r = client.get(f"/calls/{calls['transferred']}/transcript")
    assert r.status_code == 403 and "viewer" in r.text
    assert client.get("/calls").status_code == 403
    assert "/calls" not in client.get("/").text  # no link to what the role cannot open
    assert not _data_access_entries()


def test_unknown_or_malformed_calls_and_parameters_get_a_reason(client, calls) -> None:
    _login(client, "sam")
    r = client.get("/calls/0123456789abcdef/transcript")
    assert r.status_code == 404 and "no redacted transcript" in r.text
    r = client.get("/calls/bad%20id/transcript")
    assert r.status_code == 400 and "not a call id" in r.text
    r = client.get(f"/calls/{calls['contained']}/transcript?full=1")
    assert r.status_code == 400 and "unknown query parameter" in html.unescape(r.text)
    assert not _data_access_entries()
