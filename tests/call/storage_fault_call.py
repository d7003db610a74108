"""One audio call whose data directory fails mid-call; run by test_fault_storage.py inside a
user and mount namespace, where `objects/` is a small tmpfs (it fills up) or a read-only one
(the recording, which starts after the disclosure, cannot be written).

Prints one JSON object: what the caller got, what the store holds, what the service says next.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from sqlalchemy import select

from appliance.call.services import build_services
from appliance.config import load_settings
from appliance.events import AgentSaid, CallEnded, CallFaulted, TransferStarted
from appliance.privacy.store import ObjectRow, open_store
from appliance.sim.audio import run_audio
from appliance.sim.scenario import load_scenario


async def main(scenario_path: str) -> dict:
    settings = load_settings()
    store = open_store(settings.data_dir, database_url=settings.database_url)
    services = await build_services(settings, store=store)
    objects = Path(settings.data_dir) / "objects"
    try:
        log = await asyncio.wait_for(run_audio(load_scenario(Path(scenario_path)), services), 150)
        problem = services.storage_problem()
    finally:
        await services.close()
    with store.sessions() as db:
        rows = db.scalars(select(ObjectRow)).all()
        incomplete = [r.id for r in rows if not r.complete and r.shredded_at is None]
        complete_ids = {r.id for r in rows if r.complete}
    files = {p.stem for p in objects.rglob("*.wlo")}
    faults = [e for e in log.events if isinstance(e, CallFaulted)]
    transfers = [e for e in log.events if isinstance(e, TransferStarted)]
    ended = [e for e in log.events if isinstance(e, CallEnded)]
    said = " ".join(e.text for e in log.events if isinstance(e, AgentSaid))
    return {
        "faults": [(f.stage, f.code) for f in faults],
        "transfer_to": transfers[0].to if transfers else None,
        "handoff_id": transfers[0].handoff_id if transfers else None,
        "ended": [(e.outcome, e.reason) for e in ended],
        "apologised": "something went wrong on my side" in said,
        "incomplete_rows": incomplete,
        "stray_files": sorted(files - complete_ids),
        "next_call": problem,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
