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


def _call_the_real_session(settings, play: Path, record: Path, seconds: int):  # type: ignore[no-untyped-def]
    """One pjsua2 caller (playing `play`, recording the agent) against the real CallSession."""
    port = settings.sip.port
    peer = port + 5  # next_ports(): the peer's port
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
                 "--port", str(peer), "--play", str(play), "--record", str(record),
                 "--seconds", str(seconds)],
                cwd=REPO, capture_output=True, text=True, timeout=seconds + 30,
            )  # fmt: skip
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
            (rec,) = h.wait_finished(1)
        finally:
            h.run(services.close())
    return rec


def test_the_real_session_plays_the_disclosure_over_sip(tmp_path: Path) -> None:
    port, rtp, _ = next_ports()
    base = sip_settings(port, rtp)
    settings = base.model_copy(update={"call": base.call.model_copy(update={"sample_rate_hz": 16000})})
    play = write_wav(tmp_path / "quiet.wav", silence(16000, 500), 16000)  # a caller who listens
    record = tmp_path / "agent.wav"
    rec = _call_the_real_session(settings, play, record, seconds=9)
    assert rec.codec == "G722" and rec.sample_rate_hz == 16000
    heard = _recognize(record).lower()
    assert "assistant" in heard or "recorded" in heard or "riverside" in heard, heard


def test_a_silent_line_is_reprompted_and_released_by_the_agent(tmp_path: Path) -> None:
    # The caller's phone stays on the line, silent, for up to a minute: the agent reprompts after
    # each second of silence (the site's count: two reprompts, then the goodbye) and hangs up
    # itself, freeing the call slot, as in text and audio mode (tests/sim/test_silent_caller.py).
    port, rtp, _ = next_ports()
    base = sip_settings(port, rtp)
    settings = base.model_copy(update={"call": base.call.model_copy(update={"no_input_timeout_ms": 1000})})
    play = write_wav(tmp_path / "quiet.wav", silence(8000, 500), 8000)
    rec = _call_the_real_session(settings, play, tmp_path / "agent.wav", seconds=60)
    assert rec.outcome == "agent_hung_up", rec
