"""A live site keeps the pack's fictional demo patients out of its store, and scripted calls
(`wardline simulate`, `wardline demo`) never touch its schedule or its audit log."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from appliance.call.services import build_services
from appliance.cli.main import app
from appliance.config import load_settings
from appliance.store.scheduling import Patient, Provider
from tests.conftest import SCENARIOS


@pytest.fixture
def live_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "wardline.toml"
    config.write_text("[site]\ndemo_patients = false\n")
    monkeypatch.setenv("WARDLINE_CONFIG", str(config))
    return config


def counts(settings) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async def build():  # type: ignore[no-untyped-def]
        services = await build_services(settings, speech=False, audit=False)
        try:
            with services.sessions() as session:
                return (
                    session.scalar(select(func.count()).select_from(Patient)),
                    session.scalar(select(func.count()).select_from(Provider)),
                )
        finally:
            await services.close()

    return asyncio.run(build())


def test_a_live_site_gets_its_providers_but_no_demo_patients(live_site: Path) -> None:
    patients, providers = counts(load_settings())
    assert patients == 0
    assert providers > 0


def test_a_checkout_is_a_demo_with_the_packs_patients() -> None:
    patients, _ = counts(load_settings())
    assert patients == 6


def test_scripted_calls_on_a_live_site_run_in_scratch_data(live_site: Path, _isolated_data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", str(SCENARIOS / "book-family-medicine.yaml")])
    assert result.exit_code == 0, result.output  # Maria Gonzalez was found and booked…
    assert "PASS" in result.output
    patients, _ = counts(load_settings())
    assert patients == 0  # …but not in the site's own store
    db = _isolated_data_dir / "wardline.db"
    assert not db.exists() or "Gonzalez" not in db.read_bytes().decode("latin-1")
