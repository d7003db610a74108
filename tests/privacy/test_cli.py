"""`wardline redact` and `wardline data …` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.privacy import crypto
from appliance.privacy.store import open_store

runner = CliRunner()


def _exit_code(result) -> int:
    """The exit code `wardline` itself would give (its run() maps user errors to codes)."""
    from appliance.cli import errors

    if result.exception is None or isinstance(result.exception, SystemExit):
        return result.exit_code
    return errors.report(result.exception)


def test_redact_json_offsets_point_into_the_input():
    text = "My name is Peter Brandt.\nDOB seven fourteen ninety-two, email p dot brandt at example dot com\n"
    result = runner.invoke(app, ["redact", "--json", "--no-site-names"], input=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [(text[s["start"] : s["end"]], s["label"]) for s in out["spans"]] == [
        ("Peter Brandt", "NAME"),
        ("seven fourteen ninety-two", "DATE"),
        ("p dot brandt at example dot com", "EMAIL"),
    ]
    assert out["redacted"] == "My name is [NAME].\nDOB [DATE], email [EMAIL]\n"


def test_redact_plain_uses_given_names():
    result = runner.invoke(app, ["redact", "--name", "Aisha Rahman"], input="rahman speaking\n")
    assert result.exit_code == 0 and result.stdout == "[NAME] speaking\n"


def _audit_entries(data_dir: Path) -> list[dict]:
    from appliance.audit.log import default_origin
    from appliance.audit.query import read_entries
    from appliance.store.db import make_engine

    engine = make_engine(f"sqlite:///{data_dir / 'wardline.db'}")
    return [e.entry for e in read_entries(engine, default_origin())]


def test_data_show_decrypts_and_records_the_access(data_dir: Path, tmp_path: Path):
    store = open_store(data_dir)
    store.put("transcript", b"caller: my number is 555-013-2291\n", call_id="call-7", media_type="text/plain")
    store.put("recording", b"\x00\x01" * 40000, call_id="call-7", name="caller.raw")
    result = runner.invoke(app, ["data", "show", "call-7", "--reason", "quality review", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["objects"]
    assert rows[0]["text"] == "caller: my number is 555-013-2291\n"
    assert rows[1]["bytes"] == 80000 and "text" not in rows[1]
    (entry,) = [e for e in _audit_entries(data_dir) if e["type"] == "data-access"]
    assert entry["call_id"] == "call-7" and entry["payload"]["reason"] == "quality review"
    assert entry["actor"].startswith("cli:")

    out = tmp_path / "out"
    result = runner.invoke(app, ["data", "show", "call-7", "--reason", "export", "--out", str(out)])
    assert result.exit_code == 0 and len(list(out.iterdir())) == 2


def test_data_show_needs_a_reason_and_a_known_call(data_dir: Path):
    open_store(data_dir)
    assert runner.invoke(app, ["data", "show", "call-7"]).exit_code == 2  # --reason is required
    result = runner.invoke(app, ["data", "show", "nope", "--reason", "x"])
    assert _exit_code(result) == 4 and "no stored data for call nope" in str(result.exception)


def test_data_show_names_the_failing_chunk(data_dir: Path):
    store = open_store(data_dir)
    good = store.put("transcript", b"fine", call_id="c", media_type="text/plain")
    bad = store.put("recording", bytes(200_000), call_id="c")
    raw = bytearray(store.path_of(bad).read_bytes())
    raw[crypto.HEADER_BYTES + crypto.SEALED_CHUNK_BYTES + 9] ^= 1
    store.path_of(bad).write_bytes(bytes(raw))
    result = runner.invoke(app, ["data", "show", "c", "--reason", "check", "--json"])
    assert result.exit_code == 5
    rows = {r["id"]: r for r in json.loads(result.stdout)["objects"]}
    assert rows[good]["text"] == "fine" and rows[bad]["error"] == "chunk 1 failed authentication"


def test_missing_kek_is_a_clear_error_not_a_traceback(_isolated_data_dir: Path):
    result = runner.invoke(app, ["data", "list"])
    assert _exit_code(result) == 3 and "no key-encryption key" in str(result.exception)


def test_purge_due_shreds_old_objects_and_audits_them(data_dir: Path):
    old = datetime.now(UTC) - timedelta(days=45)
    store = open_store(data_dir, clock=lambda: old)
    rec = store.put("recording", b"audio", call_id="c")
    txt = store.put("transcript", b"words", call_id="c")
    dry = runner.invoke(app, ["data", "purge", "--due", "--dry-run", "--json"])
    assert [r["object_id"] for r in json.loads(dry.stdout)["due"]] == [rec]
    result = runner.invoke(app, ["data", "purge", "--due", "--json"])
    assert result.exit_code == 0, result.output
    assert [r["object_id"] for r in json.loads(result.stdout)["purged"]] == [rec]
    assert [e["payload"]["object_id"] for e in _audit_entries(data_dir) if e["type"] == "data-purge"] == [rec]
    assert [i.id for i in open_store(data_dir).list()] == [txt]


@pytest.mark.parametrize("args", [["data", "purge"]])
def test_purge_without_due_does_nothing(data_dir: Path, args: list[str]):
    assert runner.invoke(app, args).exit_code == 2


def test_redact_empty_input_prints_nothing():
    result = runner.invoke(app, ["redact", "--no-site-names"], input="")
    assert result.exit_code == 0 and result.stdout == ""


def test_redact_ten_megabytes_redacts_to_the_end_with_a_warning():
    text = "Thank you for calling Riverside, how can I help you today?\n" * 170_000
    text += "call me at 555-0167, I'm Ada Quixley\n"
    assert len(text.encode()) > 10_000_000
    result = runner.invoke(app, ["redact", "--no-site-names"], input=text)
    assert result.exit_code == 0
    assert result.stdout.endswith("call me at [PHONE], I'm [NAME]\n")
    assert "rules alone" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "\u202eRTL override\u202c my number is 555-0167",
        "zero\u200bwidth\u200d joiners, my number is 555-0167",
        "emoji 🙂🏥 and my number is 555-0167",
        "combining e\u0301 and ǅ titlecase, my number is 555-0167",
        "\ufeffbyte order mark, my number is 555-0167",
    ],
)
def test_redact_odd_unicode_still_redacts(text):
    result = runner.invoke(app, ["redact", "--no-site-names", "--json"], input=text)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "555-0167" not in out["redacted"] and "[PHONE]" in out["redacted"]
