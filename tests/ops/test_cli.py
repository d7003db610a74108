"""`wardline report` and `wardline users`: bad input is refused with a reason, users are hashed."""

from __future__ import annotations

from typer.testing import CliRunner

from appliance.cli.errors import exit_code_for
from appliance.cli.main import app
from appliance.config import load_settings
from appliance.ops.store import OpsUser
from appliance.store.db import open_database


def test_report_refuses_a_malformed_period() -> None:
    out = CliRunner().invoke(app, ["report", "--since", "yesterday"])
    assert out.exception is not None and exit_code_for(out.exception) == 2
    assert "24h, 7d or 2w" in str(out.exception)


def test_report_with_no_calls_still_prints_its_tables() -> None:
    out = CliRunner().invoke(app, ["report", "--since", "24h"], env={"COLUMNS": "160"})
    assert out.exit_code == 0 and "Outcomes per intent" in out.output


def test_users_add_stores_an_argon2_hash_and_refuses_bad_roles_and_short_passwords() -> None:
    runner = CliRunner()
    out = runner.invoke(
        app,
        ["users", "add", "sam", "--role", "supervisor", "--password-stdin"],
        input="correct horse battery\n",
    )
    assert out.exit_code == 0, out.output
    _, sessions = open_database(load_settings().database_url)
    with sessions() as db:
        row = db.get(OpsUser, "sam")
    assert row is not None and row.password_hash.startswith("$argon2id$") and "horse" not in row.password_hash
    bad = runner.invoke(
        app, ["users", "add", "eve", "--role", "root", "--password-stdin"], input="x" * 12 + "\n"
    )
    assert bad.exception is not None and "viewer, supervisor, auditor" in str(bad.exception)
    short = runner.invoke(app, ["users", "add", "eve", "--password-stdin"], input="short\n")
    assert short.exception is not None and "at least 10" in str(short.exception)
    listed = runner.invoke(app, ["users", "list", "--json"])
    assert '"sam"' in listed.output and '"supervisor"' in listed.output
