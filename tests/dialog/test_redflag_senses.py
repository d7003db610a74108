"""Words with two senses: the emergency sense still fires, the everyday sense does not.

"Coming to" is regaining consciousness ("he's not coming to") or attending ("he won't be coming
to his appointment"); "won't respond" is a person unroused or an unanswered email; "won't quit"
is "won't stop"; a figure of speech ("this hold music is killing me") says nothing about a body.
"""

from __future__ import annotations

from typing import Any

import pytest

from appliance.dialog.redflags import check_red_flags, semantic_flag
from appliance.dialog.sitepack import SitePack


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("he's not coming to", "unresponsive_person"),
        ("she won't come to", "unresponsive_person"),
        ("um my dad fainted and he isn't coming to i keep calling his name", "unresponsive_person"),
        ("she collapsed and won't come to after we sat her up", "unresponsive_person"),
        ("he doesn't respond when i shake him", "unresponsive_person"),
        # "won't quit", "won't let up": other ways of saying "won't stop"
        ("i cut my hand and it won't quit bleeding", "severe_bleeding"),
        ("the bleeding won't let up", "severe_bleeding"),
        # first aid that is not working: the emergency it treats
        ("we've been pressing on the cut for ages and it keeps pouring", "severe_bleeding"),
        # a crisis named by its means, or by a farewell
        ("i've got a rope here and i keep thinking about it", "suicidal_thoughts"),
        ("i'm standing on the ledge of my building", "suicidal_thoughts"),
        ("my brother sent me a goodbye text and now his phone is off", "suicidal_thoughts"),
    ],
)
def test_the_emergency_sense_fires_without_the_encoder(site: SitePack, text: str, category: str) -> None:
    flag = check_red_flags(site.redflags, text)
    assert flag is not None and flag.category == category, flag


ATTENDING = [
    "my son won't be coming to his appointment",
    "my daughter isn't coming to her checkup tomorrow",
    "he's not coming to the clinic on friday",
    "she won't come to the appointment because of work",
    "my husband didn't come to his physical last week",
]
ROUTINE = [
    "my mom won't wake up in time for morning appointments",
    "he doesn't respond to emails so please phone him",
    "she never replies to her voicemails",
]


@pytest.mark.parametrize("text", ATTENDING + ROUTINE)
def test_the_everyday_sense_is_no_emergency_to_the_patterns(site: SitePack, text: str) -> None:
    assert check_red_flags(site.redflags, text) is None


@pytest.mark.parametrize("text", ATTENDING)
def test_attending_is_no_emergency_to_the_whole_stack(site: SitePack, semantic: Any, text: str) -> None:
    spec = site.redflags
    assert check_red_flags(spec, text, semantic_flag(semantic, spec, text)) is None


@pytest.mark.parametrize("text", ROUTINE)
def test_a_routine_that_sounds_like_an_emergency_is_never_told_to_dial_911(
    site: SitePack, semantic: Any, text: str
) -> None:
    """Meaning alone may still send these to a nurse (the safe side); never to 911."""
    spec = site.redflags
    flag = check_red_flags(spec, text, semantic_flag(semantic, spec, text))
    assert flag is None or flag.response == "nurse_line"


def test_an_everyday_phrase_beside_an_emergency_does_not_hide_it(site: SitePack, semantic: Any) -> None:
    spec = site.redflags
    text = "she went to the clinic and now she's not making sense"
    assert check_red_flags(spec, text, semantic_flag(semantic, spec, text)) is not None


@pytest.mark.parametrize("text", ["this hold music is killing me", "i'm dying to know if my results are in"])
def test_a_figure_of_speech_is_not_a_bodily_emergency(site: SitePack, semantic: Any, text: str) -> None:
    spec = site.redflags
    assert check_red_flags(spec, text, semantic_flag(semantic, spec, text)) is None


def test_a_figure_of_speech_beside_a_symptom_is_still_heard(site: SitePack, semantic: Any) -> None:
    spec = site.redflags
    text = "my chest is killing me and i'm all sweaty"
    assert check_red_flags(spec, text, semantic_flag(semantic, spec, text)) is not None
