"""Real audio both ways through real SIP: a second pjsua2 process calls the agent.

The peer plays a caller utterance and records the agent; the agent plays its disclosure and
records the caller. The embedded recognizer (pocketsphinx) must find the disclosure's words in
the peer's recording, and the agent must have heard the caller speak.
"""

from __future__ import annotations

import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from appliance.audio import resample
from tests.conftest import REPO
from tests.fixtures.audio import silence, synthesize_caller
from tests.telephony.harness import Harness, Recorder, next_ports, sip_settings, write_wav

pytestmark = pytest.mark.timeout(120)

DISCLOSURE = "You are speaking with an automated assistant. This call is recorded."


def _agent_voice(text: str, rate: int) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", "--", text], capture_output=True, check=True
    )
    with wave.open(io.BytesIO(wav.stdout)) as w:
        return resample(w.readframes(w.getnframes()), w.getframerate(), rate)


def _read(path: Path, rate: int) -> bytes:
    with wave.open(str(path)) as w:
        return resample(w.readframes(w.getnframes()), w.getframerate(), rate)


def _similarity(recorded: bytes, prompt: bytes, rate: int) -> float:
    """Median over half-second pieces of the prompt of each piece's best normalised
    cross-correlation anywhere in the recording (1.0: every piece came through intact).

    Piecewise, so one late frame that shifts the rest of the recording does not count as damage.
    """
    x = np.frombuffer(recorded, dtype="<i2").astype(np.float64)
    y = np.frombuffer(prompt, dtype="<i2").astype(np.float64)
    piece = rate // 2
    scores = []
    for start in range(0, len(y) - piece + 1, piece):
        seg = y[start : start + piece]
        if np.linalg.norm(seg) < 1e-3 * piece:
            continue  # a pause in the prompt says nothing
        n = 1 << int(np.ceil(np.log2(len(x) + piece)))
        corr = np.fft.irfft(np.fft.rfft(x, n) * np.conj(np.fft.rfft(seg, n)), n)[: len(x) - piece + 1]
        energy = np.sqrt(np.convolve(x * x, np.ones(piece), "valid"))
        scores.append(float(np.max(corr / (energy * np.linalg.norm(seg) + 1e-9))))
    return float(np.median(scores)) if scores else 0.0


def _recognize(path: Path) -> str:
    from pocketsphinx import Decoder

    pcm = _read(path, 16000)
    decoder = Decoder(samprate=16000, logfn="/dev/null")
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    return decoder.hyp().hypstr if decoder.hyp() else ""


@pytest.mark.parametrize("sample_rate_hz", [8000, 16000])
def test_a_pjsua2_caller_hears_the_disclosure_and_is_heard(tmp_path: Path, sample_rate_hz: int) -> None:
    port, rtp, peer = next_ports()
    caller = silence(16000, 500) + synthesize_caller("I need to change my appointment", 16000)
    play = write_wav(tmp_path / "caller.wav", caller, 16000)
    record = tmp_path / "agent.wav"
    prompt = _agent_voice(DISCLOSURE, sample_rate_hz)
    settings = sip_settings(port, rtp).model_copy(
        update={"call": sip_settings(port, rtp).call.model_copy(update={"sample_rate_hz": sample_rate_hz})}
    )

    def factory(info, transport):  # type: ignore[no-untyped-def]
        return Recorder(info, transport, prompt=prompt)

    # The peer records the whole prompt plus room for a busy box to start playing it late.
    seconds = len(prompt) / (2 * sample_rate_hz) + 3.0
    with Harness(settings, factory) as h:
        done = subprocess.run(
            [sys.executable, "-m", "tests.telephony.peer_caller", f"sip:wardline@127.0.0.1:{port}",
             "--port", str(peer), "--play", str(play), "--record", str(record),
             "--seconds", f"{seconds:.1f}"],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        (rec,) = h.wait_finished(1)
    session = h.sessions[0]
    assert rec.codec == "G722"  # our first choice, although the peer offers speex and PCMU first
    assert session.info.sample_rate_hz == sample_rate_hz
    assert session.speech_frames() > 30  # the caller's 1.5 s utterance reached the agent
    # What the peer recorded is the agent's prompt, sample for sample (G.711/G.722 keep the
    # waveform), wherever in the recording it starts.
    assert _similarity(_read(record, sample_rate_hz), prompt, sample_rate_hz) > 0.8
    if sample_rate_hz == 16000:
        # The embedded recognizer's English model is wideband; over G.722 it must find the words.
        heard = _recognize(record).lower()
        assert "assistant" in heard or "recorded" in heard, heard
