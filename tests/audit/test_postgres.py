"""The same audit log on PostgreSQL: two boxes share one database, each with its own tree."""

from __future__ import annotations

from pathlib import Path

from appliance.audit import verify
from appliance.audit.bundle import export_bundle
from appliance.audit.log import AuditLog
from tests.audit.conftest import FakeClock, simulate_day
from tests.pg import postgres_url  # noqa: F401


def test_two_boxes_share_postgres_and_each_verifies(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    for box in ("wardline.box-a", "wardline.box-b"):
        clock = FakeClock()
        log = AuditLog.open(
            postgres_url, key_dir=tmp_path / box / "keys", origin=box, clock=clock, background=False
        )
        simulate_day(log, clock, calls=4, rotate_after=1)
        export_bundle(log.engine, log.keys, box, tmp_path / box / "bundle")
        log.close()
    sizes = {}
    for box in ("wardline.box-a", "wardline.box-b"):
        report = verify.verify_bundle(tmp_path / box / "bundle", tmp_path / box / "keys" / "trusted-keys.txt")
        assert report.exit_code == 0, report.failure
        assert report.origin == box
        sizes[box] = report.tree_size
    reopened = AuditLog.open(
        postgres_url, key_dir=tmp_path / "wardline.box-a" / "keys", origin="wardline.box-a", background=False
    )
    assert reopened.size == sizes["wardline.box-a"]
    reopened.close()
