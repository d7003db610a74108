"""A recognizer crash mid-call, on the real session in audio mode (issue 19, item 1).

The real pocketsphinx worker processes are killed while the simulated caller speaks. The caller
must hear an apology (pre-rendered audio: it needs no engine), the call must go to the site
pack's operator with a stored handoff summary, the audit log must say that a fault in the
recognizer ended the call, ops must count an error, and the next call must be heard again.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from appliance.audit.query import read_entries
from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import SpeechStarted
from appliance.sim.audio import run_audio
from appliance.sim.record import check
from tests.call.asr_crash import assert_the_caller_reached_the_operator, crash_and_next_call

pytestmark = pytest.mark.slow


def _kill(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def test_a_recognizer_crash_mid_call_ends_with_an_apology_and_the_site_operator(tmp_path: Path):
    settings = load_settings()
    crash, after = crash_and_next_call(tmp_path)

    async def go():
        services = await build_services(settings, speech=True)
        killed: list[int] = []
        loop = asyncio.get_running_loop()

        def on_event(event):
            if isinstance(event, SpeechStarted) and not killed:
                killed.extend(services.asr.pids)
                loop.call_later(0.4, _kill, list(killed))  # the caller is still speaking then

        try:
            first = await asyncio.wait_for(run_audio(crash, services, on_event=on_event), 120)
            second = await asyncio.wait_for(run_audio(after, services), 120)
            services.ops.flush()
            return first, second, killed, list(services.asr.pids)
        finally:
            await services.close()

    first, second, killed, pids_after = asyncio.run(go())
    assert killed, "the recognizer workers were running"

    assert_the_caller_reached_the_operator(crash, first, settings.data_dir)

    # The audit log says a fault ended the call and which stage failed.
    from appliance.audit.log import default_origin
    from appliance.store.db import make_engine

    entries = [r.entry for r in read_entries(make_engine(settings.database_url), default_origin())]
    faults = [e for e in entries if e and e["type"] == "fault"]
    assert faults and faults[0]["payload"]["stage"] == "asr", [e["type"] for e in entries if e]
    call_ends = [
        e for e in entries if e and e["type"] == "call-ended" and e["call_id"] == faults[0]["call_id"]
    ]
    assert call_ends[0]["payload"]["reason"] == "fault:asr", call_ends

    # Ops counts the call as an error.
    from sqlalchemy import select

    from appliance.ops.store import OpsCall
    from appliance.store.db import open_database

    _, sessions = open_database(settings.database_url)
    with sessions() as db:
        row = db.execute(select(OpsCall).where(OpsCall.call_id == faults[0]["call_id"])).scalar_one()
    assert row.errors >= 1 and row.outcome == "transferred", (row.errors, row.outcome)

    # The recognizer came back for the next call: new workers, and the caller is heard.
    assert pids_after and not set(pids_after) & set(killed)
    assert check(after, second) == [], [r["text"] for r in second.of_type("asr_final")]
