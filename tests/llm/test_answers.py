"""Grounded answers cite a retrieved document or give none; summaries are bounded text."""

from __future__ import annotations

import asyncio

from appliance.knowledge.base import Passage
from appliance.llm.answers import answer_schema, grounded_answer, handoff_summary

PASSAGES = [
    Passage("parking.md", "Parking", "Visitor parking is in Garage B, free for the first hour.", 3.2),
    Passage("hours.md", "Opening hours", "The clinic opens at 8 am on weekdays.", 1.1),
]


def test_nothing_retrieved_means_no_answer_and_no_model_call(engine):
    before = engine.last_stats
    assert asyncio.run(grounded_answer(engine, "Where do I park?", [])) is None
    assert engine.last_stats is before  # the model was never asked


def test_an_answer_always_cites_a_retrieved_document(engine):
    for q in ("Where do I park?", "When do you open?", "What is the meaning of life?"):
        answer = asyncio.run(grounded_answer(engine, q, PASSAGES))
        assert answer is None or (answer.document in {"parking.md", "hours.md"} and answer.text)


def test_answer_schema_offers_only_retrieved_documents_or_none():
    assert answer_schema(["parking.md"])["properties"]["document"] == {"enum": ["parking.md", "none"]}


def test_handoff_summary_is_bounded_text_or_none(engine):
    summary = asyncio.run(
        handoff_summary(engine, {"reason": "refill", "flow": "refill_request"}, ["caller: I need my pills"])
    )
    assert summary is None or 0 < len(summary) <= 600
