"""What the dialog asks the call to do: speak, transfer, hang up, stop recording.

The CallSession carries these out in order. `Say` text is spoken as it arrives (a response is
a stream of sentences); a `Transfer` or `HangUp` waits until what was said before it has played.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Say:
    text: str
    filler: bool = False  # a filler while a tool runs ("let me check…")
    language: str = ""  # ISO 639-1 when not the site's own language: the synthesizer's voice for it


@dataclass(frozen=True)
class Transfer:
    to: str  # PBX extension
    reason: str
    handoff_id: str = ""
    # reason, identity verified or not, actions taken, last tool result: for the person who answers
    summary: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HangUp:
    reason: str = "goodbye"


@dataclass(frozen=True)
class SetRecording:
    enabled: bool


@dataclass(frozen=True)
class SecureDigits:
    """Collect the next DTMF digits in secure mode: they reach the tool, never ASR or a log."""

    enabled: bool


AgentAction = Say | Transfer | HangUp | SetRecording | SecureDigits


@dataclass(frozen=True)
class CallerTurn:
    """One caller turn as the dialog sees it."""

    text: str = ""
    dtmf: str = ""
    kind: str = "speech"  # speech | dtmf | silence
    language: str = ""  # ISO 639-1, when the recognizer detected it (faster-whisper)
