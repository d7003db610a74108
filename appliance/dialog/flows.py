"""The flow interpreter: which step of a flow comes next, what it still needs from the caller,
which tool it calls with which arguments, and what a tool's result means for the conversation.

Pure code: no I/O, no awaits, no events, no clock. The inputs are the site pack (its flows and
their wording), the `DialogState` (appliance/dialog/state.py) and tool results; the outputs are
decisions (`Ask`, `Speak`, `CallTool`, `AnswerFromDocuments`, `FlowDone`), `Outcome`s and, for
the commands a caller turn proposes, a `Plan` (appliance/dialog/decisions.py) that the dialog
engine (appliance/dialog/engine.py) carries out: it speaks, calls the tool gateway, emits the
events and hands off. `FlowRunner`'s methods change the state they are given and nothing else,
so a test drives a whole flow with plain `ToolResult`s and no gateway.

Which commands fit and what they lead to is decided here (`plan`): a request for a person wins,
then "say that again", then goodbye; a cancel, a new flow, slot values and answers to what the
agent asked follow in that order, and a question is answered from the documents. A site may
switch a flow to people while it misses its targets (appliance/ops/fallback.py): the runner
asks its `IntentGate` when a flow starts, and such a flow hands off before any of its steps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Protocol

from appliance.dialog import responses as R
from appliance.dialog.commands import (
    Affirm,
    AskKnowledge,
    CancelFlow,
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
from appliance.dialog.decisions import (
    Advance,
    AnswerFromDocuments,
    Ask,
    CallTool,
    Decision,
    Emit,
    FlowDone,
    HangUpCall,
    Outcome,
    Plan,
    PlanStep,
    Speak,
    StopRecording,
    TransferTo,
    tool_failed,
)
from appliance.dialog.handoff import transfer_words
from appliance.dialog.identity import IdentityCheck
from appliance.dialog.nlu import IDENTITY_EXPECTS
from appliance.dialog.redflags import mentions_symptom
from appliance.dialog.sitepack import FlowSpec, SitePack, Step
from appliance.dialog.spoken import pharmacy_words
from appliance.dialog.state import DialogState, ask
from appliance.events import ConsentAnswered, FlowStarted
from appliance.outcomes import HangUpReason, TransferReason
from appliance.tools.base import ToolResult

# the decisions and the state, importable from here as before
__all__ = [
    "AnswerFromDocuments",
    "Ask",
    "CallTool",
    "Decision",
    "DialogState",
    "FlowDone",
    "FlowRunner",
    "IntentGate",
    "Outcome",
    "Plan",
    "Speak",
    "ask",
]

RETRY_STATUSES = ("no_slots", "conflict", "invalid")
WHEN_SLOTS = ("date", "weekday", "part_of_day")
IDENTITY_SLOTS = ("name", "dob", "guardian")
# what the agent asked that a slot value does not simply answer (a choice, yes or no)
ANSWER_EXPECTS = ("choice", "confirm", "retry", "referral", "anything_else")
_VAR = re.compile(r"^\$([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?$")
_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}")
MAX_MISSES = 3  # turns in a row with nothing understood before a person takes over


class IntentGate(Protocol):
    """Which flows go to people right now instead of the agent (appliance/ops/fallback.py)."""

    def goes_to_people(self, flow: str) -> str | None:
        """The transfer target for `flow` while it is switched to people; None: the agent takes it."""


class FlowRunner:
    """The interpreter for one site's flows (flows.yaml) and one caller (their caller ID)."""

    def __init__(self, site: SitePack, caller_id: str | None = None, gate: IntentGate | None = None) -> None:
        self.site = site
        self.caller_id = caller_id
        self.gate = gate
        self.identity = IdentityCheck(site)

    def spec(self, state: DialogState) -> FlowSpec:
        assert state.flow is not None
        return self.site.flows[state.flow]

    # -- starting and ending ------------------------------------------------------------------
    def start(self, state: DialogState, name: str) -> bool:
        """Start flow `name` (keeping who the caller is); False when it is already running."""
        if state.flow == name:
            return False
        keep = {k: v for k, v in state.slots.items() if k in IDENTITY_SLOTS}
        state.flow, state.last_flow, state.step = name, name, 0
        state.slots, state.results, state.confirmed = keep, {}, set()
        state.expecting, state.offered, state.offered_text = None, [], []
        state.retry_to, state.referral = None, None
        return True

    def end(self, state: DialogState) -> None:
        state.flow, state.step, state.expecting = None, 0, None
        state.offered, state.offered_text, state.retry_to, state.referral = [], [], None, None

    # -- commands -----------------------------------------------------------------------------
    def cleaned(self, state: DialogState, cmd: Command) -> Command:
        """`cmd` with a slot value cut to what its slot type holds, whoever proposed it.

        A pharmacy is read back to the caller, so it keeps only its name and street words
        (`pharmacy_words`): a phone number said in the same breath never reaches the slot."""
        if isinstance(cmd, SetSlot) and self._slot_type(state, cmd.slot) == "pharmacy":
            return SetSlot(cmd.slot, pharmacy_words(cmd.value))
        return cmd

    def _slot_type(self, state: DialogState, slot: str) -> str | None:
        flows = [self.site.flows[state.flow]] if state.flow else []
        for flow in [*flows, *self.site.flows.values()]:
            if slot in flow.slots:
                return flow.slots[slot].type
        return None

    def problem(self, state: DialogState, cmd: Command) -> str:
        """Why a proposed command does not fit now ("" when it does)."""
        if isinstance(cmd, SetSlot) and not cmd.value.strip():
            return "nothing to fill the slot with"
        if isinstance(cmd, StartFlow) and cmd.flow not in self.site.flows:
            return "no such flow"
        if isinstance(cmd, HandOff) and cmd.target not in self.site.site.transfer_targets:
            return "no such transfer target"
        if isinstance(cmd, Clarify) and cmd.between not in self.site.nlu.clarify:
            return "no such question"
        if isinstance(cmd, ChooseOption) and not (
            state.expecting == "choice" and 1 <= cmd.index <= len(state.offered)
        ):
            return "nothing to choose from"
        if isinstance(cmd, SetSlot):
            if cmd.slot in IDENTITY_SLOTS:
                return "" if state.expecting in IDENTITY_EXPECTS else "identity is not being asked for"
            return "" if cmd.slot in self._slot_names(state) else "no such slot here"
        return ""

    def _slot_names(self, state: DialogState) -> set[str]:
        names: set[str] = set()
        if state.flow:
            names |= set(self.site.flows[state.flow].slots)
        # a slot said in the same breath as the request ("see Doctor Patel next Tuesday")
        names |= {slot for flow in self.site.flows.values() for slot in flow.slots}
        return names

    def take_slots(self, state: DialogState, filled: list[SetSlot]) -> None:
        """Slot values the caller gave; what is still missing is asked for again by `next`."""
        for cmd in filled:
            state.slots[cmd.slot] = cmd.value
        if any(cmd.slot == "dob" for cmd in filled):
            state.dob_keyed = False
        if filled and state.expecting not in ANSWER_EXPECTS:
            state.expecting = None

    def clarify(self, state: DialogState, cmd: Clarify) -> Ask:
        """Ask which request the caller means ("Would you like to move it to another day, or
        cancel it?"); the reply is read against the flows offered (nlu.yaml's `clarify`)."""
        spec = self.site.nlu.clarify[cmd.between]
        state.offered, state.offered_text = [], list(spec.answers)
        return ask(state, "clarify", " ".join(spec.question.split()))

    # -- a turn's commands ---------------------------------------------------------------------
    def plan(self, state: DialogState, proposed: list[Command]) -> Plan:
        """What the commands proposed for a caller turn lead to. Each is cleaned and checked
        against the state as the turn found it; those that fit are applied to the state here,
        and the plan says what the engine does next."""
        accepted: list[Command] = []
        rejected: list[tuple[Command, str]] = []
        for command in proposed:
            cmd = self.cleaned(state, command)
            problem = self.problem(state, cmd)
            if problem:
                rejected.append((cmd, problem))
            else:
                accepted.append(cmd)
        steps = self._arbitrate(state, accepted) if accepted else self._not_understood(state)
        return Plan(tuple(steps), tuple(accepted), tuple(rejected))

    def _arbitrate(self, state: DialogState, commands: list[Command]) -> list[PlanStep]:
        state.misses = 0
        kinds = {type(c) for c in commands}
        steps: list[PlanStep] = []
        if RefuseRecording in kinds:
            state.recording = False
            steps += [StopRecording(), Emit(ConsentAnswered, {"recording": False}), Speak(R.RECORDING_OFF)]
            if kinds == {RefuseRecording}:
                return [*steps, Speak(state.last_prompt if state.expecting else "How else can I help you?")]
        if handoff := next((c for c in commands if isinstance(c, HandOff)), None):
            # the command's own reason may be a model's words: the transfer records a fixed code
            reason = TransferReason.CALLER_ASKED.at(handoff.target)
            return [
                *steps,
                Speak(transfer_words(self.site, handoff.target)),
                TransferTo(handoff.target, reason),
            ]
        if Repeat in kinds:
            return [*steps, Speak(state.last_prompt)]
        if Goodbye in kinds and not kinds & {StartFlow, AskKnowledge}:
            return [*steps, *self.goodbye()]
        if clarify := next((c for c in commands if isinstance(c, Clarify)), None):
            return [*steps, self.clarify(state, clarify)]  # one question, not a guess
        if CancelFlow in kinds:
            self.end(state)
            steps.append(Speak("Okay, I've stopped that."))
        start = next((c for c in commands if isinstance(c, StartFlow)), None)
        if start is not None and self.start(state, start.flow):
            steps.append(Emit(FlowStarted, {"flow": start.flow}))
            target = self.gate.goes_to_people(start.flow) if self.gate is not None else None
            if target is not None:
                return [*steps, *self._to_people(start.flow, target)]
        self.take_slots(state, [c for c in commands if isinstance(c, SetSlot)])
        reply = self.answer(state, commands)
        if reply.goodbye:
            return [*steps, *self.goodbye()]
        if reply.say:
            steps.append(Speak(reply.say))
        question = next((c for c in commands if isinstance(c, AskKnowledge)), None)
        if question is not None and (state.flow in (None, "faq") or start is None):
            steps.append(AnswerFromDocuments(question.question))
            if state.flow in (None, "faq"):
                self.end(state)
                return [*steps, ask(state, "anything_else", self.site.anything_else)]
            if state.expecting:
                return [*steps, Speak(state.last_prompt)]
        if state.flow is None:
            if Affirm in kinds and state.expecting is None:
                steps.append(ask(state, None, "What else can I help you with?"))
            elif not kinds & {RefuseRecording, CancelFlow, Affirm, Deny}:
                steps.append(ask(state, None, R.HELP_MENU + " What would you like to do?"))
            return steps
        return [*steps, Advance()]

    def _not_understood(self, state: DialogState) -> list[PlanStep]:
        if state.last_text and mentions_symptom(self.site.redflags, state.last_text):
            # the rule for doubt: words about a symptom or a body part we could not place go to a
            # nurse, never back to the menu
            reason = TransferReason.SYMPTOM_NOT_UNDERSTOOD
            return [Speak(transfer_words(self.site, "nurse")), TransferTo("nurse", reason)]
        state.misses += 1
        if state.misses >= MAX_MISSES:
            return [
                Speak("I'm sorry, I'm having trouble understanding. Let me get you a person."),
                TransferTo("operator", TransferReason.NOT_UNDERSTOOD),
            ]
        prompt = state.last_prompt if state.expecting else R.HELP_MENU + " What would you like to do?"
        return [Speak(f"{R.NOT_UNDERSTOOD} {prompt}")]

    def _to_people(self, flow: str, target: str) -> list[PlanStep]:
        """A flow the site has switched to people: handed off before any of its steps runs."""
        return [
            Speak(f"I'll connect you with {self.site.label(target)}, who can help you with that."),
            TransferTo(target, TransferReason.FALLBACK.at(flow)),
        ]

    def goodbye(self) -> list[PlanStep]:
        return [
            Speak(f"Thank you for calling {self.site.site.name}. Goodbye."),
            HangUpCall(HangUpReason.GOODBYE),
        ]

    def answer(self, state: DialogState, commands: list[Command]) -> Outcome:
        """Commands that answer what the agent just asked (a choice, yes or no, a new day)."""
        expecting = state.expecting
        kinds = {type(c) for c in commands}
        new_when = any(isinstance(c, SetSlot) and c.slot in (*WHEN_SLOTS, "provider") for c in commands)
        if expecting == "anything_else":
            if Deny in kinds and state.flow is None:
                return Outcome(goodbye=True)
            state.expecting = None
        elif expecting == "choice":
            choice = next((c for c in commands if isinstance(c, ChooseOption)), None)
            if choice is not None:
                state.slots[state.offer_into or "choice"] = dict(state.offered[choice.index - 1])
                if not state.offer_reruns:
                    state.step += 1
                state.expecting, state.offered, state.offered_text = None, [], []
            elif new_when and state.retry_to is not None:
                self._go_back(state, keep_when=True)
            elif Deny in kinds and state.retry_to is not None:
                ask(state, "retry", "Would another day or time work better?")
                return Outcome(say="No problem. Would another day or time work better?")
        elif expecting == "retry":
            if new_when or Affirm in kinds:
                self._go_back(state, keep_when=new_when)
            elif Deny in kinds:
                self.end(state)
                return Outcome(say="Okay.")
        elif expecting == "referral":
            if Affirm in kinds and state.referral:
                suggested = list(state.referral.get("suggested_providers") or [])
                if suggested:
                    state.slots["provider"] = suggested[0]
                state.referral, state.expecting = None, None
                if state.retry_to is not None:
                    state.step = state.retry_to
            elif Deny in kinds:
                self.end(state)
                return Outcome(say="Okay.")
        elif expecting == "confirm":
            if Affirm in kinds:
                state.confirmed.add(state.step)
                state.step += 1
                state.expecting = None
            elif Deny in kinds:
                self.end(state)
                return Outcome(say="Okay, I won't make any changes.")
        return Outcome()

    def _go_back(self, state: DialogState, keep_when: bool) -> None:
        if not keep_when:
            for slot in WHEN_SLOTS:
                state.slots.pop(slot, None)
        if state.offer_into and not state.offer_reruns:
            state.slots.pop(state.offer_into, None)
        state.step = state.retry_to if state.retry_to is not None else state.step
        state.expecting, state.offered, state.offered_text = None, [], []

    # -- the steps ----------------------------------------------------------------------------
    def next(self, state: DialogState) -> Decision:
        """The next thing the flow does; steps already done (a slot filled, a "yes" given) are
        passed over. Call it while a flow runs and nothing is awaited from the caller."""
        spec = self.spec(state)
        while state.step < len(spec.steps):
            decision = self._step(state, spec, spec.steps[state.step])
            if decision is not None:
                return decision
        return FlowDone()

    def _step(self, state: DialogState, spec: FlowSpec, step: Step) -> Decision | None:
        """What `step` does, or None when it is done already (and the state moved past it)."""
        kind = step.kind
        if kind == "verify_identity":
            return self.identity.step(state, spec)
        if kind == "collect":
            assert step.collect is not None
            if state.slots.get(step.collect) or (step.skip_if and state.slots.get(step.skip_if)):
                state.step += 1
                return None
            return ask(state, step.collect, spec.slots[step.collect].prompt or f"What is the {step.collect}?")
        if kind == "call":
            assert step.call is not None
            filler = self.fill(state, step.filler) if step.filler else "One moment."
            return CallTool(step.call, self.args(state, step.args), filler, spec.tools, state.step)
        if kind == "offer":
            return self._offer(state, step)
        if kind == "confirm":
            if state.step in state.confirmed:
                state.step += 1
                return None
            return ask(state, "confirm", self.fill(state, step.confirm or ""))
        if kind == "say":
            state.step += 1
            return Speak(self.fill(state, step.say or ""))
        # answer: a question the caller asked, answered from the documents
        slot = step.answer or ""
        question = str(state.slots.get(slot, ""))
        if not question:
            return ask(state, slot, spec.slots[slot].prompt)
        state.step += 1
        return AnswerFromDocuments(question)

    def _offer(self, state: DialogState, step: Step) -> Ask:
        source, _, key = (step.offer or "").partition(".")
        result = state.results.get(source)
        options = list((result.data.get(key) if result else None) or [])
        state.offered = options
        state.offered_text = [str(o.get("spoken", "")) for o in options]
        state.offer_into, state.offer_reruns = step.into, False
        state.retry_to = self._step_index(state, source)
        text = (
            result.message
            if result and result.message
            else "I have " + ", or ".join(state.offered_text) + "."
        )
        if step.prompt and step.prompt.lower() not in text.lower():
            text = f"{text} {step.prompt}"
        return ask(state, "choice", text)

    def _step_index(self, state: DialogState, save: str) -> int | None:
        for i, st in enumerate(self.spec(state).steps):
            if st.call and (st.save or st.call) == save:
                return i
        return None

    # -- identity (appliance/dialog/identity.py) -----------------------------------------------
    def apply_verify(self, state: DialogState, result: ToolResult) -> Outcome:
        """Record the identity check's result; three failures (the site's limit) hand off."""
        return self.identity.apply(state, result)

    def bad_keyed_date(self, state: DialogState) -> Outcome:
        """A keyed entry that is no date counts as a failed try, as a wrong date does."""
        return self.identity.bad_keyed_date(state)

    def awaits_keyed_dob(self, state: DialogState) -> bool:
        """A date of birth the caller may key in is awaited: digits must be secure."""
        return self.identity.awaits_keyed_dob(state)

    # -- tool results -------------------------------------------------------------------------
    def apply_call(self, state: DialogState, index: int, result: ToolResult) -> Outcome:
        """Record the result of the call step at `index` and decide what follows."""
        spec = self.spec(state)
        step = spec.steps[index]
        state.results[step.save or step.call or ""] = result
        if result.ok:
            state.step = index + 1
            return Outcome(say=result.message if step.announce else "")
        if tool_failed(result):
            return Outcome(
                say=R.SORRY_TOOL, handoff=spec.handoff.tool_failed, reason=TransferReason.TOOL_FAILED
            )
        if result.status == "choose":
            options = next((v for v in result.data.values() if isinstance(v, list) and v), [])
            state.offered = list(options)
            state.offered_text = [str(o.get("spoken", "")) for o in options]
            state.offer_into, state.offer_reruns = step.into or "choice", True
            ask(state, "choice", result.message)
            return Outcome(say=result.message, stop=True)
        if result.status == "needs_referral":
            state.referral = dict(result.data)
            state.retry_to = self._step_index(state, step.retry) if step.retry else index
            ask(state, "referral", result.message)
            return Outcome(say=result.message, stop=True)
        if result.status in RETRY_STATUSES and step.retry:
            state.retry_to = self._step_index(state, step.retry)
            state.offer_into = next((st.into for st in spec.steps if st.offer and st.into), None)
            state.offer_reruns = False
            ask(state, "retry", result.message)
            return Outcome(say=result.message, stop=True)
        if result.status == "no_slots" and spec.handoff.no_options:
            return Outcome(
                say=result.message, handoff=spec.handoff.no_options, reason=TransferReason.NO_OPTIONS
            )
        if spec.handoff.refused:
            return Outcome(
                say=result.message,
                handoff=spec.handoff.refused,
                reason=TransferReason.TOOL_DECLINED.at(result.status),
            )
        return Outcome(say=result.message or R.SORRY_TOOL, end_flow=True)

    # -- values -------------------------------------------------------------------------------
    def args(self, state: DialogState, template: Mapping[str, str]) -> dict[str, Any]:
        """Tool arguments from `$slot`, `$result.field` and plain text; unknown values are left out."""
        args: dict[str, Any] = {}
        for key, value in template.items():
            m = _VAR.match(value)
            resolved = self.lookup(state, m.group(1), m.group(2)) if m else value
            if resolved not in (None, ""):
                args[key] = resolved
        return args

    def lookup(self, state: DialogState, name: str, attr: str | None) -> Any:
        if name == "patient_ref":
            return state.patient_ref
        if name == "caller_id":
            return self.caller_id
        value: Any = state.slots.get(name)
        if value is None and name in state.results:
            value = dict(state.results[name].data) | {"message": state.results[name].message}
        if attr is None:
            return value
        return value.get(attr) if isinstance(value, Mapping) else None

    def fill(self, state: DialogState, text: str) -> str:
        """A sentence from flows.yaml with "{slot}" and "{result.field}" filled in."""

        def sub(m: re.Match[str]) -> str:
            name, attr = m.group(1), m.group(2)
            if name == "provider_name":
                provider = state.slots.get("provider")
                return self.site.provider_name(str(provider)) if provider else "the doctor"
            if name == "site_name":
                return self.site.site.name
            value = self.lookup(state, name, attr)
            return "" if value is None else str(value)

        return " ".join(_TEMPLATE.sub(sub, text).split())
