"""Real-time scheduling for pjmedia's clock thread, as audio servers do, when the system allows it.

The clock thread asks for every call's outbound frame each 20 ms tick. With a few dozen worker
processes on a small box it waits behind ordinary threads (the calls' VAD on each event loop,
the recognizer, other processes) and frames go out late although the CPU is not saturated.
PipeWire and PulseAudio solve the same problem the same way: the one thread that keeps time runs
SCHED_RR at a modest priority, granted through RLIMIT_RTPRIO (the worker unit's LimitRTPRIO=),
so it preempts ordinary work for the fraction of a millisecond each tick takes. Only that
thread: the event loop and the engines stay ordinary, so a busy call cannot starve the box.

This is safe because the clock thread does little per tick: it moves bytes through each call's
FrameSwitch (a short lock, a deque, a non-blocking wake of the loop; appliance.telephony.bridge).
The kernel bounds a runaway real-time thread (sched_rt_runtime_us) and the unit's LimitRTTIME=
kills a worker whose clock thread would spin, and systemd restarts it.

When it is not permitted (no LimitRTPRIO=, RestrictRealtime=yes, a container) the clock runs as
before; the worker says so once in its log and in its state, and `wardline doctor` warns.
"""

from __future__ import annotations

import os
import resource
import threading
from collections.abc import Callable
from dataclasses import dataclass

POLICY = os.SCHED_RR
POLICY_NAME = "SCHED_RR"
UNIT_GRANT = "LimitRTPRIO= in wardline-worker@.service (the shipped unit grants it)"


@dataclass(frozen=True)
class ClockScheduling:
    """How a worker's media clock thread is scheduled (counts and names only: no call data)."""

    realtime: bool
    priority: int  # the real-time priority asked for (0: real-time scheduling is turned off)
    detail: str  # "SCHED_RR 5", or why the clock runs with ordinary scheduling

    def describe(self) -> str:
        return f"real-time ({self.detail})" if self.realtime else f"ordinary scheduling: {self.detail}"


def request_realtime(priority: int) -> ClockScheduling:
    """Make the calling thread SCHED_RR at `priority` if the system permits it; never raises.

    Linux applies sched_setscheduler with pid 0 to the calling thread only, not its process.
    """
    if priority <= 0:
        return ClockScheduling(False, 0, "turned off ([sip] clock_priority = 0)")
    try:
        os.sched_setscheduler(0, POLICY, os.sched_param(priority))
    except PermissionError:
        return ClockScheduling(False, priority, _refusal(priority))
    except OSError as exc:  # EINVAL: a priority the kernel does not have for this policy
        return ClockScheduling(False, priority, f"{POLICY_NAME} {priority} refused ({exc.strerror})")
    return ClockScheduling(True, priority, f"{POLICY_NAME} {priority}")


def _refusal(priority: int) -> str:
    soft, _ = resource.getrlimit(resource.RLIMIT_RTPRIO)
    if soft != resource.RLIM_INFINITY and soft < priority:
        return (
            f"not permitted: RLIMIT_RTPRIO is {soft}, below priority {priority}; grant it with {UNIT_GRANT}"
        )
    return (
        f"not permitted although RLIMIT_RTPRIO is {'unlimited' if soft == resource.RLIM_INFINITY else soft}: "
        "the service's RestrictRealtime= or the system (a container, a cgroup without a real-time "
        "budget) refuses it"
    )


def probe(priority: int) -> ClockScheduling:
    """Whether this process may run a thread at `priority`: asked on a throwaway thread, so no
    thread that keeps running changes. The worker's state and `wardline doctor` report it before
    the clock's first call."""
    result: list[ClockScheduling] = []
    thread = threading.Thread(target=lambda: result.append(request_realtime(priority)), name="rt-probe")
    thread.start()
    thread.join()
    return result[0]


class RealtimeClock:
    """One per worker process: the media clock thread asks, once, on its first tick.

    `on_result` is called on the clock thread with the outcome; it must not block (the endpoint
    posts it to the loop, which logs it).
    """

    def __init__(self, priority: int, on_result: Callable[[ClockScheduling], None] | None = None) -> None:
        self.priority = priority
        self.scheduling: ClockScheduling | None = None  # None until the clock has ticked for a call
        self.thread_id: int | None = None  # the clock thread's kernel id, once it has asked
        self._on_result = on_result
        self._asked = threading.local()

    def on_clock_thread(self) -> None:
        """Called from every clock tick (MediaPort.onFrameRequested): one attribute read after
        the first; the first asks the kernel."""
        if getattr(self._asked, "done", False):
            return
        self._asked.done = True
        self.thread_id = threading.get_native_id()
        self.scheduling = request_realtime(self.priority)
        if self._on_result is not None:
            self._on_result(self.scheduling)
