"""The action gateway: the one door through which the dialog acts on the hospital's systems.

`ToolGateway.call(tool, args, allowed=...)` refuses any tool outside `allowed` (it never runs),
validates the arguments, and runs the tool in a worker thread (the loop's default executor, as
`asyncio.to_thread` does), so the blocking SQLAlchemy work never touches the event loop. Each
call is one database transaction: it commits only when the tool's result is ok, else rolls back.

Timeouts and cancellation (the caller barged in) never leave half a side effect. The awaiting
coroutine can stop waiting at any moment, but the worker thread finishes on its own: it checks
a shared `_Attempt` just before committing. If the waiter has already given up, the thread rolls
back; if the thread has already started to commit, the commit stands and the waiter reports it.
Either way the ToolCalled event (the audit log's tool entry, see audit/events.py) states what
really happened: "cancelled" or "timeout" at once when the rollback is certain, else the
committed result once the thread is done (from a done-callback on the event loop). Events are
always emitted on the event loop's thread, never from the worker.

Events carry no PHI: tool name, status, latency and opaque references (`patient_ref`,
`appointment_id`, `task_id`) only; the call's audit sink logs them, so an auditor can tie a tool
call to the record it touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from appliance.events import EventSink, ToolCalled
from appliance.tools.base import TOOL_NAMES, ToolResult
from appliance.tools.context import Seal, ToolContext
from appliance.tools.scheduling import TOOLS
from appliance.tools.sitedata import Schedule

# Data keys that are opaque references, fit for the audit log.
REF_KEYS = ("patient_ref", "appointment_id", "previous_appointment_id", "task_id")

_APPROVED = re.compile(r"approved", re.IGNORECASE)
_SORRY = "I'm sorry, I couldn't complete that just now."
_MISSING = "I'm missing some details for that."


class _Attempt:
    """The commit-or-abandon decision shared by the worker thread and the waiting coroutine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._abandoned = False
        self._committing = False
        self.wake = threading.Event()  # set on abandon: cuts an injected delay short

    def begin_commit(self) -> bool:
        """Called by the worker: True means commit; False means the waiter gave up, roll back."""
        with self._lock:
            if self._abandoned:
                return False
            self._committing = True
            return True

    def abandon(self) -> bool:
        """Called by the waiter: True means the worker will roll back; False means it commits."""
        with self._lock:
            if self._committing:
                return False
            self._abandoned = True
            self.wake.set()
            return True


class ToolGateway:
    """Runs the site's tools for one call (or a test), behind an allowlist.

    session_factory: SQLAlchemy sessionmaker of a migrated, seeded database.
    schedule: the site's validated schedule (`appliance.tools.sitedata.load_schedule`).
    now: the current time as an aware datetime (tests inject a fixed clock).
    events: where ToolCalled events go (the call's sinks: audit log, figures); call_id and t_ms
        (call clock, milliseconds) stamp them.
    timeout_s: how long a caller waits for a tool before it reports status "timeout".
    latency_s: extra seconds per tool, spent inside the open transaction (tests and benchmarks).
    """

    def __init__(
        self,
        session_factory: Callable[[], Session],
        schedule: Schedule,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        events: EventSink | None = None,
        call_id: str = "",
        t_ms: Callable[[], float] | None = None,
        timeout_s: float = 5.0,
        latency_s: Mapping[str, float] | None = None,
        seal: Seal | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._seal = seal
        self._schedule = schedule
        self._now = now
        self._events = events
        self._call_id = call_id
        start = time.monotonic()
        self._t_ms = t_ms or (lambda: (time.monotonic() - start) * 1000.0)
        self._timeout_s = timeout_s
        self._latency_s = dict(latency_s or {})

    async def call(self, tool: str, args: Mapping[str, Any], *, allowed: Collection[str]) -> ToolResult:
        """Run `tool` if it is in `allowed`; never raises for tool failures (status says).

        Cancellation passes through untouched; the side effect still completes or rolls back whole.
        """
        started = time.monotonic()
        if tool not in allowed or tool not in TOOL_NAMES:
            return self._finish(ToolResult(tool, False, "refused", message=_SORRY), started)
        spec = TOOLS[tool]
        try:
            parsed = spec.args.model_validate(dict(args))
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) or "args" for e in exc.errors()})
            return self._finish(ToolResult(tool, False, "invalid", {"fields": fields}, _MISSING), started)
        attempt = _Attempt()
        now = self._now()
        if now.tzinfo is None:
            now = now.replace(tzinfo=self._schedule.zone)  # a naive clock reads the site's wall time
        ctx = ToolContext(schedule=self._schedule, now=now, seal=self._seal)
        # What asyncio.to_thread does, but as a plain Future: asyncio.run's shutdown cancels
        # leftover tasks, and the outcome of a commit in flight must never be lost that way.
        loop = asyncio.get_running_loop()
        worker = loop.run_in_executor(
            None, contextvars.copy_context().run, self._run, tool, parsed, ctx, attempt
        )
        try:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns the result when a
            # cancel (a barge-in) lands just as the worker finishes, swallowing the cancellation.
            async with asyncio.timeout(self._timeout_s):
                result = await asyncio.shield(worker)
        except TimeoutError:
            if attempt.abandon():
                worker.add_done_callback(_consume)
                return self._finish(ToolResult(tool, False, "timeout", message=_SORRY), started)
            result = await worker  # already committing: report what really happened
        except asyncio.CancelledError:
            if attempt.abandon():
                # The worker will roll back: the record can say so now.
                worker.add_done_callback(_consume)
                self._record(tool, "cancelled", False, started, {})
            else:
                worker.add_done_callback(lambda w: self._finish_late(w, tool, started))
            raise
        return self._finish(result, started)

    def side_effect_free(self, tool: str) -> bool:
        """`tool` only reads (declared on its ToolSpec), so it may run before the turn is final."""
        spec = TOOLS.get(tool)
        return spec is not None and spec.side_effect_free

    def _run(self, tool: str, args: Any, ctx: ToolContext, attempt: _Attempt) -> ToolResult:
        """Worker thread: one session, one transaction, commit only if ok and still wanted."""
        with self._session_factory() as session:
            try:
                result = TOOLS[tool].run(session, args, ctx)
                delay = self._latency_s.get(tool, 0.0)
                if delay > 0:
                    attempt.wake.wait(delay)
                if result.ok and attempt.begin_commit():
                    session.commit()
                else:
                    session.rollback()
                return result
            except Exception:
                session.rollback()
                return ToolResult(tool, False, "failed", message=_SORRY)

    def _finish(self, result: ToolResult, started: float) -> ToolResult:
        if _APPROVED.search(result.message):
            # The site's rule: the agent never says a refill (or anything) is approved, even when
            # the word arrives inside something the caller said and a tool repeats it.
            message = _APPROVED.sub("received", result.message)
            result = ToolResult(result.tool, result.ok, result.status, result.data, message)
        self._record(result.tool, result.status, result.ok, started, result.data)
        return result

    def _finish_late(self, worker: asyncio.Future[ToolResult], tool: str, started: float) -> None:
        if worker.cancelled() or worker.exception() is not None:
            self._record(tool, "failed", False, started, {})
            return
        result = worker.result()
        self._record(tool, result.status, result.ok, started, result.data)

    def _record(self, tool: str, status: str, ok: bool, started: float, data: Mapping[str, Any]) -> None:
        latency_ms = round((time.monotonic() - started) * 1000.0, 3)
        if self._events is not None:
            self._events(
                ToolCalled(
                    call_id=self._call_id,
                    t_ms=self._t_ms(),
                    tool=tool,
                    ok=ok,
                    status=status,
                    latency_ms=latency_ms,
                    refs={k: str(data[k]) for k in REF_KEYS if data.get(k)},
                )
            )


def _consume(worker: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned worker's outcome so asyncio never warns that it went unread."""
    with contextlib.suppress(BaseException):
        worker.result()
