"""Audit entries in plain language for `wardline audit tail|show`."""

from __future__ import annotations

from typing import Any

# entry type -> sentence; {field} names come from the payload (missing ones print as "?")
SENTENCES: dict[str, str] = {
    "call-started": "call started ({transport})",
    "call-ended": "call ended: {outcome}",
    "fault": "fault in the {stage} stage ({code}): the call was handed to a person",
    "disclosure-played": "automated-assistant and recording notice played",
    "consent-answered": "caller answered the recording question (recording allowed: {recording})",
    "identity-checked": "identity check, attempt {attempt}: verified {verified}",
    "tool-call": "tool {tool}: {status}{on}",
    "transfer": "transferred to {to} ({reason})",
    "transfer-failed": "the transfer to {to} failed; the caller stayed with the agent",
    "red-flag": "red flag raised: {category}; escalated",
    "model-changed": "model changed: {role} → {model}",
    "policy-changed": "policy changed: {policy} ({version})",
    "config-changed": "configuration changed: {key}",
    "key-rotated": "audit signing key rotated to {new_key_id}",
    "data-read": "stored call data read: {what}, because {why}",
    "data-access": "stored call data of call {call_id} read by {actor} ({data_classes}), because {reason}",
    "model-swapped": "running service swapped its {kind} model to {model} (was {previous})",
    "console-view": "console: {what} viewed",
    "console-lockout": "console locked logins for {scope} {who} for {seconds} s after repeated failures",
    "console-csrf-refused": "console refused a form without a valid token at {path} ({reason})",
    "retention-deleted": "retention deleted {what} ({count} items)",
}


# Entry names an older release wrote, read as today's (a log is append-only: they stay in it).
OLDER_NAMES = {"tool_call": "tool-call"}


class _Defaults(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def describe(entry: dict[str, Any]) -> str:
    payload = {
        k: ", ".join(map(str, v)) if isinstance(v, list) else v
        for k, v in (entry.get("payload") or {}).items()
    }
    refs = payload.pop("refs", None)
    on = ", ".join(f"{k} {v}" for k, v in sorted(refs.items())) if isinstance(refs, dict) else ""
    payload["on"] = f" ({on})" if on else ""  # the records a tool call touched, by reference
    if "new_key" in payload:
        parts = str(payload["new_key"]).split("+", 2)
        payload["new_key_id"] = parts[1] if len(parts) == 3 else "?"
    kind = str(entry.get("type", ""))
    template = SENTENCES.get(OLDER_NAMES.get(kind, kind))
    if template is None:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(payload.items()))
        return f"{entry.get('type')}: {detail}" if detail else str(entry.get("type"))
    return template.format_map(_Defaults(payload))


def line(entry: dict[str, Any]) -> str:
    call = f" call {entry['call_id']}" if entry.get("call_id") else ""
    return f"#{entry['seq']} {entry['time']} {entry['actor']}{call}: {describe(entry)}"
