"""An auditor ties each tool call in the audit log to the record it touched, by reference only.

A booking call runs through the production services (text mode); the audit log's tool entries
carry the patient and appointment references (PHI-free ids), under the one entry name."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from appliance.audit.log import default_origin
from appliance.audit.query import read_entries
from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario
from appliance.store.db import make_engine
from appliance.store.scheduling import Appointment
from tests.conftest import SCENARIOS

NAMES_AND_DATES = ("Maria", "Gonzalez", "1980", "5550132291")


def test_a_booking_call_logs_tool_calls_with_their_record_references() -> None:
    settings = load_settings()

    async def call() -> None:
        services = await build_services(settings, speech=False, audit=True)
        try:
            scenario = load_scenario(SCENARIOS / "book-family-medicine.yaml")
            result = await run_scenario(scenario, services, "text")
            assert result.log.outcome == "contained"
        finally:
            await services.close()

    asyncio.run(call())
    engine = make_engine(settings.database_url)
    entries = [r.entry for r in read_entries(engine, default_origin()) if r.entry]
    assert "tool_call" not in {e["type"] for e in entries}  # one entry name for a tool call
    tools = {e["payload"]["tool"]: e["payload"] for e in entries if e["type"] == "tool-call"}
    assert set(tools) >= {"verify_identity", "book_appointment"}
    booked = tools["book_appointment"]["refs"]
    assert tools["verify_identity"]["refs"]["patient_ref"] == booked["patient_ref"]
    with engine.connect() as db:
        row = db.execute(select(Appointment).where(Appointment.id == booked["appointment_id"])).one()
    assert row.patient_id == booked["patient_ref"]  # the very record the call created
    logged = repr(entries)
    assert not [w for w in NAMES_AND_DATES if w in logged]
