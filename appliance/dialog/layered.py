"""Rules and meaning together: the embedded default understanding.

`LayeredUnderstanding(site, index)` asks the rule NLU first: slots (dates, names, providers),
answers to what the agent asked, and requests its patterns know keep their precision. When the
rules find no request in a turn said outside a question (the caller says what they want in
their own words: "I need to see somebody about my knee", "I'm almost out of my metformin"),
the semantic reading of the turn (appliance/dialog/semantic.py) names it if it clearly can. The
result is the same commands the rule NLU and the LLM propose; `understand_scored` also gives a
confidence (1.0 for a rule's match) and which layer decided, for `wardline eval` and the audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.dialog.commands import (
    AskKnowledge,
    CancelFlow,
    Clarify,
    Command,
    Goodbye,
    HandOff,
    RefuseRecording,
    Repeat,
    SetSlot,
    StartFlow,
)
from appliance.dialog.nlu import RuleNlu
from appliance.dialog.semantic import Reading, SemanticIndex
from appliance.dialog.sitepack import SitePack
from appliance.dialog.understanding import DialogContext

# Turns where the caller may name a new request (not an answer to a question the agent asked).
OPEN_EXPECTS = (None, "anything_else")
# (a question back, "move it or cancel it?", is the rules' request too: never overruled by meaning)
_REQUESTS = (StartFlow, HandOff, AskKnowledge, Clarify)
# What a turn is wholly about when a rule names it: the meaning of its other words ("I don't want
# this call recorded" is near "I don't want my appointment") must not add a request beside it.
_WHOLE_TURN = (RefuseRecording, Repeat, CancelFlow, Goodbye)


@dataclass(frozen=True)
class Understood:
    commands: list[Command]
    confidence: float  # 0..1; 1.0 when a rule matched
    layer: str  # "rules" | "semantic" | "none"


class LayeredUnderstanding:
    """A CommandGenerator: the rule NLU, then the semantic classifier for what the rules miss."""

    name = "rules+semantic"

    def __init__(self, site: SitePack, index: SemanticIndex, rules: RuleNlu | None = None) -> None:
        self.site = site
        self.index = index
        self.rules = rules or RuleNlu(site)

    async def propose(self, utterance: str, context: DialogContext) -> list[Command]:
        import asyncio

        reading = None
        if self._open(context):  # read by the red-flag check already, as a rule: no thread hop then
            reading = self.index.recent(utterance) or await asyncio.to_thread(self.index.read, utterance)
        return self.understand_scored(utterance, context, reading).commands

    def understand(self, utterance: str, context: DialogContext) -> list[Command]:
        return self.understand_scored(utterance, context).commands

    def understand_scored(
        self, utterance: str, context: DialogContext, reading: Reading | None = None
    ) -> Understood:
        commands = self.rules.understand(utterance, context)
        by_rules = Understood(commands, 1.0 if commands else 0.0, "rules" if commands else "none")
        if not self._open(context) or any(isinstance(c, _WHOLE_TURN) for c in commands):
            return by_rules
        ruled = next((c for c in commands if isinstance(c, _REQUESTS)), None)
        if ruled is None and context.flow is not None and any(isinstance(c, SetSlot) for c in commands):
            return by_rules  # an answer given in passing, inside a flow
        reading = reading or self.index.read(utterance)
        named = self.index.intent(reading)
        request = self._command(named[0], utterance) if named else None
        if request is None or named is None:
            return by_rules
        if isinstance(request, StartFlow) and request.flow == context.flow:
            return by_rules
        if ruled is not None:
            # A rule's request stands unless it came from a catch-all and the meaning clearly
            # names another ("I don't need my appointment anymore" matches a booking pattern's
            # words); a precise rule ("reschedule", "refill") is never overruled by meaning.
            if ruled == request or not self._generic(ruled, utterance):
                return by_rules
            if reading.intent_margin < self.index.thresholds.override_margin:
                return by_rules
            kept = [c for c in commands if c is not ruled]
            return Understood([*kept, request], named[1], "semantic")
        return Understood([*commands, request], named[1], "semantic")

    def _generic(self, command: Command, utterance: str) -> bool:
        """A rule's catch-all: a question pattern ("^do you ..."), an intent's `broad` pattern
        (booking: any "appointment for ..."), or the nurse line for any symptom word,
        which a clear request by meaning may replace ("do you have anything open with Doctor
        Alvarez", "can a nurse give me a ring"). A clinical question (a `before_intents` nurse
        handoff: dosing, "is this normal") is never replaced."""
        if isinstance(command, AskKnowledge):
            return True
        if isinstance(command, StartFlow):
            norm = self.rules.words(utterance)
            intents = [i for i in self.site.nlu.intents.values() if i.flow == command.flow]
            # a request the caller chose between (the rest of "I can't make it Tuesday, just
            # take me off") is as precise as the intent's own words
            asked = [c for c in self.site.nlu.clarify.values() if command.flow in c.answers]
            return not any(p.search(norm) for i in intents for p in i.patterns) and not any(
                p.search(norm) for c in asked for p in c.patterns
            )
        if not (isinstance(command, HandOff) and command.target == "nurse"):
            return False
        norm = self.rules.words(utterance)
        return not any(
            h.before_intents and h.target == "nurse" and any(p.search(norm) for p in h.patterns)
            for h in self.site.nlu.handoffs
        )

    def _open(self, context: DialogContext) -> bool:
        return context.expecting in OPEN_EXPECTS

    def _command(self, label: str, utterance: str) -> Command | None:
        kind, _, name = label.partition(":")
        if kind == "flow" and name in self.site.flows:
            return StartFlow(name)
        if kind == "handoff" and name in self.site.site.transfer_targets:
            return HandOff(name, reason=f"caller asked for {name}")
        if kind == "question":
            return AskKnowledge(utterance.strip())
        return None
