"""`wardline simulate` in text mode: a caller keys in the date of birth; it shows up nowhere."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from appliance.cli.main import app

SCENARIO = """\
name: keyed-date-of-birth
caller_id: "+15550132291"
turns:
  - say: "Hi, I'd like to see Doctor Patel next Tuesday morning."
  - say: "Maria Gonzalez."
  - dtmf: "03031980#"
  - say: "The first one is fine."
  - say: "No, that's everything. Thank you."
expect:
  outcome: contained
  tools: [verify_identity, find_slots, book_appointment]
  agent_said: ["key it in", "found your record", "booked"]
  agent_never_said: ["nineteen eighty", "march third"]
"""
WRONG_THREE_TIMES = """\
name: keyed-date-of-birth-wrong
turns:
  - say: "I need a refill on my lisinopril."
  - say: "Maria Gonzalez."
  - dtmf: "04011980"
  - say: "Maria Gonzalez."
  - dtmf: "04021980"
  - say: "Maria Gonzalez."
  - dtmf: "03041980"
expect:
  outcome: transferred
  transfer_to: "2000"
  within_turns: 7
  tools: [verify_identity, verify_identity, verify_identity]
  never_tools: [request_refill]
"""
LEAKS = ("03031980", "1980-03-03", "04011980", "04021980", "03041980", "1980-04-0", "1980-03-04")


def simulate(tmp_path: Path, name: str, text: str) -> list[dict]:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["simulate", "--json", str(path)])
    for leak in LEAKS:
        assert leak not in result.output, leak
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_keyed_date_of_birth_books_and_never_shows(tmp_path: Path, _isolated_data_dir: Path) -> None:
    records = simulate(tmp_path, "keyed", SCENARIO)
    assert records[-1]["type"] == "result" and records[-1]["passed"] is True
    identity = [r for r in records if r["type"] == "command" and r["args"].get("slot") == "dob"]
    assert identity == []  # the keyed date is no command: it went straight to verify_identity
    for path in _isolated_data_dir.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        assert b"03031980" not in data, path
        if ".db" not in path.name:  # the scheduling store itself holds the demo patients' dates
            assert not any(leak.encode() in data for leak in LEAKS), path


def test_three_wrong_keyed_dates_reach_the_operator(tmp_path: Path) -> None:
    records = simulate(tmp_path, "wrong", WRONG_THREE_TIMES)
    assert records[-1]["passed"] is True
    assert [r["to"] for r in records if r["type"] == "transfer"] == ["2000"]
