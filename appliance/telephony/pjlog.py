"""What of pjsip's own log may reach Python logging, and so the journal: one line, no identities.

pjsip logs some malformed requests at ERROR with the whole packet (sip_endpoint.c: "Error
processing packet from …:\n<the message>\n-- end of packet."): its From, Contact and
P-Asserted-Identity carry the caller's number. The README promises that SIP messages never reach
the journal, so every pjsip entry passes `journal_line`: only its first line is kept, any SIP or
tel URI loses its user part, a header that names a party loses its value, and long digit runs
are masked. What was cut is counted, never shown.
"""

from __future__ import annotations

import re

# headers whose values name a party (RFC 3261, 3325, 3515, 5806 and the common private ones),
# with their compact forms
IDENTITY_HEADERS = (
    "from", "f", "to", "t", "contact", "m", "p-asserted-identity", "p-preferred-identity",
    "remote-party-id", "diversion", "history-info", "referred-by", "b", "refer-to", "r",
    "reply-to", "authorization", "proxy-authorization", "x-wardline-handoff",
)  # fmt: skip
_HEADER = re.compile(
    r"(?i)\b(" + "|".join(re.escape(h) for h in IDENTITY_HEADERS if len(h) > 1) + r")\s*:.*$"
)
_SIP_USER = re.compile(r"(?i)\b(sips?):[^\s@;>\"',]+@")
_TEL = re.compile(r"(?i)\btel:[^\s;>\"',]+")
# a phone number, bare or with dashes or spaces (not an address: dots and colons end a run)
_DIGITS = re.compile(r"\+?\d(?:[\d\- ]{5,})\d")


def journal_line(entry: str) -> str:
    """pjsip's log entry as one line fit for the journal."""
    text = entry.strip()
    first, _, rest = text.partition("\n")
    first = first.rstrip().removesuffix(":")
    first = _SIP_USER.sub(r"\1:[user]@", first)
    first = _TEL.sub("tel:[number]", first)
    first = _HEADER.sub(r"\1: [withheld]", first)
    first = _DIGITS.sub(lambda m: m.group(0) if len(re.sub(r"\D", "", m.group(0))) < 7 else "[digits]", first)
    if rest.strip():
        lines = rest.strip().count("\n") + 1
        first += f" (SIP message withheld: {lines} lines)"
    return first
