"""`wardline doctor`: each check names the problem and the fix; a broken config is named by line."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli.main import app
from appliance.config import Settings
from appliance.service import doctor


def run_doctor(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(app, ["doctor", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def by_name(report: dict) -> dict[str, dict]:
    return {c["name"]: c for c in report["checks"]}


def test_broken_config_is_named_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text("[call]\nendpoint_ms = 260\nbarge_in_ms = = 3\n[speech]\n")
    monkeypatch.setenv("WARDLINE_CONFIG", str(config))
    code, report = run_doctor()
    assert code == 1
    check = by_name(report)["config"]
    assert check["status"] == "fail"
    assert str(config) in check["detail"] and "line 3" in check["detail"]
    assert len(report["checks"]) == 1 + len(doctor.CHECKS)  # the other checks still ran


def test_out_of_range_value_names_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "wardline.toml"
    config.write_text("# site\n[call]\nendpoint_ms = 5\n")
    monkeypatch.setenv("WARDLINE_CONFIG", str(config))
    _, report = run_doctor()
    assert by_name(report)["config"]["detail"].startswith(f"{config}:3: call.endpoint_ms")


def make_keys(data_dir: Path) -> Path:
    """Real keys, as `wardline keys init` and the first start make them."""
    from appliance.audit.log import default_origin
    from appliance.audit.signing import KeyStore
    from appliance.privacy.kek import create_kek

    keys = data_dir / "keys"
    keys.mkdir(parents=True, mode=0o700)
    create_kek(data_dir)
    store = KeyStore(keys, default_origin())
    store.signer()
    store.salt()
    return keys


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("audit-signing.key", b"garbage\n"),
        ("audit-signing.key", b"\xff\xfe\x00binary"),
        ("audit-salt", b"not hex at all\n"),
        ("kek", b"short"),
        ("trusted-keys.txt", b"nonsense line\n"),
    ],
)
def test_garbled_key_files_fail_naming_the_file_and_the_fix(
    tmp_path: Path, name: str, content: bytes
) -> None:
    keys = make_keys(tmp_path)
    (keys / name).write_bytes(content)
    check = doctor.check_keys(Settings(data_dir=tmp_path))
    assert check.status == "fail", check
    assert str(keys / name) in check.detail, check.detail
    assert "restore" in check.fix and "backup" in check.fix, check.fix


def test_keys_ok_when_private_files_are_0600(tmp_path: Path) -> None:
    make_keys(tmp_path)
    assert doctor.check_keys(Settings(data_dir=tmp_path)).status == "ok"


def test_world_readable_key_fails_with_the_fix(tmp_path: Path) -> None:
    keys = make_keys(tmp_path)
    (keys / "kek").chmod(0o644)
    check = doctor.check_keys(Settings(data_dir=tmp_path))
    assert check.status == "fail"
    assert "kek is mode 0644" in check.detail
    assert "chmod 0600" in check.fix


def test_missing_keys_fail(tmp_path: Path) -> None:
    keys = make_keys(tmp_path)
    (keys / "kek").unlink()
    check = doctor.check_keys(Settings(data_dir=tmp_path))
    assert check.status == "fail" and "kek" in check.detail
    assert doctor.check_keys(Settings(data_dir=tmp_path / "nowhere")).status == "fail"


def test_egress(tmp_path: Path) -> None:
    def egress(*nets: str) -> doctor.Check:
        return doctor.check_egress(Settings(data_dir=tmp_path, network={"site_networks": list(nets)}))

    assert egress("10.20.0.0/16", "192.168.5.0/24").status == "ok"
    assert egress().status == "warn"
    assert egress("8.8.8.0/24").status == "warn"
    assert egress("0.0.0.0/0").status == "fail"
    assert egress("10.0.0.0/33").status == "fail"


def test_sip_port_taken_by_another_process(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("0.0.0.0", 0))
        port = squatter.getsockname()[1]
        settings = Settings(data_dir=tmp_path)
        object.__setattr__(settings, "sip", type("Sip", (), {"port": port})())
        check = doctor.check_sip_port(settings)
    # wardline.service is not running here, so the port belongs to someone else
    assert check.status == "fail" and f"udp/{port}" in check.detail


def test_disk_and_clock_report_figures(tmp_path: Path) -> None:
    assert "GiB free" in doctor.check_disk(Settings(data_dir=tmp_path / "new")).detail
    assert doctor.clock_state() in {0, 1, 2, 3, 4, 5}
    assert doctor.check_clock(Settings(data_dir=tmp_path)).status in {"ok", "warn"}


def test_human_output_shows_every_check(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["doctor"], env={"COLUMNS": "200"})
    for name in ("config", "gpu", "cuda", "models", "keys", "sip", "disk", "clock", "egress", "audit", "tls"):
        assert name in result.stdout
    assert result.exit_code in (0, 1)
    assert os.environ["WARDLINE_DATA_DIR"] in result.stdout or "keys" in result.stdout


def test_tls_check_names_the_library_the_sip_stack_runs_on(tmp_path: Path) -> None:
    import ssl

    plain = doctor.check_sip_tls(Settings(data_dir=tmp_path))
    assert "OpenSSL" in plain.detail and ssl.OPENSSL_VERSION in plain.detail
    assert "front door" in plain.detail and plain.status == "ok"
    from appliance.telephony.tls_library import end_of_life, sip_tls_library

    library = sip_tls_library()
    assert library is None or library in plain.detail  # named, and said to carry no TLS
    tls = {"transports": ["udp", "tls"], "tls_cert": "/c", "tls_key": "/k"}
    unverified = doctor.check_sip_tls(Settings(data_dir=tmp_path, sip=tls))
    if Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so").exists():
        assert unverified.status == "warn" and "tls_ca_file" in unverified.fix
        verified = Settings(data_dir=tmp_path, sip=tls, frontdoor={"tls_ca_file": "/ca.pem"})
        assert doctor.check_sip_tls(verified).status == "ok"
    else:
        assert unverified.status == "fail" and "kamailio-tls-modules" in unverified.fix
    assert end_of_life("OpenSSL 1.0.2k-fips  26 Jan 2017") and not end_of_life("OpenSSL 3.0.19 27 Jan 2026")


def write_worker(settings: Settings, index: int, *, realtime: bool, clock: str) -> None:
    from appliance.worker_state import WorkerState, run_dir, write_state

    state = WorkerState(index, os.getpid(), 5160 + index, True, 0, 3, 0, 0)
    write_state(run_dir(settings), replace(state, clock_realtime=realtime, clock=clock))


def test_media_clock_warns_naming_the_worker_that_runs_without_real_time(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    write_worker(settings, 1, realtime=True, clock="real-time (SCHED_RR 5)")
    assert doctor.check_media_clock(settings) == doctor.Check(
        "media-clock", "ok", "1 worker(s): real-time (SCHED_RR 5)"
    )
    reason = "ordinary scheduling: not permitted: RLIMIT_RTPRIO is 0, below priority 5"
    write_worker(settings, 2, realtime=False, clock=reason)
    check = doctor.check_media_clock(settings)
    assert check.status == "warn"  # calls still work: a warning, not a failure
    assert "1 of 2 worker(s)" in check.detail and f"worker 2: {reason}" in check.detail
    assert "LimitRTPRIO=" in check.fix


def test_media_clock_turned_off_is_a_warning(tmp_path: Path) -> None:
    check = doctor.check_media_clock(Settings(data_dir=tmp_path, sip={"clock_priority": 0}))
    assert check.status == "warn" and "clock_priority = 0" in check.detail


def test_media_clock_without_workers_says_whether_this_process_may_run_it(tmp_path: Path) -> None:
    from appliance.telephony.realtime_clock import probe

    check = doctor.check_media_clock(Settings(data_dir=tmp_path))
    assert check.detail.startswith("no worker running")
    assert check.status == ("ok" if probe(5).realtime else "warn")
