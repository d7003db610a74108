"""Handoff summaries: stored privately, read back with `wardline handoff show ID`."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.privacy.handoffs import (
    BadHandoffId,
    HandoffNotFound,
    load_handoff,
    new_handoff_id,
    save_handoff,
)


def test_a_saved_summary_reads_back_and_is_private(_isolated_data_dir: Path) -> None:
    hid = new_handoff_id()
    path = save_handoff(_isolated_data_dir, hid, {"reason": "reschedule", "verified": True})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_handoff(_isolated_data_dir, hid) == {"id": hid, "reason": "reschedule", "verified": True}


def test_ids_cannot_escape_the_handoff_directory(_isolated_data_dir: Path) -> None:
    with pytest.raises(BadHandoffId):
        load_handoff(_isolated_data_dir, "../../etc/passwd")
    with pytest.raises(HandoffNotFound):
        load_handoff(_isolated_data_dir, "h-absent")


def test_cli_shows_a_summary_and_explains_a_missing_one(_isolated_data_dir: Path) -> None:
    save_handoff(_isolated_data_dir, "h-test", {"reason": "chest pain", "actions": ["red flag"]})
    runner = CliRunner()
    shown = runner.invoke(app, ["handoff", "show", "h-test"])
    assert shown.exit_code == 0, shown.output
    assert "chest pain" in shown.output and "red flag" in shown.output
    as_json = runner.invoke(app, ["handoff", "show", "h-test", "--json"])
    assert json.loads(as_json.output)["reason"] == "chest pain"
    missing = runner.invoke(app, ["handoff", "show", "h-nope"])
    assert missing.exit_code != 0


def test_a_summary_is_stored_redacted_whoever_saves_it(_isolated_data_dir: Path) -> None:
    hid = new_handoff_id()
    said = "Maria Gonzalez, born March 3rd 1980, wants her lisinopril refilled"
    save_handoff(_isolated_data_dir, hid, {"request": said, "actions": [said]}, names=("Maria Gonzalez",))
    stored = json.dumps(load_handoff(_isolated_data_dir, hid))
    assert "Gonzalez" not in stored and "1980" not in stored and "refilled" in stored
