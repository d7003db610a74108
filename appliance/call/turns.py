"""Turn taking as a pure state machine: speech probabilities in, turn signals out.

No audio, no threads, no clock of its own: the caller passes each 20 ms frame's speech
probability and the frame's time. That keeps end-of-turn and barge-in decisions testable
without audio, and lets the benchmark tune the endpoint window.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from appliance.audio import FRAME_MS


class Signal(Enum):
    SPEECH_START = "speech-start"  # the caller started speaking (first speech frame of a turn)
    BARGE_IN = "barge-in"  # enough speech while the agent plays: stop the agent
    END_OF_TURN = "end-of-turn"  # enough silence after speech: the caller's turn is over
    TURN_TOO_LONG = "turn-too-long"  # the turn ran past max_turn_ms: treat it as ended
    NOISE = "noise"  # a speech blip too short to count; the turn is dropped


@dataclass(frozen=True)
class TurnTakingConfig:
    endpoint_ms: int = 260  # silence after speech that ends a turn
    barge_in_ms: int = 200  # speech during playback that interrupts it
    min_speech_ms: int = 80  # shorter speech is a blip (cough, click), not a turn
    max_turn_ms: int = 30000
    threshold: float = 0.5  # speech when the probability reaches this …
    release: float = 0.35  # … and silence again only below this (hysteresis)


class EndOfTurnDetector:
    """Feeds on (probability, time, agent playing?) per frame; returns the signals it raises."""

    def __init__(self, config: TurnTakingConfig | None = None, frame_ms: int = FRAME_MS) -> None:
        self.config = config or TurnTakingConfig()
        self.frame_ms = frame_ms
        self.endpoint_ms = self.config.endpoint_ms  # the caller may change it per turn
        self._in_speech = False  # the current frame is speech (with hysteresis)
        self._turn_open = False
        self._turn_start_ms = 0.0
        self._speech_ms = 0.0  # speech accumulated in the open turn
        self._silence_ms = 0.0  # silence since the last speech frame
        self._last_speech_end_ms = 0.0
        self._barged = False

    @property
    def turn_open(self) -> bool:
        return self._turn_open

    @property
    def in_speech(self) -> bool:
        """The latest frame was speech (with hysteresis)."""
        return self._in_speech

    @property
    def silence_ms(self) -> float:
        """Silence since the open turn's last speech frame (0 while the caller speaks)."""
        return self._silence_ms if self._turn_open else 0.0

    @property
    def last_speech_end_ms(self) -> float:
        """End time of the last speech frame (the VAD's view of when the caller stopped)."""
        return self._last_speech_end_ms

    def reset(self) -> None:
        self._in_speech = self._turn_open = self._barged = False
        self._speech_ms = self._silence_ms = 0.0

    def process(self, probability: float, now_ms: float, agent_playing: bool = False) -> list[Signal]:
        cfg = self.config
        self._in_speech = probability >= (cfg.release if self._in_speech else cfg.threshold)
        signals: list[Signal] = []
        if self._in_speech:
            if not self._turn_open:
                self._turn_open = True
                self._turn_start_ms = now_ms
                self._speech_ms = 0.0
                self._barged = False
                signals.append(Signal.SPEECH_START)
            self._speech_ms += self.frame_ms
            self._silence_ms = 0.0
            self._last_speech_end_ms = now_ms + self.frame_ms
            if agent_playing and not self._barged and self._speech_ms >= cfg.barge_in_ms:
                self._barged = True
                signals.append(Signal.BARGE_IN)
        elif self._turn_open:
            self._silence_ms += self.frame_ms
            if self._silence_ms >= self.endpoint_ms:
                enough = self._speech_ms >= cfg.min_speech_ms and (self._barged or not agent_playing)
                signals.append(Signal.END_OF_TURN if enough else Signal.NOISE)
                self._turn_open = False
        if self._turn_open and now_ms + self.frame_ms - self._turn_start_ms >= cfg.max_turn_ms:
            signals.append(Signal.TURN_TOO_LONG)
            self._turn_open = False
            self._in_speech = False
        return signals
