"""Structured journal entries: through systemd-python to journald, MESSAGE_IDs, and refusal of
anything free-text."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from appliance.service.journal import Event, Journal, UnsafeFieldError
from tests.conftest import REPO
from tests.namespaces import needs_namespaces

SCRIPT = Path(__file__).with_name("journald_entry.py")


@needs_namespaces
def test_entries_reach_journald_through_libsystemd() -> None:
    # An empty /run in a private mount namespace: the script's socket is journald's, at the path
    # libsystemd sends to, so nothing of the box's own journal is touched.
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         f'mount -t tmpfs tmpfs /run && exec "{sys.executable}" "{SCRIPT}"'],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    ended, refused = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert ended["sent"] is True
    assert ended["SYSLOG_IDENTIFIER"] == "wardline"
    assert ended["MESSAGE_ID"] == Event.CALL_ENDED.message_id
    assert ended["MESSAGE"] == (
        "Call c-0042 ended: transferred, PCMU, "
        "2026-03-02T07:00:00.000Z to 2026-03-02T07:01:01.250Z (61250 ms)"
    )
    assert ended["WARDLINE_CALL_REF"] == "c-0042" and ended["PRIORITY"] == "6"
    assert ended["CODE_FUNC"] == "send"  # systemd-python's own mark: libsystemd sent it, not our code
    # a value with a newline travels in the protocol's binary form, whole
    assert refused["MESSAGE"] == "Configuration refused: wardline.toml:3: line one\nline two"


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


def test_without_journald_the_entry_goes_to_stderr(tmp_path: Path) -> None:
    out = io.StringIO()
    journal = Journal(journald=False, fallback=out)
    assert not journal.send(
        Event.CONFIG_INVALID, detail="/etc/wardline/wardline.toml:3: call.endpoint_ms: too small"
    )
    assert "Configuration refused: /etc/wardline/wardline.toml:3: call.endpoint_ms" in out.getvalue()
