"""Call audio is written encrypted from the first byte; a refusal shreds what was recorded."""

import asyncio
from pathlib import Path

import pytest

from appliance.call.recorder import CallRecorder
from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.privacy.kek import create_kek
from appliance.privacy.store import ObjectShredded, open_store
from appliance.sim.audio import run_audio
from appliance.sim.scenario import load_scenario
from tests.conftest import SCENARIOS

FRAME = bytes(range(160)) * 2  # 20 ms at 8 kHz, recognisable bytes


@pytest.fixture
def store(_isolated_data_dir: Path):
    create_kek(_isolated_data_dir)
    return open_store(_isolated_data_dir, database_url=load_settings().database_url)


def test_both_sides_are_stored_encrypted_and_read_back(store, _isolated_data_dir: Path):
    rec = CallRecorder(store, "call-1", 8000)
    for _ in range(50):
        rec.caller(FRAME)
        rec.agent(FRAME[::-1])
    rec.close()
    objects = {o.name: o for o in store.list(call_id="call-1")}
    assert set(objects) == {"caller.pcm", "agent.pcm"}
    assert store.read(objects["caller.pcm"].id) == FRAME * 50
    for path in (_isolated_data_dir / "objects").rglob("*"):
        if path.is_file():
            assert FRAME[:64] not in path.read_bytes()  # nothing on disk in the clear


def test_a_refusal_shreds_what_was_recorded_and_stops(store):
    rec = CallRecorder(store, "call-2", 8000)
    rec.caller(FRAME)
    ids = rec.object_ids
    rec.stop()
    rec.caller(FRAME)  # after the refusal nothing more is written
    assert not rec.object_ids
    for object_id in ids:
        with pytest.raises(ObjectShredded):
            store.read(object_id)


@pytest.mark.slow
def test_a_caller_who_refuses_is_not_recorded_on_a_live_call(store):
    async def go():
        services = await build_services(load_settings(), speech=True, store=store)
        try:
            return await run_audio(load_scenario(SCENARIOS / "refuse-recording.yaml"), services)
        finally:
            await services.close()

    log = asyncio.run(go())
    assert any(e.type == "consent-answered" and not e.recording for e in log.events)
    readable = [o for o in store.list() if o.data_class == "recording"]
    assert not readable, "the refusal shredded the recording"
