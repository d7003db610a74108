"""The red-flag check: deterministic, on every caller turn, before anything else reads the words.

Patterns come from the site pack's redflags.yaml. The text is normalised (lower case, no
apostrophes, punctuation as spaces); each category's near misses ("my chest x-ray results",
"she had a stroke last year") are cut out of the text first, and then its patterns are searched.
A hit names the category; the dialog then tells the caller to dial 911 (988 for a crisis) and
transfers to the nurse line in the same turn. Pure functions, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.dialog.sitepack import RedFlagCategory, RedFlagsSpec
from appliance.dialog.spoken import normalize


@dataclass(frozen=True)
class RedFlag:
    category: str
    message: str
    transfer_to: str  # a transfer target name (nurse)


def _normalize(text: str) -> str:
    # Red-flag patterns read words only; dates and slashes do not matter here.
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", normalize(text)).split())


def _hits(category: RedFlagCategory, text: str) -> bool:
    for near in category.near_misses:
        text = near.sub(" | ", text)
    return any(p.search(text) for p in category.patterns)


def check_red_flags(spec: RedFlagsSpec, text: str) -> RedFlag | None:
    """The first category (in file order) the text raises, or None."""
    norm = _normalize(text)
    if not norm:
        return None
    for category in spec.categories:
        if _hits(category, norm):
            return RedFlag(category.name, " ".join(category.message.split()), category.transfer_to)
    return None
