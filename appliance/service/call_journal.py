"""One journal line per call: `Call sip-… ended: transferred, PCMU, <start> to <end> (… ms)`.

Only the agent's own call reference, the codec, the times and the outcome: never the caller's
number, the SIP Call-ID or anything said (journal.py refuses free text on call events).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from appliance.service.journal import Event, Journal


def _stamp(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z" if when else "-"


def call_journal(journal: Journal | None = None) -> Any:
    """The SipServer's `on_finished`: journal each finished call (a telephony CallRecord)."""
    journal = journal or Journal()

    def record(call: Any) -> None:
        duration = (call.ended - call.started).total_seconds() * 1000 if call.started and call.ended else 0
        journal.send(
            Event.CALL_ENDED,
            call_ref=call.call_id,
            outcome=call.outcome or "failed",
            codec=call.codec or "-",
            started=_stamp(call.started),
            ended=_stamp(call.ended),
            duration_ms=round(duration),
        )

    return record
