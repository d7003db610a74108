"""The front door's configuration: planned from wardline.toml, checked by Kamailio itself, and
never installed over a working one when Kamailio refuses it."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from appliance.config import load_settings
from appliance.frontdoor import install as installer
from appliance.frontdoor.install import FrontDoorError, install, installed_config
from appliance.frontdoor.kamailio import render
from appliance.frontdoor.plan import CALLS_PER_WORKER, PlanError, plan, worker_settings
from appliance.telephony.access import parse_message
from appliance.telephony.media_address import front_door_arrival

needs_kamailio = pytest.mark.skipif(
    shutil.which("kamailio") is None and shutil.which("kamailio", path="/usr/sbin") is None,
    reason="kamailio is not installed (scripts/setup installs it: apt-get install kamailio)",
)


def settings(tmp_path: Path, **sip: object):  # type: ignore[no-untyped-def]
    return load_settings(tmp_path / "none.toml", data_dir=tmp_path / "data", sip={"port": 15999, **sip})


@pytest.mark.parametrize(("max_calls", "workers"), [(1, 1), (3, 1), (4, 2), (8, 3), (32, 11)])
def test_enough_workers_for_max_calls(tmp_path: Path, max_calls: int, workers: int) -> None:
    planned = plan(settings(tmp_path, max_calls=max_calls))
    assert len(planned.workers) == workers
    assert planned.capacity >= max_calls
    ports = [w.sip_port for w in planned.workers]
    assert len(set(ports)) == len(ports)


def test_workers_never_share_rtp_ports(tmp_path: Path) -> None:
    planned = plan(settings(tmp_path, max_calls=12))
    blocks = [range(w.rtp_port, w.rtp_port + 32) for w in planned.workers]
    for a, b in itertools.pairwise(blocks):
        assert a.stop <= b.start


def test_a_worker_port_on_the_public_port_is_refused_with_the_fix(tmp_path: Path) -> None:
    s = load_settings(
        tmp_path / "none.toml", sip={"port": 5161, "max_calls": 9}, frontdoor={"worker_port": 5160}
    )
    with pytest.raises(PlanError, match=r"frontdoor\.worker_port"):
        plan(s)


def test_a_worker_listens_on_loopback_takes_three_calls_and_admits_only_the_front_door(
    tmp_path: Path,
) -> None:
    s = settings(tmp_path, allow=["10.0.0.0/8"], overflow_extension="2000", max_calls=9)
    worker = plan(s).workers[1]
    ws = worker_settings(s, worker).sip
    assert (ws.address, ws.port, ws.transports) == ("127.0.0.1", worker.sip_port, ["udp"])
    assert ws.allow == ["127.0.0.1/32"] and ws.max_calls == CALLS_PER_WORKER
    assert ws.overflow_extension == ""  # full: 503, and the front door tries the next worker
    assert ws.media_bind == "0.0.0.0"  # RTP where callers reach the box


def test_the_front_door_names_the_address_for_media_only_to_a_loopback_worker(tmp_path: Path) -> None:
    invite = parse_message("INVITE sip:a@b SIP/2.0\r\nX-Wardline-Arrival: 10.1.2.3\r\n\r\n")
    forged = parse_message("INVITE sip:a@b SIP/2.0\r\nX-Wardline-Arrival: evil.example\r\n\r\n")
    wildcard = parse_message("INVITE sip:a@b SIP/2.0\r\nX-Wardline-Arrival: 0.0.0.0\r\n\r\n")
    loopback = settings(tmp_path, address="127.0.0.1").sip
    public = settings(tmp_path, address="0.0.0.0").sip
    assert front_door_arrival(invite, loopback) == "10.1.2.3"
    assert front_door_arrival(forged, loopback) is None
    assert front_door_arrival(wildcard, loopback) is None
    assert front_door_arrival(invite, public) is None  # callers reach it directly: no trust


def test_the_configuration_says_what_wardline_toml_says(tmp_path: Path) -> None:
    s = settings(tmp_path, allow=["10.20.0.0/16", "192.0.2.7"], retry_after_s=17, max_calls=6)
    out = render(s, plan(s), tmp_path / "gen", tmp_path / "ctl")
    # every interface on its own (not one wildcard socket): Record-Route names a real address
    assert "port=15999" in out.config and "listen=" not in out.config and "disable_tcp" not in out.config
    assert '"10.20.0.0/16,192.0.2.7/32"' in out.config
    assert "Retry-After: 17" in out.config
    assert out.dispatcher.splitlines() == [
        "1 sip:127.0.0.1:5160;transport=udp 0 0 socket=udp:127.0.0.1:15999;name=worker-1",
        "1 sip:127.0.0.1:5161;transport=udp 0 0 socket=udp:127.0.0.1:15999;name=worker-2",
    ]
    assert out.tls is None


def test_tls_is_twelve_or_newer_and_verifies_peers_against_the_configured_ca(tmp_path: Path) -> None:
    s = load_settings(
        tmp_path / "none.toml",
        sip={"transports": ["udp", "tls"], "tls_cert": "/c.pem", "tls_key": "/k.pem", "tls_port": 15998},
        frontdoor={"tls_ca_file": "/ca.pem"},
    )
    out = render(s, plan(s), tmp_path / "gen", tmp_path / "ctl")
    assert out.tls is not None
    assert "method = TLSv1.2+" in out.tls and "ca_list = /ca.pem" in out.tls
    assert "verify_certificate = 1" in out.tls and "tls_port_no=15998" in out.config


def test_a_password_that_would_break_the_script_is_refused(tmp_path: Path) -> None:
    s = settings(tmp_path, digest_user="pbx", digest_password='x"; exit; "')
    with pytest.raises(ValueError, match="cannot appear"):
        render(s, plan(s), tmp_path / "gen", tmp_path / "ctl")


@needs_kamailio
@pytest.mark.parametrize(
    "sip",
    [
        {},
        {"address": "127.0.0.1", "overflow_extension": "2000"},
        {"digest_user": "pbx", "digest_password": "secret", "allow": ["10.0.0.0/8", "::1"]},
    ],
)
def test_kamailio_accepts_every_generated_configuration(tmp_path: Path, sip: dict[str, object]) -> None:
    s = settings(tmp_path, **sip)
    done = install(s, plan(s), tmp_path / "run")
    assert done.changed and installed_config(tmp_path / "run") == done.config
    assert install(s, plan(s), tmp_path / "run").changed is False


@needs_kamailio
def test_kamailio_accepts_the_tls_configuration(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    s = load_settings(
        tmp_path / "none.toml",
        sip={"transports": ["udp", "tcp", "tls"], "tls_cert": str(cert), "tls_key": str(key)},
        frontdoor={"tls_ca_file": str(cert)},
    )
    assert install(s, plan(s), tmp_path / "run").changed


@needs_kamailio
def test_a_refused_configuration_leaves_the_working_one_in_place(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "run"
    good = settings(tmp_path)
    working = install(good, plan(good), run).config
    before = working.read_text()

    real = installer.render

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real(*args, **kwargs)
        return type(out)(
            out.config.replace("request_route {", "request_route {\n\tno_such_function();"),
            out.dispatcher,
            out.tls,
        )

    monkeypatch.setattr(installer, "render", broken)
    changed = settings(tmp_path, retry_after_s=99)
    with pytest.raises(FrontDoorError, match="kamailio refused the configuration"):
        install(changed, plan(changed), run)
    assert installed_config(run) is not None
    assert installed_config(run).read_text() == before  # type: ignore[union-attr]
    assert len(list(run.glob("gen-*"))) == 1  # the refused generation is gone


def test_no_kamailio_is_an_error_that_names_the_package(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "none.toml", frontdoor={"kamailio": "no-such-kamailio-binary"})
    with pytest.raises(FrontDoorError, match="apt-get install kamailio"):
        install(s, plan(s), tmp_path / "run")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    import subprocess

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_model_activation_reaches_workers_through_their_state_files(tmp_path: Path) -> None:
    import os
    import subprocess

    from appliance.pidfile import running_worker_pids
    from appliance.worker_state import WorkerState, run_dir, write_state

    s = settings(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    for index, pid in ((1, os.getpid()), (2, dead.pid)):
        write_state(run_dir(s), WorkerState(index, pid, 5160 + index, True, 0, 3, 0, 0))
    assert running_worker_pids(s) == [os.getpid()]


@needs_kamailio
@pytest.mark.parametrize(
    ("sip", "peers"),
    [({}, ["127.0.0.1:16060"]), ({"address": "10.1.2.3"}, ["10.1.2.4:5060", "10.1.2.5:5060"])],
)
def test_other_boxes_are_a_second_dispatcher_set_kamailio_accepts(
    tmp_path: Path, sip: dict[str, object], peers: list[str]
) -> None:
    s = load_settings(
        tmp_path / "none.toml",
        data_dir=tmp_path / "data",
        sip={"port": 15999, **sip},
        frontdoor={"peers": peers},
    )
    done = install(s, plan(s), tmp_path / "run")
    listed = (done.config.parent / "dispatcher.list").read_text()
    for peer in peers:
        assert f"2 sip:{peer};transport=udp" in listed
    socket = "udp:127.0.0.1:15999" if "address" not in sip else "udp:10.1.2.3:15999"
    assert f"socket={socket};name=box-1" in listed
    # a call that came from a peer is never passed on to a peer (no bouncing between two boxes)
    assert '!ds_is_from_list("2")' in done.config.read_text()


def test_a_peer_on_another_machine_needs_this_boxs_own_address(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "none.toml", sip={"port": 15999}, frontdoor={"peers": ["10.1.2.4:5060"]})
    with pytest.raises(PlanError, match=r"frontdoor\.peers: 10\.1\.2\.4:5060 .*sip\.address"):
        plan(s)


def test_a_peer_that_is_not_an_address_is_refused_naming_the_line(tmp_path: Path) -> None:
    from appliance.config import ConfigError

    toml = tmp_path / "wardline.toml"
    toml.write_text('[frontdoor]\nworkers = 1\npeers = ["box-b.example:5060"]\n')
    with pytest.raises(ConfigError, match=r"wardline\.toml:3: frontdoor\.peers.*not an address:port"):
        load_settings(toml)


def test_an_audit_origin_that_cannot_name_a_log_is_refused_naming_the_line(tmp_path: Path) -> None:
    from appliance.config import ConfigError

    toml = tmp_path / "wardline.toml"
    toml.write_text('[store]\naudit_origin = "box a/../b"\n')
    with pytest.raises(ConfigError, match=r"wardline\.toml:2: store\.audit_origin"):
        load_settings(toml)
