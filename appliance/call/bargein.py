"""Barge-in that knows what it heard: an interruption stops the agent, an "uh-huh" does not.

Caller sound while the agent plays is one of: the caller's own voice saying something (stop the
agent: a real interruption), a backchannel ("uh-huh", "okay", "mm-hm", "right": the caller is
listening), a cough or line noise, or the agent's own voice coming back as echo on a line with
poor echo cancellation. The agent cannot know which at the first frame, so:
- the first frames of caller sound that are not echo pause playback at once (the queued audio
  is kept): to the caller the agent stops as soon as they start;
- speech that goes on past `commit_ms`, a word that asks the agent to stop ("no", "wait",
  "operator"…), or more than `short_ms` of speech whose words are not a backchannel, is a real
  interruption: the session clears playback (only the words played stay in history) and hears
  the turn;
- anything else resumes playback where it paused: a backchannel (by its letters, or by its
  sound: "by C" for "I see", backchannel_sounds.py), a cough or a click, any sound shorter than
  `short_ms`, and words more than the caller's voice could carry (the recognizer makes words out
  of a cough: Whisper's "thank you very much" for 0.4 s of one, "amendment" for an "mm-hm").
Echo frames (appliance/call/echo.py) count for nothing.

Pure: frames' speech and echo flags and transcript text in, actions out; no audio, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from appliance.audio import FRAME_MS
from appliance.call.backchannel_sounds import sounds_like_backchannel

InterruptSensitivity = Literal["low", "medium", "high"]


class Action(Enum):
    PAUSE = "pause"  # hold playback (queued audio kept)
    RESUME = "resume"  # it was a backchannel or noise: play on from where it paused
    INTERRUPT = "interrupt"  # a real interruption: stop the reply, hear the caller


@dataclass(frozen=True)
class BargeInSettings:
    pause_ms: int  # caller speech (not echo) that pauses playback
    short_ms: int  # caller speech shorter than this is a sound, not a turn, unless it says "stop"
    commit_ms: int  # caller speech that is an interruption whatever its words
    backchannel_words: int  # at most this many words, all of them backchannel, still let it pass


# The site's dial (call.interrupt_sensitivity). "low": the agent talks through longer
# acknowledgements; "high": anything longer than a word stops it.
SENSITIVITY: dict[str, BargeInSettings] = {
    "low": BargeInSettings(pause_ms=100, short_ms=500, commit_ms=1000, backchannel_words=4),
    "medium": BargeInSettings(pause_ms=60, short_ms=400, commit_ms=700, backchannel_words=3),
    "high": BargeInSettings(pause_ms=40, short_ms=240, commit_ms=450, backchannel_words=2),
}

# What a listening caller says that asks nothing. "no" and "wait" are not here: they ask.
BACKCHANNELS = frozenset(
    {
        "uh-huh", "uhhuh", "uh", "huh", "mm-hm", "mmhm", "mhm", "mm", "hmm", "hm", "um", "ok", "okay",
        "right", "yeah", "yep", "yes", "sure", "i", "see", "got", "it", "alright", "all", "cool",
        "mm-hmm", "uh-hum", "ah", "oh", "gotcha", "great", "good", "fine", "thanks", "thank", "you",
        "very", "much", "so",
    }
)  # fmt: skip
# Words that ask the agent to stop, however short the sound that carries them.
STOP_WORDS = frozenset(
    {
        "no", "nope", "stop", "wait", "hold", "hang", "sorry", "pardon", "excuse", "what",
        "operator", "agent", "person", "human", "nurse", "help", "emergency", "repeat", "again",
        "but", "actually", "hello",
    }
)  # fmt: skip
_WORD = re.compile(r"[a-z][a-z'-]*")
# Brisk speech is about four words a second; more than five (plus one) in the caller's voice is a
# recognizer writing words for a noise.
MAX_WORDS_PER_S = 5


def _callers_words(text: str, agent_text: str) -> list[str]:
    echoed = set(words_of(agent_text))
    return [w for w in words_of(text) if w not in echoed]


def words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_backchannel(text: str, max_words: int = 3, agent_text: str = "") -> bool:
    """Only listening noises ("uh-huh", "okay, right", "I see"), or no words at all.

    Words the agent itself just said (`agent_text`) do not count: on a line with poor echo
    cancellation the recognizer hears the agent's sentence too. Words that sound like a
    backchannel count as one ("by C", "write": backchannel_sounds.py).
    """
    words = _callers_words(text, agent_text)
    if len(words) > max_words:
        return False
    return _listening_noises(words)


def _listening_noises(words: list[str]) -> bool:
    """The words split into backchannels, each by its letters or by its sound ("okay, by C":
    "by C" is how the recognizer writes a short "I see")."""
    if not words:
        return True
    for k in range(1, len(words) + 1):
        head = words[:k]
        heard_as_one = (k == 1 and head[0] in BACKCHANNELS) or sounds_like_backchannel(head)
        if heard_as_one and _listening_noises(words[k:]):
            return True
    return False


def asks_to_stop(text: str, agent_text: str = "") -> bool:
    return any(w in STOP_WORDS for w in _callers_words(text, agent_text))


class OverlapJudge:
    """One stretch of caller sound while the agent plays, from its first frame to its verdict."""

    def __init__(self, settings: BargeInSettings, frame_ms: int = FRAME_MS) -> None:
        self.settings = settings
        self.frame_ms = frame_ms
        self.reset()

    def reset(self) -> None:
        self.active = False  # an overlap is being judged
        self.paused = False
        self.decided: Action | None = None
        self._voice_ms = 0  # caller speech that is not echo
        self.echo_ms = 0

    def start(self) -> None:
        self.reset()
        self.active = True

    def frame(self, speech: bool, echo: bool) -> Action | None:
        """One inbound frame of the overlap; returns PAUSE or INTERRUPT when that is decided now."""
        if not self.active or self.decided is not None:
            return None
        if speech and echo:
            self.echo_ms += self.frame_ms
            return None
        if not speech:
            return None
        self._voice_ms += self.frame_ms
        if self._voice_ms >= self.settings.commit_ms:
            return self._decide(Action.INTERRUPT)
        if not self.paused and self._voice_ms >= self.settings.pause_ms:
            self.paused = True
            return Action.PAUSE
        return None

    def partial(self, text: str, agent_text: str = "") -> Action | None:
        """Words heard so far: more than a backchannel is an interruption at once."""
        if not self.active or self.decided is not None or not self.paused:
            return None
        if asks_to_stop(text, agent_text):
            return self._decide(Action.INTERRUPT)
        if self._more_words_than_voice(text, agent_text):
            return None  # words made of a noise: the sound's end decides
        if self._voice_ms >= self.settings.short_ms and not is_backchannel(
            text, self.settings.backchannel_words, agent_text
        ):
            return self._decide(Action.INTERRUPT)
        return None

    def ended(self, text: str, agent_text: str = "") -> Action:
        """The caller went quiet before `commit_ms`: their words decide."""
        if self.decided is not None:
            return self.decided
        if not self.paused:
            return self._decide(Action.RESUME)
        if asks_to_stop(text, agent_text):
            return self._decide(Action.INTERRUPT)
        if self._voice_ms < self.settings.short_ms or self._more_words_than_voice(text, agent_text):
            return self._decide(Action.RESUME)
        if is_backchannel(text, self.settings.backchannel_words, agent_text):
            return self._decide(Action.RESUME)
        return self._decide(Action.INTERRUPT)

    def _more_words_than_voice(self, text: str, agent_text: str) -> bool:
        """More words than the caller's voice could have carried ("thank you very much" in 0.4 s
        of a cough): the recognizer made them of a noise."""
        words = len(_callers_words(text, agent_text))
        return words > 1 and words > 1 + self._voice_ms / 1000 * MAX_WORDS_PER_S

    @property
    def voice_ms(self) -> int:
        return self._voice_ms

    def _decide(self, action: Action) -> Action:
        self.decided = action
        return action
