"""The red-flag check: on every caller turn (and stable partial), before anything else reads the words.

One place, three layers, from the site pack's redflags.yaml and examples.yaml:
1. precise patterns ("chest pain", "can't breathe");
2. symptom concepts with their modifiers, in any order within a few words ("my chest is really
   really tight", "feels like an elephant sitting on my chest", "his mouth is all droopy");
3. the semantic classifier's reading (appliance/dialog/semantic.py), tuned for recall: a red-flag
   category close to the top of the reading is at least a possible emergency.
Then the rule for doubt: a symptom said with urgency ("suddenly", "really bad", "looks grey")
that no layer could name is a possible emergency too.

The text is normalised (lower case, no apostrophes, punctuation as spaces); near misses (the
category's own and the shared ones) are cut out first. Framing decides what a hit means: about
the past ("last year") or about results and follow-ups, with nothing in the present, it is a
near miss; said inside a request ("can I book in, my chest hurts") or found by a layer that
cannot be sure, it is not certain, and the dialog asks the safety question once. A certain hit
names the category: the dialog tells the caller to dial 911 (988 for a crisis) and transfers
to the nurse line in the same turn. Pure functions, no state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from appliance.dialog.sitepack import RedFlagCategory, RedFlagsSpec
from appliance.dialog.spoken import normalize

if TYPE_CHECKING:
    from appliance.dialog.semantic import SemanticIndex

EMERGENCY = "possible_emergency"  # the category of a doubt-layer flag: no layer could name it
EMERGENCY_MESSAGE = "That could be a medical emergency. Please hang up and dial 911 now."


@dataclass(frozen=True)
class RedFlag:
    category: str
    message: str
    transfer_to: str  # a transfer target name (nurse)
    certain: bool = True  # False: ask the safety question first; anything but a clear no escalates
    layer: str = "pattern"  # pattern | concept | semantic | doubt
    urgent: bool = True  # the turn says it with urgency ("suddenly", "really bad", "won't stop")

    @property
    def response(self) -> str:
        """What the caller hears: "emergency" (911 or 988, then the nurse line), "safety_question"
        (asked once; anything but a clear no is the emergency), or "nurse_line" (a symptom that
        only the semantic layer found near an emergency, said calmly: a nurse, not 911)."""
        if self.certain:
            return "emergency"
        if self.layer == "semantic" and not self.urgent:
            return "nurse_line"
        return "safety_question"


@dataclass(frozen=True)
class Framing:
    history: bool  # about the past, nothing said in the present
    paperwork: bool  # about results, follow-ups, records, nothing in the present
    request: bool  # a request (booking, refill) in the same breath, nothing in the present

    @property
    def near_miss(self) -> bool:
        return self.history or self.paperwork


def normalise(text: str) -> str:
    # Red-flag patterns read words only; dates and slashes do not matter here.
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", normalize(text)).split())


def words_of(spec: RedFlagsSpec, text: str) -> str:
    """The turn as every layer reads it: normalised, each of the site's `equivalents` read as its
    canonical words ("wont quit bleeding" -> "wont stop bleeding")."""
    norm = normalise(text)
    for canonical, group in spec.equivalents.items():
        norm = group.sub(canonical, norm)
    return norm


def _any(groups: tuple[re.Pattern[str], ...], text: str) -> bool:
    return any(g.search(text) for g in groups)


def framing(spec: RedFlagsSpec, norm: str) -> Framing:
    now = _any(spec.present, norm)
    return Framing(
        history=not now and _any(spec.history, norm),
        paperwork=not now and _any(spec.paperwork, norm),
        request=not now and _any(spec.requests, norm),
    )


def _cut(patterns: tuple[re.Pattern[str], ...], text: str) -> str:
    for near in patterns:
        text = near.sub(" | ", text)
    return text


def _word_starts(text: str, group: re.Pattern[str]) -> list[int]:
    return [text.count(" ", 0, m.start()) for m in group.finditer(text)]


def concept_hits(concept: tuple[re.Pattern[str], ...], text: str, window: int) -> bool:
    """Every group of the concept matches, each within `window` words of the first group's match."""
    first, *rest = concept
    others = [_word_starts(text, g) for g in rest]
    if any(not positions for positions in others):
        return False
    return any(
        all(any(abs(p - q) <= window for q in positions) for positions in others)
        for p in _word_starts(text, first)
    )


def _layer(spec: RedFlagsSpec, category: RedFlagCategory, text: str) -> str | None:
    text = _cut(category.near_misses, text)
    if any(p.search(text) for p in category.patterns):
        return "pattern"
    if any(concept_hits(c, text, spec.concept_window) for c in category.concepts):
        return "concept"
    return None


def _flag(category: RedFlagCategory, certain: bool, layer: str) -> RedFlag:
    return RedFlag(category.name, " ".join(category.message.split()), category.transfer_to, certain, layer)


def check_red_flags(
    spec: RedFlagsSpec, text: str, semantic: tuple[str, bool] | None = None
) -> RedFlag | None:
    """The emergency the turn may describe, or None.

    `semantic` is the semantic layer's (category, certain) for this turn, when it has one
    (`semantic_flag` reads it from a SemanticIndex)."""
    norm = words_of(spec, text)
    if not norm:
        return None
    frame = framing(spec, norm)
    cut = _cut(spec.shared_near_misses, norm)
    for category in spec.categories:
        layer = _layer(spec, category, cut)
        if layer is None:
            continue
        if category.framed and frame.near_miss:
            continue  # "she had a stroke last year", "my chest x-ray results": not this turn's emergency
        return _flag(category, certain=not (category.framed and frame.request), layer=layer)
    by_name = {c.name: c for c in spec.categories}
    if semantic is not None and semantic[0] in by_name:
        category = by_name[semantic[0]]
        if not (category.framed and frame.near_miss):
            flag = _flag(category, certain=semantic[1] and not frame.request, layer="semantic")
            return replace(flag, urgent=_any(spec.urgency, cut))
    if not frame.near_miss and _any(spec.symptoms, cut) and _any(spec.urgency, cut):
        return RedFlag(EMERGENCY, EMERGENCY_MESSAGE, "nurse", certain=False, layer="doubt")
    return None


def mentions_symptom(spec: RedFlagsSpec, text: str) -> bool:
    """A symptom or a body part is named (an un-understood turn like that goes to the nurse line)."""
    norm = _cut(spec.shared_near_misses, words_of(spec, text))
    return _any(spec.symptoms, norm)


def semantic_flag(
    index: SemanticIndex | None,
    spec: RedFlagsSpec,
    text: str,
    *,
    symptom: bool | None = None,
    answering: bool = False,
) -> tuple[str, bool] | None:
    """The semantic layer's verdict for a turn: (category, certain), or None.

    `symptom`: whether the turn names a symptom; by default the site's symptom and urgency words
    decide (a caller in another language passes True: the words cannot be read here).
    `answering`: the caller is answering the agent's question; only a named symptom lets the
    semantic layer flag the turn then."""
    if index is None:
        return None
    if symptom is None:
        symptom = mentions_symptom(spec, text) or _urgent(spec, text)
    found = index.red_flag(index.read(text), symptom=symptom, unprompted=not answering)
    # A figure of speech with no symptom word ("this hold music is killing me") lands near a bodily
    # emergency by meaning and says nothing about a body; a crisis (an unframed category: "it's
    # all killing me, I can't go on") is still taken at its word. Only figures count here: a
    # shared near miss ("went to the clinic") may sit beside a real emergency the meaning caught
    # ("... and now she's not making sense"), so it never silences the semantic layer.
    bodily = found is not None and any(c.name == found[0] and c.framed for c in spec.categories)
    if bodily and not symptom and _any(spec.figures, words_of(spec, text)):
        return None
    return found


def _urgent(spec: RedFlagsSpec, text: str) -> bool:
    return _any(spec.urgency, words_of(spec, text))
