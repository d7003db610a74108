"""No audit log, no calls: failing to open the log refuses to start, it never turns the log off."""

from __future__ import annotations

import asyncio
import sys

import pytest

from appliance.call.services import AuditUnavailable, build_services
from appliance.cli.errors import exit_code_for
from appliance.cli.main import app  # noqa: F401 (fills the CLI's one table of user errors)
from appliance.config import load_settings


def test_a_missing_audit_module_refuses_to_take_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "appliance.audit.log", None)  # as a broken install would be
    with pytest.raises(AuditUnavailable) as refused:
        asyncio.run(build_services(load_settings(), speech=False))
    message = str(refused.value)
    assert "no calls are taken" in message and "reinstall" in message
    assert exit_code_for(refused.value) is not None  # shown to the operator as is, no traceback


def test_an_unusable_key_folder_refuses_to_take_calls() -> None:
    settings = load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "keys").write_text("not a folder\n")
    with pytest.raises(AuditUnavailable, match="no calls are taken"):
        asyncio.run(build_services(settings, speech=False))
