"""Structured journald events: one MESSAGE_ID per event type, SYSLOG_IDENTIFIER=wardline, no PHI.

The MESSAGE text of every event is fixed by its type and filled only from typed fields whose
names are on an allowlist and whose values are numbers or short identifiers (a call reference,
a model id). There is no free-text argument, so a transcript, a name or a date of birth cannot
reach the journal through this module. `detail` (free text) is accepted only for events about
the box itself (a configuration error, a failed migration), never for call events.

Entries go to journald through systemd-python's `systemd.journal.send` (libsystemd's
sd_journal_sendv: the native protocol, with its fallback to a memfd for large entries). Without
journald (a terminal, a container: its socket is absent, and libsystemd would drop the entry
silently) the same entry is written to stderr as one line. Call `log_event` from any thread.

    journalctl -u wardline MESSAGE_ID=5d0125f7531c4262808c2df979c9935e   # every reload
"""

from __future__ import annotations

import enum
import os
import re
import sys
from dataclasses import dataclass
from typing import TextIO

from systemd import journal as _journald

JOURNAL_SOCKET = "/run/systemd/journal/socket"  # where libsystemd sends: present while journald runs
IDENTIFIER = "wardline"

# syslog priorities (journald's PRIORITY field)
ERR, WARNING, NOTICE, INFO = 3, 4, 5, 6


@dataclass(frozen=True)
class _Kind:
    message_id: str
    template: str
    priority: int
    system: bool  # about the box, not a call: may carry `detail`


class Event(enum.Enum):
    """Event types with a stable MESSAGE_ID each (never reuse or change an id)."""

    SERVICE_STARTING = _Kind("6b4609178d144833a101dd56e3956cf2", "Wardline {version} starting", INFO, True)
    SERVICE_READY = _Kind("195a12148987491b95748ce1b8075c39", "Wardline ready: {status}", NOTICE, True)
    SERVICE_STOPPING = _Kind("3f0efe28c65e452c84b3dd489efe0376", "Wardline stopping", NOTICE, True)
    SERVICE_FAILED = _Kind("b46de621dc4c4628a9c0918bbcca7491", "Wardline failed: {error_code}", ERR, True)
    START_REFUSED = _Kind("0362b7eb295c49b2b2b87929350853ad", "Wardline cannot start: {detail}", ERR, True)
    CALLS_REFUSED = _Kind(
        "873ec437d88e4b5289f01b0691872b73", "Wardline refuses new calls: {detail}", ERR, True
    )
    CONFIG_INVALID = _Kind("9f0bf91cb82d418293a209045126bd4a", "Configuration refused: {detail}", ERR, True)
    RELOAD_DONE = _Kind("5d0125f7531c4262808c2df979c9935e", "Reloaded: {status}", NOTICE, True)
    RELOAD_FAILED = _Kind(
        "dc9738247dab4f0692d90e5367e21d80", "Reload refused, keeping the running one: {detail}", ERR, True
    )
    STATUS = _Kind("95d5a1795c4b402596813178cec93fa6", "Status: {status}", INFO, True)
    CALL_STARTED = _Kind("53c2caf745544eccb043e719ab98fe4c", "Call {call_ref} started", INFO, False)
    CALL_ENDED = _Kind(
        "db22673b96504501b980f8700f4b575d",
        "Call {call_ref} ended: {outcome}, {codec}, {started} to {ended} ({duration_ms} ms)",
        INFO,
        False,
    )
    CALL_TRANSFERRED = _Kind(
        "f0434ade996f4b1682de26a92d0666f0", "Call {call_ref} transferred ({reason_code})", NOTICE, False
    )
    MODEL_ACTIVATED = _Kind("0f8baa6f530e469183b50e69824e864b", "Model {model} active", NOTICE, True)
    DB_BACKED_UP = _Kind("242295eb97764387a79b20fe87cc50fa", "Database backed up to {path}", INFO, True)
    DB_MIGRATED = _Kind(
        "f3d5ef97a3794b69bc389fa1e0252648", "Database schema upgraded to {revision}", NOTICE, True
    )
    DB_MIGRATION_FAILED = _Kind(
        "f8d7c082b1084b9aaaddeec400124a35", "Database upgrade failed, backup restored: {detail}", ERR, True
    )
    KEYS_GENERATED = _Kind("98a6850e82ed4de9b31c0626ec4d1250", "Generated {count} key file(s)", NOTICE, True)
    AUDIT_WRITE_FAILED = _Kind(
        "4a1f0c6e9d2b4e57a3c8b1f27d90e6a5",
        "Audit log cannot be written, calls go to a person until it recovers "
        "({count} entries waiting): {detail}",
        ERR,
        True,
    )
    AUDIT_RECOVERED = _Kind(
        "c2e85b0d7f6a4b1e9d3a5c7f0b2e4d68", "Audit log writing again ({count} entries waiting)", NOTICE, True
    )

    @property
    def message_id(self) -> str:
        return self.value.message_id


SAFE_FIELDS = frozenset(
    {
        "version",
        "status",
        "error_code",
        "call_ref",
        "duration_ms",
        "reason_code",
        "model",
        "path",
        "revision",
        "count",
        "active_calls",
        "outcome",
        "codec",
        "started",
        "ended",
    }
)
# identifiers only: no spaces, so no sentence (and no transcript) fits; `status` also allows the
# separators format_status() uses.
_IDENT = re.compile(r"[A-Za-z0-9._:@/+=-]{1,200}")
_STATUS = re.compile(r"[A-Za-z0-9._:@/+=;, -]{1,300}")


class UnsafeFieldError(ValueError):
    """A journal field that is not on the allowlist or does not look like an identifier."""


def _check(event: Event, fields: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in fields.items():
        if name == "detail":
            if not event.value.system:
                raise UnsafeFieldError(f"{event.name} is a call event: it cannot carry free text")
            out[name] = str(value)[:500]
            continue
        if name not in SAFE_FIELDS:
            raise UnsafeFieldError(f"journal field {name!r} is not on the allowlist")
        if isinstance(value, bool | int | float):
            out[name] = str(value)
            continue
        pattern = _STATUS if name == "status" else _IDENT
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise UnsafeFieldError(f"journal field {name!r} must be an identifier or a number")
        out[name] = value
    return out


class Journal:
    """Writes events to journald (or stderr when there is none).

    journald: None looks for journald's socket at each entry; False always writes to stderr
    (`fallback`, a terminal's or a test's stream)."""

    def __init__(self, *, journald: bool | None = None, fallback: TextIO | None = None) -> None:
        self._journald = journald
        self._fallback = fallback

    @property
    def journald(self) -> bool:
        return os.path.exists(JOURNAL_SOCKET) if self._journald is None else self._journald

    def entry(self, event: Event, **fields: object) -> dict[str, str]:
        """The journal fields for one event (validated; raises UnsafeFieldError)."""
        values = _check(event, fields)
        try:
            message = event.value.template.format_map(_Missing(values))
        except (KeyError, IndexError, ValueError):
            message = event.value.template
        entry = {
            "MESSAGE": message,
            "MESSAGE_ID": event.message_id,
            "PRIORITY": str(event.value.priority),
            "SYSLOG_IDENTIFIER": IDENTIFIER,
            "WARDLINE_EVENT": event.name.lower(),
        }
        entry.update({f"WARDLINE_{k.upper()}": v for k, v in values.items()})
        return entry

    def send(self, event: Event, **fields: object) -> bool:
        """Record one event; True when journald took it, False when it went to stderr."""
        entry = self.entry(event, **fields)
        if self.journald:
            try:
                _journald.send(**entry)
                return True
            except OSError:
                pass  # journald went away: the line below still records it
        stream = self._fallback or sys.stderr
        stream.write(f"{IDENTIFIER}[{os.getpid()}]: {entry['MESSAGE']}\n")
        stream.flush()
        return False


class _Missing(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "-"


_default = Journal()


def log_event(event: Event, **fields: object) -> bool:
    """Record `event` in the journal with the given allowlisted fields."""
    return _default.send(event, **fields)
