"""No page, metric, report or stored figure holds the PHI canaries spoken in a simulated call."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from starlette.testclient import TestClient
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.config import load_settings
from appliance.ops.console.app import console_config, create_app
from appliance.ops.users import add_user
from tests.ops.conftest import CANARY_CALL, CANARY_TRANSFER, PHI_CANARIES, Sim, console_login, scenario_file

TABLES = (
    "ops_calls",
    "ops_tool_calls",
    "ops_turn_latency",
    "ops_live_calls",
    "ops_handoff_opens",
    "ops_intent_switch",
)


def _assert_clean(where: str, content: str) -> None:
    for canary in PHI_CANARIES:
        assert canary.lower() not in content.lower(), f"{canary!r} found in {where}"


def test_no_phi_canary_reaches_a_figure(sim: Sim, tmp_path: Path) -> None:
    results = sim.run([scenario_file(tmp_path, CANARY_CALL), scenario_file(tmp_path, CANARY_TRANSFER)])
    # The canaries really were spoken (and the refill really went through).
    said = " ".join(getattr(e, "text", "") for r in results for e in r.log.events)
    assert "Whitfield" in said and "lisinopril" in said
    assert results[0].log.outcome == "contained" and results[1].log.outcome == "transferred"

    _assert_clean("metrics", sim.ops.metrics.text().decode())
    with sim.services.sessions() as db:
        for table in TABLES:
            _assert_clean(table, repr(db.execute(text(f"SELECT * FROM {table}")).all()))

    cfg = console_config(load_settings())
    add_user(cfg.sessions, "sam", "supervisor", "correct horse battery")
    client = TestClient(create_app(cfg))
    console_login(client, "sam", "correct horse battery")
    for page in ("/", "/?period=week", "/api/figures", "/transfers"):
        r = client.get(page)
        assert r.status_code == 200, page
        _assert_clean(page, r.text)

    report = tmp_path / "report.html"
    out = CliRunner().invoke(app, ["report", "--since", "1d", "--json", "--html", str(report)])
    assert out.exit_code == 0, out.output
    assert '"calls": 2' in out.output
    _assert_clean("report --json", out.output)
    _assert_clean("report.html", report.read_text(encoding="utf-8"))
    out = CliRunner().invoke(app, ["report", "--since", "1d"], env={"COLUMNS": "160"})
    assert out.exit_code == 0 and "refill_request" in out.output
    _assert_clean("report", out.output)
