"""Admission decisions over INVITE text: allowlist, digest, offers, limits, draining."""

from __future__ import annotations

import hashlib

import pytest

from appliance.config import ConfigError, SipSettings, load_settings
from appliance.telephony.access import DigestAuth, admit, audio_offer_problem, parse_message, source_allowed
from tests.telephony.harness import sdp


def _invite(body: str = "", extra: str = "") -> str:
    return (
        "INVITE sip:wardline@10.0.0.5 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9\r\nf: <sip:5550100@pbx>;tag=1\r\n"
        f"c: application/sdp\r\n{extra}Content-Length: {len(body)}\r\n\r\n{body}"
    )


def test_allowlist_matches_addresses_networks_and_ports() -> None:
    nets = ["10.1.0.0/16", "192.0.2.7", "fd00::/8"]
    assert source_allowed("10.1.200.3:5060", nets)
    assert source_allowed("192.0.2.7", nets)
    assert source_allowed("[fd00::1]:5060", nets)
    assert not source_allowed("10.2.0.1:5060", nets)
    assert not source_allowed("not-an-address", nets)


def test_refusals_in_order_of_seriousness() -> None:
    sip = SipSettings(allow=["10.0.0.0/8"], max_calls=2, retry_after_s=9)
    good = parse_message(_invite(sdp(4000)))
    assert admit(good, "10.0.0.9:5060", sip=sip, active_calls=0, draining=False).accepted
    outsider = admit(good, "198.51.100.1:5060", sip=sip, active_calls=0, draining=False)
    assert (outsider.status, outsider.security) == (403, True)
    full = admit(good, "10.0.0.9:5060", sip=sip, active_calls=2, draining=False)
    assert full.status == 503 and ("Retry-After", "9") in full.headers
    draining = admit(good, "10.0.0.9:5060", sip=sip, active_calls=0, draining=True)
    assert draining.status == 503
    overflow = SipSettings(
        allow=["10.0.0.0/8"], max_calls=1, overflow_extension="4400", pbx_host="pbx.example"
    )
    moved = admit(good, "10.0.0.9", sip=overflow, active_calls=1, draining=False)
    assert moved.status == 302 and ("Contact", "<sip:4400@pbx.example>") in moved.headers
    no_audio = parse_message(_invite(sdp(4000, audio=False)))
    assert admit(no_audio, "10.0.0.9", sip=sip, active_calls=0, draining=False).status == 488


@pytest.mark.parametrize(
    ("formats", "rtpmaps", "usable"),
    [
        ("0", "", True),
        ("9", "", True),
        ("96", "a=rtpmap:96 G722/8000", True),
        ("18 97", "a=rtpmap:97 opus/48000/2", False),
        ("96", "a=rtpmap:96 PCMU/8000", True),
    ],
)
def test_only_g722_pcmu_pcma_offers_are_usable(formats: str, rtpmaps: str, usable: bool) -> None:
    assert (audio_offer_problem(sdp(4000, formats, rtpmaps)) is None) is usable


def test_a_disabled_audio_stream_is_no_audio() -> None:
    assert audio_offer_problem(sdp(0, "0")) is not None


def test_digest_accepts_the_right_response_and_nothing_else() -> None:
    now = [1_000_000.0]
    auth = DigestAuth("pbx", "s3cret", "wardline", clock=lambda: now[0])
    _, challenge = auth.challenge()
    nonce = challenge.split('nonce="')[1].split('"')[0]

    def response(password: str, nonce: str = nonce) -> str:
        ha1 = hashlib.md5(f"pbx:wardline:{password}".encode()).hexdigest()
        ha2 = hashlib.md5(b"INVITE:sip:wardline@10.0.0.5").hexdigest()
        r = hashlib.md5(f"{ha1}:{nonce}:00000001:abc:auth:{ha2}".encode()).hexdigest()
        return (
            f'Digest username="pbx", realm="wardline", nonce="{nonce}", uri="sip:wardline@10.0.0.5", '
            f'response="{r}", qop=auth, nc=00000001, cnonce="abc", algorithm=MD5'
        )

    assert auth.verify("INVITE", response("s3cret"))
    assert not auth.verify("INVITE", response("wrong"))
    assert not auth.verify("INVITE", response("s3cret", nonce="1000000.forged"))
    assert not auth.verify("INVITE", None)
    now[0] += 301  # the nonce has expired
    assert not auth.verify("INVITE", response("s3cret"))

    sip = SipSettings(digest_user="pbx", digest_password="s3cret")
    ask = admit(
        parse_message(_invite(sdp(4000))), "127.0.0.1", sip=sip, active_calls=0, draining=False, digest=auth
    )
    assert ask.status == 401 and ask.headers[0][0] == "WWW-Authenticate" and not ask.security


def test_settings_refuse_bad_sip_sections() -> None:
    with pytest.raises(ConfigError, match=r"sip\.allow"):
        load_settings(sip={"allow": ["10.0.0.0/33"]})
    with pytest.raises(ConfigError, match="tls_cert"):
        load_settings(sip={"transports": ["udp", "tls"]})
    with pytest.raises(ConfigError, match="jitter"):
        load_settings(sip={"jb_init_ms": 500})
