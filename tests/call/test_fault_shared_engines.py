"""The shared engine process killed mid-call (issue 14: "an engine process killed"), on the real
session in audio mode, with a real `wardline engines serve` process.

The caller must hear the apology (pre-rendered: it needs no engine), the call must go to the
site pack's operator with a stored handoff summary and the fault named in the audit log; once the
engine process is back (the supervisor or systemd restarts it), the next call is heard again by
the same worker, which reconnects on its own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import SpeechStarted
from appliance.sim.audio import run_audio
from appliance.sim.record import check
from tests.call.asr_crash import assert_the_caller_reached_the_operator, crash_and_next_call
from tests.speech.engine_host import engine_host

pytestmark = pytest.mark.slow


def test_an_engine_process_killed_mid_call_sends_the_caller_to_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated_data_dir: Path
) -> None:
    monkeypatch.setenv("WARDLINE_SPEECH__ENGINES", "shared")
    settings = load_settings()
    assert settings.speech.shared
    crash, after = crash_and_next_call(tmp_path)

    with engine_host(_isolated_data_dir, streams=2, speech__asr_workers="1") as host:

        async def first_call():  # type: ignore[no-untyped-def]
            services = await build_services(settings, speech=True)
            loop = asyncio.get_running_loop()
            killed: list[int] = []

            def on_event(event: object) -> None:
                if isinstance(event, SpeechStarted) and not killed:
                    killed.append(host.pid)
                    loop.call_later(0.4, host.kill)  # the caller is still speaking then

            try:
                return await asyncio.wait_for(run_audio(crash, services, on_event=on_event), 120), services
            except BaseException:
                await services.close()
                raise

        first, services = asyncio.run(first_call())
        assert host.process.poll() is not None, "the engine process was killed during the call"

    with engine_host(_isolated_data_dir, streams=2, speech__asr_workers="1"):  # restarted

        async def next_call():  # type: ignore[no-untyped-def]
            try:
                return await asyncio.wait_for(run_audio(after, services), 120)
            finally:
                await services.close()

        second = asyncio.run(next_call())

    assert_the_caller_reached_the_operator(crash, first, settings.data_dir)

    # The same worker's services, with no restart of their own: the next call is heard.
    assert check(after, second) == [], [r["text"] for r in second.of_type("asr_final")]
