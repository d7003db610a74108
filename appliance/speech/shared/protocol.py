"""The wire between SIP workers and the shared engine process: Wyoming, plus one event.

Wyoming (rhasspy/Home Assistant's protocol for local speech services, the `wyoming` package) is
a line of JSON per event with an optional binary payload; audio travels as raw PCM with its
rate, width and channels. One connection carries one request, as Home Assistant uses it:

- recognition: worker → `transcribe` (language, `transcript_terms` = the dialog's hints,
  `context.listening_for` = what the dialog waits for), `audio-start`, `audio-chunk`…,
  `audio-stop`; engine → `wardline-partial`… while the caller speaks, then `transcript`.
- synthesis: worker → `synthesize` (text, `voice.language`, `context.sample_rate_hz`); engine →
  `audio-start`, `audio-chunk`…, `audio-stop`.
- health: `describe` → `info` (`wardline doctor`, and each worker before its first call).
- failures: engine → `error` with a stable code (`asr-busy`, `asr-failed`, `tts-failed`); the
  text never quotes what the caller said.

Cancellation (barge-in, a discarded turn, hang-up) is the client closing the connection: Wyoming
has no cancel event, and a closed socket is one nobody can miss. The engine then drops the stream
and stops its synthesis at once.

The one extension, `wardline-partial`, carries the whole current hypothesis (`text`), how many
bytes of the stream's audio the engine had been fed when it was made (`heard`), and whether the
engine has decoded all of them (`caught_up`). Wyoming's own `transcript-chunk` is a piece of text
to append; our hypotheses revise their unstable tail, so they cannot be sent as appended
pieces. Wyoming peers drop events they do not know, so a plain Wyoming client still gets the
`transcript`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wyoming.event import Event

from appliance.config import Settings

PARTIAL_TYPE = "wardline-partial"
SAMPLE_WIDTH = 2  # bytes: PCM16
CHANNELS = 1
MAX_SOCKET_PATH = 107  # sun_path holds 108 bytes with its terminating NUL


@dataclass(frozen=True)
class Partial:
    """The engine's current hypothesis for one stream."""

    text: str
    heard: int
    """Bytes of the stream's audio the engine had been fed when this was made."""
    caught_up: bool
    """Whether the engine had decoded every one of those bytes (none in flight)."""

    @staticmethod
    def is_type(event_type: str) -> bool:
        return event_type == PARTIAL_TYPE

    def event(self) -> Event:
        return Event(PARTIAL_TYPE, {"text": self.text, "heard": self.heard, "caught_up": self.caught_up})

    @staticmethod
    def from_event(event: Event) -> Partial:
        data: dict[str, Any] = event.data or {}
        return Partial(str(data.get("text", "")), int(data.get("heard", 0)), bool(data.get("caught_up")))


class SocketPathError(ValueError):
    """An engine socket path that a Unix socket cannot have."""


def engine_socket(settings: Settings) -> Path:
    """Where the engine process listens: `[speech] engine_socket`, else DATA_DIR/run/engines.sock
    (a folder every Wardline unit may write: ProtectSystem=strict leaves only the data dir)."""
    configured = settings.speech.engine_socket
    path = Path(configured) if configured else Path(settings.data_dir) / "run" / "engines.sock"
    if len(os.fsencode(path)) > MAX_SOCKET_PATH:
        raise SocketPathError(
            f"speech.engine_socket: {path} is {len(os.fsencode(path))} bytes; a Unix socket path "
            f"holds at most {MAX_SOCKET_PATH}: set a shorter speech.engine_socket"
        )
    return path
