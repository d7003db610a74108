"""A worker's side of `wardline status`: its calls and counters, written as they change."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from appliance.config import Settings
from appliance.frontdoor.plan import CALLS_PER_WORKER
from appliance.worker_state import WorkerState, run_dir, write_state

INTERVAL_S = 0.5


def report_worker_state(server: Any, settings: Settings, index: int) -> asyncio.Task[None]:
    """From the worker's loop: write its WorkerState now and whenever it changes (the write is
    done off the loop). `server` is the running appliance.telephony.server.SipServer."""
    folder = run_dir(settings)

    def snapshot() -> WorkerState | None:
        agent = server.agent
        if agent is None:
            return None
        clock = agent.clock_scheduling
        return WorkerState(
            index=index,
            pid=os.getpid(),
            sip_port=settings.sip.port,
            ready=not agent.draining,
            active_calls=server.active_calls,
            capacity=min(settings.sip.max_calls, CALLS_PER_WORKER),
            accepted=agent.counters.accepted,
            refused=sum(agent.counters.refused.values()),
            refusing=agent.refusing or ("draining" if agent.draining else ""),
            finished=len(server.finished),
            frames_out=sum(c.frames_out for c in server.finished),
            late_frames=sum(c.late_frames for c in server.finished),
            clock_realtime=bool(clock and clock.realtime),
            clock=clock.describe() if clock is not None else "",
        )

    async def loop() -> None:
        running = asyncio.get_running_loop()
        last: WorkerState | None = None
        while True:
            state = snapshot()
            if state is None:
                return
            if state != last:
                await running.run_in_executor(None, write_state, folder, state)
                last = state
            await asyncio.sleep(INTERVAL_S)

    return asyncio.get_running_loop().create_task(loop(), name="wardline-worker-state")
