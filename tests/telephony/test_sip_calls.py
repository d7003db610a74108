"""Real calls from sipp over loopback: audio, DTMF, BYE, REFER, CANCEL, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.audio import synthesize_caller
from tests.telephony.harness import Harness, Recorder, next_ports, sip_settings, sipp, write_rtp_pcap

pytestmark = pytest.mark.timeout(120)


def _caller_pcap(tmp_path: Path) -> tuple[Path, int]:
    speech = synthesize_caller("I would like to book an appointment please", 8000)
    return write_rtp_pcap(tmp_path / "caller.pcap", speech), len(speech) // 16


def test_a_call_carries_caller_audio_and_dtmf_then_ends_on_bye(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    pcap, audio_ms = _caller_pcap(tmp_path)
    with Harness(sip_settings(port, rtp), Recorder) as h:
        result = sipp("call_rtp_dtmf", port, peer, tmp_path, audio=str(pcap), audio_ms=str(audio_ms + 200))
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
    session = h.sessions[0]
    assert record.outcome == "caller_hung_up"
    assert record.codec == "PCMU"
    assert session.digits == "12"
    # The caller spoke for audio_ms: most of those frames arrive with speech energy.
    assert session.speech_frames() > 0.5 * audio_ms / 20
    assert record.frames_out >= audio_ms / 20


def test_refer_accepted_carries_the_handoff_id_and_ends_our_leg(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp), Recorder) as h:
        result = sipp("refer_accept", port, peer, tmp_path)
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
    assert h.sessions[0].transfers == [("200", True)]
    assert record.outcome == "transferred"
    refer = next(m for m in result.messages.split("\n\n") if "REFER sip:" in m)
    # The id rides in the Refer-To URI (RFC 3515 §2.1), so the transferee's INVITE carries it.
    assert "Refer-To: <sip:200@127.0.0.1?X-Wardline-Handoff=h-test>" in refer
    assert "X-Wardline-Handoff: h-test" in refer


def test_refer_rejected_falls_back_to_the_operator_without_silence(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp), Recorder) as h:
        result = sipp("refer_reject", port, peer, tmp_path)
        assert result.returncode == 0, result.output
        (record,) = h.wait_finished(1)
    session = h.sessions[0]
    assert session.transfers == [("200", False), ("0", True)]
    assert session.played_frames >= 20  # the apology played between the two REFERs
    assert record.outcome == "transferred"


def test_invite_from_outside_the_allowlist_gets_403_and_a_security_entry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp, allow=["127.0.0.1/32"])
    with caplog.at_level("WARNING", logger="appliance.security"), Harness(settings, Recorder) as h:
        result = sipp("refused", port, peer, tmp_path, local_ip="127.0.0.2", code="403")
        assert result.returncode == 0, result.output
        assert h.server.agent is not None and h.server.agent.counters.refused == {403: 1}
    assert h.sessions == []
    assert any("127.0.0.2" in r.getMessage() and "403" in r.getMessage() for r in caplog.records)


def test_cancel_while_ringing_ends_the_call_before_any_session(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, ring_ms=3000), Recorder) as h:
        result = sipp("cancel", port, peer, tmp_path)
        assert result.returncode == 0, result.output
        assert h.server.agent is not None
        assert h.server.agent.active_calls == 0
    assert h.sessions == []
