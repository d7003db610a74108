"""Call audio is written encrypted from the first byte; a refusal shreds what was recorded."""

import threading
from pathlib import Path

import pytest

from appliance.call.recorder import CallRecorder, RecordingOverrun
from appliance.config import load_settings
from appliance.privacy.kek import create_kek
from appliance.privacy.store import ObjectShredded, open_store
from appliance.sim.scenario import load_scenario
from tests.call.audio_calls import play
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
    assert rec.join(30)
    objects = {o.name: o for o in store.list(call_id="call-1")}
    assert set(objects) == {"caller.pcm", "agent.pcm"}
    assert store.read(objects["caller.pcm"].id) == FRAME * 50
    for path in (_isolated_data_dir / "objects").rglob("*"):
        if path.is_file():
            assert FRAME[:64] not in path.read_bytes()  # nothing on disk in the clear


def test_a_refusal_shreds_what_was_recorded_and_stops(store):
    rec = CallRecorder(store, "call-2", 8000)
    rec.caller(FRAME)
    assert rec.flush(30)
    ids = rec.object_ids
    assert ids
    rec.stop()
    rec.caller(FRAME)  # after the refusal nothing more is written
    assert rec.join(30)
    assert not rec.object_ids
    for object_id in ids:
        with pytest.raises(ObjectShredded):
            store.read(object_id)


@pytest.mark.slow
def test_a_caller_who_refuses_is_not_recorded_on_a_live_call(store):
    log = play(load_scenario(SCENARIOS / "refuse-recording.yaml"), store=store)
    assert any(e.type == "consent-answered" and not e.recording for e in log.events)
    readable = [o for o in store.list() if o.data_class == "recording"]
    assert not readable, "the refusal shredded the recording"


class StalledStore:
    """The real store behind a disk that has stopped answering: creating an object waits until
    the test lets it go (what a hung NFS mount or a dying disk does to the first write)."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        self._store = store
        self.release = threading.Event()

    def create(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.release.wait()
        return self._store.create(*args, **kwargs)

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._store, name)


def _on_the_clock_thread(push) -> bool:  # type: ignore[no-untyped-def]
    """Run `push` on a thread standing in for pjmedia's clock; True if it came back while the
    store is still stalled (before the fix it waited on the store with the other calls' audio)."""
    came_back = threading.Event()
    clock = threading.Thread(target=lambda: (push(), came_back.set()), daemon=True)
    clock.start()
    return came_back.wait(30)


def test_a_stalled_disk_never_holds_up_the_media_clock(store) -> None:
    stalled = StalledStore(store)
    failures: list[BaseException] = []
    rec = CallRecorder(stalled, "call-3", 8000, failures.append)
    try:
        assert _on_the_clock_thread(lambda: [rec.agent(FRAME) for _ in range(20)])
        rec.caller(FRAME)
    finally:
        stalled.release.set()
    rec.close()
    assert rec.join(30) and not failures
    objects = {o.name: o for o in store.list(call_id="call-3")}
    assert store.read(objects["agent.pcm"].id) == FRAME * 20  # nothing lost once the disk answered
    assert store.read(objects["caller.pcm"].id) == FRAME


def test_a_writer_that_falls_behind_is_a_recorded_fault_and_leaves_nothing_half_written(store) -> None:
    stalled = StalledStore(store)
    failures: list[BaseException] = []
    rec = CallRecorder(stalled, "call-4", 8000, failures.append, max_queued_s=0.2)  # 20 frames
    try:
        assert _on_the_clock_thread(lambda: [rec.agent(FRAME) for _ in range(200)])
    finally:
        stalled.release.set()
    rec.close()
    assert rec.join(30)
    assert len(failures) == 1 and isinstance(failures[0], RecordingOverrun)
    assert isinstance(rec.failed, RecordingOverrun) and rec.failed.code == "recording-overrun"
    assert not [o for o in store.list(call_id="call-4")]  # the recording was discarded whole
