"""Shared fixtures. Every test gets its own WARDLINE_DATA_DIR, so no state is ever shared."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# CTranslate2 (faster-whisper's engine) multiplies int8 matrices with Intel MKL on Intel CPUs and
# with oneDNN on others, and the two round differently: on an AMD CPU tiny.en hears the piper
# caller's "a refill of my amlodipine" as "a result of my amma defined" where MKL hears "a resale
# of my amla defined". The tests assert what the recognizer heard, so the suite uses MKL on every
# x86 CPU (it runs on AMD too) and reads the same words on any CI machine. Set before CTranslate2
# first loads, and inherited by every process a test starts. (Arm builds carry no MKL.)
if platform.machine() in ("x86_64", "AMD64"):
    os.environ.setdefault("CT2_USE_MKL", "1")

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
