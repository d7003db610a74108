"""Structured journal entries: the wire format, MESSAGE_IDs, and refusal of anything free-text."""

from __future__ import annotations

import io
import socket
import struct
from pathlib import Path

import pytest

from appliance.service.journal import Event, Journal, UnsafeFieldError, encode_entry


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


def test_entry_reaches_journald_socket(tmp_path: Path) -> None:
    path = tmp_path / "journal.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(2)
        assert Journal(str(path)).send(
            Event.CALL_ENDED,
            call_ref="c-0042",
            outcome="transferred",
            codec="PCMU",
            started="2026-03-02T07:00:00.000Z",
            ended="2026-03-02T07:01:01.250Z",
            duration_ms=61250,
        )
        entry = parse(sock.recv(65536))
    assert entry["SYSLOG_IDENTIFIER"] == "wardline"
    assert entry["MESSAGE_ID"] == Event.CALL_ENDED.message_id
    assert entry["MESSAGE"] == (
        "Call c-0042 ended: transferred, PCMU, "
        "2026-03-02T07:00:00.000Z to 2026-03-02T07:01:01.250Z (61250 ms)"
    )
    assert entry["WARDLINE_CALL_REF"] == "c-0042"
    assert entry["PRIORITY"] == "6"


def test_every_event_type_has_its_own_message_id() -> None:
    ids = [e.message_id for e in Event]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


@pytest.mark.parametrize(
    "event, fields",
    [
        (Event.CALL_STARTED, {"call_ref": "Maria Lopez"}),  # a sentence, not an identifier
        (Event.CALL_STARTED, {"transcript": "refill"}),  # not on the allowlist
        (Event.CALL_TRANSFERRED, {"call_ref": "c-1", "detail": "caller said her date of birth"}),
    ],
)
def test_free_text_is_refused(event: Event, fields: dict[str, object]) -> None:
    with pytest.raises(UnsafeFieldError):
        Journal().entry(event, **fields)


def test_multiline_detail_uses_the_binary_form() -> None:
    data = encode_entry({"MESSAGE": "line one\nline two"})
    assert data == b"MESSAGE\n" + struct.pack("<Q", 17) + b"line one\nline two\n"
    assert parse(data) == {"MESSAGE": "line one\nline two"}


def test_without_journald_the_entry_goes_to_stderr(tmp_path: Path) -> None:
    out = io.StringIO()
    journal = Journal(str(tmp_path / "absent.sock"), fallback=out)
    assert not journal.send(
        Event.CONFIG_INVALID, detail="/etc/wardline/wardline.toml:3: call.endpoint_ms: too small"
    )
    assert "Configuration refused: /etc/wardline/wardline.toml:3: call.endpoint_ms" in out.getvalue()
