"""Red flags: every paraphrase fires, near misses do not, and the response is 911 + nurse at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from appliance.dialog.actions import Say, Transfer
from appliance.dialog.redflags import check_red_flags
from appliance.dialog.sitepack import SitePack
from tests.dialog.conftest import Call

RED_FLAGS = {
    "I've had crushing chest pain for the last twenty minutes and my left arm is numb.": "chest_pain",
    "i have chest pain": "chest_pain",
    "there's a lot of pressure in my chest": "chest_pain",
    "my chest hurts really bad": "chest_pain",
    "I think my husband is having a heart attack": "chest_pain",
    "I can't catch my breath": "trouble_breathing",
    "i cant breathe": "trouble_breathing",
    "my son is having trouble breathing": "trouble_breathing",
    "she's short of breath and wheezing": "trouble_breathing",
    "my face is drooping": "stroke_signs",
    "his speech is slurred and he seems confused": "stroke_signs",
    "my mom is slurring her words": "stroke_signs",
    "I think my father is having a stroke": "stroke_signs",
    "I can't move my left arm": "stroke_signs",
    "I'm thinking about ending my life": "suicidal_thoughts",
    "i want to kill myself": "suicidal_thoughts",
    "I don't want to live anymore": "suicidal_thoughts",
    "I've been having suicidal thoughts": "suicidal_thoughts",
    "he's not waking up": "unresponsive_person",
    "my grandmother is unresponsive": "unresponsive_person",
    "she passed out and won't wake up": "unresponsive_person",
    "my throat is closing": "anaphylaxis",
    "my lips are swelling after I ate peanuts": "anaphylaxis",
    "I think I'm having a severe allergic reaction": "anaphylaxis",
    "he's bleeding a lot and it won't stop": "severe_bleeding",
    "the bleeding won't stop": "severe_bleeding",
    "I'm coughing up blood": "severe_bleeding",
    "I had a chest x-ray last week and now I have chest pain": "chest_pain",
    "my mother had a stroke last year and now her face is drooping": "stroke_signs",
}

NEAR_MISSES = [
    "I'm calling about my chest X-ray results.",
    "I need to book a breathing treatment appointment.",
    "My mother had a stroke last year and needs a follow-up.",
    "I need to reschedule my dad's follow up after his stroke.",
    "Can I get my blood test results?",
    "I need my blood pressure pills refilled.",
    "I don't have chest pain, just a cough.",
    "I had a heart attack in 2019 and need to see Doctor Chen.",
    "I'd like an allergy appointment for my son.",
    "What are your visiting hours?",
    "I want to book an appointment with Doctor Patel next Tuesday morning.",
    "The first one is fine.",
]


@pytest.mark.parametrize("text", list(RED_FLAGS))
def test_red_flag_fires(site: SitePack, text: str) -> None:
    flag = check_red_flags(site.redflags, text)
    assert flag is not None and flag.category == RED_FLAGS[text]
    assert flag.transfer_to == "nurse"


@pytest.mark.parametrize(
    "text", [t.lower().replace(",", "").replace(".", "").replace("'", "") for t in RED_FLAGS]
)
def test_red_flag_fires_on_asr_text(site: SitePack, text: str) -> None:
    assert check_red_flags(site.redflags, text) is not None


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_miss_does_not_fire(site: SitePack, text: str) -> None:
    assert check_red_flags(site.redflags, text) is None


def test_suicide_says_988_and_transfers_to_nurse(make_call: Callable[..., Call]) -> None:
    call = make_call()
    out = call.turn("honestly I'm thinking about ending my life")
    said = " ".join(a.text for a in out if isinstance(a, Say))
    assert "988" in said and "hang up" in said.lower()
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert out[-1].summary["reason"] == "red-flag:suicidal_thoughts"


def test_red_flag_mid_flow_stops_everything(make_call: Callable[..., Call]) -> None:
    call = make_call()
    call.turn("I'd like to see Doctor Patel next Tuesday morning.")
    out = call.turn("actually my face is drooping and I can't talk properly")
    assert "911" in " ".join(a.text for a in out if isinstance(a, Say))
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert call.tools() == [] and call.engine.finished
    assert [e.category for e in call.events if e.type == "red-flag"] == ["stroke_signs"]


def test_red_flag_comes_before_everything_else(make_call: Callable[..., Call]) -> None:
    # Even a caller asking for billing in the same breath hears 911 and reaches the nurse line.
    call = make_call()
    out = call.turn("I have a question about my bill but I have crushing chest pain right now")
    assert isinstance(out[-1], Transfer) and out[-1].to == "2100"
    assert sum(isinstance(a, Transfer) for a in out) == 1
