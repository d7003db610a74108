"""The media clock thread of a real call runs SCHED_RR when the system grants it (and no other
thread does); without the grant, or turned off, calls go on with ordinary scheduling and the
worker says why. The policy is read back from the kernel (/proc/self/task/TID/sched)."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from appliance.telephony.realtime_clock import probe
from tests.fixtures.audio import synthesize_caller
from tests.telephony.harness import Harness, Recorder, next_ports, sip_settings, sipp, write_rtp_pcap

pytestmark = pytest.mark.timeout(180)
REPO = Path(__file__).resolve().parents[2]
SCHED_OTHER, SCHED_RR = 0, 2


def kernel_policy(tid: int) -> int:
    """The scheduling policy the kernel holds for thread `tid` of this process."""
    found = re.search(r"^policy\s*:\s*(\d+)", Path(f"/proc/self/task/{tid}/sched").read_text(), re.M)
    assert found, f"no policy line for thread {tid}"
    return int(found.group(1))


def realtime_threads() -> set[int]:
    """This process's threads that are not SCHED_OTHER (one that ends while we look is skipped)."""
    found = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            if kernel_policy(int(task.name)) != SCHED_OTHER:
                found.add(int(task.name))
        except FileNotFoundError:
            continue
    return found


def place_call(h: Harness, port: int, peer: int, tmp_path: Path) -> None:
    speech = synthesize_caller("I would like to book an appointment please", 8000)
    pcap = write_rtp_pcap(tmp_path / "caller.pcap", speech)
    audio_ms = str(len(speech) // 16 + 200)
    result = sipp("call_rtp_dtmf", port, peer, tmp_path, audio=str(pcap), audio_ms=audio_ms)
    assert result.returncode == 0, result.output
    (record,) = h.wait_finished(1)
    assert record.outcome == "caller_hung_up" and record.frames_out > 0


@pytest.mark.skipif(not probe(5).realtime, reason="this system grants this process no real-time priority 5")
def test_the_media_clock_of_a_call_runs_sched_rr_and_no_other_thread_does(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    others_before = realtime_threads()
    with Harness(sip_settings(port, rtp), Recorder) as h:
        place_call(h, port, peer, tmp_path)
        agent = h.server.agent
        assert agent is not None
        tid = agent.clock.thread_id
        assert tid is not None and tid != threading.get_native_id()
        assert kernel_policy(tid) == SCHED_RR
        assert os.sched_getscheduler(tid) == os.SCHED_RR and os.sched_getparam(tid).sched_priority == 5
        assert agent.clock_scheduling is not None and agent.clock_scheduling.realtime
        assert agent.clock_scheduling.describe() == "real-time (SCHED_RR 5)"
        # the event loop, the SIP thread and pjmedia's other threads stay ordinary
        assert realtime_threads() - others_before == {tid}


def test_turned_off_the_media_clock_stays_ordinary_and_the_call_goes_on(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, clock_priority=0), Recorder) as h:
        place_call(h, port, peer, tmp_path)
        agent = h.server.agent
        assert agent is not None and agent.clock.thread_id is not None
        assert kernel_policy(agent.clock.thread_id) == SCHED_OTHER
        assert agent.clock_scheduling is not None and not agent.clock_scheduling.realtime
        assert "turned off" in agent.clock_scheduling.describe()


# Runs a call in a process that has no real-time grant, and prints what its worker reports.
WITHOUT_GRANT = """
import json, re, sys
from pathlib import Path
from tests.telephony.harness import Harness, Recorder, sip_settings
from tests.telephony.test_realtime_clock import place_call
port, rtp, peer, tmp = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
with Harness(sip_settings(port, rtp), Recorder) as h:
    place_call(h, port, peer, tmp)
    agent = h.server.agent
    sched = Path(f"/proc/self/task/{agent.clock.thread_id}/sched").read_text()
    policy = int(re.search(r"^policy\\s*:\\s*(\\d+)", sched, re.M).group(1))
    print("REPORT " + json.dumps({"realtime": agent.clock_scheduling.realtime,
                                  "said": agent.clock_scheduling.describe(), "policy": policy}))
"""


def without_grant() -> list[str]:
    """A command prefix and limits that take the real-time grant away: RLIMIT_RTPRIO 0 (set in
    the child) and, for root, no CAP_SYS_NICE (which would override the limit)."""
    if os.geteuid() != 0 or not probe(5).realtime:  # the limit alone, or nothing granted here anyway
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("root without setpriv: cannot take CAP_SYS_NICE away")
    return ["setpriv", "--bounding-set", "-sys_nice", "--inh-caps", "-sys_nice", "--"]


def no_rtprio() -> None:
    resource.setrlimit(resource.RLIMIT_RTPRIO, (0, 0))


def test_without_the_grant_a_call_is_answered_with_ordinary_scheduling_and_the_reason(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    done = subprocess.run(
        [*without_grant(), sys.executable, "-c", WITHOUT_GRANT, *map(str, (port, rtp, peer, tmp_path))],
        capture_output=True, text=True, timeout=150, cwd=REPO, preexec_fn=no_rtprio,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stdout[-2000:] + done.stderr[-2000:]
    report = json.loads(lines[0][7:])
    assert report["realtime"] is False and report["policy"] == SCHED_OTHER
    assert "not permitted: RLIMIT_RTPRIO is 0" in report["said"] and "LimitRTPRIO=" in report["said"]
    # the worker's log says so once, as a warning
    assert "the media clock will run with ordinary scheduling" in done.stderr
