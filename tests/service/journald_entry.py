"""Run inside a private mount namespace with an empty /run: stand in for journald on its real
socket, send two events through appliance.service.journal, print what arrived as JSON lines."""

from __future__ import annotations

import json
import socket
import struct
from pathlib import Path

from appliance.service.journal import JOURNAL_SOCKET, Event, Journal


def parse(data: bytes) -> dict[str, str]:
    """journald's native format, read back the way journald reads it."""
    fields: dict[str, str] = {}
    while data:
        line, _, rest = data.partition(b"\n")
        if b"=" in line:
            key, _, value = line.partition(b"=")
            fields[key.decode()] = value.decode()
            data = rest
        else:
            (size,) = struct.unpack("<Q", rest[:8])
            fields[line.decode()] = rest[8 : 8 + size].decode()
            data = rest[8 + size + 1 :]
    return fields


Path(JOURNAL_SOCKET).parent.mkdir(parents=True, exist_ok=True)
with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as journald:
    journald.bind(JOURNAL_SOCKET)
    journald.settimeout(5)
    journal = Journal()
    sent = journal.send(
        Event.CALL_ENDED,
        call_ref="c-0042",
        outcome="transferred",
        codec="PCMU",
        started="2026-03-02T07:00:00.000Z",
        ended="2026-03-02T07:01:01.250Z",
        duration_ms=61250,
    )
    print(json.dumps({"sent": sent, **parse(journald.recv(65536))}))
    sent = journal.send(Event.CONFIG_INVALID, detail="wardline.toml:3: line one\nline two")
    print(json.dumps({"sent": sent, **parse(journald.recv(65536))}))
