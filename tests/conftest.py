"""Shared fixtures. Every test gets its own WARDLINE_DATA_DIR, so no state is ever shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# CI puts shared/ beside the clone; WARDLINE_SHARED points elsewhere when it is not.
SHARED = Path(os.environ.get("WARDLINE_SHARED", REPO.parent / "shared"))
SCENARIOS = SHARED / "scenarios"
TESTVECTORS = SHARED / "testvectors"


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "wardline-data"
    monkeypatch.setenv("WARDLINE_DATA_DIR", str(data))
    monkeypatch.setenv("WARDLINE_CONFIG", str(tmp_path / "absent.toml"))
    return data
