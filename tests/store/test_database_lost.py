"""The database file deleted under the running service (issue 19, item 3): detected, new calls
refused with 503, the journal and `wardline doctor` say what is wrong and what to do."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from appliance.config import load_settings
from appliance.pidfile import pid_file
from appliance.service import doctor
from appliance.store.db import open_database
from appliance.store.watch import DatabaseWatch
from tests.telephony.harness import Harness, Recorder, next_ports, raw_invite, sdp, sip_settings


def _db(settings) -> Path:  # type: ignore[no-untyped-def]
    open_database(settings.database_url)
    return Path(settings.data_dir) / "wardline.db"


def test_a_deleted_or_replaced_database_file_is_noticed():
    settings = load_settings()
    db = _db(settings)
    watch = DatabaseWatch(settings.database_url)
    assert watch.problem() == ""
    db.unlink()
    assert f"{db.resolve()}: the database was deleted" in watch.problem()
    db.write_bytes(b"")  # another file at the same path is not the database the service opened
    assert "was replaced" in watch.problem() and "fix: restore it" in watch.problem()


def test_the_sip_agent_refuses_new_calls_once_the_database_is_gone(tmp_path: Path):
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp)
    db = _db(settings)
    heard: list[str] = []
    with Harness(settings, Recorder) as h:

        async def watch() -> None:
            h.server.refuse_while(DatabaseWatch(settings.database_url).problem, heard.append, interval_s=0.1)

        h.run(watch())
        db.unlink()
        deadline = time.monotonic() + 10
        while not heard and time.monotonic() < deadline:
            time.sleep(0.05)
        refused = raw_invite(port, body=sdp(peer + 10), local_port=peer)
    assert refused.startswith("SIP/2.0 503"), refused[:200]
    assert heard and str(db.resolve()) in heard[0] and "fix:" in heard[0]


def test_doctor_finds_the_service_writing_to_a_deleted_database(tmp_path: Path):
    settings = load_settings()
    db = _db(settings)
    hold = f"import sqlite3, time; c = sqlite3.connect({str(db)!r}); c.execute('select 1'); "
    hold += "print('open', flush=True); time.sleep(60)"
    # stands in for the running service: it holds the file open
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        pid_file(settings).write_text(f"{holder.pid}\n")
        assert doctor.check_database(settings).status == "ok"
        db.unlink()
        check = doctor.check_database(settings)
    finally:
        holder.kill()
        holder.wait()
    assert check.status == "fail" and "deleted database file" in check.detail
    assert "restore wardline.db" in check.fix and "systemctl restart wardline" in check.fix
