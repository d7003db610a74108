"""Media goes where the call arrived (issue 18, item 6): with the default `address = 0.0.0.0`,
a call to 127.0.0.1 got a Contact on 127.0.0.1 but SDP media on the default-route interface.
This box has two addresses (loopback and its LAN interface), so calls arrive on each in turn."""

from __future__ import annotations

import socket

import pytest

from appliance.config import ConfigError, load_settings
from appliance.telephony.media_address import contact_host, with_media_address
from tests.telephony.harness import Harness, Recorder, next_ports, raw_invite, sdp

pytestmark = pytest.mark.timeout(120)


def _lan_address() -> str | None:
    """This box's default-route IPv4 address (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.255", 9))
        except OSError:
            return None
        address = s.getsockname()[0]
    return None if address.startswith("127.") else address


def _media(answer: str) -> tuple[str, str]:
    lines = answer.splitlines()
    c = next(ln for ln in lines if ln.startswith("c=")).split()[-1]
    o = next(ln for ln in lines if ln.startswith("o=")).split()[-1]
    return c, o


def test_the_sdp_names_the_address_each_call_arrived_on() -> None:
    port, rtp, peer = next_ports()
    settings = load_settings(sip={"address": "0.0.0.0", "port": port, "rtp_port": rtp})
    targets = ["127.0.0.1", *([lan] if (lan := _lan_address()) else [])]
    with Harness(settings, Recorder):
        for n, host in enumerate(targets):
            local = host if host != "127.0.0.1" else "127.0.0.1"
            answer = raw_invite(
                port, body=sdp(peer + 2 + 10 * n), local_port=peer + 10 * n, local_ip=local, host=host
            )
            assert answer.startswith("SIP/2.0 200"), answer[:200]
            assert f"Contact: <sip:wardline@{host}:{port}>" in answer
            assert _media(answer) == (host, host), (host, answer)


def test_a_configured_media_address_wins() -> None:
    port, rtp, peer = next_ports()
    settings = load_settings(
        sip={"address": "0.0.0.0", "port": port, "rtp_port": rtp, "media_address": "127.0.0.1"}
    )
    with Harness(settings, Recorder):
        answer = raw_invite(port, body=sdp(peer + 2), local_port=peer)
    assert _media(answer) == ("127.0.0.1", "127.0.0.1")


def test_sdp_and_contact_helpers() -> None:
    assert contact_host("<sip:wardline@127.0.0.1:5060;transport=TCP>") == "127.0.0.1"
    assert contact_host("<sip:wardline@[::1]:5060>") == "::1"
    assert contact_host("<sip:wardline@pbx.example:5060>") is None
    offer = "v=0\r\no=- 1 1 IN IP4 192.0.2.2\r\nc=IN IP4 192.0.2.2\r\na=rtcp:4001 IN IP4 192.0.2.2\r\n"
    assert with_media_address(offer, "127.0.0.1").count("192.0.2.2") == 0
    with pytest.raises(ConfigError, match="media_address"):
        load_settings(sip={"media_address": "not-an-ip"})
