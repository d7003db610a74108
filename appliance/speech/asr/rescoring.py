"""N-best rescoring with the site's vocabulary: the only way context reaches Whisper.

Whisper's decoder prompt (`hotwords`, `initial_prompt`) is text the decoder continues, and with
the dialog's expected words it invented them. Rescoring changes nothing the model hears: the
decoder proposes its few best hypotheses for the audio, and among those whose scores are close,
the one that names more of the site's own words wins ("Maria Gonzalez" over "Marie Gonzalez"
when both were heard nearly as well). A word the model did not propose is never added. Pure
functions; bench/asr.py measures the effect per dialog context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# Per site word, in the decoder's length-normalized log-probability. bench/asr.py measured 0.05,
# 0.15 and 0.3 alike (word error 0.095 on 40 sentences); in a call, "Maria Gonzalez" came 0.17
# below "Marie Gonzalez", so a site word heard within 0.25 of the best wins. The identity check
# still needs the date of birth to match: a preferred name alone verifies no one.
VOCABULARY_BONUS = 0.25
_WORD = re.compile(r"[a-z']+")


def vocabulary_words(phrases: Iterable[str]) -> frozenset[str]:
    """Lower-case words of the site's names, medications and providers (short words dropped:
    they are common English and would bias nothing useful)."""
    return frozenset(w for p in phrases for w in _WORD.findall(p.lower()) if len(w) > 3)


def rescore(hypotheses: Sequence[tuple[str, float]], vocabulary: frozenset[str]) -> str:
    """The hypothesis with the best score after the vocabulary bonus; ties keep the model's order."""
    if not hypotheses:
        return ""
    best_text, best = hypotheses[0][0], float("-inf")
    for text, score in hypotheses:
        found = len(set(_WORD.findall(text.lower())) & vocabulary)
        total = score + VOCABULARY_BONUS * found
        if total > best:
            best_text, best = text, total
    return best_text
