"""The clock thread's hand-off of inbound audio to the loop: every call's frames arrive, in
order, when the calls of a process share one wake of the loop (appliance/telephony/bridge.py)."""

from __future__ import annotations

import asyncio
import threading

from appliance.telephony.bridge import INBOUND_QUEUE_FRAMES, FrameSwitch, InboundWake

CALLS = 3
TICKS = 200
BURST = 10  # ticks the clock runs ahead of the loop: well inside the switch's one-second queue


def _frame(call: int, tick: int) -> bytes:
    return bytes([call]) + tick.to_bytes(2, "big") + b"\x00" * 317


def test_each_call_gets_its_own_frames_in_order_through_one_shared_wake() -> None:
    async def scenario() -> tuple[list[list[bytes]], FrameSwitch]:
        loop = asyncio.get_running_loop()
        wake = InboundWake(loop)
        switches = [FrameSwitch(loop, 8000, wake) for _ in range(CALLS)]
        heard: list[list[bytes]] = [[] for _ in range(CALLS)]
        done = asyncio.Event()
        caught_up = threading.Condition()

        def sink_for(call: int):  # one per call
            def sink(frame: bytes) -> None:
                with caught_up:
                    heard[call].append(frame)
                    caught_up.notify_all()
                if all(len(h) == TICKS for h in heard):
                    done.set()

            return sink

        for call, switch in enumerate(switches):
            switch.connect(lambda: b"", sink_for(call))
        late = FrameSwitch(loop, 8000, wake)  # a call whose session is not connected yet

        def clock() -> None:  # as pjmedia's clock thread: each tick, every call in turn
            for tick in range(TICKS):
                if tick % BURST == 0:  # a real clock waits 20 ms a tick; this one waits for the loop
                    with caught_up:
                        caught_up.wait_for(lambda t=tick: all(len(h) >= t for h in heard), 60)
                for call, switch in enumerate(switches):
                    switch.push(_frame(call, tick))
                late.push(_frame(9, tick))

        thread = threading.Thread(target=clock)
        thread.start()
        await asyncio.wait_for(done.wait(), 60)
        thread.join(60)
        return heard, late

    heard, late = asyncio.run(scenario())
    for call in range(CALLS):
        assert heard[call] == [_frame(call, tick) for tick in range(TICKS)]
    # the unconnected call kept its last second of audio for its session, as a lone switch does
    got: list[bytes] = []
    late.connect(lambda: b"", got.append)
    assert got == [_frame(9, tick) for tick in range(TICKS - INBOUND_QUEUE_FRAMES, TICKS)]
