"""The dialog engine: one call's conversation, from caller turns to agent actions.

`DialogEngine.handle(turn)` is an async generator run by the call pipeline on its event loop, one
caller turn at a time. Every turn meets the red-flag check first, then the caller-instruction
guard, then understanding (rule NLU by default), and then the flows: it applies the proposed
commands that fit the current flow and the site's rules (dropping the rest), and walks the flow's
steps from flows.yaml until it needs the caller again. What each step decides is the pure
interpreter's (appliance/dialog/flows.py, `FlowRunner`); this module carries the decisions out:
it speaks, calls tools, emits events and hands off.

Tools are called only through the gateway, with the current flow's tools as the allowlist. A
tool call runs as its own task, shielded from the turn: when the caller barges in and the pipeline
stops iterating (or cancels) the turn, the tool still finishes and its result lands in the
dialog state, so the next turn goes on from there and nothing is left half done.

`played()` keeps the history to what the caller actually heard. Nothing here blocks or sleeps,
and nothing reads the wall clock except through `clock_ms` and the site's local date.

Secure digits: on an identity step with `keypad: date_of_birth` the caller may key in the date of
birth (MMDDYYYY, optionally ended by the site's end key) when the agent asks for it on its own
(the name came first), and again on the retry after a keyed try. `SecureDigits(True)` goes out
before that question, so no key can arrive first, and `SecureDigits(False)` before anything else
is said or done once the dialog no longer waits for it (the entry is complete, the caller
answered by voice, verified, failed, transferred). The first identity question (name and date
of birth together) does not invite keys, so 0 there still reaches the operator. Keys arrive one
at a time or as a string and gather in the state, never in the history, an event, a command, a
summary or an error; a complete entry fills the `dob` slot exactly as a spoken date does. The
operator key rule is site.yaml's `keypad:` (outside an entry 0 pressed first; during one *, as 0
is a digit of the date).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from appliance.dialog import responses as R
from appliance.dialog.actions import (
    AgentAction,
    CallerTurn,
    HangUp,
    Say,
    SecureDigits,
    SetRecording,
    Transfer,
)
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
from appliance.dialog.flows import (
    AnswerFromDocuments,
    Ask,
    CallTool,
    DialogState,
    FlowDone,
    FlowRunner,
    Outcome,
    Speak,
    ask,
)
from appliance.dialog.language import ENGLISH, handoff_message, identify
from appliance.dialog.layered import LayeredUnderstanding
from appliance.dialog.nlu import IDENTITY_EXPECTS, RuleNlu
from appliance.dialog.redflags import (
    RedFlag,
    check_red_flags,
    framing,
    mentions_symptom,
    normalise,
    semantic_flag,
)
from appliance.dialog.semantic import SemanticIndex
from appliance.dialog.sitepack import FlowSpec, SitePack
from appliance.dialog.spoken import MONTHS, WEEKDAYS, digit_run, is_no, is_yes, normalize
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
from appliance.outcomes import HangUpReason, TransferReason
from appliance.store.handoffs import new_handoff_id
from appliance.tools.base import ToolGatewayProtocol, ToolResult

# Commands that settle a turn without the flow's next step: nothing worth looking up early.
_NO_LOOKUP = (HandOff, Repeat, Goodbye, RefuseRecording)
CARD_DIGITS = 12  # a run this long is a card number, never a date or a phone number
MAX_MISSES = 3
DOB_KEYS = 8  # MMDDYYYY


@dataclass(frozen=True)
class Prepared:
    """What a stable partial transcript was understood as, before the turn was final.

    Only understanding and side-effect-free lookups (a tool whose ToolSpec says so, knowledge
    retrieval): nothing here has been said, stored or done. `handle` keeps it when the final
    words mean the same (same commands: intent and slots) and throws it away otherwise."""

    text: str  # normalized words it was made from
    epoch: int  # the conversation it was made in: a turn handled or taken back since voids it
    commands: tuple[Command, ...]
    lookups: Mapping[str, asyncio.Future[ToolResult]] = field(default_factory=dict)
    passages: Mapping[str, Any] = field(default_factory=dict)  # question -> knowledge passages

    def discard(self) -> None:
        for lookup in self.lookups.values():
            lookup.cancel()


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
        semantic: SemanticIndex | None = None,
        caller_id: str | None = None,
        tool_filler_ms: int = 300,
    ) -> None:
        self.site = site
        self.call_id = call_id
        self._gateway = gateway
        self._knowledge = knowledge
        self._emit = emit
        self._clock_ms = clock_ms
        self._semantic = semantic
        if understanding is None:
            understanding = LayeredUnderstanding(site, semantic) if semantic is not None else RuleNlu(site)
        self._understanding = understanding
        self.caller_id = caller_id
        self._filler_s = tool_filler_ms / 1000.0
        self._flows = FlowRunner(site, caller_id)
        self._s = DialogState(last_prompt=site.site.greeting)
        self._history: list[tuple[str, str]] = []
        self._turn_mark = 0  # where this turn's agent lines start in the history
        self._pending: set[asyncio.Task[ToolResult]] = set()
        self._unspoken: Outcome | None = None  # a tool result the caller barged in before hearing
        self._finished = False
        self._silences = 0
        self._misses = 0
        self._request = ""
        self._last_text = ""  # the caller's words this turn, for the rule for doubt
        self._safety: tuple[RedFlag, str] | None = None  # a possible emergency asked about, and its words
        self._heard_caller = False  # the first spoken turn decides the caller's language
        self._language = ""  # the caller's language when it is not one the site speaks
        # what the call was last told about secure digits; it follows the call, not the
        # conversation, so snapshot()/take_back() leave it alone
        self._secure = False
        # Acting on partials: what the final turn may reuse, and what became of it this turn.
        self._prepared: Awaitable[Prepared | None] | None = None
        self._early: dict[str, asyncio.Future[ToolResult]] = {}
        self._early_passages: Mapping[str, Any] = {}
        self.preemptive = ""  # "used" | "redone" | "": this turn's (TurnLatency.preemptive)
        self._epoch = 0  # moves on with every turn handled, taken back or cut by a barge-in

    # -- the public API ---------------------------------------------------------------------------
    def opening(self) -> list[AgentAction]:
        """The whole opening: `disclosure()`, then `welcome()`."""
        return [*self.disclosure(), *self.welcome()]

    def disclosure(self) -> list[AgentAction]:
        """The required notices (site.yaml `disclosure`): played whole before anything the caller
        says is stored or acted on (DESIGN invariant 5)."""
        actions: list[AgentAction] = [Say(" ".join(self.site.site.disclosure.split()))]
        for action in actions:
            self._note(action)
        return actions

    def welcome(self) -> list[AgentAction]:
        """The rest of the opening (site.yaml `welcome`) and the greeting: a reply like any other,
        so a key press or "operator" cuts it short."""
        welcome = " ".join(self.site.site.welcome.split())
        actions: list[AgentAction] = [Say(welcome)] if welcome else []
        actions.append(Say(self.site.site.greeting))
        for action in actions:
            self._note(action)
        return actions

    async def handle(
        self, turn: CallerTurn, prepared: Awaitable[Prepared | None] | None = None
    ) -> AsyncIterator[AgentAction]:
        """One caller turn; yields the agent's actions as they are decided.

        `prepared`: `understand_early` of this turn's last stable partial; used only when the
        final words are understood the same way."""
        self.preemptive = ""
        self._prepared = prepared
        try:
            async for action in self._handle(turn):
                yield action
        finally:
            self._epoch += 1
            self._drop_early()

    async def _handle(self, turn: CallerTurn) -> AsyncIterator[AgentAction]:
        if self._finished:
            return
        if turn.kind == "speech":
            self._history.append(("caller", _mask_digits(turn.text.strip())))
        elif turn.kind == "dtmf":
            self._note_keys(turn.dtmf)
        self._turn_mark = len(self._history)
        await self._settle()
        async for action in self._catch_up():
            for out in self._secured(action):
                self._note(out)
                yield out
        if self._finished:
            return
        async for action in self._turn(turn):
            for out in self._secured(action):
                self._note(out)
                yield out
            if self._finished:
                return
        if self._secure and not self._wants_keypad():
            self._secure = False
            yield SecureDigits(False)

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
        self._epoch += 1
        kept = [entry for entry in self._history[self._turn_mark :] if entry[0] != "agent"]
        del self._history[self._turn_mark :]
        self._history += kept
        if text.strip():
            self._history.append(("agent", text.strip()))

    def snapshot(self) -> tuple[Any, ...]:
        """The conversation as it stands, so a turn can be taken back (the caller was not done)."""
        return copy.deepcopy(
            (self._s, self._history, self._turn_mark, self._finished, self._silences, self._misses,
             self._request, self._unspoken, self._safety)
        )  # fmt: skip

    def take_back(self, snapshot: tuple[Any, ...]) -> bool:
        """Return to `snapshot` if no tool ran or runs since; False (nothing changed) otherwise."""
        if self._pending or len(self._s.actions) != len(snapshot[0].actions):
            return False
        (self._s, self._history, self._turn_mark, self._finished, self._silences, self._misses,
         self._request, self._unspoken, self._safety) = copy.deepcopy(snapshot)  # fmt: skip
        self._epoch += 1
        return True

    def emergency_in_partial(self, text: str) -> bool:
        """A stable partial transcript already names a certain emergency (patterns and concepts
        only: no encoder, well under a millisecond), so the call may end the turn early and let
        `handle` act on it. Pure: nothing is said or changed here."""
        if self._finished or not text.strip():
            return False
        flag = check_red_flags(self.site.redflags, text)
        return flag is not None and flag.certain

    @property
    def expects_long_answer(self) -> bool:
        """The next answer has parts callers pause between (a name, then a date of birth)."""
        return self._s.expecting in IDENTITY_EXPECTS

    @property
    def expecting(self) -> str | None:
        """What the caller's next words answer ("dob", "confirm", …; None: anything)."""
        return self._s.expecting

    def listening_for(self) -> str:
        """What the next caller turn answers, for a recognizer that listens per context."""
        return "identity" if self._s.expecting in IDENTITY_EXPECTS else ""

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
        actions: list[AgentAction] = [
            Say(R.FAULT),
            self._transfer("operator", TransferReason.FAULT.at(reason)),
        ]
        if self._secure:
            self._secure = False
            actions.insert(0, SecureDigits(False))
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
        if turn.kind == "silence" and self._safety is not None:
            # asked whether it is happening now, the caller went quiet: treat it as the emergency
            for action in self._emergency(self._safety[0]):
                yield action
            return
        if turn.kind == "silence":
            for action in self._silence():
                yield action
            return
        self._silences = 0
        if turn.kind == "dtmf" and self._wants_keypad():
            async for action in self._keyed(turn.dtmf):
                yield action
            return
        self._s.keyed = ""  # the caller answered by voice: a half-keyed entry is dropped
        if self._secure and turn.kind == "speech":
            self._secure = False  # back to speech: on again only if keys are invited again
            yield SecureDigits(False)
        if turn.kind == "dtmf":
            commands = self._dtmf(turn.dtmf)
            if commands is None:
                reason = TransferReason.CALLER_PRESSED_OPERATOR
                yield self._transfer_say("operator", reason)
                yield self._transfer("operator", reason)
                return
        else:
            text = turn.text.strip()
            self._last_text = text
            first, self._heard_caller = not self._heard_caller, True
            if first and (language := self._foreign_language(turn)):
                async for action in self._other_language(language, text):
                    yield action
                return
            flag = await self._red_flag(text)
            if self._safety is not None:
                async for action in self._safety_answer(text, flag):
                    yield action
                return
            if flag is not None:
                async for action in self._doubt_or_emergency(flag, text):
                    yield action
                return
            if len(digit_run(text)) >= CARD_DIGITS:
                self._request = "a billing or payment question"
                yield Say(
                    "Please don't read card numbers to me. I'm connecting you to our billing office now."
                )
                yield self._transfer("billing", TransferReason.CARD_NUMBER)
                return
            if _matches_any(self.site.nlu.injection.patterns, text):
                self._emit(CommandRejected(self.call_id, self._clock_ms(), name="caller_instruction",
                                           reason="caller words cannot change the rules"))  # fmt: skip
                yield Say(R.INJECTION)
                if self._s.expecting:
                    yield Say(self._s.last_prompt)
                return
            if not self._request and text:
                self._request = " ".join(_mask_digits(text).split()[:12])
            commands = await self._understood(text)
        async for action in self._apply(commands):
            yield action

    # -- acting on partials -----------------------------------------------------------------------
    async def understand_early(self, text: str) -> Prepared | None:
        """Understand a stable partial transcript now, and start the side-effect-free lookup its
        commands lead to; None when its intent is not yet certain or the final turn would not
        reach understanding (a red flag, a safety question, card digits, an instruction).

        Nothing is said, applied or emitted: the flow runs on a copy of the state."""
        norm = normalize(text)
        if (
            self._finished
            or not norm
            or self._safety is not None
            or self._wants_keypad()
            or check_red_flags(self.site.redflags, text) is not None
            or len(digit_run(text)) >= CARD_DIGITS
            or _matches_any(self.site.nlu.injection.patterns, text)
        ):
            return None
        epoch = self._epoch
        commands = await self._understanding.propose(text, self._context())
        if epoch != self._epoch:
            return None  # the conversation moved on while it was understood
        state = copy.deepcopy(self._s)
        commands = [self._flows.cleaned(state, c) for c in commands]
        if not commands or any(self._flows.problem(state, c) for c in commands):
            return None  # not understood, or not all of it fits: the intent is not certain
        lookups: dict[str, asyncio.Future[ToolResult]] = {}
        passages: dict[str, Any] = {}
        if not any(isinstance(c, _NO_LOOKUP) for c in commands):
            question = next((c for c in commands if isinstance(c, AskKnowledge)), None)
            if question is not None:
                passages[question.question] = self._knowledge.search(question.question)
            call = self._next_call(state, commands)
            if call is not None:
                lookups[_lookup_key(call.tool, call.args)] = asyncio.ensure_future(
                    self._gateway.call(call.tool, call.args, allowed=call.allowed)
                )
        return Prepared(norm, epoch, tuple(commands), lookups, passages)

    def _next_call(self, state: DialogState, commands: list[Command]) -> CallTool | None:
        """The flow's next step after `commands` (on a copy of the state), when it is a tool
        that only reads; None for anything else (a question, a side effect, an identity check)."""
        if any(isinstance(c, CancelFlow) for c in commands):
            self._flows.end(state)
        if start := next((c for c in commands if isinstance(c, StartFlow)), None):
            self._flows.start(state, start.flow)
        self._flows.take_slots(state, [c for c in commands if isinstance(c, SetSlot)])
        reply = self._flows.answer(state, commands)
        if reply.say or reply.goodbye or state.flow is None or state.expecting is not None:
            return None
        decision = self._flows.next(state)
        reads_only = isinstance(decision, CallTool) and not decision.verify
        if reads_only and self._gateway.side_effect_free(decision.tool):  # type: ignore[union-attr]
            return decision  # type: ignore[return-value]
        return None

    async def _understood(self, text: str) -> list[Command]:
        """The turn's commands: the prepared ones when the final words are understood the same
        way (with their early lookups), else a fresh understanding and the prepared one dropped."""
        pending, self._prepared = self._prepared, None
        prepared: Prepared | None = None
        if pending is not None:
            with contextlib.suppress(Exception):
                prepared = await pending
        if prepared is not None and prepared.epoch != self._epoch:
            prepared.discard()  # made before the conversation moved on: its context is stale
            prepared, self.preemptive = None, "redone"
        if prepared is not None and prepared.text == normalize(text):
            commands = list(prepared.commands)  # the same words: no need to understand them again
        else:
            commands = await self._understanding.propose(text, self._context())
        if prepared is None:
            return commands
        if [self._flows.cleaned(self._s, c) for c in commands] == list(prepared.commands):
            self.preemptive = "used"
            self._early, self._early_passages = dict(prepared.lookups), prepared.passages
        else:
            self.preemptive = "redone"  # "book… no, cancel": the final's meaning, from scratch
            prepared.discard()
        return commands

    def _drop_early(self) -> None:
        """Lookups prepared for this turn and not used by it are cancelled (they only read)."""
        pending, self._prepared = self._prepared, None
        if isinstance(pending, asyncio.Future):
            pending.cancel()
            pending.add_done_callback(_discard_prepared)
        for lookup in self._early.values():
            lookup.cancel()
        self._early, self._early_passages = {}, {}

    # -- red flags and the rule for doubt ---------------------------------------------------------
    async def _red_flag(self, text: str, *, any_language: bool = False) -> RedFlag | None:
        """All layers; the semantic one reads the turn in a worker thread (the encoder computes).

        `any_language`: the words are not English, so the site's English symptom words cannot
        vouch for a semantic hit; the encoder (multilingual) is trusted on its own."""
        semantic = None
        if self._semantic is not None and text:
            vouched = True if any_language else None
            answering = self._s.expecting not in (None, "anything_else")
            semantic = await asyncio.to_thread(
                functools.partial(semantic_flag, symptom=vouched, answering=answering),
                self._semantic, self.site.redflags, text,
            )  # fmt: skip
        return check_red_flags(self.site.redflags, text, semantic)

    async def _doubt_or_emergency(self, flag: RedFlag, text: str) -> AsyncIterator[AgentAction]:
        if flag.response == "emergency":
            for action in self._emergency(flag):
                yield action
        elif flag.response == "nurse_line":
            reason = TransferReason.RED_FLAG_DOUBT.at(flag.category)
            yield self._transfer_say("nurse", reason)
            yield self._transfer("nurse", reason)
        else:
            self._safety = (flag, text)
            self._emit(CommandAccepted(self.call_id, self._clock_ms(), name="safety_question",
                                       args={"category": flag.category}))  # fmt: skip
            yield Say(" ".join(self.site.redflags.safety_question.split()))

    def _foreign_language(self, turn: CallerTurn) -> str:
        """The caller's language on the first turn, when the site does not speak it ("" otherwise).

        The words decide first (script and lexicon); a recognizer's own detection counts when
        the words hold no English word to contradict it."""
        found = identify(turn.text)
        language = found.code if found else ""
        if not language and turn.language and not any(w in ENGLISH for w in normalize(turn.text).split()):
            language = turn.language
        return language if language and language not in self.site.site.languages else ""

    async def _other_language(self, language: str, text: str) -> AsyncIterator[AgentAction]:
        """Told in their language that a person will help (and the emergency number), then a
        person: the nurse line when the words may be an emergency (the encoder reads many
        languages), the interpreter line otherwise; the language goes in the handoff summary."""
        self._language = language
        flag = await self._red_flag(text, any_language=True)
        message, spoken_in = handoff_message(language)
        yield Say(message, language=spoken_in)
        target, reason = (
            ("nurse", TransferReason.RED_FLAG.at(flag.category))
            if flag
            else ("interpreter", TransferReason.LANGUAGE.at(language))
        )
        if flag:
            self._emit(RedFlagRaised(self.call_id, self._clock_ms(), category=flag.category))
        yield self._transfer(target, reason)

    async def _safety_answer(self, text: str, flag: RedFlag | None) -> AsyncIterator[AgentAction]:
        """The answer to the safety question: only a clear no goes back to what the caller asked."""
        asked, words = self._safety or (None, "")
        self._safety = None
        assert asked is not None
        if flag is not None and flag.certain:
            asked = flag
        elif not _clear_no(self.site, text):
            asked = replace(asked, certain=True)
        else:
            # not happening now: understand what they first said, with what they add now
            commands = await self._understanding.propose(text, self._context())
            if not [c for c in commands if not isinstance(c, Deny)]:
                commands = await self._understanding.propose(words, self._context())
            self._last_text = words
            async for action in self._apply(commands):
                yield action
            return
        for action in self._emergency(asked):
            yield action

    def _emergency(self, flag: RedFlag) -> Iterator[AgentAction]:
        self._safety = None
        self._emit(RedFlagRaised(self.call_id, self._clock_ms(), category=flag.category))
        yield Say(flag.message)
        yield Say(f"If you stay on the line, I'm connecting you to {self.site.label(flag.transfer_to)} now.")
        yield self._transfer(flag.transfer_to, TransferReason.RED_FLAG.at(flag.category))

    def _dtmf(self, digits: str) -> list[Command] | None:
        """None means "to the operator": the site's operator key (0) pressed first always works."""
        if not digits or digits.startswith(self.site.site.keypad.operator):
            return None
        if self._s.expecting == "choice" and digits[0].isdigit():
            return [ChooseOption(int(digits[0]))]
        if self._s.expecting in ("confirm", "retry", "anything_else", "referral"):
            return [Affirm()] if digits[0] == "1" else [Deny()] if digits[0] == "2" else []
        return []

    def _silence(self) -> Iterator[AgentAction]:
        self._s.keyed = ""  # a half-keyed entry is started again after the reprompt
        self._silences += 1
        if self._silences >= self.site.site.max_silence_turns:
            yield Say(R.SILENCE_GOODBYE)
            yield HangUp(HangUpReason.NO_INPUT)
            return
        yield Say(f"{R.REPROMPT} {self._s.last_prompt}")

    # -- commands ---------------------------------------------------------------------------------
    def _accept(self, commands: list[Command]) -> list[Command]:
        accepted = []
        for proposed in commands:
            cmd = self._flows.cleaned(self._s, proposed)
            problem = self._problem(cmd)
            if problem:
                self._emit(CommandRejected(self.call_id, self._clock_ms(), name=cmd.name, reason=problem))
                continue
            args = {k: v for k, v in cmd.to_dict().items() if k != "name"}
            self._emit(CommandAccepted(self.call_id, self._clock_ms(), name=cmd.name, args=args))
            accepted.append(cmd)
        return accepted

    def _problem(self, cmd: Command) -> str:
        return self._flows.problem(self._s, cmd)

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
                yield Say(self._s.last_prompt if self._s.expecting else "How else can I help you?")
                return
        if handoff := next((c for c in commands if isinstance(c, HandOff)), None):
            # the command's own reason may be a model's words: the transfer records a fixed code
            reason = TransferReason.CALLER_ASKED.at(handoff.target)
            yield self._transfer_say(handoff.target, reason)
            yield self._transfer(handoff.target, reason)
            return
        if Repeat in kinds:
            yield Say(self._s.last_prompt)
            return
        if Goodbye in kinds and not kinds & {StartFlow, AskKnowledge}:
            for action in self._goodbye():
                yield action
            return
        if clarify := next((c for c in commands if isinstance(c, Clarify)), None):
            yield Say(self._flows.clarify(self._s, clarify).text)  # one question, not a guess
            return
        if CancelFlow in kinds:
            self._end_flow()
            yield Say("Okay, I've stopped that.")
        if start := next((c for c in commands if isinstance(c, StartFlow)), None):
            self._start_flow(start.flow)
        self._flows.take_slots(self._s, [c for c in commands if isinstance(c, SetSlot)])
        reply = self._flows.answer(self._s, commands)
        if reply.goodbye:
            for action in self._goodbye():
                yield action
            return
        if reply.say:
            yield Say(reply.say)
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
                yield Say(self._s.last_prompt)
                return
        if self._s.flow is None:
            if Affirm in kinds and self._s.expecting is None:
                yield self._ask(None, "What else can I help you with?")
            elif not kinds & {RefuseRecording, CancelFlow, Affirm, Deny}:
                yield self._ask(None, R.HELP_MENU + " What would you like to do?")
            return
        async for action in self._advance():
            yield action

    def _not_understood(self) -> Iterator[AgentAction]:
        if self._last_text and mentions_symptom(self.site.redflags, self._last_text):
            # the rule for doubt: words about a symptom or a body part we could not place go to a
            # nurse, never back to the menu
            yield self._transfer_say("nurse", TransferReason.SYMPTOM_NOT_UNDERSTOOD)
            yield self._transfer("nurse", TransferReason.SYMPTOM_NOT_UNDERSTOOD)
            return
        self._misses += 1
        if self._misses >= MAX_MISSES:
            yield Say("I'm sorry, I'm having trouble understanding. Let me get you a person.")
            yield self._transfer("operator", TransferReason.NOT_UNDERSTOOD)
            return
        prompt = self._s.last_prompt if self._s.expecting else R.HELP_MENU + " What would you like to do?"
        yield Say(f"{R.NOT_UNDERSTOOD} {prompt}")

    def _goodbye(self) -> Iterator[AgentAction]:
        yield Say(f"Thank you for calling {self.site.site.name}. Goodbye.")
        yield HangUp(HangUpReason.GOODBYE)

    # -- flows ------------------------------------------------------------------------------------
    def _start_flow(self, name: str) -> None:
        if self._flows.start(self._s, name):
            self._emit(FlowStarted(self.call_id, self._clock_ms(), flow=name))

    def _end_flow(self) -> None:
        self._flows.end(self._s)

    def _spec(self) -> FlowSpec:
        return self._flows.spec(self._s)

    async def _advance(self) -> AsyncIterator[AgentAction]:
        """Carry out the flow's decisions until one needs the caller, or the flow is done."""
        while self._s.flow is not None and not self._finished and self._s.expecting is None:
            decision = self._flows.next(self._s)
            if isinstance(decision, FlowDone):
                self._end_flow()
                yield self._ask("anything_else", self.site.anything_else)
                return
            if isinstance(decision, Ask):
                yield Say(decision.text)
                return
            if isinstance(decision, Speak):
                yield Say(decision.text)
            elif isinstance(decision, AnswerFromDocuments):
                async for action in self._knowledge_answer(decision.question):
                    yield action
            else:
                stop = False
                async for item in self._call(decision):
                    if isinstance(item, _Stop):
                        stop = True
                    else:
                        yield item
                if stop:
                    return

    # -- identity ---------------------------------------------------------------------------------
    async def _call(self, call: CallTool) -> AsyncIterator[AgentAction | _Stop]:
        """Run a step's tool (or the identity check) and carry out what its result means."""
        if call.verify:

            def apply(result: ToolResult) -> Outcome:
                return self._checked(self._flows.apply_verify(self._s, result))
        else:

            def apply(result: ToolResult) -> Outcome:
                return self._flows.apply_call(self._s, call.step, result)

        outcome: Outcome | None = None
        async for item in self._tool(call, apply):
            if isinstance(item, Outcome):
                outcome = item
            else:
                yield item
        if outcome is not None:
            async for action in self._carry_out(outcome):
                yield action

    def _checked(self, outcome: Outcome) -> Outcome:
        """Emit the identity check an outcome reports."""
        if outcome.identity_checked is not None:
            verified, attempt = outcome.identity_checked
            self._emit(IdentityChecked(self.call_id, self._clock_ms(), verified=verified, attempt=attempt))
        return outcome

    # -- secure digits ----------------------------------------------------------------------------
    def _wants_keypad(self) -> bool:
        """The dialog waits for a date of birth the caller may key in: digits must be secure."""
        return not self._finished and self._flows.awaits_keyed_dob(self._s)

    def _secured(self, action: AgentAction) -> list[AgentAction]:
        """`action`, after a SecureDigits when the keypad mode must change before it happens.

        Checked before each thing said or done: secure mode goes on before a sentence that
        (again) asks for a keyed date of birth, and off before anything once no keys are
        awaited; a transfer or hang-up always ends it."""
        if not isinstance(action, Say | Transfer | HangUp):
            return [action]
        want = (
            isinstance(action, Say)
            and self._wants_keypad()
            and (self._secure or self._s.last_prompt in action.text)
        )
        if want == self._secure:
            return [action]
        self._secure = want
        return [SecureDigits(want), action]

    def _note_keys(self, keys: str) -> None:
        """The history shows that keys were pressed; in a secure entry, not even how many."""
        if not self._wants_keypad():
            self._history.append(("caller", f"(keypad, {len(keys)} keys)"))
        elif self._history[-1:] != [("caller", "(keypad entry)")]:
            self._history.append(("caller", "(keypad entry)"))

    async def _keyed(self, keys: str) -> AsyncIterator[AgentAction]:
        """Keys of a secure date-of-birth entry; says nothing until the entry is complete."""
        s = self._s
        rules = self.site.site.keypad
        entry, done, bad = s.keyed, False, False
        for key in keys:
            if key == rules.entry_operator:
                s.keyed, s.expecting = "", None  # the identity step ends here: secure mode off
                reason = TransferReason.CALLER_PRESSED_OPERATOR
                yield self._transfer_say("operator", reason)
                yield self._transfer("operator", reason)
                return
            if done or not (key.isdigit() or key == rules.entry_end):
                bad = bad or key != rules.entry_end
                continue
            if key == rules.entry_end:
                done = True
            else:
                entry += key
                done = len(entry) == DOB_KEYS
        s.keyed = "" if done or bad else entry
        if not done and not bad:
            return  # more keys to come
        s.dob_keyed = True
        dob = None if bad else _keyed_date(entry)
        if not entry and not bad:
            yield Say(self._s.last_prompt)  # the end key alone: ask again, no try spent
        elif dob is None:
            for action in self._bad_entry():
                yield action
        else:
            self._misses = 0
            s.slots["dob"] = dob
            s.expecting = None
            async for action in self._advance():
                yield action

    def _bad_entry(self) -> Iterator[AgentAction]:
        """A keyed entry that is no date counts as a failed try, as a wrong date does."""
        outcome = self._checked(self._flows.bad_keyed_date(self._s))
        yield Say(outcome.say)
        if outcome.handoff:
            yield self._transfer(outcome.handoff, outcome.reason)

    # -- tools ------------------------------------------------------------------------------------
    async def _tool(
        self, call: CallTool, apply: Callable[[ToolResult], Outcome]
    ) -> AsyncIterator[AgentAction | Outcome]:
        """Run a tool as its own task; say the filler if it is slow; yield the applied outcome.

        The task records the result in the dialog state itself, so a barge-in that stops this
        generator (or cancels the turn) never leaves a tool half done or its result lost."""
        box: list[Outcome] = []
        task = asyncio.ensure_future(self._run_tool(call.tool, call.args, call.allowed, apply, box))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        done, _ = await asyncio.wait({task}, timeout=self._filler_s)
        if not done:
            yield Say(call.filler, filler=True)
        await asyncio.shield(task)
        if box:
            self._unspoken = None
            yield box[0]

    async def _run_tool(
        self,
        tool: str,
        args: dict[str, Any],
        allowed: tuple[str, ...],
        apply: Callable[[ToolResult], Outcome],
        box: list[Outcome],
    ) -> ToolResult:
        early = self._early.pop(_lookup_key(tool, args), None)
        try:
            if early is not None and tool in allowed and not early.cancelled():  # started on the partial
                result = await early
            else:
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

    async def _carry_out(self, effect: Outcome) -> AsyncIterator[AgentAction | _Stop]:
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

    # -- knowledge --------------------------------------------------------------------------------
    async def _knowledge_answer(self, question: str) -> AsyncIterator[AgentAction]:
        early = self._early_passages
        passages = early[question] if question in early else self._knowledge.search(question)
        answer = R.answer_from_passages(question, passages) if passages else None
        if answer is None:
            yield Say(R.KNOWLEDGE_UNKNOWN)
            yield self._transfer("operator", TransferReason.KNOWLEDGE_UNKNOWN)
            return
        yield Say(answer)

    # -- speaking and handing off -----------------------------------------------------------------
    def _ask(self, expecting: str | None, text: str) -> Say:
        return Say(ask(self._s, expecting, text).text)

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
        if self._language:
            summary["language"] = self._language
        self._finished = True
        return Transfer(
            to=self.site.extension(target), reason=reason, handoff_id=new_handoff_id(), summary=summary
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
        if reason.startswith("language:"):
            return "caller speaks " + reason.split(":", 1)[1] + "; needs an interpreter"
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


def _lookup_key(tool: str, args: Mapping[str, Any]) -> str:
    """Which prepared lookup a tool call may use: the same tool with the same arguments."""
    return f"{tool}:{sorted((k, repr(v)) for k, v in args.items())}"


def _discard_prepared(pending: asyncio.Future[Prepared | None]) -> None:
    if pending.cancelled() or pending.exception() is not None:
        return
    prepared = pending.result()
    if prepared is not None:
        prepared.discard()


def _matches_any(patterns: tuple[re.Pattern[str], ...], text: str) -> bool:
    norm = normalize(text)
    return any(p.search(norm) for p in patterns)


def _clear_no(site: SitePack, text: str) -> bool:
    """A clear "no, it's not happening now": a no, or words about the past, without a yes."""
    norm = normalise(text)
    if not norm or is_yes(text):
        return False
    return is_no(text) or framing(site.redflags, norm).history


def _keyed_date(keys: str) -> str | None:
    """MMDDYYYY as an ISO date, or None when the keys are no calendar date (the keys never
    reach an error message)."""
    if len(keys) != DOB_KEYS or not keys.isdigit():
        return None
    month, day, year = int(keys[:2]), int(keys[2:4]), int(keys[4:])
    if year < 1900:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _mask_digits(text: str) -> str:
    """Long digit runs (card numbers) never reach the history or a summary."""
    return re.sub(r"\d[\d\s-]{7,}\d", "[digits]", text)
