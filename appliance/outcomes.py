"""How a call ended, and why it went to a person: the one vocabulary the dialog, the call session,
the simulator and the figures share (no PHI: fixed codes, a category or a stage at most).

A transfer reason is a `TransferReason`, or for a few kinds the reason and one detail after a
colon (`red-flag:chest_pain`, `fault:asr`); `TransferReason.X.at(detail)` writes one and
`reason_code` reads any reason back as the fixed label a figure counts. Free text (a model's words)
never becomes a reason: the dialog builds every reason from this enum.
"""

from __future__ import annotations

import re
from enum import StrEnum


class CallOutcome(StrEnum):
    """How a call ended, as `CallEnded.outcome` records it."""

    CONTAINED = "contained"  # the agent resolved it and said goodbye
    TRANSFERRED = "transferred"
    CALLER_HUNG_UP = "caller_hung_up"
    AGENT_HUNG_UP = "agent_hung_up"  # ended without resolving it (no input, no line answered)
    FAILED = "failed"  # the last-resort transfer after a fault did not go through


class HangUpReason(StrEnum):
    """Why the agent hung up."""

    GOODBYE = "goodbye"  # the caller was done
    NO_INPUT = "no-input"  # the caller stayed silent through the reprompts


def hang_up_outcome(reason: str) -> CallOutcome:
    """The rule for an agent's hang-up: a goodbye is a contained call, anything else is not."""
    return CallOutcome.CONTAINED if reason == HangUpReason.GOODBYE else CallOutcome.AGENT_HUNG_UP


class TransferReason(StrEnum):
    """Why the agent handed a call to a person."""

    CALLER_ASKED = "caller-asked"  # :<target>, by voice
    CALLER_PRESSED_OPERATOR = "caller-pressed-operator"  # the site's operator key (0, or star in an entry)
    RED_FLAG = "red-flag"  # :<category>, an emergency
    RED_FLAG_DOUBT = "red-flag-doubt"  # :<category>, a possible one: the nurse line
    SYMPTOM_NOT_UNDERSTOOD = "symptom-not-understood"
    NOT_UNDERSTOOD = "not-understood"
    KNOWLEDGE_UNKNOWN = "knowledge-unknown"
    CARD_NUMBER = "card-number"
    LANGUAGE = "language"  # :<code>, a language the site does not speak
    IDENTITY_NOT_VERIFIED = "identity-not-verified"
    TOOL_FAILED = "tool-failed"
    TOOL_DECLINED = "tool-declined"  # :<status>, a tool said no (conflict, refused…) and the flow hands off
    NO_OPTIONS = "no-options"
    TRANSFER_FAILED = "transfer-failed"  # the first line did not answer: the operator instead
    FAULT = "fault"  # :<stage>, a stage failed during the call
    FALLBACK = "fallback"  # :<intent>, the intent is switched to people

    def at(self, detail: str) -> str:
        """This reason with its detail, as an event records it."""
        return f"{self.value}:{detail}"


# The kinds whose detail a figure keeps (a category, a stage, an intent, a status: all fixed codes).
_COUNTED_DETAIL = frozenset(
    {
        TransferReason.RED_FLAG,
        TransferReason.RED_FLAG_DOUBT,
        TransferReason.FAULT,
        TransferReason.FALLBACK,
        TransferReason.TOOL_DECLINED,
    }
)
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,47}$")
OTHER = "other"


def reason_code(reason: str) -> str:
    """A transfer reason as the fixed label a figure counts; anything unknown is "other"."""
    kind, _, detail = reason.strip().partition(":")
    try:
        known = TransferReason(kind)
    except ValueError:
        return OTHER
    if known in _COUNTED_DETAIL and _CODE.fullmatch(detail):
        return known.at(detail)
    return known.value
