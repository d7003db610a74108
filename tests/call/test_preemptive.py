"""PartialUnderstanding: one understanding in flight at a time, the newest partial next, and
what the final gets is the last one started (the real dialog engine understands)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from appliance.call.preemptive import PartialUnderstanding
from appliance.dialog.spoken import normalize
from tests.dialog.conftest import Call, knowledge, make_call, seeded_db, session_factory, site

__all__ = ["knowledge", "make_call", "seeded_db", "session_factory", "site"]  # the dialog's fixtures
BOOK = "I'd like to book an appointment"


def test_partials_that_grow_faster_than_understanding_wait_and_only_the_newest_runs(
    make_call: Callable[..., Call],
) -> None:
    engine = make_call().engine
    understood: list[str] = []

    async def understand(text: str):  # the engine's own, noting which partials reached it
        understood.append(text)
        await asyncio.sleep(0)  # still in flight when the next partials arrive
        return await engine.understand_early(text)

    async def run():
        partials = PartialUnderstanding(understand)
        for words in ("I'd like", "I'd like to book", "I'd like to book an", BOOK):
            partials.heard(words)
        for _ in range(20):
            await asyncio.sleep(0)
        task = partials.take()
        assert task is not None
        return await task

    prepared = asyncio.run(run())
    assert understood == ["I'd like", BOOK]
    assert prepared is not None and prepared.text == normalize(BOOK)
    assert [c.name for c in prepared.commands] == ["start_flow"]


def test_acting_on_partials_off_prepares_nothing(make_call: Callable[..., Call]) -> None:
    engine = make_call().engine

    async def run():
        partials = PartialUnderstanding(engine.understand_early, enabled=False)
        partials.heard(BOOK)
        return partials.take()

    assert asyncio.run(run()) is None
