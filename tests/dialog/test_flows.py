"""The flow interpreter on its own: Riverside's flows driven with plain tool results, no gateway."""

from __future__ import annotations

import dataclasses

import pytest

from appliance.dialog import responses as R
from appliance.dialog.commands import Affirm, ChooseOption, Deny, HandOff, SetSlot, StartFlow
from appliance.dialog.decisions import Advance, Emit, TransferTo
from appliance.dialog.flows import (
    AnswerFromDocuments,
    Ask,
    CallTool,
    DialogState,
    FlowDone,
    FlowRunner,
    Speak,
)
from appliance.dialog.sitepack import FlowSpec, SitePack
from appliance.events import FlowStarted
from appliance.tools.base import ToolResult

MARIA = {"name": "Maria Gonzalez", "dob": "1980-03-03"}


@pytest.fixture
def runner(site: SitePack) -> FlowRunner:
    return FlowRunner(site, caller_id="+15555550100")


def started(runner: FlowRunner, flow: str) -> DialogState:
    state = DialogState()
    assert runner.start(state, flow)
    return state


def verified(runner: FlowRunner, flow: str) -> DialogState:
    state = started(runner, flow)
    state.slots.update(MARIA)
    call = runner.next(state)
    assert isinstance(call, CallTool) and call.verify
    runner.apply_verify(state, ToolResult("verify_identity", True, "ok", {"patient_ref": "p-1"}))
    return state


def test_a_refill_asks_who_then_what_then_where_and_sends_the_request(runner: FlowRunner) -> None:
    state = started(runner, "refill_request")
    first = runner.next(state)
    assert first == Ask(R.IDENTITY_ASK) and state.expecting == "identity"

    runner.take_slots(state, [SetSlot("name", MARIA["name"]), SetSlot("dob", MARIA["dob"])])
    check = runner.next(state)
    assert isinstance(check, CallTool) and check.tool == "verify_identity"
    assert check.args == MARIA and check.allowed == ("verify_identity", "request_refill")

    outcome = runner.apply_verify(state, ToolResult("verify_identity", True, "ok", {"patient_ref": "p-1"}))
    assert outcome.say == R.IDENTITY_OK and outcome.identity_checked == (True, 1)
    assert runner.next(state) == Ask("Which medication do you need refilled?")

    runner.take_slots(state, [SetSlot("medication", "lisinopril")])
    assert runner.next(state) == Ask("Which pharmacy should we send it to?")
    assert state.expecting == "pharmacy"

    runner.take_slots(state, [SetSlot("pharmacy", "The Walgreens on Main Street")])
    send = runner.next(state)
    assert isinstance(send, CallTool) and send.tool == "request_refill"
    assert send.args == {
        "patient_ref": "p-1",
        "medication": "lisinopril",
        "pharmacy": "The Walgreens on Main Street",
    }
    assert send.filler == "One moment while I send that."

    done = runner.apply_call(state, send.step, ToolResult("request_refill", True, "ok", message="Sent."))
    assert done.say == "Sent." and not done.handoff
    assert runner.next(state) == FlowDone()


def test_slots_given_up_front_are_not_asked_again(runner: FlowRunner) -> None:
    state = started(runner, "refill_request")
    state.slots.update(MARIA | {"medication": "lisinopril", "pharmacy": "the hospital pharmacy"})
    runner.next(state)
    runner.apply_verify(state, ToolResult("verify_identity", True, "ok", {"patient_ref": "p-1"}))
    assert isinstance(runner.next(state), CallTool)


def test_three_wrong_identities_hand_off_to_the_operator(runner: FlowRunner) -> None:
    state = started(runner, "refill_request")
    wrong = ToolResult("verify_identity", False, "not_found", message="no match")
    for attempt in (1, 2):
        state.slots.update(MARIA)
        assert isinstance(runner.next(state), CallTool)
        outcome = runner.apply_verify(state, wrong)
        assert outcome.stop and not outcome.handoff and outcome.identity_checked == (False, attempt)
        assert state.expecting == "identity" and "name" not in state.slots
    state.slots.update(MARIA)
    runner.next(state)
    last = runner.apply_verify(state, wrong)
    assert (last.handoff, last.reason, last.say) == ("operator", "identity-not-verified", R.IDENTITY_FAILED)
    assert not state.verified


def test_a_failed_tool_hands_off_with_an_apology(runner: FlowRunner) -> None:
    state = verified(runner, "refill_request")
    state.slots.update({"medication": "lisinopril", "pharmacy": "the hospital pharmacy"})
    send = runner.next(state)
    assert isinstance(send, CallTool)
    outcome = runner.apply_call(state, send.step, ToolResult("request_refill", False, "timeout"))
    assert (outcome.say, outcome.handoff, outcome.reason) == (R.SORRY_TOOL, "operator", "tool-failed")


def test_offered_times_are_chosen_from_and_booked(runner: FlowRunner) -> None:
    state = verified(runner, "book_appointment")
    runner.take_slots(state, [SetSlot("provider", "patel")])
    find = runner.next(state)
    assert isinstance(find, CallTool) and find.tool == "find_slots"
    assert find.filler == f"Let me check {runner.site.provider_name('patel')}'s schedule."
    assert find.args["provider"] == "patel" and find.args["patient_ref"] == "p-1"
    slots = [
        {"provider": "patel", "start": "2026-11-24T09:00", "spoken": "Tuesday at nine"},
        {"provider": "patel", "start": "2026-11-24T10:00", "spoken": "Tuesday at ten"},
    ]
    said = runner.apply_call(state, find.step, ToolResult("find_slots", True, "ok", {"slots": slots}))
    assert said.say == ""  # announce: false; the offer reads the options
    offer = runner.next(state)
    assert isinstance(offer, Ask) and "Tuesday at nine, or Tuesday at ten" in offer.text
    assert state.expecting == "choice" and state.offered_text == ["Tuesday at nine", "Tuesday at ten"]

    assert runner.answer(state, [ChooseOption(2)]).say == ""
    book = runner.next(state)
    assert isinstance(book, CallTool) and book.tool == "book_appointment"
    assert book.args == {"patient_ref": "p-1", "provider": "patel", "start": "2026-11-24T10:00"}


def test_no_to_the_offered_times_asks_for_another_day(runner: FlowRunner) -> None:
    state = verified(runner, "book_appointment")
    state.slots["provider"] = "patel"
    find = runner.next(state)
    assert isinstance(find, CallTool)
    slot = {"provider": "patel", "start": "2026-11-24T09:00", "spoken": "Tuesday at nine"}
    runner.apply_call(state, find.step, ToolResult("find_slots", True, "ok", {"slots": [slot]}))
    runner.next(state)
    reply = runner.answer(state, [Deny()])
    assert "another day" in reply.say and state.expecting == "retry"
    runner.answer(state, [Affirm()])
    assert state.expecting is None and isinstance(runner.next(state), CallTool)


def test_no_to_the_confirmation_changes_nothing(runner: FlowRunner) -> None:
    state = verified(runner, "cancel_appointment")
    question = runner.next(state)
    assert isinstance(question, Ask) and state.expecting == "confirm" and "cancel" in question.text
    reply = runner.answer(state, [Deny()])
    assert reply.say == "Okay, I won't make any changes." and state.flow is None


def test_yes_to_the_confirmation_goes_on_to_the_tool(runner: FlowRunner) -> None:
    state = verified(runner, "cancel_appointment")
    runner.next(state)
    runner.answer(state, [Affirm()])
    call = runner.next(state)
    assert isinstance(call, CallTool) and call.tool == "cancel_appointment"


def test_a_faq_answers_from_the_documents(runner: FlowRunner) -> None:
    state = started(runner, "faq")
    first = runner.next(state)
    assert isinstance(first, Ask)
    slot = state.expecting
    assert slot is not None
    state.slots[slot] = "when are visiting hours"
    assert runner.next(state) == AnswerFromDocuments("when are visiting hours")


def test_commands_that_do_not_fit_are_named(runner: FlowRunner) -> None:
    state = started(runner, "refill_request")
    assert runner.problem(state, ChooseOption(1)) == "nothing to choose from"
    assert runner.problem(state, SetSlot("name", "x")) == "identity is not being asked for"
    assert runner.problem(state, SetSlot("colour", "blue")) == "no such slot here"
    runner.next(state)
    assert runner.problem(state, SetSlot("name", "x")) == ""


def test_the_date_of_birth_alone_may_be_keyed_in(runner: FlowRunner) -> None:
    state = started(runner, "refill_request")
    runner.next(state)
    assert not runner.awaits_keyed_dob(state)  # name and date together: 0 still means operator
    state.slots["name"] = MARIA["name"]
    ask = runner.next(state)
    assert isinstance(ask, Ask) and state.expecting == "dob"
    assert runner.site.site.keypad.dob_hint in ask.text and runner.awaits_keyed_dob(state)


def test_a_say_step_is_spoken_filled_in_and_passed(site: SitePack) -> None:
    flow = FlowSpec.model_validate(
        {"description": "greet", "steps": [{"say": "Welcome to {site_name}."}, {"say": "Bye."}]}
    )
    runner = FlowRunner(dataclasses.replace(site, flows={"greet": flow}))
    state = started(runner, "greet")
    assert runner.next(state) == Speak(f"Welcome to {site.site.name}.")
    assert runner.next(state) == Speak("Bye.")
    assert runner.next(state) == FlowDone()


def test_a_pharmacy_from_any_understanding_keeps_only_the_pharmacy(runner: FlowRunner) -> None:
    state = verified(runner, "refill_request")
    said = "The Walgreens on Main Street. My cell is five five five, zero one seven four."
    assert runner.cleaned(state, SetSlot("pharmacy", said)) == SetSlot(
        "pharmacy", "The Walgreens on Main Street"
    )
    assert runner.cleaned(state, SetSlot("medication", "lisinopril")) == SetSlot("medication", "lisinopril")
    only_a_number = runner.cleaned(state, SetSlot("pharmacy", "my cell is 555 0174"))
    assert runner.problem(state, only_a_number) == "nothing to fill the slot with"


# -- a turn's commands: the plan --------------------------------------------------------------------
class _Off:
    """An IntentGate with the refill intent switched to the nurse line."""

    def goes_to_people(self, flow: str) -> str | None:
        return "nurse" if flow == "refill_request" else None


def test_a_request_for_a_person_wins_over_the_rest_of_the_turn(runner: FlowRunner) -> None:
    state = DialogState()
    plan = runner.plan(state, [StartFlow("refill_request"), HandOff("billing"), StartFlow("no_such_flow")])
    assert [c.name for c in plan.accepted] == ["start_flow", "hand_off"]
    assert plan.rejected == ((StartFlow("no_such_flow"), "no such flow"),)
    assert plan.steps[-1] == TransferTo("billing", "caller-asked:billing")
    assert state.flow is None  # nothing started: the caller goes to billing


def test_nothing_understood_three_times_goes_to_a_person(runner: FlowRunner) -> None:
    state = DialogState()
    for _ in range(2):
        (say,) = runner.plan(state, []).steps
        assert isinstance(say, Speak) and say.text.startswith(R.NOT_UNDERSTOOD)
    assert runner.plan(state, []).steps[-1] == TransferTo("operator", "not-understood")


def test_a_flow_switched_to_people_hands_off_before_any_of_its_steps(site: SitePack) -> None:
    runner = FlowRunner(site, gate=_Off())
    state = DialogState()
    plan = runner.plan(state, [StartFlow("refill_request"), SetSlot("medication", "lisinopril")])
    assert plan.steps[0] == Emit(FlowStarted, {"flow": "refill_request"})
    assert plan.steps[-1] == TransferTo("nurse", "fallback:refill_request")
    assert not any(isinstance(step, Advance) for step in plan.steps)  # no step of the flow runs
    assert state.step == 0 and "medication" not in state.slots
    # another flow is the agent's as before
    plan = runner.plan(DialogState(), [StartFlow("book_appointment")])
    assert plan.steps[-1] == Advance()
