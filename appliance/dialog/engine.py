"""The dialog engine: one call's conversation, from caller turns to agent actions.

`DialogEngine.handle(turn)` is an async generator run by the call pipeline on its event loop, one
caller turn at a time. Every turn meets the red-flag check first, then the caller-instruction
guard, then understanding (rule NLU by default), and then the flows: it applies the proposed
commands that fit the current flow and the site's rules (dropping the rest), and walks the flow's
steps from flows.yaml until it needs the caller again. What each step decides is the pure
interpreter's (appliance/dialog/flows.py, `FlowRunner`); this module carries the decisions out:
it speaks, calls tools, emits events and hands off.

Tools are called only through the gateway, with the current flow's tools as the allowlist. A
tool call runs as its own task, shielded from the turn (tool_runs.py): when the caller barges in
and the pipeline stops iterating (or cancels) the turn, the tool still finishes and its result
lands in the dialog state, so the next turn goes on from there and nothing is left half done. A
stable partial transcript may be understood before the turn is final (early.py).

`played()` keeps the history to what the caller actually heard. Nothing here blocks or sleeps,
and nothing reads the wall clock except through `clock_ms` and the site's local date.

The parts it carries out are decided elsewhere, in pure code: the screening of each turn
(appliance/dialog/screening.py), the keypad and secure digits (keypad.py), what a turn's
commands lead to (`FlowRunner.plan`, flows.py), who the caller is (identity.py) and the handoff
summary (handoff.py). All of the
conversation is one `DialogState` (state.py), so `snapshot()` is a copy of it.

Secure digits (keypad.py): the first identity question (name and date of birth together) does
not invite keys, so 0 there still reaches the operator; the date of birth asked for on its own
does, and `SecureDigits(True)` goes out before that question.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable

from appliance.dialog import keypad, listening, screening
from appliance.dialog import responses as R
from appliance.dialog.actions import (
    AgentAction,
    CallerTurn,
    HangUp,
    Say,
    SetRecording,
    Transfer,
)
from appliance.dialog.commands import (
    Command,
    Deny,
)
from appliance.dialog.decisions import (
    Advance,
    AnswerFromDocuments,
    Ask,
    CallTool,
    Emit,
    FlowDone,
    HangUpCall,
    Outcome,
    PlanStep,
    Speak,
    StopRecording,
    TransferTo,
)
from appliance.dialog.early import Preparation, Prepared
from appliance.dialog.flows import FlowRunner, IntentGate, ask
from appliance.dialog.handoff import mask_digits, transfer, transfer_words
from appliance.dialog.layered import LayeredUnderstanding
from appliance.dialog.nlu import IDENTITY_EXPECTS, RuleNlu
from appliance.dialog.redflags import RedFlag
from appliance.dialog.semantic import SemanticIndex
from appliance.dialog.sitepack import SitePack
from appliance.dialog.spoken import normalize
from appliance.dialog.state import DialogState
from appliance.dialog.tool_runs import ToolRuns
from appliance.dialog.understanding import CommandGenerator, DialogContext
from appliance.events import CommandAccepted, CommandRejected, EventSink, IdentityChecked
from appliance.knowledge.base import KnowledgeBaseProtocol
from appliance.outcomes import HangUpReason, TransferReason
from appliance.tools.base import ToolGatewayProtocol, ToolResult


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
        gate: IntentGate | None = None,
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
        # `gate`: flows the site has switched to people (appliance/ops/fallback.py)
        self._flows = FlowRunner(site, caller_id, gate)
        self._s = DialogState(last_prompt=site.site.greeting)
        self._secure = keypad.SecureDigitsMode()  # follows the call, not the conversation
        self._early = Preparation(self._flows, understanding, gateway, knowledge)  # acting on partials
        self._tools = ToolRuns(gateway, self._early, tool_filler_ms / 1000.0, lambda: self._s)

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
        self._early.begin(prepared)
        try:
            async for action in self._handle(turn):
                yield action
        finally:
            self._early.end_turn()

    @property
    def preemptive(self) -> str:
        """ "used" | "redone" | "": what became of this turn's prepared partial (TurnLatency)."""
        return self._early.preemptive

    async def _handle(self, turn: CallerTurn) -> AsyncIterator[AgentAction]:
        if self._s.finished:
            return
        if turn.kind == "speech":
            self._s.history.append(("caller", mask_digits(turn.text.strip())))
        elif turn.kind == "dtmf":
            keypad.note_keys(self._s, turn.dtmf, secure=self._wants_keypad())
        self._s.turn_mark = len(self._s.history)
        await self._tools.settle()
        async for action in self._catch_up():
            for out in self._secured(action):
                self._note(out)
                yield out
        if self._s.finished:
            return
        async for action in self._turn(turn):
            for out in self._secured(action):
                self._note(out)
                yield out
            if self._s.finished:
                return
        if not self._wants_keypad():
            for action in self._secure.off():
                yield action

    async def _catch_up(self) -> AsyncIterator[AgentAction]:
        """Say (or do) what a tool that finished after a barge-in decided: a booking made, a transfer."""
        effect, self._s.unspoken = self._s.unspoken, None
        if effect is None:
            return
        async for action in self._carry_out(effect):
            if not isinstance(action, _Stop):
                yield action

    def _secured(self, action: AgentAction) -> list[AgentAction]:
        """`action`, after a SecureDigits when the keypad mode must change before it happens."""
        return self._secure.before(action, self._wants_keypad(), self._s.last_prompt)

    def played(self, text: str, complete: bool) -> None:
        """What of this turn's speech the caller heard; a barge-in (complete=False) cuts it."""
        if complete:
            return
        self._early.moved_on()
        kept = [entry for entry in self._s.history[self._s.turn_mark :] if entry[0] != "agent"]
        del self._s.history[self._s.turn_mark :]
        self._s.history += kept
        if text.strip():
            self._s.history.append(("agent", text.strip()))

    def snapshot(self) -> DialogState:
        """The conversation as it stands, so a turn can be taken back (the caller was not done)."""
        return copy.deepcopy(self._s)

    def take_back(self, snapshot: DialogState) -> bool:
        """Return to `snapshot` if no tool ran or runs since; False (nothing changed) otherwise."""
        if self._tools.pending or len(self._s.actions) != len(snapshot.actions):
            return False
        self._s = copy.deepcopy(snapshot)
        self._early.moved_on()
        return True

    def emergency_in_partial(self, text: str) -> bool:
        """A stable partial transcript already names a certain emergency (patterns and concepts
        only: no encoder, well under a millisecond), so the call may end the turn early and let
        `handle` act on it. Pure: nothing is said or changed here."""
        if self._s.finished or not text.strip():
            return False
        return screening.certain_emergency(self.site, text)

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
        return listening.context(self._s)

    def hints(self) -> list[str]:
        """Words the caller is likely to say next, for the recognizer."""
        return listening.hints(self.site, self._s)

    def fail_to_human(self, reason: str) -> list[AgentAction]:
        """A call-level fault: apologise and transfer to the operator with a summary."""
        actions: list[AgentAction] = [
            *self._secure.off(),
            Say(R.FAULT),
            self._transfer("operator", TransferReason.FAULT.at(reason)),
        ]
        for action in actions:
            self._note(action)
        return actions

    @property
    def finished(self) -> bool:
        return self._s.finished

    @property
    def flow(self) -> str | None:
        """The flow in progress, or else the last one the caller started (for the figures)."""
        return self._s.flow or self._s.last_flow

    @property
    def history(self) -> list[tuple[str, str]]:
        """(speaker, text) pairs: "caller" or "agent"; agent text is only what was played."""
        return list(self._s.history)

    @property
    def identity_verified(self) -> bool:
        return self._s.verified

    # -- one turn ---------------------------------------------------------------------------------
    async def _turn(self, turn: CallerTurn) -> AsyncIterator[AgentAction]:
        s = self._s
        if turn.kind == "silence" and s.safety is not None:
            # asked whether it is happening now, the caller went quiet: treat it as the emergency
            async for action in self._run(screening.emergency(self.site, s, s.safety[0])):
                yield action
            return
        if turn.kind == "silence":
            async for action in self._run(self._silence()):
                yield action
            return
        s.silences = 0
        if turn.kind == "dtmf" and self._wants_keypad():
            async for action in self._run(keypad.keyed_entry(self._flows, s, turn.dtmf)):
                yield action
            return
        s.keyed = ""  # the caller answered by voice: a half-keyed entry is dropped
        if turn.kind == "speech":
            for action in self._secure.off():  # back to speech: on again only if keys are invited again
                yield action
        if turn.kind == "dtmf":
            commands = keypad.menu_commands(self.site, s, turn.dtmf)
            if commands is None:
                reason = TransferReason.CALLER_PRESSED_OPERATOR
                async for action in self._run([Speak(transfer_words(self.site, "operator")),
                                               TransferTo("operator", reason)]):  # fmt: skip
                    yield action
                return
        else:
            text = turn.text.strip()
            s.last_text = text
            first, s.heard_caller = not s.heard_caller, True
            if first and (language := screening.foreign_language(self.site, turn)):
                s.language = language
                flag = await self._red_flag(text, any_language=True)
                async for action in self._run(screening.other_language(self.site, s, language, flag)):
                    yield action
                return
            flag = await self._red_flag(text)
            if s.safety is not None:
                async for action in self._safety_answer(text, flag):
                    yield action
                return
            if flag is not None:
                async for action in self._run(screening.doubt_or_emergency(self.site, s, flag, text)):
                    yield action
                return
            if screening.card_number(text):
                async for action in self._run(screening.card_number_read(s)):
                    yield action
                return
            if screening.caller_instruction(self.site, text):
                async for action in self._run(screening.instruction_refused(s)):
                    yield action
                return
            if not s.request and text:
                s.request = " ".join(mask_digits(text).split()[:12])
            commands = await self._early.understood(text, self._s, self._context())
        async for action in self._apply(commands):
            yield action

    # -- acting on partials -----------------------------------------------------------------------
    async def understand_early(self, text: str) -> Prepared | None:
        """Understand a stable partial transcript now, and start the side-effect-free lookup its
        commands lead to (appliance/dialog/early.py); None when its intent is not yet certain or
        the final turn would not reach understanding (a red flag, a safety question, card
        digits, an instruction). Nothing is said, applied or emitted."""
        if (
            self._s.finished
            or not normalize(text)
            or self._s.safety is not None
            or self._wants_keypad()
            or screening.before_understanding(self.site, text)
        ):
            return None
        return await self._early.prepare(text, self._s, self._context())

    # -- screening and commands ---------------------------------------------------------------------
    async def _red_flag(self, text: str, *, any_language: bool = False) -> RedFlag | None:
        return await screening.red_flag(
            self.site, self._semantic, text, expecting=self._s.expecting, any_language=any_language
        )

    async def _safety_answer(self, text: str, flag: RedFlag | None) -> AsyncIterator[AgentAction]:
        """The answer to the safety question: only a clear no goes back to what the caller asked."""
        words = self._s.safety[1] if self._s.safety else ""
        emergency = screening.safety_answered(self.site, self._s, text, flag)
        if emergency is not None:
            async for action in self._run(screening.emergency(self.site, self._s, emergency)):
                yield action
            return
        # not happening now: understand what they first said, with what they add now
        commands = await self._understanding.propose(text, self._context())
        if not [c for c in commands if not isinstance(c, Deny)]:
            commands = await self._understanding.propose(words, self._context())
        async for action in self._apply(commands):
            yield action

    def _silence(self) -> list[PlanStep]:
        s = self._s
        s.keyed = ""  # a half-keyed entry is started again after the reprompt
        s.silences += 1
        if s.silences >= self.site.site.max_silence_turns:
            return [Speak(R.SILENCE_GOODBYE), HangUpCall(HangUpReason.NO_INPUT)]
        return [Speak(f"{R.REPROMPT} {s.last_prompt}")]

    async def _apply(self, proposed: list[Command]) -> AsyncIterator[AgentAction]:
        """The turn's proposed commands, as the flow runner plans them (FlowRunner.plan)."""
        plan = self._flows.plan(self._s, proposed)
        for cmd, problem in plan.rejected:
            self._emit(CommandRejected(self.call_id, self._clock_ms(), name=cmd.name, reason=problem))
        for cmd in plan.accepted:
            args = {k: v for k, v in cmd.to_dict().items() if k != "name"}
            self._emit(CommandAccepted(self.call_id, self._clock_ms(), name=cmd.name, args=args))
        async for action in self._run(plan.steps):
            yield action

    async def _run(self, steps: Iterable[PlanStep]) -> AsyncIterator[AgentAction]:
        """Carry out a plan's steps in order; a transfer or hang-up ends the turn."""
        for step in steps:
            if isinstance(step, Speak):
                yield Say(step.text, language=step.language)
            elif isinstance(step, Ask):
                yield Say(step.text)
            elif isinstance(step, Emit):
                self._emit(step.event(self.call_id, self._clock_ms(), **step.fields))
            elif isinstance(step, StopRecording):
                yield SetRecording(False)
            elif isinstance(step, TransferTo):
                yield self._transfer(step.target, step.reason)
                return
            elif isinstance(step, HangUpCall):
                yield HangUp(step.reason)
                return
            elif isinstance(step, AnswerFromDocuments):
                async for action in self._knowledge_answer(step.question):
                    yield action
                if self._s.finished:
                    return
            elif isinstance(step, Advance):
                async for action in self._advance():
                    yield action

    # -- flows ------------------------------------------------------------------------------------
    def _end_flow(self) -> None:
        self._flows.end(self._s)

    async def _advance(self) -> AsyncIterator[AgentAction]:
        """Carry out the flow's decisions until one needs the caller, or the flow is done."""
        while self._s.flow is not None and not self._s.finished and self._s.expecting is None:
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
        async for item in self._tools.run(call, apply):
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
        return not self._s.finished and self._flows.awaits_keyed_dob(self._s)

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
        early = self._early
        passages = (
            early.passages(question) if early.has_passages(question) else self._knowledge.search(question)
        )
        answer = R.answer_from_passages(question, passages) if passages else None
        if answer is None:
            yield Say(R.KNOWLEDGE_UNKNOWN)
            yield self._transfer("operator", TransferReason.KNOWLEDGE_UNKNOWN)
            return
        yield Say(answer)

    # -- speaking and handing off -----------------------------------------------------------------
    def _ask(self, expecting: str | None, text: str) -> Say:
        return Say(ask(self._s, expecting, text).text)

    def _transfer(self, target: str, reason: str) -> Transfer:
        return transfer(self.site, self._s, target, reason)

    def _note(self, action: AgentAction) -> None:
        if isinstance(action, Say):
            self._s.history.append(("agent", action.text))
        elif isinstance(action, HangUp | Transfer):
            self._s.finished = True

    def _context(self) -> DialogContext:
        last_agent = next((t for who, t in reversed(self._s.history) if who == "agent"), "")
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
