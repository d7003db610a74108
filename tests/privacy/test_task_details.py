"""A callback's reason and a refill's medication are PHI: on a box that records, the tasks table
holds only a reference into the encrypted store, and reading it back is an audited access
(issue 19, item 7)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select, text

from appliance.audit.log import default_origin
from appliance.audit.query import read_entries
from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.privacy.store import open_store, read_call_data
from appliance.sim.runner import run_scenario
from appliance.sim.scenario import load_scenario
from appliance.store.db import make_engine, open_database
from appliance.store.scheduling import Task

CALLBACK = """
name: callback-with-a-reason
caller_id: "+15550174410"
turns:
  - say: "Can someone call me back please?"
  - say: "John Whitfield, November twenty-first, nineteen fifty-seven."
  - say: "About my test results from last week."
  - say: "That's all, thanks."
expect:
  tools: [verify_identity, request_callback]
"""
REASON_WORDS = ("test results", "last week")


def test_callback_reasons_are_stored_encrypted_and_read_only_with_an_audit_entry(
    data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "callback.yaml"
    path.write_text(CALLBACK)
    scenario = load_scenario(path)
    settings = load_settings()

    async def go():  # type: ignore[no-untyped-def]
        store = open_store(settings.data_dir, database_url=settings.database_url)
        services = await build_services(settings, speech=False, store=store)
        try:
            return await run_scenario(scenario, services, "text"), store
        finally:
            await services.close()

    result, store = asyncio.run(go())
    assert result.passed, (result.failed, result.log.records)

    _, sessions = open_database(settings.database_url)
    with sessions() as db:
        task = db.scalars(select(Task).where(Task.kind == "callback")).one()
        details = task.details
        raw = " ".join(str(row) for row in db.execute(text("SELECT * FROM tasks")).all()).lower()
    assert set(details) == {"object_id"}, details
    assert not any(word in raw for word in REASON_WORDS), raw  # nothing of it in the clear

    entries: list[tuple[str, dict]] = []
    info = store.info(details["object_id"])
    read = list(
        read_call_data(
            store, str(info.call_id), reason="calling the patient back", actor="cli:nurse",
            audit=lambda kind, payload: entries.append((kind, payload)), object_ids=[info.id],
        )
    )  # fmt: skip
    stored = json.loads(read[0][1])
    assert "test results" in stored["reason"].lower()
    assert entries and entries[0][0] == "data-access" and entries[0][1]["data_classes"] == ["task-details"]
    audit = [r.entry for r in read_entries(make_engine(settings.database_url), default_origin())]
    assert not any(w in json.dumps(audit).lower() for w in REASON_WORDS)
