"""The handoff id reaches the person who takes a transferred call (issue 18, item 3).

The agent REFERs the caller's phone to `sip:200@pbx?X-Wardline-Handoff=ID` (RFC 3515 §2.1). A
real phone carries out the transfer with a new INVITE, and that INVITE, as sipp answering for
the person sees it, must carry the id. Before the fix the id rode only as a header of the
REFER, and no phone copies those.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.fixtures.audio import synthesize_caller
from tests.telephony.baresip import baresip_call, operator_uas, require_baresip
from tests.telephony.harness import Harness, SilentSession, next_ports, sip_settings, write_wav

pytestmark = pytest.mark.timeout(120)


class TransferAtOnce(SilentSession):
    """A session that hands the caller to extension 200 with handoff id h-test a second in."""

    transferred: bool | None = None

    async def run(self) -> str:
        await asyncio.sleep(1.0)
        self.transferred = await self.transport.transfer("200", "h-test")
        return "transferred" if self.transferred else "failed"


def _first_invite(log: Path) -> str:
    text = log.read_text(errors="replace") if log.exists() else ""
    return next((m for m in text.split("\n\n") if "INVITE sip:" in m), "")


def test_a_pjsua_phone_puts_the_handoff_id_on_its_invite_to_the_person(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    person = peer + 20
    mic = write_wav(tmp_path / "mic.wav", synthesize_caller("hello", 16000), 16000)
    with Harness(sip_settings(port, rtp, pbx_host=f"127.0.0.1:{person}"), TransferAtOnce) as h:
        uas, log = operator_uas(person, tmp_path)
        phone = subprocess.run(
            [sys.executable, "-m", "tests.telephony.peer_caller", f"sip:wardline@127.0.0.1:{port}",
             "--port", str(peer), "--play", str(mic), "--record", str(tmp_path / "heard.wav"),
             "--seconds", "4"],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        (record,) = h.wait_finished(1)
        uas.kill()
        uas.wait()
    assert phone.returncode == 0, phone.stderr[-2000:]
    assert record.outcome == "transferred"
    invite = _first_invite(log)
    assert invite.startswith("INVITE sip:200@127.0.0.1"), invite[:300]
    assert "X-Wardline-Handoff: h-test" in invite


def test_baresip_carries_the_handoff_id_to_the_person(tmp_path: Path) -> None:
    require_baresip()
    port, rtp, peer = next_ports()
    person = peer + 20
    with Harness(sip_settings(port, rtp, pbx_host=f"127.0.0.1:{person}"), TransferAtOnce) as h:
        uas, log = operator_uas(person, tmp_path)
        trace = baresip_call(f"sip:wardline@127.0.0.1:{port}", peer, tmp_path, seconds=6)
        (record,) = h.wait_finished(1)
        uas.kill()
        uas.wait()
    assert record.outcome == "transferred", trace[-3000:]
    assert "Refer-To: <sip:200@127.0.0.1" in trace and "?X-Wardline-Handoff=h-test>" in trace
    invite = _first_invite(log)
    # baresip 1.0.0 keeps the URI's header part in the Request-URI and To instead of making it a
    # header (RFC 3261 §19.1.5 asks for a header); either way the id reaches the person's side.
    assert invite.startswith("INVITE sip:200@127.0.0.1"), invite[:300]
    assert "X-Wardline-Handoff=h-test" in invite or "X-Wardline-Handoff: h-test" in invite
