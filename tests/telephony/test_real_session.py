"""The production path end to end: a pjsua2 caller, SIP, the bridge, and the real CallSession.

The caller's phone (a second pjsua2 process) records what the agent says; the embedded
recognizer must find the site's disclosure words in that recording (DESIGN invariant 5: the
disclosure plays first), over G.722 at 16 kHz.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from appliance.telephony.server import call_session_factory
from tests.conftest import REPO
from tests.fixtures.audio import silence
from tests.telephony.harness import Harness, next_ports, sip_settings, write_wav
from tests.telephony.test_peer import _recognize

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def _services(settings):  # type: ignore[no-untyped-def]
    from appliance.call.services import build_services

    return build_services(settings)


def test_the_real_session_plays_the_disclosure_over_sip(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    base = sip_settings(port, rtp)
    settings = base.model_copy(update={"call": base.call.model_copy(update={"sample_rate_hz": 16000})})
    play = write_wav(tmp_path / "quiet.wav", silence(16000, 500), 16000)  # a caller who listens
    record = tmp_path / "agent.wav"
    coro = _services(settings)
    holder: dict[str, object] = {}

    def factory(info, transport):  # type: ignore[no-untyped-def]
        return holder["make"](info, transport)  # type: ignore[operator]

    with Harness(settings, factory) as h:
        services = h.run(coro, timeout=120)
        holder["make"] = call_session_factory(services)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "tests.telephony.peer_caller", f"sip:wardline@127.0.0.1:{port}",
                 "--port", str(peer), "--play", str(play), "--record", str(record), "--seconds", "9"],
                cwd=REPO, capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            (rec,) = h.wait_finished(1)
        finally:
            h.run(services.close())
    assert rec.codec == "G722" and rec.sample_rate_hz == 16000
    heard = _recognize(record).lower()
    assert "assistant" in heard or "recorded" in heard or "riverside" in heard, heard
