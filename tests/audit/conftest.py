"""Fixtures for the audit tests: a simulated day of calls on a fixed clock, exported as a bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.audit import verify
from appliance.audit.bundle import export_bundle
from appliance.audit.events import AuditSink
from appliance.audit.log import AuditLog
from appliance.events import (
    CallEnded,
    CallStarted,
    ConsentAnswered,
    DisclosurePlayed,
    IdentityChecked,
    RedFlagRaised,
    ToolCalled,
    TransferStarted,
)

ORIGIN = "wardline.test-box"


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Day:
    log: AuditLog
    url: str
    key_dir: Path
    bundle: Path
    checkpoints: list[str]


def open_log(tmp_path: Path, clock: Callable[[], datetime] | None = None, **options: object) -> AuditLog:
    return AuditLog.open(
        f"sqlite:///{tmp_path / 'wardline.db'}",
        key_dir=tmp_path / "keys",
        origin=ORIGIN,
        clock=clock or FakeClock(),
        background=False,
        **options,
    )


def simulate_day(
    log: AuditLog, clock: FakeClock, calls: int = 24, rotate_after: int | None = 12
) -> list[str]:
    """A clinic day: calls with disclosure, consent, identity, tools, some transfers and red flags."""
    sink = AuditSink(log)
    notes: list[str] = []
    log.append("policy-changed", "cli:ops", None, {"policy": "riverside", "version": "2026.03"})
    for n in range(calls):
        call = f"call-{n:04d}"
        t = 0.0
        for event in (
            CallStarted(call, t, transport="sip"),
            DisclosurePlayed(call, t + 4000),
            ConsentAnswered(call, t + 6500, recording=n % 5 != 0),
            IdentityChecked(call, t + 30000, verified=n % 4 != 0, attempt=1),
            ToolCalled(call, t + 41000, tool="find_slots", status="ok", latency_ms=182.5),
            ToolCalled(call, t + 52000, tool="book_slot", ok=n % 6 != 0, status="ok" if n % 6 else "failed"),
        ):
            sink(event)
            clock.advance(3)
        if n % 7 == 3:
            sink(RedFlagRaised(call, t + 60000, category="chest-pain"))
            sink(TransferStarted(call, t + 61000, to="nurse-line", reason="red-flag", handoff_id=f"h-{n}"))
        log.append("data-read", "operator:qa", call, {"what": "transcript", "why": "quality review"})
        sink(CallEnded(call, t + 90000, outcome="contained"))
        notes.append(log.checkpoint())
        clock.advance(600)
        if rotate_after is not None and n == rotate_after:
            log.rotate_key("cli:it-admin")
            notes.append(log.checkpoint())
    log.append("retention-deleted", "system:retention", None, {"what": "recordings", "count": 3})
    notes.append(log.checkpoint())
    return notes


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def day(tmp_path: Path, clock: FakeClock) -> Day:
    log = open_log(tmp_path, clock)
    notes = simulate_day(log, clock)
    bundle = tmp_path / "bundle"
    export_bundle(log.engine, log.keys, ORIGIN, bundle)
    return Day(log, f"sqlite:///{tmp_path / 'wardline.db'}", tmp_path / "keys", bundle, notes)


@pytest.fixture(scope="module")
def day_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One exported day, read once, for the mutation campaigns."""
    tmp = tmp_path_factory.mktemp("day")
    clock = FakeClock()
    log = open_log(tmp, clock)
    simulate_day(log, clock)
    export_bundle(log.engine, log.keys, ORIGIN, tmp / "bundle")
    log.close()
    return verify.read_bundle(tmp / "bundle")
