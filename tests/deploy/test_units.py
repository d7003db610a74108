"""The shipped unit files, configuration and maintainer scripts (fast; no package build)."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from appliance.config import load_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = DEPLOY / "systemd"
MAX_EXPOSURE = 2.0


def unit(name: str) -> dict[str, list[str]]:
    """Directive -> every value it is given (units repeat keys, configparser would not)."""
    values: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def exposure(name: str) -> float:
    out = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(UNITS / name)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", out.stdout + out.stderr)
    assert found, out.stdout + out.stderr
    return float(found.group(1))


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize(
    "name",
    [
        "wardline-frontdoor.service",
        "wardline-worker@.service",
        "wardline-engines.service",
        "wardline-llm.service",
        "wardline-retention.service",
    ],
)
def test_exposure_is_at_most_2(name: str) -> None:
    assert exposure(name) <= MAX_EXPOSURE


def test_service_is_notify_with_watchdog_and_reload() -> None:
    u = unit("wardline-worker@.service")
    assert u["Type"] == ["notify"]
    assert u["WatchdogSec"] == ["30s"]
    assert u["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert u["User"] == ["wardline"]


@pytest.mark.parametrize("name", ["wardline-frontdoor.service", "wardline-worker@.service"])
def test_service_hardening_named_in_the_issue(name: str) -> None:
    u = unit(name)
    assert u["ProtectSystem"] == ["strict"]
    assert u["ReadWritePaths"] == ["/var/lib/wardline"]
    assert u["PrivateTmp"] == ["yes"] and u["NoNewPrivileges"] == ["yes"]
    assert u["CapabilityBoundingSet"] == [""]  # SIP on 5060 needs no CAP_NET_BIND_SERVICE
    assert u["IPAddressDeny"] == ["any"] and u["IPAddressAllow"] == ["localhost"]
    assert "@system-service" in u["SystemCallFilter"]
    if name == "wardline-worker@.service":  # the engines run in the workers
        assert {"char-nvidia-frontend rw", "char-nvidia-uvm rw"} <= set(u["DeviceAllow"])
    assert "AF_PACKET" not in u["RestrictAddressFamilies"][0]


def test_only_the_worker_may_run_real_time_and_its_grant_covers_the_media_clock() -> None:
    worker = unit("wardline-worker@.service")
    # the media clock thread asks for SCHED_RR at [sip] clock_priority: the grant must reach it
    assert worker["RestrictRealtime"] == ["no"]
    assert int(worker["LimitRTPRIO"][0]) >= load_settings().sip.clock_priority > 0
    assert worker["LimitRTTIME"] == ["200ms"]  # a real-time thread that never sleeps ends the worker
    assert worker["CapabilityBoundingSet"] == [""]  # granted by the limit, not by CAP_SYS_NICE
    for name in ("wardline-frontdoor.service", "wardline-engines.service", "wardline-llm.service",
                 "wardline-retention.service"):  # fmt: skip
        u = unit(name)
        assert u["RestrictRealtime"] == ["yes"], name
        assert "LimitRTPRIO" not in u, name


def test_the_target_starts_the_front_door_and_its_workers_restart() -> None:
    target = unit("wardline.target")
    assert target["Wants"] == ["wardline-frontdoor.service"]
    assert target["WantedBy"] == ["multi-user.target"]
    door, worker = unit("wardline-frontdoor.service"), unit("wardline-worker@.service")
    assert door["ExecStartPre"] == ["/opt/venvs/wardline/bin/wardline frontdoor prepare"]
    assert door["ExecStart"] == ["/opt/venvs/wardline/bin/wardline frontdoor run"]
    assert worker["ExecStart"] == ["/opt/venvs/wardline/bin/wardline worker %i"]
    for u in (door, worker):
        assert u["PartOf"] == ["wardline.target"] and u["Restart"] == ["always"]
    assert "wardline-frontdoor.service" in worker["After"][0]  # migrations run once, before any worker


def test_the_engine_process_is_restarted_needs_no_network_and_workers_start_after_it() -> None:
    engines, worker = unit("wardline-engines.service"), unit("wardline-worker@.service")
    assert engines["ExecStart"] == ["/opt/venvs/wardline/bin/wardline engines serve"]
    assert engines["Type"] == ["notify"] and engines["Restart"] == ["always"]
    assert engines["PartOf"] == ["wardline.target"] and engines["User"] == ["wardline"]
    assert engines["ExecReload"] == ["/bin/kill -HUP $MAINPID"]  # `models activate` swaps its models
    # its socket lives in the state directory, the only place every unit may write
    assert engines["ReadWritePaths"] == ["/var/lib/wardline"] and engines["ProtectSystem"] == ["strict"]
    assert engines["PrivateNetwork"] == ["yes"] and engines["RestrictAddressFamilies"] == ["AF_UNIX"]
    assert {"char-nvidia-frontend rw", "char-nvidia-uvm rw"} <= set(engines["DeviceAllow"])
    assert "wardline-engines.service" in worker["After"][0]


def test_the_llm_server_is_skipped_without_a_gguf_model_restarted_and_loopback_only() -> None:
    llm, worker = unit("wardline-llm.service"), unit("wardline-worker@.service")
    assert llm["ExecCondition"] == ["/opt/venvs/wardline/bin/wardline llm needed"]
    assert llm["ExecStart"] == ["/opt/venvs/wardline/bin/wardline llm serve"]
    assert llm["Type"] == ["notify"] and llm["Restart"] == ["always"]
    assert llm["PartOf"] == ["wardline.target"] and llm["User"] == ["wardline"]
    assert llm["IPAddressDeny"] == ["any"] and llm["IPAddressAllow"] == ["localhost"]
    assert llm["ProtectSystem"] == ["strict"] and llm["CapabilityBoundingSet"] == [""]
    assert "wardline-llm.service" in worker["After"][0]


def test_retention_timer_runs_the_purge() -> None:
    assert unit("wardline-retention.service")["ExecStart"] == [
        "/opt/venvs/wardline/bin/wardline data purge --due"
    ]
    timer = configparser.ConfigParser()
    timer.read(UNITS / "wardline-retention.timer")
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_shipped_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WARDLINE_DATA_DIR")  # the unit sets it too; here the file alone decides
    settings = load_settings(DEPLOY / "etc" / "wardline.toml")
    assert str(settings.data_dir) == "/var/lib/wardline"
    assert str(settings.site.policy_dir) == "/etc/wardline/policies/riverside"


@pytest.mark.parametrize("script", ["wardline.postinst", "wardline.prerm", "wardline.postrm"])
def test_maintainer_scripts_parse(script: str) -> None:
    path = DEPLOY / "debian" / script
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0
    assert "#DEBHELPER#" in path.read_text()


def test_only_purge_deletes_state() -> None:
    postrm = (DEPLOY / "debian" / "wardline.postrm").read_text()
    case = postrm.split('case "$1" in', 1)[1]
    assert re.search(r"purge\)\s+rm -rf /var/lib/wardline", case)
    assert "remove)" not in case
