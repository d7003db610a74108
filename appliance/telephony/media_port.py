"""The conference ports that carry a call's frames between pjmedia's clock thread and the call's
FrameSwitch (appliance.telephony.bridge), and the pool that keeps them for the next call.
"""

from __future__ import annotations

import ctypes
import threading
from typing import Any

import pjsua2 as pj

from appliance.telephony.bridge import FrameSwitch
from appliance.telephony.realtime_clock import RealtimeClock
from appliance.telephony.threads import pj_callback


def vector_bytes(vec: Any) -> bytes:
    """The bytes of a pjsua2 ByteVector without iterating it element by element in Python.

    SWIG's iterator costs ~450 µs per 20 ms frame; this reads std::vector's data pointer (its
    first member in libstdc++) and copies once with ctypes (~8 µs).
    """
    n = len(vec)
    if not n:
        return b""
    data = ctypes.c_void_p.from_address(int(vec.this)).value
    return ctypes.string_at(data, n) if data else b""


def fill_vector(vec: Any, data: bytes) -> None:
    """Make a pjsua2 ByteVector hold `data`, in place: resize it, then one copy with ctypes.

    Building `pj.ByteVector(data)` converts the bytes one element at a time through SWIG
    (~13 µs for a 20 ms frame, then another copy on assignment); this takes ~7 µs.
    """
    vec.resize(len(data))
    if data:
        ctypes.memmove(ctypes.c_void_p.from_address(int(vec.this)).value, data, len(data))


_thread_state = threading.local()


def keep_thread_state() -> None:
    """Keep the calling pjmedia thread's Python thread state for the rest of its life.

    SWIG enters every director callback with PyGILState_Ensure and leaves with
    PyGILState_Release. On a thread Python did not create, that pair builds a new thread state
    and frees it again every time, and in CPython 3.11 each new state's first frame maps a
    fresh 16 KiB data stack (mmap, then munmap): two syscalls and page faults per callback, two
    callbacks per call every 20 ms on the clock thread. One unmatched PyGILState_Ensure leaves
    the counter above zero, so SWIG's Release only lets go of the GIL and the state stays.
    Called with the GIL held (inside a callback), where Ensure takes no lock.
    """
    if not getattr(_thread_state, "kept", False):
        ctypes.pythonapi.PyGILState_Ensure()
        _thread_state.kept = True


class MediaPort(pj.AudioMediaPort):
    """A conference port whose frames come from and go to a FrameSwitch (clock thread).

    Ports are pooled and reused, never destroyed while the library runs: pjsip 2.15's
    conference bridge removes ports asynchronously (on its clock thread, at the next tick), so
    freeing an AudioMediaPort after removing it is a use-after-free (pjproject #3928, #4200).
    Between calls a port has no switch and plays silence to nobody.
    """

    def __init__(self, sample_rate_hz: int, name: str, clock: RealtimeClock | None = None) -> None:
        super().__init__()
        self.switch: FrameSwitch | None = None
        self.clock = clock
        self.switch_rate = sample_rate_hz
        self.silence = b"\x00" * (sample_rate_hz // 50 * 2)
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = sample_rate_hz
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        self.createPort(name, fmt)

    @pj_callback
    def onFrameRequested(self, frame: pj.MediaFrame) -> None:
        keep_thread_state()
        if self.clock is not None:
            self.clock.on_clock_thread()
        switch = self.switch
        data = switch.pull() if switch is not None else self.silence
        frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
        fill_vector(frame.buf, data)  # frame.buf is the C++ frame's own vector, not a copy
        frame.size = len(data)

    @pj_callback
    def onFrameReceived(self, frame: pj.MediaFrame) -> None:
        switch = self.switch
        if switch is None:
            return
        if frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO and frame.size:
            switch.push(vector_bytes(frame.buf))
        else:  # no audio this tick (jitter buffer empty): keep the session's clock running
            switch.push(b"")


class PortPool:
    """Media ports between calls, by sample rate (SIP thread only; see MediaPort for why a port
    is reused and never freed while the library runs)."""

    def __init__(self, clock: RealtimeClock | None = None) -> None:
        self._idle: dict[int, list[MediaPort]] = {}  # sample rate -> ports between calls
        self._count = 0
        self._clock = clock  # the clock thread asks for real-time scheduling on its first tick

    def take(self, rate: int) -> MediaPort:
        idle = self._idle.setdefault(rate, [])
        if idle:
            return idle.pop()
        self._count += 1
        return MediaPort(rate, f"wardline-{rate // 1000}k-{self._count}", self._clock)

    def give_back(self, port: MediaPort) -> None:
        if port.switch is not None:
            port.switch.close()
        port.switch = None
        # The call's stream has left the bridge with its connections; the port waits idle.
        self._idle.setdefault(port.switch_rate, []).append(port)

    def disown_all(self) -> None:
        """At teardown, before libDestroy: the library deletes its ports itself."""
        for ports in self._idle.values():
            for port in ports:
                port.__disown__()
        self._idle.clear()
