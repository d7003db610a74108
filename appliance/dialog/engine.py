"""The dialog engine: one call's conversation, from caller turns to agent actions.

`DialogEngine.handle(turn)` is an async generator run by the call pipeline on its event loop, one
caller turn at a time. Every turn meets the red-flag check first, then the caller-instruction
guard, then understanding (rule NLU by default), and then the flow runner: it applies the
proposed commands that fit the current flow and the site's rules (dropping the rest), and walks
the flow's steps from flows.yaml until it needs the caller again.

Tools are called only through the gateway, with the current flow's tools as the allowlist. A
tool call runs as its own task, shielded from the turn: when the caller barges in and the pipeline
stops iterating (or cancels) the turn, the tool still finishes and its result lands in the
dialog state, so the next turn goes on from there and nothing is left half done.

`played()` keeps the history to what the caller actually heard. Nothing here blocks or sleeps,
and nothing reads the wall clock except through `clock_ms` and the site's local date.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.actions import AgentAction, CallerTurn, HangUp, Say, SetRecording, Transfer
from appliance.dialog.commands import (
    Affirm,
    AskKnowledge,
    CancelFlow,
    ChooseOption,
    Command,
    Deny,
    Goodbye,
    HandOff,
    RefuseRecording,
    Repeat,
    SetSlot,
    StartFlow,
)
from appliance.dialog.nlu import IDENTITY_EXPECTS, RuleNlu
from appliance.dialog.redflags import check_red_flags
from appliance.dialog.sitepack import FlowSpec, SitePack, Step
from appliance.dialog.spoken import MONTHS, WEEKDAYS, digit_run, normalize
from appliance.dialog.understanding import CommandGenerator, DialogContext
from appliance.events import (
    CommandAccepted,
    CommandRejected,
    ConsentAnswered,
    EventSink,
    FlowStarted,
    IdentityChecked,
    RedFlagRaised,
)
from appliance.knowledge.base import KnowledgeBaseProtocol
from appliance.tools.base import ToolGatewayProtocol, ToolResult

FAILURE_STATUSES = ("failed", "timeout", "refused", "cancelled")
RETRY_STATUSES = ("no_slots", "conflict", "invalid")
WHEN_SLOTS = ("date", "weekday", "part_of_day")
IDENTITY_SLOTS = ("name", "dob", "guardian")
CARD_DIGITS = 12  # a run this long is a card number, never a date or a phone number
MAX_MISSES = 3
_VAR = re.compile(r"^\$([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?$")
_TEMPLATE = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}")


@dataclass
class _State:
    """Everything the conversation has established; changed only by the runner and tool tasks."""

    flow: str | None = None
    last_flow: str | None = None
    step: int = 0
    slots: dict[str, Any] = field(default_factory=dict)
    results: dict[str, ToolResult] = field(default_factory=dict)
    expecting: str | None = None
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


@dataclass(frozen=True)
class _Effect:
    """What the turn does after a tool result has been applied to the state."""

    say: str = ""
    handoff: str | None = None  # a transfer target
    reason: str = ""
    stop: bool = False  # the flow waits for the caller
    end_flow: bool = False


class DialogEngine:
    def __init__(
        self,
        site: SitePack,
        *,
        call_id: str,
        gateway: ToolGatewayProtocol,
        knowledge: KnowledgeBaseProtocol,
        emit: EventSink,
        clock_ms: Callable[[], float],
        understanding: CommandGenerator | None = None,
        caller_id: str | None = None,
        tool_filler_ms: int = 300,
    ) -> None:
        self.site = site
        self.call_id = call_id
        self._gateway = gateway
        self._knowledge = knowledge
        self._emit = emit
        self._clock_ms = clock_ms
        self._understanding = understanding or RuleNlu(site)
        self.caller_id = caller_id
        self._filler_s = tool_filler_ms / 1000.0
        self._s = _State()
        self._history: list[tuple[str, str]] = []
        self._turn_mark = 0  # where this turn's agent lines start in the history
        self._pending: set[asyncio.Task[ToolResult]] = set()
        self._unspoken: _Effect | None = None  # a tool result the caller barged in before hearing
        self._finished = False
        self._silences = 0
        self._misses = 0
        self._last_prompt = site.site.greeting
        self._request = ""

    # -- the public API ---------------------------------------------------------------------------
    def opening(self) -> list[AgentAction]:
        """The disclosure, then the greeting; said before anything the caller says is stored."""
        disclosure = " ".join(self.site.site.disclosure.split())
        actions: list[AgentAction] = [Say(disclosure), Say(self.site.site.greeting)]
        for action in actions:
            self._note(action)
        return actions

    async def handle(self, turn: CallerTurn) -> AsyncIterator[AgentAction]:
        """One caller turn; yields the agent's actions as they are decided."""
        if self._finished:
            return
        if turn.kind == "speech":
            self._history.append(("caller", _mask_digits(turn.text.strip())))
        elif turn.kind == "dtmf":
            self._history.append(("caller", f"(keypad, {len(turn.dtmf)} keys)"))
        self._turn_mark = len(self._history)
        await self._settle()
        async for action in self._catch_up():
            self._note(action)
            yield action
        if self._finished:
            return
        async for action in self._turn(turn):
            self._note(action)
            yield action
            if self._finished:
                return

    async def _catch_up(self) -> AsyncIterator[AgentAction]:
        """Say (or do) what a tool that finished after a barge-in decided: a booking made, a transfer."""
        effect, self._unspoken = self._unspoken, None
        if effect is None:
            return
        async for action in self._carry_out(effect):
            if not isinstance(action, _Stop):
                yield action

    def played(self, text: str, complete: bool) -> None:
        """What of this turn's speech the caller heard; a barge-in (complete=False) cuts it."""
        if complete:
            return
        kept = [entry for entry in self._history[self._turn_mark :] if entry[0] != "agent"]
        del self._history[self._turn_mark :]
        self._history += kept
        if text.strip():
            self._history.append(("agent", text.strip()))

    def snapshot(self) -> tuple[Any, ...]:
        """The conversation as it stands, so a turn can be taken back (the caller was not done)."""
        return copy.deepcopy(
            (self._s, self._history, self._turn_mark, self._finished, self._silences, self._misses,
             self._last_prompt, self._request, self._unspoken)
        )  # fmt: skip

    def take_back(self, snapshot: tuple[Any, ...]) -> bool:
        """Return to `snapshot` if no tool ran or runs since; False (nothing changed) otherwise."""
        if self._pending or len(self._s.actions) != len(snapshot[0].actions):
            return False
        (self._s, self._history, self._turn_mark, self._finished, self._silences, self._misses,
         self._last_prompt, self._request, self._unspoken) = copy.deepcopy(snapshot)  # fmt: skip
        return True

    @property
    def expects_long_answer(self) -> bool:
        """The next answer has parts callers pause between (a name, then a date of birth)."""
        return self._s.expecting in IDENTITY_EXPECTS

    def hints(self) -> list[str]:
        """Words the caller is likely to say next, for the recognizer."""
        nlu = self.site.nlu
        expecting = self._s.expecting
        if expecting in IDENTITY_EXPECTS:
            return [*nlu.vocabulary.names, "my name is", "born", *MONTHS]
        if expecting == "choice":
            return ["the first one", "the second one", "the third one", "that's fine", *self._s.offered_text]
        if expecting in ("confirm", "retry", "anything_else", "referral"):
            return ["yes", "no", "that's all", "thank you"]
        if expecting == "provider":
            return [w for words in nlu.entities.get("provider", {}).values() for w in words]
        if expecting == "weekday":
            return [*WEEKDAYS, "morning", "afternoon", "tomorrow", "next week"]
        if expecting == "medication":
            return list(nlu.vocabulary.medications)
        return ["appointment", "refill", "reschedule", "cancel", "operator", "parking", "visiting hours",
                *nlu.provider_names.values()]  # fmt: skip

    def fail_to_human(self, reason: str) -> list[AgentAction]:
        """A call-level fault: apologise and transfer to the operator with a summary."""
        actions: list[AgentAction] = [Say(R.FAULT), self._transfer("operator", f"fault:{reason}")]
        for action in actions:
            self._note(action)
        return actions

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def flow(self) -> str | None:
        """The flow in progress, or else the last one the caller started (for the figures)."""
        return self._s.flow or self._s.last_flow

    @property
    def history(self) -> list[tuple[str, str]]:
        """(speaker, text) pairs: "caller" or "agent"; agent text is only what was played."""
        return list(self._history)

    @property
    def identity_verified(self) -> bool:
        return self._s.verified

    # -- one turn ---------------------------------------------------------------------------------
    async def _turn(self, turn: CallerTurn) -> AsyncIterator[AgentAction]:
        if turn.kind == "silence":
            for action in self._silence():
                yield action
            return
        self._silences = 0
        if turn.kind == "dtmf":
            commands = self._dtmf(turn.dtmf)
            if commands is None:
                yield self._transfer_say("operator", "caller-pressed-0")
                yield self._transfer("operator", "caller-pressed-0")
                return
        else:
            text = turn.text.strip()
            flag = check_red_flags(self.site.redflags, text)
            if flag is not None:
                self._emit(RedFlagRaised(self.call_id, self._clock_ms(), category=flag.category))
                yield Say(flag.message)
                yield Say(
                    f"If you stay on the line, I'm connecting you to {self.site.label(flag.transfer_to)} now."
                )
                yield self._transfer(flag.transfer_to, f"red-flag:{flag.category}")
                return
            if len(digit_run(text)) >= CARD_DIGITS:
                self._request = "a billing or payment question"
                yield Say(
                    "Please don't read card numbers to me. I'm connecting you to our billing office now."
                )
                yield self._transfer("billing", "card-number")
                return
            if _matches_any(self.site.nlu.injection.patterns, text):
                self._emit(CommandRejected(self.call_id, self._clock_ms(), name="caller_instruction",
                                           reason="caller words cannot change the rules"))  # fmt: skip
                yield Say(R.INJECTION)
                if self._s.expecting:
                    yield Say(self._last_prompt)
                return
            if not self._request and text:
                self._request = " ".join(_mask_digits(text).split()[:12])
            commands = await self._understanding.propose(text, self._context())
        async for action in self._apply(commands):
            yield action

    def _dtmf(self, digits: str) -> list[Command] | None:
        """None means "to the operator"; key 0 always works."""
        if not digits or digits.startswith("0"):
            return None
        if self._s.expecting == "choice" and digits[0].isdigit():
            return [ChooseOption(int(digits[0]))]
        if self._s.expecting in ("confirm", "retry", "anything_else", "referral"):
            return [Affirm()] if digits[0] == "1" else [Deny()] if digits[0] == "2" else []
        return []

    def _silence(self) -> Iterator[AgentAction]:
        self._silences += 1
        if self._silences >= self.site.site.max_silence_turns:
            yield Say(R.SILENCE_GOODBYE)
            yield HangUp("no-input")
            return
        yield Say(f"{R.REPROMPT} {self._last_prompt}")

    # -- commands ---------------------------------------------------------------------------------
    def _accept(self, commands: list[Command]) -> list[Command]:
        accepted = []
        for cmd in commands:
            problem = self._problem(cmd)
            if problem:
                self._emit(CommandRejected(self.call_id, self._clock_ms(), name=cmd.name, reason=problem))
                continue
            args = {k: v for k, v in cmd.to_dict().items() if k != "name"}
            self._emit(CommandAccepted(self.call_id, self._clock_ms(), name=cmd.name, args=args))
            accepted.append(cmd)
        return accepted

    def _problem(self, cmd: Command) -> str:
        """Why a proposed command does not fit now ("" when it does)."""
        s = self._s
        if isinstance(cmd, StartFlow) and cmd.flow not in self.site.flows:
            return "no such flow"
        if isinstance(cmd, HandOff) and cmd.target not in self.site.site.transfer_targets:
            return "no such transfer target"
        if isinstance(cmd, ChooseOption) and not (
            s.expecting == "choice" and 1 <= cmd.index <= len(s.offered)
        ):
            return "nothing to choose from"
        if isinstance(cmd, SetSlot):
            if cmd.slot in IDENTITY_SLOTS:
                return "" if s.expecting in IDENTITY_EXPECTS else "identity is not being asked for"
            return "" if cmd.slot in self._slot_names() else "no such slot here"
        return ""

    def _slot_names(self) -> set[str]:
        names: set[str] = set()
        if self._s.flow:
            names |= set(self.site.flows[self._s.flow].slots)
        # a slot said in the same breath as the request ("see Doctor Patel next Tuesday")
        names |= {slot for flow in self.site.flows.values() for slot in flow.slots}
        return names

    async def _apply(self, proposed: list[Command]) -> AsyncIterator[AgentAction]:
        commands = self._accept(proposed)
        if not commands:
            for action in self._not_understood():
                yield action
            return
        self._misses = 0
        kinds = {type(c) for c in commands}
        if RefuseRecording in kinds:
            yield SetRecording(False)
            self._s.recording = False
            self._emit(ConsentAnswered(self.call_id, self._clock_ms(), recording=False))
            yield Say(R.RECORDING_OFF)
            if kinds == {RefuseRecording}:
                yield Say(self._last_prompt if self._s.expecting else "How else can I help you?")
                return
        if handoff := next((c for c in commands if isinstance(c, HandOff)), None):
            yield self._transfer_say(handoff.target, handoff.reason)
            yield self._transfer(handoff.target, handoff.reason or f"caller-asked-{handoff.target}")
            return
        if Repeat in kinds:
            yield Say(self._last_prompt)
            return
        if Goodbye in kinds and not kinds & {StartFlow, AskKnowledge}:
            for action in self._goodbye():
                yield action
            return
        if CancelFlow in kinds:
            self._end_flow()
            yield Say("Okay, I've stopped that.")
        if start := next((c for c in commands if isinstance(c, StartFlow)), None):
            self._start_flow(start.flow)
        filled = [c for c in commands if isinstance(c, SetSlot)]
        for cmd in filled:
            self._s.slots[cmd.slot] = cmd.value
        if filled and self._s.expecting not in ("choice", "confirm", "retry", "referral", "anything_else"):
            self._s.expecting = None  # the runner asks again for whatever is still missing
        async for action in self._answer(commands):
            yield action
        if self._finished:
            return
        question = next((c for c in commands if isinstance(c, AskKnowledge)), None)
        if question is not None and (self._s.flow in (None, "faq") or start is None):
            async for action in self._knowledge_answer(question.question):
                yield action
            if self._finished:
                return
            if self._s.flow in (None, "faq"):
                self._end_flow()
                yield self._ask("anything_else", self.site.anything_else)
                return
            if self._s.expecting:
                yield Say(self._last_prompt)
                return
        if self._s.flow is None:
            if Affirm in kinds and self._s.expecting is None:
                yield self._ask(None, "What else can I help you with?")
            elif not kinds & {RefuseRecording, CancelFlow, Affirm, Deny}:
                yield self._ask(None, R.HELP_MENU + " What would you like to do?")
            return
        async for action in self._advance():
            yield action

    async def _answer(self, commands: list[Command]) -> AsyncIterator[AgentAction]:
        """Commands that answer what the agent just asked (a choice, yes or no, a new day)."""
        s = self._s
        expecting = s.expecting
        kinds = {type(c) for c in commands}
        new_when = any(isinstance(c, SetSlot) and c.slot in (*WHEN_SLOTS, "provider") for c in commands)
        if expecting == "anything_else":
            if Deny in kinds and s.flow is None:
                for action in self._goodbye():
                    yield action
                return
            s.expecting = None
            return
        if expecting == "choice":
            choice = next((c for c in commands if isinstance(c, ChooseOption)), None)
            if choice is not None:
                s.slots[s.offer_into or "choice"] = dict(s.offered[choice.index - 1])
                if not s.offer_reruns:
                    s.step += 1
                s.expecting, s.offered, s.offered_text = None, [], []
            elif new_when and s.retry_to is not None:
                self._go_back(keep_when=True)
            elif Deny in kinds and s.retry_to is not None:
                s.expecting = "retry"
                yield Say("No problem. Would another day or time work better?")
                self._last_prompt = "Would another day or time work better?"
            return
        if expecting == "retry":
            if new_when or Affirm in kinds:
                self._go_back(keep_when=new_when)
            elif Deny in kinds:
                self._end_flow()
                yield Say("Okay.")
            return
        if expecting == "referral":
            if Affirm in kinds and s.referral:
                suggested = list(s.referral.get("suggested_providers") or [])
                if suggested:
                    s.slots["provider"] = suggested[0]
                s.referral, s.expecting = None, None
                if s.retry_to is not None:
                    s.step = s.retry_to
            elif Deny in kinds:
                self._end_flow()
                yield Say("Okay.")
            return
        if expecting == "confirm":
            if Affirm in kinds:
                s.confirmed.add(s.step)
                s.step += 1
                s.expecting = None
            elif Deny in kinds:
                self._end_flow()
                yield Say("Okay, I won't make any changes.")
            return

    def _go_back(self, keep_when: bool) -> None:
        s = self._s
        if not keep_when:
            for slot in WHEN_SLOTS:
                s.slots.pop(slot, None)
        if s.offer_into and not s.offer_reruns:
            s.slots.pop(s.offer_into, None)
        s.step = s.retry_to if s.retry_to is not None else s.step
        s.expecting, s.offered, s.offered_text = None, [], []

    def _not_understood(self) -> Iterator[AgentAction]:
        self._misses += 1
        if self._misses >= MAX_MISSES:
            yield Say("I'm sorry, I'm having trouble understanding. Let me get you a person.")
            yield self._transfer("operator", "not-understood")
            return
        prompt = self._last_prompt if self._s.expecting else R.HELP_MENU + " What would you like to do?"
        yield Say(f"{R.NOT_UNDERSTOOD} {prompt}")

    def _goodbye(self) -> Iterator[AgentAction]:
        yield Say(f"Thank you for calling {self.site.site.name}. Goodbye.")
        yield HangUp("goodbye")

    # -- flows ------------------------------------------------------------------------------------
    def _start_flow(self, name: str) -> None:
        s = self._s
        if s.flow == name:
            return
        keep = {k: v for k, v in s.slots.items() if k in IDENTITY_SLOTS}
        s.flow, s.last_flow, s.step = name, name, 0
        s.slots, s.results, s.confirmed = keep, {}, set()
        s.expecting, s.offered, s.offered_text, s.retry_to, s.referral = None, [], [], None, None
        self._emit(FlowStarted(self.call_id, self._clock_ms(), flow=name))

    def _end_flow(self) -> None:
        s = self._s
        s.flow, s.step, s.expecting = None, 0, None
        s.offered, s.offered_text, s.retry_to, s.referral = [], [], None, None

    def _spec(self) -> FlowSpec:
        assert self._s.flow is not None
        return self.site.flows[self._s.flow]

    async def _advance(self) -> AsyncIterator[AgentAction]:
        """Walk the current flow's steps until one needs the caller, or the flow is done."""
        while self._s.flow is not None and not self._finished:
            spec = self._spec()
            if self._s.expecting is not None:
                return
            if self._s.step >= len(spec.steps):
                self._end_flow()
                yield self._ask("anything_else", self.site.anything_else)
                return
            step = spec.steps[self._s.step]
            stop = False
            async for action in self._run_step(step):
                if isinstance(action, _Stop):
                    stop = True
                    continue
                yield action
            if stop:
                return

    async def _run_step(self, step: Step) -> AsyncIterator[AgentAction | _Stop]:
        s = self._s
        kind = step.kind
        if kind == "verify_identity":
            async for action in self._verify():
                yield action
        elif kind == "collect":
            assert step.collect is not None
            if s.slots.get(step.collect) or (step.skip_if and s.slots.get(step.skip_if)):
                s.step += 1
                return
            prompt = self._spec().slots[step.collect].prompt or f"What is the {step.collect}?"
            yield self._ask(step.collect, prompt)
            yield _STOP
        elif kind == "call":
            async for action in self._call_step(step):
                yield action
        elif kind == "offer":
            yield self._offer(step)
            yield _STOP
        elif kind == "confirm":
            if s.step in s.confirmed:
                s.step += 1
                return
            yield self._ask("confirm", self._fill(step.confirm or ""))
            yield _STOP
        elif kind == "say":
            s.step += 1
            yield Say(self._fill(step.say or ""))
        elif kind == "answer":
            s.step += 1
            question = str(s.slots.get(step.answer or "", ""))
            if not question:
                s.step -= 1
                yield self._ask(step.answer, self._spec().slots[step.answer or ""].prompt)
                yield _STOP
                return
            async for action in self._knowledge_answer(question):
                yield action

    def _offer(self, step: Step) -> Say:
        s = self._s
        source, _, key = (step.offer or "").partition(".")
        result = s.results.get(source)
        options = list((result.data.get(key) if result else None) or [])
        s.offered = options
        s.offered_text = [str(o.get("spoken", "")) for o in options]
        s.offer_into, s.offer_reruns = step.into, False
        s.retry_to = self._step_index(source)
        s.expecting = "choice"
        text = result.message if result and result.message else "I have " + ", or ".join(s.offered_text) + "."
        if step.prompt and step.prompt.lower() not in text.lower():
            text = f"{text} {step.prompt}"
        self._last_prompt = text
        return Say(text)

    def _step_index(self, save: str) -> int | None:
        for i, st in enumerate(self._spec().steps):
            if st.call and (st.save or st.call) == save:
                return i
        return None

    # -- identity ---------------------------------------------------------------------------------
    async def _verify(self) -> AsyncIterator[AgentAction | _Stop]:
        s = self._s
        if s.verified:
            s.step += 1
            return
        name, dob, guardian = s.slots.get("name"), s.slots.get("dob"), s.slots.get("guardian")
        ask: tuple[str, str] | None = None
        if s.slots.get("acting_for"):
            if not guardian:
                ask = ("guardian", "May I have the parent or guardian's full name?")
        elif not name and not dob:
            ask = ("identity", R.IDENTITY_ASK)
        elif not name:
            ask = ("name", R.IDENTITY_ASK_NAME)
        elif not dob:
            ask = ("dob", R.IDENTITY_ASK_DOB)
        if ask is not None:
            yield self._ask(*ask)
            yield _STOP
            return
        s.expecting = None
        args: dict[str, Any] = {"name": guardian or name, "dob": dob}
        if guardian:
            args["acting_for"] = s.slots.get("acting_for")
        effect: _Effect | None = None
        async for item in self._tool(
            "verify_identity", args, "One moment while I look that up.", self._apply_verify
        ):
            if isinstance(item, _Effect):
                effect = item
            else:
                yield item
        if effect is not None:
            async for action in self._carry_out(effect):
                yield action

    def _apply_verify(self, result: ToolResult) -> _Effect:
        s = self._s
        spec = self._spec() if s.flow else None
        failed_to = spec.handoff.identity_failed if spec else "operator"
        attempt = s.identity_attempts + 1
        if result.ok:
            s.verified = True
            s.patient_ref = str(result.data.get("patient_ref") or "") or None
            s.step += 1
            self._emit(IdentityChecked(self.call_id, self._clock_ms(), verified=True, attempt=attempt))
            return _Effect(say=R.IDENTITY_OK)
        if result.status in FAILURE_STATUSES or (result.status == "invalid" and "fields" in result.data):
            return _Effect(say=R.SORRY_TOOL, handoff=spec.handoff.tool_failed if spec else "operator",
                           reason="tool-failed")  # fmt: skip
        if result.status == "needs_guardian":
            s.slots["acting_for"] = s.slots.pop("name", None)
            s.slots.pop("guardian", None)
            s.expecting = "guardian"
            self._last_prompt = result.message
            return _Effect(say=result.message, stop=True)
        s.identity_attempts = attempt
        self._emit(IdentityChecked(self.call_id, self._clock_ms(), verified=False, attempt=attempt))
        if result.status == "not_authorized" or attempt >= self.site.site.identity.max_attempts:
            message = result.message if result.status == "not_authorized" else R.IDENTITY_FAILED
            return _Effect(say=message, handoff=failed_to, reason="identity-not-verified")
        for slot in ("name", "dob", "guardian", "acting_for"):
            s.slots.pop(slot, None)
        s.expecting = "identity"
        self._last_prompt = R.IDENTITY_RETRY
        return _Effect(say=R.IDENTITY_RETRY, stop=True)

    # -- tools ------------------------------------------------------------------------------------
    async def _call_step(self, step: Step) -> AsyncIterator[AgentAction | _Stop]:
        assert step.call is not None
        args = self._args(step.args)
        filler = self._fill(step.filler) if step.filler else "One moment."
        effect: _Effect | None = None
        index = self._s.step
        async for item in self._tool(step.call, args, filler, lambda r: self._apply_call(step, index, r)):
            if isinstance(item, _Effect):
                effect = item
            else:
                yield item
        if effect is not None:
            async for action in self._carry_out(effect):
                yield action

    def _apply_call(self, step: Step, index: int, result: ToolResult) -> _Effect:
        """Record a tool's result in the state (runs in the tool's own task)."""
        s = self._s
        spec = self._spec()
        save = step.save or step.call or ""
        s.results[save] = result
        if result.ok:
            s.step = index + 1
            return _Effect(say=result.message if step.announce else "")
        if result.status in FAILURE_STATUSES or (result.status == "invalid" and "fields" in result.data):
            return _Effect(say=R.SORRY_TOOL, handoff=spec.handoff.tool_failed, reason="tool-failed")
        if result.status == "choose":
            options = next((v for v in result.data.values() if isinstance(v, list) and v), [])
            s.offered = list(options)
            s.offered_text = [str(o.get("spoken", "")) for o in options]
            s.offer_into, s.offer_reruns, s.expecting = step.into or "choice", True, "choice"
            self._last_prompt = result.message
            return _Effect(say=result.message, stop=True)
        if result.status == "needs_referral":
            s.referral, s.expecting = dict(result.data), "referral"
            s.retry_to = self._step_index(step.retry) if step.retry else index
            self._last_prompt = result.message
            return _Effect(say=result.message, stop=True)
        if result.status in RETRY_STATUSES and step.retry:
            s.retry_to = self._step_index(step.retry)
            s.expecting = "retry"
            s.offer_into = next((st.into for st in spec.steps if st.offer and st.into), None)
            s.offer_reruns = False
            self._last_prompt = result.message
            return _Effect(say=result.message, stop=True)
        if result.status == "no_slots" and spec.handoff.no_options:
            return _Effect(say=result.message, handoff=spec.handoff.no_options, reason="no-options")
        if spec.handoff.refused:
            return _Effect(say=result.message, handoff=spec.handoff.refused, reason=result.status)
        return _Effect(say=result.message or R.SORRY_TOOL, end_flow=True)

    async def _tool(
        self, tool: str, args: dict[str, Any], filler: str, apply: Callable[[ToolResult], _Effect]
    ) -> AsyncIterator[AgentAction | _Effect]:
        """Run a tool as its own task; say the filler if it is slow; yield the applied effect.

        The task records the result in the dialog state itself, so a barge-in that stops this
        generator (or cancels the turn) never leaves a tool half done or its result lost."""
        allowed = tuple(self._spec().tools) if self._s.flow else ()
        box: list[_Effect] = []
        task = asyncio.ensure_future(self._run_tool(tool, args, allowed, apply, box))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        done, _ = await asyncio.wait({task}, timeout=self._filler_s)
        if not done:
            yield Say(filler, filler=True)
        await asyncio.shield(task)
        if box:
            self._unspoken = None
            yield box[0]

    async def _run_tool(
        self,
        tool: str,
        args: dict[str, Any],
        allowed: tuple[str, ...],
        apply: Callable[[ToolResult], _Effect],
        box: list[_Effect],
    ) -> ToolResult:
        try:
            result = await self._gateway.call(tool, args, allowed=allowed)
        except asyncio.CancelledError:
            result = ToolResult(tool, False, "cancelled", message=R.SORRY_TOOL)
        except Exception as exc:  # the gateway never raises for tool failures; this is a fault
            result = ToolResult(
                tool, False, "failed", message=R.SORRY_TOOL, data={"error": type(exc).__name__}
            )
        self._s.actions.append({"tool": tool, "status": result.status})
        self._s.last_tool = result
        box.append(apply(result))
        self._unspoken = box[0]  # cleared once the turn that called the tool goes on to say it
        return result

    async def _settle(self) -> None:
        """Wait for tool tasks of an earlier, interrupted turn: the state must be complete."""
        if self._pending:
            with contextlib.suppress(Exception):
                await asyncio.gather(*list(self._pending))

    async def _carry_out(self, effect: _Effect) -> AsyncIterator[AgentAction | _Stop]:
        if effect.say:
            yield Say(effect.say)
        if effect.handoff:
            yield self._transfer(effect.handoff, effect.reason)
            yield _STOP
        elif effect.end_flow:
            self._end_flow()
            yield self._ask("anything_else", self.site.anything_else)
            yield _STOP
        elif effect.stop:
            yield _STOP

    def _args(self, template: Mapping[str, str]) -> dict[str, Any]:
        """Tool arguments from `$slot`, `$result.field` and plain text; unknown values are left out."""
        args: dict[str, Any] = {}
        for key, value in template.items():
            m = _VAR.match(value)
            resolved = self._lookup(m.group(1), m.group(2)) if m else value
            if resolved not in (None, ""):
                args[key] = resolved
        return args

    def _lookup(self, name: str, attr: str | None) -> Any:
        s = self._s
        if name == "patient_ref":
            return s.patient_ref
        if name == "caller_id":
            return self.caller_id
        value: Any = s.slots.get(name)
        if value is None and name in s.results:
            value = dict(s.results[name].data) | {"message": s.results[name].message}
        if attr is None:
            return value
        return value.get(attr) if isinstance(value, Mapping) else None

    def _fill(self, text: str) -> str:
        def sub(m: re.Match[str]) -> str:
            name, attr = m.group(1), m.group(2)
            if name == "provider_name":
                provider = self._s.slots.get("provider")
                return self.site.provider_name(str(provider)) if provider else "the doctor"
            if name == "site_name":
                return self.site.site.name
            value = self._lookup(name, attr)
            return "" if value is None else str(value)

        return " ".join(_TEMPLATE.sub(sub, text).split())

    # -- knowledge --------------------------------------------------------------------------------
    async def _knowledge_answer(self, question: str) -> AsyncIterator[AgentAction]:
        passages = self._knowledge.search(question)
        answer = R.answer_from_passages(question, passages) if passages else None
        if answer is None:
            yield Say(R.KNOWLEDGE_UNKNOWN)
            yield self._transfer("operator", "knowledge-unknown")
            return
        yield Say(answer)

    # -- speaking and handing off -----------------------------------------------------------------
    def _ask(self, expecting: str | None, text: str) -> Say:
        self._s.expecting = expecting
        self._last_prompt = text
        return Say(text)

    def _transfer_say(self, target: str, reason: str) -> Say:
        label = self.site.label(target)
        if target == "nurse":
            return Say(f"I can't give medical advice, but {label} can help. I'm connecting you now.")
        if target == "billing":
            return Say(f"For billing and payments, I'll connect you with {label}. {R.NO_CARD_NUMBERS}")
        return Say(f"Okay, I'm connecting you with {label} now.")

    def _transfer(self, target: str, reason: str) -> Transfer:
        s = self._s
        last = s.last_tool
        summary = {
            "reason": reason,
            "identity_verified": s.verified,
            "flow": self.flow,
            "actions": [dict(a) for a in s.actions],
            "last_tool_result": last.message if last else "",
            "request": self._summary_request(reason),
        }
        self._finished = True
        return Transfer(
            to=self.site.extension(target), reason=reason, handoff_id=uuid.uuid4().hex, summary=summary
        )

    def _summary_request(self, reason: str) -> str:
        flow = self.flow
        if flow and flow in self.site.flows:
            spec = self.site.flows[flow]
            request = spec.request or spec.description
            provider = self._s.slots.get("provider")
            if provider:
                request += f" with {self.site.provider_name(str(provider))}"
            medication = self._s.slots.get("medication")
            if medication:
                request += f" ({_mask_digits(str(medication))})"
            return request
        if reason.startswith("red-flag:"):
            return "reported " + reason.split(":", 1)[1].replace("_", " ")
        return self._request or reason.replace("-", " ")

    def _note(self, action: AgentAction) -> None:
        if isinstance(action, Say):
            self._history.append(("agent", action.text))
        elif isinstance(action, HangUp | Transfer):
            self._finished = True

    def _context(self) -> DialogContext:
        last_agent = next((t for who, t in reversed(self._history) if who == "agent"), "")
        return DialogContext(
            flow=self._s.flow,
            expecting=self._s.expecting,
            offered=tuple(self._s.offered_text),
            flows=tuple(self.site.flows),
            last_agent_text=last_agent,
        )


class _Stop:
    """Marker inside the runner: the flow waits for the caller."""


_STOP = _Stop()


def _matches_any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    norm = normalize(text)
    return any(p.search(norm) for p in patterns)


def _mask_digits(text: str) -> str:
    """Long digit runs (card numbers) never reach the history or a summary."""
    return re.sub(r"\d[\d\s-]{7,}\d", "[digits]", text)
