"""The post-call satisfaction press: after the agent's goodbye, the caller may press 1, 2 or 3.

The call session owns the audio; this module owns the words and the score. After a contained
goodbye the session asks `runtime.survey(call_id, reason)` for a `PostCallSurvey`, says its
`prompt`, waits up to `wait_ms` for one key, hands the digits (or None) to `answer`, then hangs
up. Only the key pressed is kept, as a figure of the call; nothing is recorded otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SURVEY_PROMPT = (
    "Before you go: if I took care of what you called about, press 3. "
    "If I partly did, press 2. If not, press 1. Or simply hang up."
)
SCORES = (1, 2, 3)  # 3 best


def score_of(digits: str | None) -> int | None:
    """The score in a key press: the first key if it is 1, 2 or 3; anything else is no answer."""
    if not digits:
        return None
    first = digits.strip()[:1]
    return int(first) if first in ("1", "2", "3") else None


@dataclass
class PostCallSurvey:
    call_id: str
    record: Callable[[str, int], None]  # the runtime's satisfaction(call_id, score)
    wait_ms: int = 6000
    prompt: str = SURVEY_PROMPT
    answered: int | None = None

    def answer(self, digits: str | None) -> int | None:
        """Record the press; returns the score, or None when there was no usable answer."""
        score = score_of(digits)
        if score is not None and self.answered is None:
            self.answered = score
            self.record(self.call_id, score)
        return score
