"""`wardline models …` as an operator runs it: --json output, exit codes, one-line errors."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from appliance.audit.log import default_origin
from appliance.audit.query import read_entries
from appliance.cli import errors
from appliance.cli.models import register
from appliance.config import load_settings
from appliance.registry.audit_hook import journal_path
from appliance.store.db import make_engine
from tests.registry.conftest import voice_manifest

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """root"""

    register(app)
    return app


def wardline(*args: str):
    result = runner.invoke(_app(), list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        # What appliance.cli.main.run does with an exception: one line from the error table.
        code = errors.exit_code_for(result.exception)
        assert code is not None, f"unexpected {type(result.exception).__name__}: {result.exception}"
        return code, str(result.exception)
    return result.exit_code, result.stdout


def test_install_activate_list_ps_rollback_with_json(voices, tmp_path):
    for key in ("a", "b"):
        m = voice_manifest(tmp_path, voices[key], f"voice-{key}")
        code, out = wardline("models", "install", str(voices[key].parent), "--manifest", str(m), "--json")
        assert code == 0, out
        assert json.loads(out)["id"] == f"voice-{key}"
    code, out = wardline("models", "activate", "voice-a", "--json")
    assert code == 0 and json.loads(out)["health"]["ok"]
    code, out = wardline("models", "activate", "voice-b", "--json")
    assert json.loads(out)["previous"] == "voice-a"
    rows = {r["id"]: r for r in json.loads(wardline("models", "list", "--json")[1])}
    assert rows["voice-b"]["active"] and rows["voice-a"]["installed"] and not rows["voice-a"]["active"]
    assert "qwen3-8b-q4_k_m" in rows and not rows["qwen3-8b-q4_k_m"]["installed"]
    ps = json.loads(wardline("models", "ps", "--json")[1])
    assert ps["service_pid"] is None and ps["active"][0]["id"] == "voice-b"
    code, out = wardline("models", "rollback", "tts", "--json")
    assert code == 0 and json.loads(out)["id"] == "voice-a"
    verify = json.loads(wardline("models", "verify", "--json")[1])
    assert {v["id"] for v in verify} == {"voice-a", "voice-b"} and all(v["ok"] for v in verify)
    show = json.loads(wardline("models", "show", "voice-a", "--json")[1])
    assert show["active"] and show["installed"]["files"][0]["size"] > 0
    code, out = wardline("models", "remove", "voice-b", "--json")
    assert code == 0 and json.loads(out)["id"] == "voice-b"
    swaps = [json.loads(line) for line in journal_path(load_settings()).read_text().splitlines()]
    kinds = [s["type"] for s in swaps]
    assert kinds.count("model-activated") == 2 and "model-rolled-back" in kinds
    assert all(s["in_audit_log"] for s in swaps)  # no service ran: appended to the signed log
    settings = load_settings()
    entries = [e.entry for e in read_entries(make_engine(settings.database_url), default_origin())]
    assert [e["type"] for e in entries if e and e["type"].startswith("model-")] == kinds


def test_errors_are_one_clear_line_and_change_nothing(voices, tmp_path):
    code, out = wardline("models", "activate", "qwen3-8b-q4_k_m")
    assert code == 2 and "not installed" in out
    code, out = wardline("models", "install", str(tmp_path / "nowhere"))
    assert code == 2 and "no such file" in out
    code, out = wardline("models", "show", "no-such-model")
    assert code == 2 and "no manifest" in out
    assert json.loads(wardline("models", "ps", "--json")[1])["active"] == []


def test_human_output_renders(voices, tmp_path):
    m = voice_manifest(tmp_path, voices["a"], "voice-a")
    code, out = wardline("models", "install", str(voices["a"].parent), "--manifest", str(m))
    assert code == 0 and "installed voice-a" in out
    code, out = wardline("models", "list")
    assert code == 0 and "voice-a" in out
