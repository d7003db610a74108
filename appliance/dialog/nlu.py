"""The rule NLU: the embedded default understanding, from the site pack's nlu.yaml.

`RuleNlu(site)` turns one caller utterance into proposed commands (appliance.dialog.commands)
using the site's patterns, synonyms and the spoken-form parsers in appliance.dialog.spoken. It
reads the dialog context: what the agent just asked for decides how an answer is read ("the
first one" is a choice only after options were offered; "March third, nineteen eighty" is a
date of birth only while identity is asked for). It proposes; the flow runner decides.

`corpus(site)` gives example caller sentences for the speech recognizer's domain language model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from appliance.dialog.commands import (
    Affirm,
    AskKnowledge,
    ChooseOption,
    Clarify,
    Command,
    Deny,
    Goodbye,
    HandOff,
    RefuseRecording,
    Repeat,
    SetSlot,
    StartFlow,
)
from appliance.dialog.sitepack import PatternSet, SitePack
from appliance.dialog.spoken import (
    MONTHS,
    WEEKDAYS,
    is_no,
    is_yes,
    normalize,
    parse_choice,
    parse_date,
    parse_name,
    parse_part_of_day,
    parse_relative_day,
    parse_weekday,
    pharmacy_words,
)
from appliance.dialog.understanding import DialogContext

IDENTITY_EXPECTS = ("identity", "name", "dob", "guardian")
YES_NO_EXPECTS = ("confirm", "retry", "anything_else", "referral")
_REPEAT = re.compile(
    r"\b(repeat (that|it|yourself|the)|say (that|it) again|come again|what did you say|pardon)\b"
)
_DAYS = re.compile(rf"\b({'|'.join(WEEKDAYS)}|sunday|today|tomorrow|tonight|morning|afternoon|evening)\b")
_LEADS = re.compile(
    r"^(?:(?:um|uh|so|well|yes|yeah|okay|ok|sure)[,.]?\s+)*(?:its|it s|it is|i use|we use|"
    r"please send it to|send it to|the one at|at|to|for|my|its for|it is for|thats|that is)\s+",
    re.IGNORECASE,
)


def _matches(patterns: PatternSet, norm: str) -> re.Match[str] | None:
    for pattern in patterns.patterns:
        if m := pattern.search(norm):
            return m
    return None


class RuleNlu:
    """CommandGenerator from patterns; `today` gives the site-local date (tests fix it)."""

    name = "rules"

    def __init__(self, site: SitePack, today: Callable[[], date] | None = None) -> None:
        self.site = site
        zone = ZoneInfo(site.site.time_zone)
        self._today = today or (lambda: datetime.now(zone).date())
        self._names = site.nlu.vocabulary.names
        # longest synonym first, so "doctor patel" wins over "patel"
        self._synonyms: dict[str, list[tuple[re.Pattern[str], str]]] = {
            entity: sorted(
                (
                    (re.compile(rf"\b{re.escape(normalize(word))}\b"), key)
                    for key, words in values.items()
                    for word in words
                ),
                key=lambda item: -len(item[0].pattern),
            )
            for entity, values in site.nlu.entities.items()
        }

    async def propose(self, utterance: str, context: DialogContext) -> list[Command]:
        return self.understand(utterance, context)

    def words(self, utterance: str) -> str:
        """The utterance as the patterns read it: normalised, with the site's `equivalents` read
        as their canonical words ("can you scrap my appointment" -> "can you cancel my appointment")."""
        norm = normalize(utterance)
        for canonical, pattern in self.site.nlu.equivalents.items():
            norm = pattern.sub(canonical, norm)
        return norm

    def understand(self, utterance: str, context: DialogContext) -> list[Command]:
        """Commands for one utterance, in the order the runner should apply them."""
        norm = self.words(utterance)
        nlu = self.site.nlu
        if not norm or _matches(nlu.injection, norm):
            return []
        commands: list[Command] = []
        if _matches(nlu.refuse_recording, norm):
            commands.append(RefuseRecording())
        for handoff in nlu.handoffs:
            if handoff.before_intents and _matches(handoff, norm):
                return [*commands, HandOff(handoff.target, reason=f"caller asked for {handoff.target}")]
        if _REPEAT.search(norm):
            return [*commands, Repeat()]
        leaving = context.expecting in (None, "anything_else") and _matches(nlu.goodbye, norm)
        if leaving and not self._intent(norm, context) and not _matches(nlu.questions, norm):
            return [*commands, Goodbye()]
        answered = self._answer(utterance, norm, context)
        commands += answered
        # an answer that names the request (which of two the agent asked about) is the request
        started = [] if any(isinstance(c, StartFlow) for c in answered) else self._intent(norm, context)
        commands += started
        commands += self._entities(norm, context)
        if not answered and not started and _matches(nlu.goodbye, norm):
            return [*commands, Goodbye()]
        if answered or started or (context.flow and any(isinstance(c, SetSlot) for c in commands)):
            return commands
        for handoff in nlu.handoffs:
            if not handoff.before_intents and _matches(handoff, norm):
                return [*commands, HandOff(handoff.target, reason=f"caller asked for {handoff.target}")]
        if _matches(nlu.questions, norm):
            commands.append(AskKnowledge(utterance.strip()))
        return commands

    # -- answers to what the agent asked --------------------------------------------------------
    def _answer(self, utterance: str, norm: str, context: DialogContext) -> list[Command]:
        expecting = context.expecting
        if expecting in IDENTITY_EXPECTS:
            if _matches(self.site.nlu.questions, norm) and parse_date(utterance, self._today()) is None:
                return []  # a question asked in between ("what are your visiting hours"), not a name
            return self._identity(utterance, expecting)
        if expecting == "choice" and context.offered:
            index = parse_choice(utterance, context.offered)
            if index is not None:
                return [ChooseOption(index)]
            return [Deny()] if is_no(utterance) else []
        if expecting in YES_NO_EXPECTS:
            if is_yes(utterance):
                return [Affirm()]
            if is_no(utterance):
                return [Deny()]
            return []
        if expecting == "clarify":
            flow = self._clarified(norm, context.offered)
            return [StartFlow(flow)] if flow else []
        if expecting in ("medication", "pharmacy", "reason", "question"):
            value = self._free_text(utterance, expecting)
            return [SetSlot(expecting, value)] if value else []
        return []

    def _identity(self, utterance: str, expecting: str) -> list[Command]:
        out: list[Command] = []
        name = parse_name(utterance, self._names)
        if name:
            out.append(SetSlot("guardian" if expecting == "guardian" else "name", name))
        dob = parse_date(utterance, self._today())
        if dob and expecting != "guardian":
            out.append(SetSlot("dob", dob.isoformat()))
        return out

    def _free_text(self, utterance: str, slot: str) -> str:
        # a pharmacy is read back to the caller: only its name, never a number said with it
        text = pharmacy_words(utterance) if slot == "pharmacy" else utterance
        text = text.strip().rstrip(".!?").strip()
        lead = re.search(r"\b(?:refill (?:on|of|for)|need|for)\s+(?:my\s+)?(.+)$", text, re.IGNORECASE)
        if slot == "medication" and lead:
            text = lead.group(1)
        text = _LEADS.sub("", text).strip()
        text = re.sub(r"^(?:the|my)\s+", "", text, flags=re.IGNORECASE) if slot == "medication" else text
        text = re.sub(r"\s*,?\s*(please|thanks|thank you)$", "", text, flags=re.IGNORECASE)
        return text[:1].upper() + text[1:] if slot == "pharmacy" else text

    # -- what the caller wants ------------------------------------------------------------------
    def _intent(self, norm: str, context: DialogContext) -> list[Command]:
        """The request the words name: the patterns of the intents a clarifying question is
        about, then words that could mean either of them (a question instead of a guess: "I
        can't make it Tuesday"), then the other intents' patterns ("make my appointment" is a
        booking's words), then the intents' broad patterns."""
        nlu = self.site.nlu
        asked = {flow for clarify in nlu.clarify.values() for flow in clarify.answers}
        intents = list(nlu.intents.values())
        for intent in (i for i in intents if i.flow in asked):
            if _matches(intent, norm):
                return [] if intent.flow == context.flow else [StartFlow(intent.flow)]
        if context.flow is None and context.expecting in (None, "anything_else"):
            for key, clarify in nlu.clarify.items():
                if m := _matches(clarify, norm):
                    # the rest of the turn may answer the question already ("... so take me off")
                    # (a day said with it is the day they cannot make, not a new one)
                    rest = _DAYS.sub(" ", f"{norm[: m.start()]} {norm[m.end() :]}")
                    flow = self._clarified(rest, tuple(clarify.answers))
                    return [StartFlow(flow)] if flow else [Clarify(key)]
        for intent in (i for i in intents if i.flow not in asked):
            if _matches(intent, norm):
                return [] if intent.flow == context.flow else [StartFlow(intent.flow)]
        for intent in nlu.intents.values():
            if any(p.search(norm) for p in intent.broad):
                return [] if intent.flow == context.flow else [StartFlow(intent.flow)]
        return []

    def _clarified(self, norm: str, offered: tuple[str, ...]) -> str | None:
        """Which of the flows the agent asked about (`offered`) the caller's reply chooses."""
        for clarify in self.site.nlu.clarify.values():
            if tuple(clarify.answers) != offered:
                continue
            # the request said outright first ("cancel it, I'll call another time"), then the
            # entry's words for each ("another day", "friday", "take me off")
            for intent in self.site.nlu.intents.values():
                if intent.flow in offered and _matches(intent, norm):
                    return intent.flow
            for flow, patterns in clarify.answers.items():
                if any(p.search(norm) for p in patterns):
                    return flow
        return None

    def _entities(self, norm: str, context: DialogContext) -> list[Command]:
        """Slots the caller filled in passing: provider, day, part of day, medication."""
        if context.expecting in IDENTITY_EXPECTS:
            return []
        out: list[Command] = []
        provider = self.entity("provider", norm)
        if provider:
            out.append(SetSlot("provider", provider))
        weekday = parse_weekday(norm)
        relative = parse_relative_day(norm, self._today())
        if weekday:
            out.append(SetSlot("weekday", weekday))
        elif relative:
            out.append(SetSlot("date", relative.isoformat()))
        part = parse_part_of_day(norm)
        if part:
            out.append(SetSlot("part_of_day", part))
        for intent in self.site.nlu.intents.values():
            for pattern in intent.patterns:
                m = pattern.search(norm)
                if m and m.groupdict().get("medication"):
                    out.append(SetSlot("medication", m.group("medication").strip()))
                    return out
        return out

    def entity(self, entity: str, norm: str) -> str | None:
        for pattern, key in self._synonyms.get(entity, []):
            if pattern.search(norm):
                return key
        return None


def corpus(site: SitePack) -> list[str]:
    """Caller sentences for the recognizer's domain language model: examples, names, spoken dates."""
    nlu = site.nlu
    lines: list[str] = []
    sets: Iterable[PatternSet] = [
        *nlu.intents.values(),
        *nlu.handoffs,
        nlu.refuse_recording,
        nlu.goodbye,
        nlu.questions,
    ]
    for patterns in sets:
        lines += patterns.examples
    lines += nlu.vocabulary.phrases
    for name in nlu.vocabulary.names:
        lines += [name, f"my name is {name}", f"it's {name}"]
    for words in nlu.entities.get("provider", {}).values():
        lines += [f"I'd like to see {w}" for w in words[:3]]
    for med in nlu.vocabulary.medications:
        lines.append(f"I need a refill on my {med}")
    lines += _spoken_dates()
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday"):
        lines += [f"next {day} morning", f"{day} afternoon"]
    lines += ["the first one", "the second one", "the third one", "yes", "no", "that's fine", "operator"]
    seen: set[str] = set()
    return [line for line in lines if not (line in seen or seen.add(line))]


def _spoken_dates() -> list[str]:
    from appliance.tools.spoken import number_words, ordinal_words

    out = []
    years = (1949, 1957, 1971, 1980, 1992, 2016)
    for i, month in enumerate(MONTHS):
        day = (i * 7) % 28 + 1
        year = years[i % len(years)]
        hi, lo = divmod(year, 100)
        spoken_year = (
            f"two thousand {number_words(lo)}" if hi == 20 else f"{number_words(hi)} {number_words(lo)}"
        )
        out.append(f"{month} {ordinal_words(day)} {spoken_year}".replace("-", " "))
    return out
