"""Our codec order in SDP answers: G.722, then PCMU, then PCMA, whatever order the caller offers.

pjmedia's negotiator answers in the offerer's codec order, so a desk phone that lists PCMU
first would never get G.722. Before pjsua negotiates, `answer_with_preference` cuts our local
SDP's audio line down to the best codec both sides have (plus telephone-event for RFC 4733
DTMF); the negotiator then has exactly one choice. Pure string work; runs on the SIP thread.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_RTPMAP = re.compile(r"^a=rtpmap:(\d+)\s+([^/\s]+)/(\d+)", re.MULTILINE)
_STATIC = {"0": ("PCMU", "8000"), "8": ("PCMA", "8000"), "9": ("G722", "8000")}


def audio_codecs(sdp: str) -> list[tuple[str, str]]:
    """(payload type, codec name upper-cased) of the first audio line, in offered order."""
    lines = sdp.replace("\r\n", "\n").split("\n")
    m_line = next((ln for ln in lines if ln.startswith("m=audio ")), None)
    if m_line is None:
        return []
    maps = {pt: name.upper() for pt, name, _ in _RTPMAP.findall(sdp)}
    return [(pt, maps.get(pt) or _STATIC.get(pt, ("", ""))[0]) for pt in m_line.split()[3:]]


def answer_with_preference(local_sdp: str, remote_sdp: str, preference: Sequence[str]) -> str:
    """`local_sdp` with its audio formats cut to the best codec in common; unchanged if none."""
    remote = {name for _, name in audio_codecs(remote_sdp)}
    local = audio_codecs(local_sdp)
    chosen = next((c for c in preference if c in remote and any(n == c for _, n in local)), None)
    if chosen is None:
        return local_sdp
    keep = {pt for pt, name in local if name in (chosen, "TELEPHONE-EVENT")}
    out: list[str] = []
    in_audio = False
    for line in local_sdp.replace("\r\n", "\n").rstrip("\n").split("\n"):
        if line.startswith("m="):
            in_audio = line.startswith("m=audio ")
            if in_audio:
                head = line.split()[:3]
                line = " ".join(head + [pt for pt in line.split()[3:] if pt in keep])
        elif in_audio and (line.startswith("a=rtpmap:") or line.startswith("a=fmtp:")):
            pt = line.split(":", 1)[1].split()[0]
            if pt not in keep:
                continue
        out.append(line)
    return "\r\n".join(out) + "\r\n"
