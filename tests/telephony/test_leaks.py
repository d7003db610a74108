"""200 short calls: threads, file descriptors and memory return to where they started."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from appliance.audio import silence
from tests.telephony.harness import Harness, Recorder, next_ports, sip_settings, sipp, tone, write_rtp_pcap

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _resources() -> tuple[int, int, float]:
    gc.collect()
    threads = len(os.listdir("/proc/self/task"))
    fds = len(os.listdir("/proc/self/fd"))
    rss_mb = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return threads, fds, rss_mb


def _settle(h: Harness, n: int) -> None:
    assert len(h.wait_finished(n)) >= n
    deadline = time.monotonic() + 30  # a safety net: a finished call lets go in milliseconds
    while h.server.bridges or (h.server.agent and h.server.agent.calls):
        assert time.monotonic() < deadline, "finished calls still hold their bridges"
        time.sleep(0.05)


def _returned(before: tuple[int, int, float]) -> tuple[int, int, float]:
    """Resources once threads and descriptors are back (or as they are after a 30 s net)."""
    deadline = time.monotonic() + 30
    while True:
        now = _resources()
        if (now[0] <= before[0] and now[1] <= before[1] + 2) or time.monotonic() > deadline:
            return now
        time.sleep(0.1)


def test_two_hundred_calls_leave_no_threads_descriptors_or_memory_behind(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    pcap = write_rtp_pcap(tmp_path / "hello.pcap", tone(8000, 440, 200) + silence(8000, 100))
    prompt = tone(8000, 660, 300)
    # Room above sipp's 3 calls at a time: a call sipp has ended may still be closing here, and
    # a 503 for the next one would be the machine's speed, not a leak.

    def calls(h: Harness, n: int, finished: int) -> None:
        """`n` short calls from sipp, three at a time; back once `finished` calls have ended here."""
        done = sipp("hold", port, peer, tmp_path, calls=n, audio=str(pcap), hold_ms="100",
                    extra=["-l", "3", "-r", "20"])  # fmt: skip
        assert done.returncode == 0, done.output[-3000:]
        _settle(h, finished)

    with Harness(sip_settings(port, rtp, max_calls=8), lambda i, t: Recorder(i, t, prompt=prompt)) as h:
        calls(h, 10, 10)  # warm-up
        threads0, fds0, rss0 = before = _resources()
        calls(h, 200, 210)
        threads1, fds1, rss1 = _returned(before)
        assert h.server.agent is not None
        assert h.server.agent.active_calls == 0 and not h.server.agent.calls and not h.server.bridges
        finished = h.server.finished
    assert len(finished) == 210
    assert all(r.outcome == "caller_hung_up" for r in finished)
    assert threads1 <= threads0
    assert fds1 <= fds0 + 2
    assert rss1 - rss0 < 25.0, f"RSS grew {rss1 - rss0:.1f} MB over 200 calls"
