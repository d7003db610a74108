"""The flow interpreter: which step of a flow comes next, what it still needs from the caller,
which tool it calls with which arguments, and what a tool's result means for the conversation.

Pure code: no I/O, no awaits, no events, no clock. The inputs are the site pack (its flows and
their wording), the `DialogState` and tool results; the outputs are decisions (`Ask`, `Speak`,
`CallTool`, `AnswerFromDocuments`, `FlowDone`) and `Outcome`s that the dialog engine
(appliance/dialog/engine.py) carries out: it speaks, calls the tool gateway, emits the events and
hands off. `FlowRunner`'s methods change the state they are given and nothing else, so a test
drives a whole flow with plain `ToolResult`s and no gateway.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.commands import (
    Affirm,
    ChooseOption,
    Clarify,
    Command,
    Deny,
    HandOff,
    SetSlot,
    StartFlow,
)
from appliance.dialog.nlu import IDENTITY_EXPECTS
from appliance.dialog.sitepack import FlowSpec, SitePack, Step
from appliance.dialog.spoken import pharmacy_words
from appliance.outcomes import TransferReason
from appliance.tools.base import ToolResult

FAILURE_STATUSES = ("failed", "timeout", "refused", "cancelled")
RETRY_STATUSES = ("no_slots", "conflict", "invalid")
WHEN_SLOTS = ("date", "weekday", "part_of_day")
IDENTITY_SLOTS = ("name", "dob", "guardian")
# what the agent asked that a slot value does not simply answer (a choice, yes or no)
ANSWER_EXPECTS = ("choice", "confirm", "retry", "referral", "anything_else")
_VAR = re.compile(r"^\$([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?$")
_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}")


@dataclass
class DialogState:
    """Everything the conversation has established; changed by the runner and tool results."""

    flow: str | None = None
    last_flow: str | None = None
    step: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    results: dict[str, ToolResult] = field(default_factory=dict)
    expecting: str | None = None  # what the caller's next words answer
    last_prompt: str = ""  # the question that is repeated on "say that again" or after silence
    offered: list[Mapping[str, Any]] = field(default_factory=list)
    offered_text: list[str] = field(default_factory=list)
    offer_into: str | None = None
    offer_reruns: bool = False  # the choice answers the current call step ("which appointment?")
    retry_to: int | None = None
    referral: Mapping[str, Any] | None = None
    confirmed: set[int] = field(default_factory=set)
    verified: bool = False
    patient_ref: str | None = None
    identity_attempts: int = 0
    actions: list[dict[str, str]] = field(default_factory=list)
    last_tool: ToolResult | None = None
    recording: bool = True
    keyed: str = field(default="", repr=False)  # a secure keypad entry so far: never shown
    dob_keyed: bool = False  # the last date of birth tried was keyed in: the retry invites keys


# -- decisions: what the engine does next --------------------------------------------------------
@dataclass(frozen=True)
class Ask:
    """Say `text` and wait for the caller; the state already says what the answer fills."""

    text: str


@dataclass(frozen=True)
class Speak:
    """Say `text` and go on with the flow."""

    text: str


@dataclass(frozen=True)
class CallTool:
    """Call `tool` with `args` through the gateway, allowing only `allowed`; say `filler` if slow.

    Its result goes back through `FlowRunner.apply_verify` (verify=True) or `apply_call` (the
    step at index `step`)."""

    tool: str
    args: dict[str, Any]
    filler: str
    allowed: tuple[str, ...]
    step: int
    verify: bool = False


@dataclass(frozen=True)
class AnswerFromDocuments:
    """Answer `question` from the site's documents, then go on with the flow."""

    question: str


@dataclass(frozen=True)
class FlowDone:
    """Every step is done: end the flow and ask whether there is anything else."""


Decision = Ask | Speak | CallTool | AnswerFromDocuments | FlowDone


@dataclass(frozen=True)
class Outcome:
    """What follows a tool result (or an answer) once the state has been updated."""

    say: str = ""
    handoff: str | None = None  # a transfer target
    reason: str = ""
    stop: bool = False  # the flow waits for the caller
    end_flow: bool = False
    goodbye: bool = False  # the caller is done: say goodbye and hang up
    identity_checked: tuple[bool, int] | None = None  # (verified, attempt), for the event


def ask(state: DialogState, expecting: str | None, text: str) -> Ask:
    """A question: the caller's next words answer `expecting`; `text` is what a reprompt repeats."""
    state.expecting = expecting
    state.last_prompt = text
    return Ask(text)


class FlowRunner:
    """The interpreter for one site's flows (flows.yaml) and one caller (their caller ID)."""

    def __init__(self, site: SitePack, caller_id: str | None = None) -> None:
        self.site = site
        self.caller_id = caller_id

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
            return self._verify(state, spec)
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

    # -- identity -----------------------------------------------------------------------------
    def _verify(self, state: DialogState, spec: FlowSpec) -> Decision | None:
        if state.verified:
            state.step += 1
            return None
        name, dob = state.slots.get("name"), state.slots.get("dob")
        guardian = state.slots.get("guardian")
        if state.slots.get("acting_for"):
            if not guardian:
                return ask(state, "guardian", "May I have the parent or guardian's full name?")
        elif not name and not dob:
            return ask(state, "identity", self.dob_prompt(state, "identity", R.IDENTITY_ASK))
        elif not name:
            return ask(state, "name", R.IDENTITY_ASK_NAME)
        elif not dob:
            return ask(state, "dob", self.dob_prompt(state, "dob", R.IDENTITY_ASK_DOB))
        state.expecting = None
        args: dict[str, Any] = {"name": guardian or name, "dob": dob}
        if guardian:
            args["acting_for"] = state.slots.get("acting_for")
        filler = "One moment while I look that up."
        return CallTool("verify_identity", args, filler, spec.tools, state.step, verify=True)

    def apply_verify(self, state: DialogState, result: ToolResult) -> Outcome:
        """Record the identity check's result; three failures (the site's limit) hand off."""
        spec = self.spec(state) if state.flow else None
        failed_to = spec.handoff.identity_failed if spec else "operator"
        attempt = state.identity_attempts + 1
        if result.ok:
            state.verified = True
            state.patient_ref = str(result.data.get("patient_ref") or "") or None
            state.step += 1
            return Outcome(say=R.IDENTITY_OK, identity_checked=(True, attempt))
        if _tool_failed(result):
            handoff = spec.handoff.tool_failed if spec else "operator"
            return Outcome(say=R.SORRY_TOOL, handoff=handoff, reason=TransferReason.TOOL_FAILED)
        if result.status == "needs_guardian":
            state.slots["acting_for"] = state.slots.pop("name", None)
            state.slots.pop("guardian", None)
            ask(state, "guardian", result.message)
            return Outcome(say=result.message, stop=True)
        state.identity_attempts = attempt
        checked = (False, attempt)
        if result.status == "not_authorized" or attempt >= self.site.site.identity.max_attempts:
            message = result.message if result.status == "not_authorized" else R.IDENTITY_FAILED
            return Outcome(
                say=message,
                handoff=failed_to,
                reason=TransferReason.IDENTITY_NOT_VERIFIED,
                identity_checked=checked,
            )
        for slot in ("name", "dob", "guardian", "acting_for"):
            state.slots.pop(slot, None)
        again = ask(state, "identity", self.dob_prompt(state, "identity", R.IDENTITY_RETRY))
        return Outcome(say=again.text, stop=True, identity_checked=checked)

    def bad_keyed_date(self, state: DialogState) -> Outcome:
        """A keyed entry that is no date counts as a failed try, as a wrong date does."""
        state.identity_attempts += 1
        checked = (False, state.identity_attempts)
        if state.identity_attempts >= self.site.site.identity.max_attempts:
            state.expecting = None
            return Outcome(
                say=R.IDENTITY_FAILED,
                handoff=self.spec(state).handoff.identity_failed,
                reason=TransferReason.IDENTITY_NOT_VERIFIED,
                identity_checked=checked,
            )
        again = ask(state, state.expecting, self.site.site.keypad.dob_invalid)
        return Outcome(say=again.text, stop=True, identity_checked=checked)

    # -- secure digits ------------------------------------------------------------------------
    def keypad_step(self, state: DialogState) -> Step | None:
        """The current step when it is an identity step that takes a keyed date of birth."""
        if state.flow is None:
            return None
        steps = self.spec(state).steps
        step = steps[state.step] if state.step < len(steps) else None
        return step if step is not None and step.verify_identity and step.keypad else None

    def invites_keys(self, state: DialogState, expecting: str | None) -> bool:
        """The question for `expecting` invites a keyed date of birth: asked on its own, or again
        after a keyed try."""
        if self.keypad_step(state) is None:
            return False
        return expecting == "dob" or (expecting == "identity" and state.dob_keyed)

    def awaits_keyed_dob(self, state: DialogState) -> bool:
        """A date of birth the caller may key in is awaited: digits must be secure."""
        return not state.verified and not state.slots.get("dob") and self.invites_keys(state, state.expecting)

    def dob_prompt(self, state: DialogState, expecting: str, text: str) -> str:
        if self.invites_keys(state, expecting):
            return f"{text} {self.site.site.keypad.dob_hint}"
        return text

    # -- tool results -------------------------------------------------------------------------
    def apply_call(self, state: DialogState, index: int, result: ToolResult) -> Outcome:
        """Record the result of the call step at `index` and decide what follows."""
        spec = self.spec(state)
        step = spec.steps[index]
        state.results[step.save or step.call or ""] = result
        if result.ok:
            state.step = index + 1
            return Outcome(say=result.message if step.announce else "")
        if _tool_failed(result):
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


def _tool_failed(result: ToolResult) -> bool:
    """The tool could not do its work (as opposed to a no, or a question back)."""
    return result.status in FAILURE_STATUSES or (result.status == "invalid" and "fields" in result.data)
