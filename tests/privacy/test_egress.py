"""Egress lock: configurations naming outside endpoints are refused; the socket guard sees all."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from appliance.config import ConfigError, load_settings
from appliance.privacy.egress import (
    EgressBlocked,
    EgressError,
    EgressGuard,
    check_settings,
    is_allowed,
    loopback_only,
    loopback_only_available,
)


def _settings(tmp_path: Path, body: str):
    f = tmp_path / "w.toml"
    f.write_text(textwrap.dedent(body))
    return load_settings(f)


def test_defaults_and_loopback_are_accepted(tmp_path: Path):
    check_settings(load_settings(tmp_path / "none.toml"))
    check_settings(_settings(tmp_path, '[llm]\nserver_url = "http://[::1]:8000/v1"\n'))
    check_settings(_settings(tmp_path, '[llm]\nserver_url = "http://localhost:8000/v1"\n'))


def test_declared_site_network_is_accepted(tmp_path: Path):
    s = _settings(
        tmp_path,
        """
        [network]
        site_networks = ["10.20.0.0/16"]
        [sip]
        pbx_host = "10.20.3.4"
        [store]
        database_url = "postgresql://wardline@10.20.0.9/wardline"
        """,
    )
    check_settings(s)


@pytest.mark.parametrize(
    "body, bad",
    [
        ('[llm]\nserver_url = "https://api.example.com/v1"\n', "llm.server_url"),
        ('[llm]\nserver_url = "http://8.8.8.8:8000/v1"\n', "llm.server_url"),
        ('[sip]\npbx_host = "192.168.7.7"\n', "sip.pbx_host"),  # private, but not declared
        ('[network]\nsite_networks = ["10.0.0.0/8"]\n[store]\ndatabase_url = "postgresql://u@172.16.0.2/w"\n',
         "store.database_url"),
    ],
)  # fmt: skip
def test_outside_endpoints_are_refused_with_the_setting_named(tmp_path: Path, body: str, bad: str):
    with pytest.raises(EgressError) as err:
        check_settings(_settings(tmp_path, body))
    assert bad in str(err.value) and "site_networks" in str(err.value)
    assert isinstance(err.value, ConfigError)  # shown to the user like any configuration error


def test_address_rules():
    assert is_allowed("127.0.0.1") and is_allowed("::1") and is_allowed("::ffff:127.0.0.1")
    assert not is_allowed("pbx.hospital.example")  # names could resolve anywhere later
    assert not is_allowed("192.0.2.1")


def _listener() -> tuple[socket.socket, int]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    return srv, srv.getsockname()[1]


def test_guard_allows_loopback_and_blocks_the_rest():
    srv, port = _listener()
    with EgressGuard(block=True) as guard:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with pytest.raises(EgressBlocked):
            s.sendto(b"x", ("192.0.2.1", 9))
        with pytest.raises(EgressBlocked):
            socket.create_connection(("192.0.2.1", 80), timeout=0.5)
        with pytest.raises(EgressBlocked):
            socket.getaddrinfo("example.com", 443)
        s.close()
    srv.close()
    assert [a.target for a in guard.attempts] == ["192.0.2.1", "192.0.2.1", "example.com"]


def test_guard_records_without_blocking_and_respects_site_networks():
    with EgressGuard(site_networks=["198.51.100.0/24"], block=False) as guard:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.sendto(b"x", ("198.51.100.7", 9))  # declared: fine
        with contextlib.suppress(OSError):  # no route here is fine: the attempt is what counts
            s.sendto(b"x", ("203.0.113.9", 9))
        s.close()
    assert [a.target for a in guard.attempts] == ["203.0.113.9"]


CHILD = """
import socket, sys
from pathlib import Path
from appliance.privacy.egress import EgressGuard
from appliance.privacy.kek import create_kek
from appliance.privacy.store import open_store
from appliance.privacy.redaction import redact

data = Path(sys.argv[1])
with EgressGuard(block=False) as guard:
    create_kek(data)
    store = open_store(data)
    oid = store.put("transcript", redact("my number is 555-013-2291").text.encode(), call_id="c")
    assert store.read(oid) == b"my number is [PHONE]"
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=1)
        print("CONNECTED")
    except OSError as exc:
        print("refused by kernel:", exc.errno)
print("attempts:", sorted({a.target for a in guard.attempts}))
"""


@pytest.mark.skipif(not loopback_only_available(), reason="needs unshare and ip (user namespaces)")
def test_in_a_loopback_only_namespace_nothing_else_is_reachable_and_the_hook_sees_it(tmp_path: Path):
    out = subprocess.run(
        loopback_only([sys.executable, "-c", CHILD, str(tmp_path / "data")]),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "CONNECTED" not in out.stdout and "refused by kernel" in out.stdout
    assert "attempts: ['192.0.2.1']" in out.stdout  # the only attempt, and the guard saw it


SIMULATE = """
import sys
from appliance.cli.main import app
from appliance.privacy.egress import EgressGuard

with EgressGuard(block=False) as guard:
    try:
        app(sys.argv[1:], standalone_mode=False)
    except SystemExit as exc:
        print("exit", exc.code)
print("EGRESS-ATTEMPTS", sorted({a.target for a in guard.attempts}))
"""


@pytest.mark.skipif(not loopback_only_available(), reason="needs unshare and ip (user namespaces)")
def test_simulated_calls_make_no_connection_outside_loopback(tmp_path: Path, monkeypatch):
    from tests.conftest import SCENARIOS

    scenarios = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    monkeypatch.setenv("WARDLINE_DATA_DIR", str(tmp_path / "data"))
    out = subprocess.run(
        loopback_only([sys.executable, "-c", SIMULATE, "simulate", *scenarios]),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("PASS ") == len(scenarios), out.stdout
    assert "EGRESS-ATTEMPTS []" in out.stdout
