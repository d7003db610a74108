"""Who may place a call, and whether the appliance takes it: pure decisions over an INVITE.

Nothing here touches pjsua2 or a socket. `admit` looks at the source address, the INVITE text,
the number of active calls and whether the process is draining, and returns an `Admission`: take
the call, or refuse it with a status code, the headers to send with it, and the reason that goes
to the log. Digest authentication (RFC 2617 / 8760, MD5, qop=auth or none) is checked here too,
with stateless nonces (an HMAC over a timestamp), so a restart only costs the caller one retry.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from appliance.config import SipSettings

ACCEPT = 0
FORBIDDEN = 403
UNAUTHORIZED = 401
NOT_ACCEPTABLE_HERE = 488
BUSY_HERE = 503
MOVED_TEMPORARILY = 302

SUPPORTED_CODECS = ("G722", "PCMU", "PCMA")
_STATIC_PT_CODECS = {0: "PCMU", 8: "PCMA", 9: "G722"}
NONCE_LIFETIME_S = 300

# RFC 3261 compact header forms that matter here.
_COMPACT = {
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "c": "content-type",
    "l": "content-length",
}


@dataclass(frozen=True)
class Admission:
    status: int  # ACCEPT, or the SIP status code to refuse with
    reason: str = ""  # for the log; never caller data beyond the source address
    headers: tuple[tuple[str, str], ...] = ()
    security: bool = False  # an access-control refusal: logged as a security entry

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPT


@dataclass(frozen=True)
class SipMessage:
    """The parts of a received request that admission needs (header names lower-cased)."""

    start_line: str
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: str = ""

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    @property
    def method(self) -> str:
        return self.start_line.split(" ", 1)[0] if self.start_line else ""

    @property
    def request_uri(self) -> str:
        parts = self.start_line.split(" ")
        return parts[1] if len(parts) >= 3 else ""


def parse_message(text: str) -> SipMessage:
    """Split a SIP message into start line, headers and body; tolerant of bare LF line ends."""
    text = text.replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    headers: dict[str, list[str]] = {}
    last: str | None = None
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and last is not None:  # folded continuation line
            headers[last][-1] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        headers.setdefault(key, []).append(value.strip())
        last = key
    return SipMessage(start_line=lines[0].strip() if lines else "", headers=headers, body=body)


def source_allowed(address: str, networks: Sequence[str]) -> bool:
    """Whether `address` ("ip", "ip:port" or "[v6]:port") lies inside one of `networks`."""
    host = _host_of(address)
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


def _host_of(address: str) -> str:
    address = address.strip()
    if address.startswith("["):
        return address[1 : address.find("]")]
    if address.count(":") == 1:
        return address.split(":", 1)[0]
    return address


def audio_offer_problem(sdp: str) -> str | None:
    """Why an SDP offer cannot be answered (no usable audio, no shared codec), or None."""
    if not sdp.strip():
        return None  # no offer in the INVITE: we offer in the 200 and the caller answers in the ACK
    audio_lines = [ln for ln in sdp.replace("\r\n", "\n").split("\n") if ln.startswith("m=audio ")]
    if not audio_lines:
        return "the offer has no audio stream"
    rtpmaps = {
        int(m.group(1)): m.group(2).upper()
        for m in re.finditer(r"^a=rtpmap:(\d+)\s+([^/\s]+)", sdp, re.MULTILINE)
    }
    for line in audio_lines:
        parts = line.split()
        if len(parts) < 4 or parts[1] == "0":
            continue
        for pt_text in parts[3:]:
            if not pt_text.isdigit():
                continue
            pt = int(pt_text)
            name = rtpmaps.get(pt) or _STATIC_PT_CODECS.get(pt)
            if name in SUPPORTED_CODECS:
                return None
    return "no offered audio codec is one of " + ", ".join(SUPPORTED_CODECS)


class DigestAuth:
    """Server side of SIP digest authentication with stateless, expiring nonces."""

    def __init__(
        self, user: str, password: str, realm: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.user = user
        self.realm = realm
        self._ha1 = _md5(f"{user}:{realm}:{password}")
        self._secret = secrets.token_bytes(32)
        self._clock = clock

    def challenge(self) -> tuple[str, str]:
        stamp = str(int(self._clock()))
        mac = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]
        nonce = f"{stamp}.{mac}"
        value = f'Digest realm="{self.realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'
        return ("WWW-Authenticate", value)

    def verify(self, method: str, authorization: str | None) -> bool:
        if not authorization or not authorization.lower().startswith("digest "):
            return False
        p = _digest_params(authorization[7:])
        nonce = p.get("nonce", "")
        if p.get("username") != self.user or p.get("realm") != self.realm or not self._nonce_fresh(nonce):
            return False
        ha2 = _md5(f"{method}:{p.get('uri', '')}")
        if p.get("qop"):
            expected = _md5(f"{self._ha1}:{nonce}:{p.get('nc', '')}:{p.get('cnonce', '')}:{p['qop']}:{ha2}")
        else:
            expected = _md5(f"{self._ha1}:{nonce}:{ha2}")
        return hmac.compare_digest(expected, p.get("response", "").lower())

    def _nonce_fresh(self, nonce: str) -> bool:
        stamp, _, mac = nonce.partition(".")
        if not stamp.isdigit():
            return False
        good = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]
        return hmac.compare_digest(good, mac) and 0 <= self._clock() - int(stamp) <= NONCE_LIFETIME_S


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _digest_params(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', text)
    }


def admit(
    message: SipMessage,
    source: str,
    *,
    sip: SipSettings,
    active_calls: int,
    draining: bool,
    digest: DigestAuth | None = None,
) -> Admission:
    """Decide what to do with one INVITE; checks run from the cheapest and most serious down."""
    if not source_allowed(source, sip.allow):
        return Admission(FORBIDDEN, f"INVITE from {_host_of(source)} is outside sip.allow", security=True)
    if digest is not None and not digest.verify("INVITE", message.header("authorization")):
        had_credentials = message.header("authorization") is not None
        return Admission(
            UNAUTHORIZED,
            "digest credentials rejected" if had_credentials else "digest challenge sent",
            headers=(digest.challenge(),),
            security=had_credentials,
        )
    content_type = (message.header("content-type") or "application/sdp").lower()
    if message.body.strip() and not content_type.startswith("application/sdp"):
        return Admission(NOT_ACCEPTABLE_HERE, f"unsupported body type {content_type[:40]}")
    if problem := audio_offer_problem(message.body):
        return Admission(NOT_ACCEPTABLE_HERE, problem)
    if draining:
        return Admission(BUSY_HERE, "shutting down", headers=(("Retry-After", str(sip.retry_after_s)),))
    if active_calls >= sip.max_calls:
        if sip.overflow_extension:
            contact = f"<sip:{sip.overflow_extension}@{sip.pbx_host}>"
            return Admission(MOVED_TEMPORARILY, "at max_calls: overflow", headers=(("Contact", contact),))
        return Admission(BUSY_HERE, "at max_calls", headers=(("Retry-After", str(sip.retry_after_s)),))
    return Admission(ACCEPT)
