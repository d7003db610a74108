"""Bad input over real SIP: refused cleanly with the right status, and the agent keeps working."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest

from appliance.audio import silence
from appliance.call.services import build_services
from appliance.privacy.handoffs import load_handoff
from appliance.telephony.server import call_fault_handover
from tests.telephony.harness import (
    Harness,
    Recorder,
    next_ports,
    raw_invite,
    raw_send,
    sdp,
    sip_settings,
    sipp,
    write_rtp_pcap,
)

pytestmark = pytest.mark.timeout(120)


def _status(response: str) -> int:
    return int(response.split(" ", 2)[1]) if response.startswith("SIP/2.0 ") else 0


def _header(response: str, name: str) -> str | None:
    for line in response.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return None


def test_bad_offers_get_488_and_garbage_never_stops_the_agent(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp), Recorder) as h:
        only_unknown = sdp(peer + 10, "18 97", "a=rtpmap:18 G729/8000\na=rtpmap:97 opus/48000/2")
        assert _status(raw_invite(port, body=only_unknown, local_port=peer)) == 488
        assert _status(raw_invite(port, body=sdp(peer + 10, audio=False), local_port=peer + 1)) == 488
        broken_sdp = "v=0\r\nthis is not a session description\r\nm=audio banana RTP/AVP x\r\n"
        assert _status(raw_invite(port, body=broken_sdp, local_port=peer + 2)) in (400, 488)
        not_sdp = raw_invite(port, body="hello", content_type="text/plain", local_port=peer + 3)
        assert _status(not_sdp) in (415, 488)
        # Malformed SIP: no answer is required, only that nothing breaks.
        for junk in (
            b"\x00\xff" * 300,
            b"INVITE sip:x SIP/2.0\r\n\r\n",
            b"SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n",
        ):
            raw_send(port, junk, local_port=peer + 4, timeout=0.3)
        # ...and a proper call still goes through afterwards.
        pcap = write_rtp_pcap(tmp_path / "s.pcap", silence(8000, 400))
        result = sipp("hold", port, peer, tmp_path, audio=str(pcap), hold_ms="300")
        assert result.returncode == 0, result.output
        assert len(h.wait_finished(1)) == 1


def test_beyond_max_calls_a_call_gets_503_with_retry_after_or_302_to_overflow(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    pcap = write_rtp_pcap(tmp_path / "s.pcap", silence(8000, 400))
    for overflow, expected in (("", 503), ("7000", 302)):
        settings = sip_settings(port, rtp, max_calls=1, retry_after_s=42, overflow_extension=overflow)
        with Harness(settings, Recorder) as h:
            holder = _background_call(port, peer, tmp_path, pcap)  # up until the test has its answer
            _wait_for(lambda h=h: len(h.sessions) == 1)
            response = raw_invite(port, body=sdp(peer + 10), local_port=peer + 5)
            _hang_up(peer)
            assert holder.wait(30) == 0
        assert _status(response) == expected
        if expected == 503:
            assert _header(response, "Retry-After") == "42"
        else:
            assert "sip:7000@127.0.0.1" in (_header(response, "Contact") or "")
        port, rtp, peer = next_ports()


def test_sigterm_drain_refuses_new_calls_and_lets_active_ones_finish(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    pcap = write_rtp_pcap(tmp_path / "s.pcap", silence(8000, 400))
    with Harness(sip_settings(port, rtp), Recorder) as h:
        holder = _background_call(port, peer, tmp_path, pcap)  # up until the test says
        _wait_for(lambda: len(h.sessions) == 1)
        future = asyncio.run_coroutine_threadsafe(h.server.drain(timeout_s=60), h.loop)
        _wait_for(lambda: h.server.agent is not None and h.server.agent.draining)
        refused = raw_invite(port, body=sdp(peer + 10), local_port=peer + 5)
        assert not future.done()  # still draining: the active call goes on
        _hang_up(peer)
        future.result(60)
        assert holder.wait(30) == 0
    assert _status(refused) == 503
    (record,) = h.server.finished
    assert record.outcome == "caller_hung_up"  # the active call ended on its own BYE, not ours


def test_rtp_from_an_unexpected_source_is_ignored(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    quiet = write_rtp_pcap(tmp_path / "quiet.pcap", silence(8000, 1500))
    with Harness(sip_settings(port, rtp), Recorder) as h:
        holder = _background_call(port, peer, tmp_path, quiet)  # up until every stray packet is sent
        _wait_for(lambda: len(h.sessions) == 1)
        loud = bytes([0x80]) * 160  # μ-law near full scale
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.3", 0))
            for seq in range(40):  # a stranger aims RTP at every port the agent may use
                pkt = (
                    bytes([0x80, 0])
                    + seq.to_bytes(2, "big")
                    + (seq * 160).to_bytes(4, "big")
                    + b"\0\0\0\7"
                    + loud
                )
                for p in range(rtp, rtp + 8, 2):
                    s.sendto(pkt, ("127.0.0.1", p))
                time.sleep(0.02)
        _hang_up(peer)
        assert holder.wait(30) == 0
    assert h.sessions[0].speech_frames(-30.0) == 0


def test_a_failing_pipeline_transfers_its_call_while_another_call_goes_on(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    pcap = write_rtp_pcap(tmp_path / "s.pcap", silence(8000, 400))
    made: list[Recorder] = []

    def factory(info, transport):  # type: ignore[no-untyped-def]
        session = Recorder(info, transport, fail_on_feed=len(made) == 1)
        made.append(session)
        return session

    settings = sip_settings(port, rtp)
    services = asyncio.run(build_services(settings, speech=False))
    asyncio.run(services.close())  # only its site pack and data directory are used below
    with Harness(settings, factory, call_fault_handover(services)) as h:
        healthy = _background_call(port, peer + 20, tmp_path, pcap)  # up until the faulty call is over
        _wait_for(lambda: len(made) == 1)
        faulty = sipp("refer_unprompted", port, peer, tmp_path)  # accepts the operator REFER
        assert faulty.returncode == 0, faulty.output
        _hang_up(peer + 20)
        assert healthy.wait(30) == 0
        records = h.wait_finished(2)
    by_outcome = sorted(r.outcome or "" for r in records)
    assert by_outcome == ["caller_hung_up", "transferred"]
    refer = next(m for m in faulty.messages.split("\n\n") if "REFER sip:" in m)
    # The site pack's operator (not a SIP default), with the id of a stored summary.
    assert "sip:2000@127.0.0.1" in refer, refer
    handoff_id = re.search(r"h-[0-9a-f]{16}", refer).group(0)  # type: ignore[union-attr]
    assert load_handoff(settings.data_dir, handoff_id)["reason"] == "fault:session"


def _background_call(port: int, peer: int, tmp: Path, pcap: Path) -> subprocess.Popen[str]:
    """A sipp caller in the background that stays up until `_hang_up(peer)` tells it to go."""
    import string

    from tests.telephony.harness import SCENARIOS

    text = string.Template((SCENARIOS / "hold_until_told.xml").read_text()).substitute(audio=str(pcap))
    xml = tmp / f"hold_until_told-{peer}.xml"
    xml.write_text(text)
    args = ["sipp", f"127.0.0.1:{port}", "-sf", str(xml), "-i", "127.0.0.1", "-p", str(peer),
            "-mi", "127.0.0.1", "-mp", str(peer + 2), "-m", "1", "-nostdin",
            "-timeout", "90s", "-timeout_error", "-cid_str", _held_call_id(peer)]  # fmt: skip
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True, cwd=tmp)


def _held_call_id(peer: int) -> str:
    return f"held-{peer}@127.0.0.1"  # sipp's -cid_str: the one call's Call-ID, known to the test


def _hang_up(peer: int) -> None:
    """Tell a held sipp caller (on port `peer`) to hang up: an OPTIONS inside its dialog."""
    call_id = _held_call_id(peer)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        here = s.getsockname()[1]
        s.sendto(
            (
                f"OPTIONS sip:sipp@127.0.0.1:{peer} SIP/2.0\r\n"
                f"Via: SIP/2.0/UDP 127.0.0.1:{here};branch=z9hG4bK-hangup-{peer}\r\n"
                "Max-Forwards: 70\r\n"
                "From: <sip:test@127.0.0.1>;tag=test\r\n"
                f"To: <sip:sipp@127.0.0.1:{peer}>\r\n"
                f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
            ).encode(),
            ("127.0.0.1", peer),
        )


def _wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout  # a safety net: the event comes in well under a second
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the call to start or the drain to begin")
        time.sleep(0.05)


def test_a_session_whose_playback_fails_hands_its_call_to_a_person(tmp_path: Path) -> None:
    """next_frame raising on the clock thread must not leave the caller in silence for good."""
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp)
    services = asyncio.run(build_services(settings, speech=False))
    asyncio.run(services.close())  # only its site pack and data directory are used below

    def factory(info, transport):  # type: ignore[no-untyped-def]
        return Recorder(info, transport, fail_on_play=True)

    with Harness(settings, factory, call_fault_handover(services)) as h:
        call = sipp("refer_unprompted", port, peer, tmp_path)  # accepts the operator REFER
        assert call.returncode == 0, call.output
        (record,) = h.wait_finished(1)
    assert record.outcome == "transferred"
    refer = next(m for m in call.messages.split("\n\n") if "REFER sip:" in m)
    assert "sip:2000@127.0.0.1" in refer, refer
    handoff_id = re.search(r"h-[0-9a-f]{16}", refer).group(0)  # type: ignore[union-attr]
    assert load_handoff(settings.data_dir, handoff_id)["reason"] == "fault:session"
