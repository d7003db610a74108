"""A request said with other words for its verb is the same request, by the rules alone (no encoder).

nlu.yaml's `equivalents` read "scrap", "call off", "get rid of" as "cancel" when an appointment is
what goes; "fit me in" and "anything open Friday" ask for a new visit.
"""

from __future__ import annotations

import pytest

from appliance.dialog.commands import StartFlow
from appliance.dialog.evaluation import Corpus, evaluate
from appliance.dialog.nlu import RuleNlu
from appliance.dialog.sitepack import SitePack
from appliance.dialog.understanding import DialogContext


def _flow(site: SitePack, text: str) -> str | None:
    commands = RuleNlu(site).understand(text, DialogContext(flows=tuple(site.flows)))
    return next((c.flow for c in commands if isinstance(c, StartFlow)), None)


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("can you scrap my appointment on the ninth", "cancel_appointment"),
        ("i'd like to call off tomorrow's appointment", "cancel_appointment"),
        ("we want to get rid of the checkup for my son", "cancel_appointment"),
        ("please drop my daughter's visit", "cancel_appointment"),
        ("can you fit my son in this week", "book_appointment"),
        ("do you have anything open friday afternoon", "book_appointment"),
        ("does doctor okafor have any openings next week", "book_appointment"),
    ],
)
def test_other_words_for_the_request(site: SitePack, text: str, flow: str) -> None:
    assert _flow(site, text) == flow


@pytest.mark.parametrize(
    "text",
    ["i need to drop off a form for my son", "can you remove my old address", "is the clinic open friday"],
)
def test_the_same_words_about_something_else_start_no_visit_change(site: SitePack, text: str) -> None:
    assert _flow(site, text) not in ("cancel_appointment", "book_appointment")


def test_a_clarifying_question_is_counted_apart_from_a_wrong_flow(site: SitePack) -> None:
    """`wardline eval`: "I can't make it Thursday" labelled cancel got the question that offers
    cancelling; it is not a correct start, and it is shown as one question away."""
    corpus = Corpus(intents={"cancel_appointment": ["i can't make it thursday", "book me in please"]})
    figures = evaluate(site, corpus, "rules").intents["cancel_appointment"]
    assert figures.correct == 0 and figures.asked == 1
