"""The Refer-To of a transfer: the target, with the handoff id where the transferee carries it.

RFC 3515 §2.1: a Refer-To URI may hold header fields (`?name=value`), and the party that acts on
the REFER copies them into the request it sends (RFC 3261 §19.1.5). So the handoff id travels
as `<sip:2000@pbx?X-Wardline-Handoff=h-…>`: the caller's phone (or the PBX, for a blind
transfer it carries out itself) puts `X-Wardline-Handoff: h-…` on its INVITE to the person, who
reads the summary with `wardline handoff show h-…`. A header on the REFER alone stops at the
transferee; it is still sent, for PBXs that read it there.
"""

from __future__ import annotations

from urllib.parse import quote

HANDOFF_HEADER = "X-Wardline-Handoff"


def refer_to(extension: str, pbx_host: str, handoff_id: str = "") -> str:
    """The Refer-To value (name-addr form, so the `?` stays inside the URI)."""
    uri = f"sip:{quote(extension, safe='+*#.-_')}@{pbx_host}"
    if handoff_id:
        # hvalue is percent-encoded where it is not unreserved (RFC 3261 §25.1); ids are tokens.
        uri += f"?{HANDOFF_HEADER}={quote(handoff_id, safe='-_.~')}"
    return f"<{uri}>"
