"""Canary test: PHI a caller speaks reaches no log, audit entry, handoff file or database row."""

import asyncio
import logging
from pathlib import Path

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario

CANARIES = ["Quartzfield", "Zebulon", "0199", "four three two one", "RCH-555777", "77 Larkspur"]

SCENARIO = """
name: canary
turns:
  - say: "This is Zebulon Quartzfield, RCH-555777, at 77 Larkspur Lane, my number is five five five,
      oh one nine nine, four three two one. Should I take more ibuprofen for my rash?"
"""


def test_spoken_phi_reaches_no_log_audit_entry_or_file(tmp_path: Path, caplog, _isolated_data_dir: Path):
    path = tmp_path / "canary.yaml"
    path.write_text(SCENARIO)

    async def go():
        services = await build_services(load_settings(), speech=False)
        try:
            return await run_scenario(load_scenario(path), services, "text")
        finally:
            await services.close()

    with caplog.at_level(logging.DEBUG):
        result = asyncio.run(go())
    assert result.log.outcome == "transferred"  # a clinical question goes to the nurse line

    logs = caplog.text
    files = [p for p in _isolated_data_dir.rglob("*") if p.is_file() and "objects" not in p.parts]
    assert any(p.name.endswith(".db") for p in files)
    assert any("handoffs" in p.parts for p in files), "the transfer left a summary to check"
    for canary in CANARIES:
        assert canary.lower() not in logs.lower(), canary
        for f in files:
            assert canary.encode().lower() not in f.read_bytes().lower(), (canary, f.name)
