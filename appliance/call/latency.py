"""The latency record of a turn: when each stage finished, in ms on the call's clock.

The listener stamps the caller's speech end and the end-of-turn decision, the loop the final
transcript, the speaker the first response text and the first synthesized audio; the first
outbound frame comes from the playout. Voice-to-voice is caller speech end → first agent frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from appliance.events import EventSink, TurnLatency


@dataclass
class TurnTiming:
    speech_end_ms: float = 0.0
    end_of_turn_ms: float = 0.0
    asr_final_ms: float = 0.0
    first_text_ms: float = 0.0
    first_audio_ms: float = 0.0
    first_frame_ms: float = 0.0


class LatencyRecord:
    """Reports each turn's TurnLatency once, when its reply's first frame has played."""

    def __init__(
        self,
        call_id: str,
        emit: EventSink,
        now_ms: Callable[[], float],
        t0: float,
        preemptive: Callable[[], str],
    ) -> None:
        self._call_id = call_id
        self._emit = emit
        self._now_ms = now_ms
        self._t0 = t0  # the call's start on its clock, in seconds
        self._preemptive = preemptive  # what the dialog did with the partial: "used", "redone", ""

    def report(self, timing: TurnTiming | None, first_frame_at: float | None) -> None:
        """`first_frame_at`: the clock's seconds when the reply's first frame played (None: not yet)."""
        if timing is None or first_frame_at is None or timing.first_frame_ms:
            return  # no spoken turn, nothing played yet, or reported already
        timing.first_frame_ms = first_frame = (first_frame_at - self._t0) * 1000.0
        self._emit(
            TurnLatency(
                self._call_id,
                self._now_ms(),
                voice_to_voice_ms=first_frame - timing.speech_end_ms,
                speech_end_ms=timing.speech_end_ms,
                end_of_turn_ms=timing.end_of_turn_ms,
                asr_final_ms=timing.asr_final_ms,
                first_text_ms=timing.first_text_ms,
                first_audio_ms=timing.first_audio_ms,
                first_frame_ms=first_frame,
                preemptive=self._preemptive(),
            )
        )
