"""The scheduling schema, the site's scheduling files, and seeding the demo patients."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from appliance.store.db import make_engine, migrate, open_database
from appliance.store.scheduling import Appointment, Guardian, Patient, Provider
from appliance.tools.sitedata import SiteDataError, load_demo_patients, load_schedule, seed_demo
from tests.conftest import REPO

SITE = REPO / "policies" / "riverside"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    for name in ("schedule.yaml", "demo-patients.yaml"):
        shutil.copy(SITE / name, site / name)
    return site


def test_migrations_create_the_scheduling_tables_on_a_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    migrate(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"calls", "patients", "guardians", "providers", "appointments", "tasks"} <= tables
    with engine.connect() as conn:
        heads = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert "sched_0001" in heads
    migrate(url)  # a second upgrade changes nothing
    engine.dispose()


def test_seeding_is_idempotent(tmp_path: Path) -> None:
    engine, factory = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    first = seed_demo(factory, SITE)
    second = seed_demo(factory, SITE)
    assert first == {"providers": 4, "patients": 6, "guardians": 1}
    assert second == {"providers": 0, "patients": 0, "guardians": 0}
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 6
        assert s.scalar(select(func.count()).select_from(Provider)) == 4
        emily = s.scalar(select(Patient).where(Patient.mrn == "RCH-121566"))
        assert emily is not None and emily.is_minor
        assert s.scalars(select(Guardian.name).where(Guardian.patient_id == emily.id)).all() == [
            "Karen Novak"
        ]
        patel = s.get(Provider, "patel")
        assert patel is not None and (patel.days, patel.slot_minutes) == ("mon,tue,thu", 20)
    engine.dispose()


def test_the_database_refuses_a_double_booking(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    engine, factory = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    seed_demo(factory, SITE)
    start = datetime(2026, 11, 24, 15, 20, tzinfo=UTC)
    with factory() as s:
        ids = s.scalars(select(Patient.id).limit(2)).all()
    for i, patient_id in enumerate(ids):
        with factory() as s:
            s.add(
                Appointment(
                    patient_id=patient_id,
                    provider_id="patel",
                    start_at=start,
                    end_at=start + timedelta(minutes=20),
                    status="booked",
                )
            )
            if i == 0:
                s.commit()
            else:
                with pytest.raises(IntegrityError):
                    s.commit()
    engine.dispose()


def test_site_files_load() -> None:
    schedule = load_schedule(SITE)
    assert schedule.time_zone == "America/Chicago"
    assert [(s.start.hour, s.end.hour) for s in schedule.sessions("mon")] == [(8, 12), (13, 17)]
    assert [(s.start.hour, s.end.hour) for s in schedule.sessions("sat")] == [(9, 12)]
    assert schedule.sessions("sun") == ()
    assert schedule.referral_for("Cardiology").suggest == "Family Medicine"
    assert (schedule.late_cancellation.hours, schedule.late_cancellation.fee_dollars) == (24, 25)
    assert len(load_demo_patients(SITE).patients) == 6


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        (
            "    slot_minutes: 30\n  - id: alvarez",
            "    slot_minutes: half an hour\n  - id: alvarez",
            24,
            "slot_minutes",
        ),
        ("    days: [thu, fri]", "    days: [thu, fryday]", 33, "days"),
        ('  sat: ["09:00-12:00"]', '  sat: ["09:00-noon"]', 12, "HH:MM-HH:MM"),
        ("time_zone: America/Chicago", "time_zone: America/Riverside", 3, "time zone"),
        ("    suggest: Family Medicine", "    suggest: Dermatology", 39, "Dermatology"),
        ("  fee_dollars: 25", "  fee_dollars: 25\n  waived: true", 45, "waived"),
        ("providers:\n", "providers:\n  - [unclosed\n", 16, "not valid YAML"),
    ],
)
def test_a_bad_schedule_names_file_and_line(
    site_copy: Path, old: str, new: str, line: int, words: str
) -> None:
    path = site_copy / "schedule.yaml"
    original = path.read_text()
    assert old in original
    path.write_text(original.replace(old, new, 1))
    with pytest.raises(SiteDataError) as err:
        load_schedule(site_copy)
    message = str(err.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert words in message


def test_a_bad_patient_file_names_file_and_line(site_copy: Path) -> None:
    path = site_copy / "demo-patients.yaml"
    path.write_text(path.read_text().replace("date_of_birth: 1992-07-14", "date_of_birth: July 1992"))
    with pytest.raises(SiteDataError, match=r"demo-patients\.yaml:12: patients\.2\.date_of_birth"):
        load_demo_patients(site_copy)


def test_a_bad_file_seeds_nothing(tmp_path: Path, site_copy: Path) -> None:
    engine, factory = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    path = site_copy / "demo-patients.yaml"
    path.write_text(
        path.read_text()
        .replace("    minor: true\n", "    minor: true\n    guardians: []\n", 1)
        .replace("    guardians:\n      - name: Karen Novak\n        relationship: parent\n", "")
    )
    with pytest.raises(SiteDataError, match="guardian"):
        seed_demo(factory, site_copy)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Patient)) == 0
    engine.dispose()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SiteDataError, match=r"schedule\.yaml: file not found"):
        load_schedule(tmp_path)
