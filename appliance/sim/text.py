"""Text mode: caller turns go straight to the dialog; no audio, no VAD, no ASR.

The agent's speech is "played" at the configured speaking rate, so a scenario's
barge_in_after_ms cuts the reply at the words that would have been heard by then.
"""

from __future__ import annotations

import time
import uuid

from appliance.call.services import CallServices
from appliance.dialog.actions import CallerTurn, HangUp, Say, SetRecording, Transfer
from appliance.events import AgentSaid, BargeIn, CallEnded, CallerSaid, CallStarted, HungUp, TransferStarted
from appliance.outcomes import CallOutcome, hang_up_outcome
from appliance.sim.record import CallLog
from appliance.sim.scenario import Scenario, plain_text


def _words_in(ms: int, words_per_minute: int) -> int:
    return int(ms / 60000 * words_per_minute)


async def run_text(scenario: Scenario, services: CallServices) -> CallLog:
    call_id = uuid.uuid4().hex
    log = CallLog(scenario.name)
    t0 = time.monotonic()

    def now_ms() -> float:
        return (time.monotonic() - t0) * 1000

    sinks = [*services.observers(call_id), log.add]  # an audit failure raises here: the run stops

    def emit(event) -> None:  # type: ignore[no-untyped-def]
        for sink in sinks:
            sink(event)

    dialog = services.new_dialog(call_id=call_id, emit=emit, clock_ms=now_ms, caller_id=scenario.caller_id)
    wpm = services.settings.speech.words_per_minute
    no_input_ms = services.settings.call.no_input_timeout_ms
    emit(CallStarted(call_id, now_ms(), 0, "sim-text"))
    outcome = None

    def perform(actions: list, cut_after_ms: int | None) -> CallOutcome | None:
        """Say what the actions say (cut by a barge-in), then transfer or hang up."""
        texts = [a.text for a in actions if isinstance(a, Say)]
        budget = _words_in(cut_after_ms, wpm) if cut_after_ms is not None else None
        played: list[str] = []
        for text in texts:
            words = text.split()
            if budget is not None and len(words) > budget:
                if budget:
                    played.append(" ".join(words[:budget]))
                    emit(AgentSaid(call_id, now_ms(), text=played[-1], interrupted=True))
                emit(BargeIn(call_id, now_ms()))
                dialog.played(" ".join(played), complete=False)
                return None
            played.append(text)
            if budget is not None:
                budget -= len(words)
            emit(AgentSaid(call_id, now_ms(), text=text))
        if played:
            dialog.played(" ".join(played), complete=True)
        for action in actions:
            if isinstance(action, Transfer):
                services.save_handoff(action.handoff_id, dict(action.summary), dialog.history)
                emit(
                    TransferStarted(
                        call_id, now_ms(), to=action.to, reason=action.reason, handoff_id=action.handoff_id
                    )
                )
                return CallOutcome.TRANSFERRED
            if isinstance(action, HangUp):
                emit(HungUp(call_id, now_ms(), by="agent"))
                return hang_up_outcome(action.reason)
        return None

    async def keep_silent(silence_ms: int) -> CallOutcome | None:
        """As on a call: a reprompt after each `no_input_timeout_ms` of silence, the timer starting
        again once the reprompt has been spoken, until the dialog says goodbye."""
        left = silence_ms
        while left >= no_input_ms:
            left -= no_input_ms
            actions = [a async for a in dialog.handle(CallerTurn(kind="silence"))]
            if outcome := perform(actions, None):
                return outcome
            words = sum(len(a.text.split()) for a in actions if isinstance(a, Say))
            left -= round(words * 60000 / wpm)
        return None

    def barge_of(index: int) -> int | None:
        return scenario.turns[index].barge_in_after_ms if index < len(scenario.turns) else None

    # The required disclosure plays whole; a first turn with barge_in_after_ms (counted from the
    # opening's start, as in audio mode) cuts the welcome.
    disclosure = [a for a in dialog.disclosure() if not isinstance(a, SetRecording)]
    cut = barge_of(0)
    if cut is not None:
        required_words = sum(len(a.text.split()) for a in disclosure if isinstance(a, Say))
        cut = max(0, cut - round(required_words * 60000 / wpm))
    outcome = perform(disclosure, None) or perform(dialog.welcome(), cut)
    for i, turn in enumerate(scenario.turns):
        if outcome is not None:
            break
        log.turn = i + 1
        if turn.hang_up:
            emit(HungUp(call_id, now_ms(), by="caller"))
            outcome = CallOutcome.CALLER_HUNG_UP
            break
        if turn.say is not None:
            emit(CallerSaid(call_id, now_ms(), text=plain_text(turn.say)))
            caller = CallerTurn(text=plain_text(turn.say))
        elif turn.dtmf is not None:
            caller = CallerTurn(kind="dtmf", dtmf=turn.dtmf)
        else:
            outcome = await keep_silent(turn.silence_ms or 0)
            continue
        actions = [a async for a in dialog.handle(caller)]
        outcome = perform(actions, barge_of(i + 1))
    if outcome is None:
        emit(HungUp(call_id, now_ms(), by="caller"))
        outcome = CallOutcome.CALLER_HUNG_UP
    emit(CallEnded(call_id, now_ms(), outcome=outcome))
    return log
