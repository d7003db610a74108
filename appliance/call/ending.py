"""The ending of a call: a goodbye (and its survey), a transfer with its fallbacks, a fault.

A transfer stores the handoff summary first; a transfer the far side refuses falls back to the
site's operator, and with no one there the caller is told so before the agent hangs up. A
fault anywhere in the call ends here too: an apology from pre-rendered audio and a transfer to
the operator with a summary (DESIGN invariant 4), never silence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from appliance.call.faults import Fault, fault_of
from appliance.call.prompts import LINE_DID_NOT_ANSWER, NO_ONE_AVAILABLE
from appliance.call.speaker import Speaker
from appliance.call.state import CallState
from appliance.call.transport import CallTransport
from appliance.dialog.actions import HangUp, Transfer
from appliance.events import CallFaulted, EventSink, HungUp, TransferFailed, TransferStarted
from appliance.outcomes import CallOutcome, TransferReason, hang_up_outcome

log = logging.getLogger(__name__)


class CallEnding:
    def __init__(
        self,
        *,
        call_id: str,
        dialog: Any,
        state: CallState,
        speaker: Speaker,
        transport: CallTransport,
        emit: EventSink,
        now_ms: Callable[[], float],
        operator: str,
        save_handoff: Callable[..., Any],
        survey: Callable[[str], Any],
    ) -> None:
        self.call_id = call_id
        self._dialog = dialog
        self._state = state
        self._speaker = speaker
        self._transport = transport
        self._emit = emit
        self._now_ms = now_ms
        self._operator = operator  # the site pack's operator extension
        self._save_handoff = save_handoff  # (handoff_id, summary, transcript)
        self._survey = survey  # hang-up reason -> the post-call survey, or None
        self.survey_wait: asyncio.Future[str | None] | None = None  # the post-call 1/2/3 press

    @property
    def waiting_for_survey(self) -> bool:
        return self.survey_wait is not None and not self.survey_wait.done()

    def survey_answer(self, digits: str | None) -> bool:
        """Keys (or None: a hang-up) for the survey; False when no survey is waiting."""
        if not self.waiting_for_survey:
            return False
        assert self.survey_wait is not None
        self.survey_wait.set_result(digits)
        return True

    async def finish(self, action: Transfer | HangUp) -> None:
        """A reply's last action: hang up after the goodbye, or transfer with the summary."""
        state = self._state
        state.finishing = True
        if isinstance(action, HangUp):
            self._emit(HungUp(self.call_id, self._now_ms(), by="agent"))
            state.outcome = hang_up_outcome(action.reason)
            await self._post_call_survey(action.reason)
            state.ended = True
            await self._transport.hang_up()
            return
        handoff_id = self._store_handoff(action)
        self._started(action.to, action.reason, handoff_id)
        state.outcome = CallOutcome.TRANSFERRED
        state.ended = True
        if await self._transport.transfer(action.to, handoff_id):
            return
        self._emit(TransferFailed(self.call_id, self._now_ms(), to=action.to))  # what really happened
        if action.to != self._operator:
            await self._speaker.say_now(LINE_DID_NOT_ANSWER)
            self._started(self._operator, TransferReason.TRANSFER_FAILED, handoff_id)
            if await self._transport.transfer(self._operator, handoff_id):
                return
            self._emit(TransferFailed(self.call_id, self._now_ms(), to=self._operator))
        await self._speaker.say_now(NO_ONE_AVAILABLE)
        state.outcome = CallOutcome.AGENT_HUNG_UP
        await self._transport.hang_up()

    def _started(self, to: str, reason: str, handoff_id: str) -> None:
        self._emit(TransferStarted(self.call_id, self._now_ms(), to=to, reason=reason, handoff_id=handoff_id))

    def _store_handoff(self, action: Transfer) -> str:
        """The summary's id once stored; "" when the disk cannot take it (the person still gets
        the caller, without a summary, rather than no one)."""
        try:
            self._save_handoff(action.handoff_id, dict(action.summary), self._dialog.history)
        except OSError as exc:
            log.error("call %s: handoff summary not stored (%s)", self.call_id, fault_of(exc).code)
            return ""
        return action.handoff_id

    async def _post_call_survey(self, hangup_reason: str) -> None:
        """After a goodbye the caller may press 1, 2 or 3 to rate the call."""
        survey = self._survey(hangup_reason)
        if survey is None:
            return
        await self._speaker.say_now(survey.prompt)
        self.survey_wait = asyncio.get_running_loop().create_future()
        try:
            digits = await asyncio.wait_for(self.survey_wait, survey.wait_ms / 1000)
        except TimeoutError:
            digits = None
        finally:
            self.survey_wait = None
        survey.answer(digits)

    async def fail_to_human(self, fault: Fault) -> None:
        """Apologise (pre-rendered audio: no engine needed), then transfer to the site's operator
        with a stored summary; the audit log and the figures record which stage failed.

        The listener has stopped hearing the caller before this runs."""
        state = self._state
        state.fault = state.fault or fault
        state.end_reason = fault.reason
        self._emit(CallFaulted(self.call_id, self._now_ms(), stage=fault.stage, code=fault.code))
        if state.ended:
            return
        state.interruptible = False  # the apology plays whole: the caller is no longer heard
        self._speaker.abandon()
        actions = self._dialog.fail_to_human(fault.stage)
        try:
            await self._speaker.speak_and_act(actions, None)
        except Exception:
            # Even the apology failed: transfer without a word rather than leave the caller alone.
            transfer = next((a for a in actions if isinstance(a, Transfer)), None)
            if transfer is None or state.ended:
                return
            handoff_id = self._store_handoff(transfer)
            self._started(transfer.to, transfer.reason, handoff_id)
            state.outcome = CallOutcome.TRANSFERRED
            state.ended = True
            if not await self._transport.transfer(transfer.to, handoff_id):
                self._emit(TransferFailed(self.call_id, self._now_ms(), to=transfer.to))
                state.outcome = CallOutcome.AGENT_HUNG_UP
                await self._transport.hang_up()
