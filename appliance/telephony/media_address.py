"""The address our SDP gives for media: the one the call arrived on, or sip.media_address.

With `sip.address = 0.0.0.0`, pjsua fills the SDP's o= and c= lines with the default-route
interface, while the Contact it answers with names the address that reaches the caller: a
call to 127.0.0.1 got media on the LAN address (issue 18, item 6). The RTP socket listens on
every address, so advertising the one the SIP answer already uses is right; a site whose
media must go elsewhere (NAT, a media VLAN) sets `sip.media_address`. Pure string work, run on
the SIP thread in onCallSdpCreated.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from appliance.config import SipSettings
    from appliance.telephony.access import SipMessage

# The front door (appliance/frontdoor/kamailio.py) adds the address the caller reached it on;
# the worker behind it sees only loopback and offers media there. A caller's own copy of the
# header is removed by the front door before it adds its own.
ARRIVAL_HEADER = "X-Wardline-Arrival"

_CONTACT_HOST = re.compile(r"sips?:(?:[^@;>]*@)?(\[[^\]]+\]|[^:;>]+)")


def contact_host(contact: str) -> str | None:
    """The IP address in a Contact like `<sip:wardline@127.0.0.1:5060>`, or None for a name."""
    m = _CONTACT_HOST.search(contact)
    if not m:
        return None
    host = m.group(1).strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def with_media_address(sdp: str, address: str) -> str:
    """`sdp` with its origin, connection and a=rtcp addresses set to `address`."""
    family = "IP6" if ":" in address else "IP4"
    out = []
    for line in sdp.split("\r\n"):
        if line.startswith("c=IN "):
            line = f"c=IN {family} {address}"
        elif line.startswith("o="):
            parts = line.split(" ")
            if len(parts) == 6:
                line = " ".join([*parts[:4], family, address])
        elif line.startswith("a=rtcp:") and " IN " in line:
            port = line.split(" ", 1)[0]
            line = f"{port} IN {family} {address}"
        out.append(line)
    return "\r\n".join(out)


def front_door_arrival(message: SipMessage, sip: SipSettings) -> str | None:
    """The front door's arrival address on an INVITE, when this process listens on loopback
    (a worker: only the front door reaches it) and the header holds an IP address; else None."""
    try:
        if not ipaddress.ip_address(sip.address).is_loopback:
            return None  # reachable by callers directly: a header could lie
        value = message.header(ARRIVAL_HEADER) or ""
        arrival = ipaddress.ip_address(value.strip().strip("[]"))
        return None if arrival.is_unspecified else str(arrival)
    except ValueError:
        return None
