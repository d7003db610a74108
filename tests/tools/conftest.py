"""A migrated, seeded Riverside database and a gateway over it with a fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from appliance.audit.events import audit_entry
from appliance.events import Event
from appliance.store.db import make_engine, open_database
from appliance.tools.base import TOOL_NAMES
from appliance.tools.gateway import ToolGateway
from appliance.tools.sitedata import Schedule, load_schedule, seed_demo
from tests.conftest import REPO

SITE = REPO / "policies" / "riverside"
CHICAGO = ZoneInfo("America/Chicago")
# Monday 23 November 2026, seven in the morning at the hospital.
MONDAY_7AM = datetime(2026, 11, 23, 7, 0, tzinfo=CHICAGO)
ALL = frozenset(TOOL_NAMES)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate and seed once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("template") / "wardline.db"
    engine, factory = open_database(f"sqlite:///{path}")
    seed_demo(factory, SITE)
    engine.dispose()  # the last close checkpoints the WAL into the file
    return path


@pytest.fixture
def session_factory(tmp_path: Path, seeded_template: Path) -> Iterator[sessionmaker[Session]]:
    path = tmp_path / "wardline.db"
    shutil.copy(seeded_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


@pytest.fixture
def schedule() -> Schedule:
    return load_schedule(SITE)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_7AM)


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def event(self, event: Event) -> None:
        self.events.append(event)

    @property
    def audit(self) -> list[tuple[str, dict[str, Any]]]:
        """What the call's audit sink would log of these events."""
        return [entry for e in self.events if (entry := audit_entry(e)) is not None]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_gateway(
    session_factory: sessionmaker[Session], schedule: Schedule, clock: Clock, recorder: Recorder
) -> Callable[..., ToolGateway]:
    def make(**kwargs: Any) -> ToolGateway:
        return ToolGateway(
            session_factory,
            schedule,
            now=clock,
            events=recorder.event,
            call_id="call-test",
            **kwargs,
        )

    return make


@pytest.fixture
def gateway(make_gateway: Callable[..., ToolGateway]) -> ToolGateway:
    return make_gateway()
