"""SIGHUP in `wardline serve` reloads the active models as well as the site pack.

The real hooks `serve` registers, a real SIGHUP, a real configuration file read again, and the
real engines (pocketsphinx, espeak-ng) of the running service.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from pathlib import Path

import pytest

from appliance.audit.query import read_entries
from appliance.call.services import build_services
from appliance.cli.serve import register_reload_hooks
from appliance.config import load_settings
from appliance.service.journal import Journal
from appliance.service.runner import ServiceContext, run_service


async def _reloaded(ctx: ServiceContext, journal: Path, before: int) -> None:
    """Until the reload that SIGHUP started is done or refused (the journal line is written)."""
    deadline = time.monotonic() + 60  # a safety net: loading the models takes a few seconds
    while time.monotonic() < deadline:
        if ctx.reloads > before or "Reload refused" in journal.read_text():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no reload happened")


def test_sighup_swaps_the_voice_and_refuses_a_model_that_cannot_load(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text('[speech]\nasr_workers = 1\nvoice = "en-us"\n')
    journal_file = tmp_path / "journal.log"
    seen: dict[str, object] = {}

    async def main(ctx: ServiceContext) -> None:
        services = await build_services(load_settings(config))
        try:
            register_reload_hooks(ctx, services)
            ctx.ready(models=services.models())
            first = services.tts

            config.write_text('[speech]\nasr_workers = 1\nvoice = "en-gb"\n')
            os.kill(os.getpid(), signal.SIGHUP)
            await _reloaded(ctx, journal_file, 0)
            seen["voice"], seen["status"] = services.tts.voice, ctx.status
            seen["new_engine"] = services.tts is not first

            # A model engine with no active model: refused, the running voice stays.
            config.write_text('[speech]\nasr_workers = 1\nvoice = "en-us"\ntts = "piper"\n')
            second = services.tts
            os.kill(os.getpid(), signal.SIGHUP)
            await _reloaded(ctx, journal_file, 1)
            seen["after_refusal"] = services.tts is second and ctx.reloads == 1

            services.audit.flush()
            entries = [e.entry for e in read_entries(services.audit.engine, services.audit.origin)]
            seen["swaps"] = [e["payload"] for e in entries if e and e["type"] == "model-swapped"]
        finally:
            await services.close()

    with journal_file.open("w") as fallback, caplog.at_level(logging.INFO, logger="appliance.cli.serve"):
        journal = Journal(journald=False, fallback=fallback)
        code = asyncio.run(
            run_service(load_settings(config), main, journal=journal, loader=lambda: load_settings(config))
        )
    assert code == 0
    assert seen["voice"] == "en-gb" and seen["new_engine"]
    assert "tts=espeak-ng/en-gb/175wpm" in str(seen["status"])  # systemctl status shows the model
    assert seen["after_refusal"]
    assert seen["swaps"] == [
        {"kind": "tts", "model": "espeak-ng/en-gb/175wpm", "previous": "espeak-ng/en-us/175wpm"}
    ]
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused == [
        "model reload refused, the running models stay: ModelNotActive: no tts model is active: "
        "install one and run `wardline models activate ID`"
    ]
    assert "Reload refused, keeping the running one: ModelNotActive" in journal_file.read_text()
