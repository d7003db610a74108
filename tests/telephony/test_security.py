"""TLS signalling, mandatory SRTP and digest authentication, over the wire."""

from __future__ import annotations

import hashlib
import re
import socket
import ssl
from pathlib import Path

import pytest

from tests.telephony.harness import Harness, Recorder, next_ports, raw_invite, sdp, self_signed, sip_settings

pytestmark = pytest.mark.timeout(60)


def test_tls_transport_completes_a_handshake_with_the_configured_certificate(tmp_path: Path) -> None:
    port, rtp, _ = next_ports()
    cert, key = self_signed(tmp_path)
    settings = sip_settings(
        port, rtp, transports=["udp", "tls"], tls_port=port + 1, tls_cert=cert, tls_key=key
    )
    with Harness(settings, Recorder):
        ctx = ssl.create_default_context(cafile=str(cert))
        ctx.check_hostname = False
        with socket.create_connection(("127.0.0.1", port + 1), timeout=5) as raw, ctx.wrap_socket(raw) as tls:
            assert tls.getpeercert()["subject"][0][0][1] == "wardline.test"  # type: ignore[index]


def test_mandatory_srtp_refuses_a_plain_rtp_offer(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    with Harness(sip_settings(port, rtp, srtp="mandatory"), Recorder) as h:
        response = raw_invite(port, body=sdp(peer + 10), local_port=peer)
    assert response.startswith("SIP/2.0 488"), response[:80]
    assert h.sessions == []


def test_digest_challenge_then_the_right_credentials_are_let_in(tmp_path: Path) -> None:
    port, rtp, peer = next_ports()
    settings = sip_settings(port, rtp, digest_user="pbx", digest_password="s3cret")
    with Harness(settings, Recorder):
        challenge = raw_invite(port, body=sdp(peer + 10), local_port=peer)
        assert challenge.startswith("SIP/2.0 401")
        nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)  # type: ignore[union-attr]
        uri = f"sip:wardline@127.0.0.1:{port}"
        ha1 = hashlib.md5(b"pbx:wardline:s3cret").hexdigest()
        ha2 = hashlib.md5(f"INVITE:{uri}".encode()).hexdigest()
        good = hashlib.md5(f"{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}".encode()).hexdigest()
        auth = (
            f'Authorization: Digest username="pbx", realm="wardline", nonce="{nonce}", uri="{uri}", '
            'response="{r}", qop=auth, nc=00000001, cnonce="c0ffee", algorithm=MD5\r\n'
        )
        wrong = raw_invite(
            port, body=sdp(peer + 10), local_port=peer + 1, extra_headers=auth.format(r="0" * 32)
        )
        assert wrong.startswith("SIP/2.0 401")
        right = raw_invite(port, body=sdp(peer + 10), local_port=peer + 2, extra_headers=auth.format(r=good))
        assert right.startswith("SIP/2.0 200"), right[:80]
