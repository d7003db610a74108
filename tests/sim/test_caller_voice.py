"""A caller voice that names no usable voice is refused in one line, before any call is placed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SCENARIOS


def test_a_bad_caller_voice_is_refused_with_what_was_expected() -> None:
    wardline = str(Path(sys.executable).parent / "wardline")
    scenario = str(SCENARIOS / "book-family-medicine.yaml")
    done = subprocess.run(
        [wardline, "simulate", "--mode", "audio", "--caller-voice", "bogus", scenario],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert "caller voice 'bogus': expected espeak-ng:VOICE[:WPM] or piper:MODEL" in " ".join(said.split())
    assert "Traceback" not in said and "unexpected" not in said, said
