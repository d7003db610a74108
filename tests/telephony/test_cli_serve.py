"""`wardline serve` flags: they override the file and are validated like it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from appliance.cli.serve import _settings


def test_flags_override_the_configuration_file(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "wardline.toml"
    config.write_text('[sip]\nport = 5070\nallow = ["10.0.0.0/8"]\nmax_calls = 2\n')
    monkeypatch.setenv("WARDLINE_CONFIG", str(config))
    settings = _settings(5099, ["192.0.2.10/32"])
    assert (settings.sip.port, settings.sip.allow, settings.sip.max_calls) == (5099, ["192.0.2.10/32"], 2)
    assert _settings(None, None).sip.port == 5070


def test_a_bad_allow_flag_is_refused_with_its_reason() -> None:
    wardline = Path(sys.executable).with_name("wardline")
    done = subprocess.run(
        [str(wardline), "serve", "--allow", "not-a-network"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "not-a-network" in done.stderr and "sip.allow" in done.stderr
    assert "Traceback" not in done.stderr
