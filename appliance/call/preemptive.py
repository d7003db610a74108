"""Acting on partials: the dialog starts understanding the caller before the turn is final.

Each time the recognizer's stable partial transcript grows while the caller speaks (and the
agent is neither speaking nor thinking), the dialog's `understand_early` runs on it as its own
task: understanding, and the lookup with no side effect it leads to (finding slots, knowledge
retrieval). A newer partial replaces an older one. At the end of the turn the session hands the
last one to `DialogEngine.handle`, which keeps it only if the final words mean the same, and
otherwise understands the final afresh. Nothing is said, stored or done here: side-effecting
tools start only from `handle`, after the turn is final.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from appliance.dialog.engine import Prepared

Understand = Callable[[str], Awaitable[Prepared | None]]


class PartialUnderstanding:
    """The understanding of one turn's latest stable partial, in flight or done.

    One at a time: a partial that grows while the last one is still being understood (an LLM
    may take longer than the 300 ms between partials) waits, and only the newest waiting one
    starts when that finishes, so the engines never queue up work for words already outgrown."""

    def __init__(self, understand: Understand, *, enabled: bool = True) -> None:
        self._understand = understand
        self._enabled = enabled
        self._text = ""
        self._waiting = ""  # the newest partial heard while `_task` was still in flight
        self._task: asyncio.Task[Prepared | None] | None = None

    def heard(self, partial: str) -> None:
        """A new stable partial of the open turn (on the call's loop)."""
        if not self._enabled or not partial.strip() or partial in (self._text, self._waiting):
            return
        if self._task is not None and not self._task.done():
            self._waiting = partial
            return
        self._start(partial)

    @property
    def busy(self) -> bool:
        """Understanding a partial, or its read-only lookup, is still running: the lockstep clock
        waits for it like any other work, so the prepared result is the same on every run."""
        task = self._task
        if task is None:
            return False
        if not task.done():
            return True
        if task.cancelled() or task.exception() is not None:
            return False
        prepared = task.result()
        return prepared is not None and any(not lookup.done() for lookup in prepared.lookups.values())

    def take(self) -> asyncio.Task[Prepared | None] | None:
        """The turn is final: what was prepared for it, for `DialogEngine.handle` to judge."""
        task, self._task, self._text, self._waiting = self._task, None, "", ""
        return task

    def drop(self) -> None:
        """Forget what was prepared (a turn that was no turn, a key press, the call's end)."""
        task, self._task, self._text, self._waiting = self._task, None, "", ""
        _cancel(task)

    def _start(self, partial: str) -> None:
        _cancel(self._task)
        self._text, self._waiting = partial, ""
        task = asyncio.ensure_future(self._understand(partial))
        task.add_done_callback(self._finished)
        self._task = task

    def _finished(self, task: asyncio.Task[Prepared | None]) -> None:
        if task is self._task and self._waiting:
            self._start(self._waiting)  # the words grew meanwhile: this result is outgrown


def _cancel(task: asyncio.Task[Prepared | None] | None) -> None:
    if task is None:
        return
    task.cancel()
    task.add_done_callback(_discard)


def _discard(task: asyncio.Task[Prepared | None]) -> None:
    """A prepared result nobody will use: its lookups are cancelled (they only read)."""
    if task.cancelled() or task.exception() is not None:
        return
    prepared = task.result()
    if prepared is not None:
        prepared.discard()
