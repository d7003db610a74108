"""Fixtures for the privacy tests: a data directory with a key-encryption key and a store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.privacy.kek import create_kek
from appliance.privacy.store import ObjectStore, open_store


class AuditRecorder:
    """Collects (type, payload) pairs: the injected audit callback, as the service would pass it."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, dict]] = []

    def __call__(self, entry_type: str, payload: dict) -> None:
        self.entries.append((entry_type, payload))


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def data_dir(_isolated_data_dir: Path) -> Path:
    create_kek(_isolated_data_dir)
    return _isolated_data_dir


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 1, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def store(data_dir: Path, clock: FakeClock) -> ObjectStore:
    return open_store(data_dir, clock=clock)


@pytest.fixture
def audit() -> AuditRecorder:
    return AuditRecorder()
