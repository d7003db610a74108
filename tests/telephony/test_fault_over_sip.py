"""A recognizer crash on a real SIP call (sipp), through the real CallSession (issue 19, item 1).

The pocketsphinx worker processes are killed (and every replacement with them) while the caller
speaks. The agent must REFER the caller to the site pack's operator with the id of a stored
summary, after its pre-rendered apology, and the audit log must say the recognizer failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import threading
import time
from pathlib import Path

import pytest

from appliance.audio import resample
from appliance.privacy.handoffs import load_handoff
from appliance.telephony.server import call_fault_handover, call_session_factory
from tests.telephony.harness import Harness, next_ports, sip_settings, sipp, write_rtp_pcap

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SITE_OPERATOR = "2000"


def _workers() -> list[int]:
    """This process's pocketsphinx workers (spawned multiprocessing children)."""
    me, found = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == me and b"spawn_main" in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _speech_8k() -> bytes:
    from appliance.speech.tts.espeak import EspeakTts

    async def go() -> bytes:
        tts = EspeakTts(voice="en-us+klatt2", words_per_minute=170)
        text = "I would like to ask about parking for visitors and the hours of the pharmacy please. " * 4
        return b"".join([c async for c in tts.synthesize(text, 16000)])

    return resample(asyncio.run(go()), 16000, 8000)


def test_a_recognizer_crash_on_a_sip_call_goes_to_the_site_operator(tmp_path: Path) -> None:
    from appliance.call.services import build_services

    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp)
    pcap = write_rtp_pcap(tmp_path / "caller.pcap", _speech_8k())
    holder: dict[str, object] = {}
    stop = threading.Event()

    def keep_killing() -> None:
        while not stop.is_set():
            for pid in _workers():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    def factory(info, transport):  # type: ignore[no-untyped-def]
        return holder["make"](info, transport)  # type: ignore[operator]

    def handover(info, stage):  # type: ignore[no-untyped-def]
        return holder["handover"](info, stage)  # type: ignore[operator]

    with Harness(settings, factory, handover) as h:
        services = h.run(build_services(settings), timeout=120)
        holder["make"], holder["handover"] = call_session_factory(services), call_fault_handover(services)
        killer = threading.Thread(target=keep_killing, daemon=True)
        try:
            killer.start()
            done = sipp("speak_then_refer", port, peer, tmp_path, audio=str(pcap), timeout=90)
            (record,) = h.wait_finished(1, timeout=30)
        finally:
            stop.set()
            killer.join(5)
            h.run(services.close(), timeout=60)
    assert done.returncode == 0, done.output[-3000:]
    assert record.outcome == "transferred"
    refer = next(m for m in done.messages.split("\n\n") if "REFER sip:" in m)
    assert f"sip:{SITE_OPERATOR}@127.0.0.1" in refer, refer
    # the id travels in the X-Wardline-Handoff header (or as a Refer-To parameter)
    found = re.search(r"(?:X-Wardline-Handoff:\s*|[;?&][Hh]andoff[-_a-zA-Z]*=)([A-Za-z0-9_-]+)", refer)
    assert found, refer
    handoff_id = found.group(1)
    assert load_handoff(settings.data_dir, handoff_id)["reason"] == "fault:asr"
