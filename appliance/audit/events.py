"""Call events → audit entries: the one place that decides what of a call reaches the audit log.

Only the event types listed in EVENT_FIELDS are logged, and of each only the listed fields:
never an event that `carries_phi`, never caller words, names, dates or a handoff summary.
`AuditSink` plugs into a call's EventSink chain and writes a checkpoint at the end of each call.
When the log cannot be written it raises AuditWriteError, or, given `on_failure`, calls it once
per call with (call_id, error) and carries on: that is where the call boundary asks for the
transfer to a person (DESIGN invariant 4) without the failure breaking the event path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from appliance.audit.log import AuditWriteError
from appliance.events import Event

# event type -> fields copied into the payload (t_ms, the call clock, is always kept)
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "call-started": ("transport", "sample_rate_hz"),
    "call-ended": ("outcome", "reason"),
    "fault": ("stage", "code"),  # which stage failed; never the error's message
    "disclosure-played": (),
    "consent-answered": ("recording",),
    "identity-checked": ("verified", "attempt"),  # the outcome only, never the identifiers
    "tool-call": ("tool", "status", "ok", "latency_ms", "refs"),  # refs: opaque record ids
    "transfer": ("to", "reason", "handoff_id"),  # not the summary
    "transfer-failed": ("to",),  # the REFER was refused or the target never answered
    "red-flag": ("category",),
}


class _Appender(Protocol):
    def append(self, type: str, actor: str, call_id: str | None, payload: dict[str, Any]) -> int: ...

    def checkpoint(self) -> str: ...


def audit_entry(event: Event) -> tuple[str, dict[str, Any]] | None:
    """(entry type, payload) for an event worth logging, or None."""
    if event.carries_phi:
        return None
    fields = EVENT_FIELDS.get(event.type)
    if fields is None:
        return None
    payload: dict[str, Any] = {"t_ms": round(float(event.t_ms), 1)}
    for name in fields:
        value = getattr(event, name)
        payload[name] = round(value, 1) if isinstance(value, float) else value
    return event.type, payload


class AuditSink:
    """An EventSink that logs call events; `actor` names who acted (the agent, by default)."""

    def __init__(
        self,
        log: _Appender,
        actor: str = "agent",
        on_failure: Callable[[str, AuditWriteError], None] | None = None,
    ) -> None:
        self.log = log
        self.actor = actor
        self.on_failure = on_failure
        self._failed_calls: set[str] = set()

    def __call__(self, event: Event) -> None:
        mapped = audit_entry(event)
        if mapped is None:
            return
        kind, payload = mapped
        try:
            self.log.append(kind, self.actor, event.call_id, payload)
            if kind == "call-ended":
                self.log.checkpoint()
        except AuditWriteError as exc:
            if self.on_failure is None:
                raise
            if event.call_id not in self._failed_calls:
                self._failed_calls.add(event.call_id)
                self.on_failure(event.call_id, exc)
        if kind == "call-ended":
            self._failed_calls.discard(event.call_id)


def audit_sink(
    log: _Appender, actor: str = "agent", on_failure: Callable[[str, AuditWriteError], None] | None = None
) -> AuditSink:
    """The EventSink for a call's events (see AuditSink)."""
    return AuditSink(log, actor, on_failure)
