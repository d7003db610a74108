"""Retrieval over the Riverside knowledge documents, as callers ask."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from appliance.knowledge.index import KnowledgeBase, KnowledgeError, normalize, split_sections
from tests.conftest import REPO

DOCS = REPO / "policies" / "riverside" / "knowledge"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase(DOCS)


def best(kb: KnowledgeBase, question: str) -> str:
    passages = kb.search(question)
    assert passages, f"nothing found for {question!r}"
    return passages[0].text


@pytest.mark.parametrize(
    "question",
    ["How much is parking for visitors?", "Where is the car park?", "where do I park", "is parking free"],
)
def test_parking_questions_get_the_garage(kb: KnowledgeBase, question: str) -> None:
    text = best(kb, question)
    assert "Elm Street" in text
    assert "thirty minutes" in text


def test_visiting_hours_say_ten(kb: KnowledgeBase) -> None:
    text = best(kb, "What are your visiting hours?")
    assert "ten in the morning" in text
    assert "ICU" not in text


def test_icu_visiting_hours(kb: KnowledgeBase) -> None:
    passages = kb.search("What are the visiting hours in intensive care?")
    assert passages[0].title == "ICU visiting hours"
    assert "two visitors" in passages[0].text


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("Do you take Blue Cross?", "Insurance plans we accept"),
        ("Is Medicare accepted?", "Insurance plans we accept"),
        ("What coverage do you accept?", "Insurance plans we accept"),
        ("Do you accept Humana Gold?", "Insurance plans we do not accept"),
    ],
)
def test_insurance_questions(kb: KnowledgeBase, question: str, title: str) -> None:
    assert kb.search(question)[0].title == title


def test_other_site_facts(kb: KnowledgeBase) -> None:
    assert "one business day" in best(kb, "How do I get a prescription refill?")
    assert "Riverbend Road" in best(kb, "What's your address?")
    assert "billing office" in best(kb, "I have a question about my bill")
    assert "Saturday" in best(kb, "What are the clinic hours?")


@pytest.mark.parametrize(
    "question",
    [
        "what's the weather on Mars",
        "can you diagnose my rash",
        "tell me a joke",
        "what is the meaning of life",
        "can you check my lab results",
        "what time is it",
        "",
    ],
)
def test_unrelated_questions_get_nothing(kb: KnowledgeBase, question: str) -> None:
    assert kb.search(question) == []


def test_passages_are_speakable_and_cite_their_document(kb: KnowledgeBase) -> None:
    for section in kb.sections:
        assert not re.search(r"\d", section.text), f"{section.document}: {section.title}: digits"
        assert "approved" not in section.text.lower()
    passage = kb.search("parking")[0]
    assert (passage.document, passage.title) == ("parking.md", "Visitor parking")
    assert passage.score > 0


def test_synonyms_and_stop_words_fold_together() -> None:
    assert normalize("Where are the visitors parking?") == normalize("visiting car park")
    assert normalize("What insurance plans cover me?") == ["insurance", "insurance", "insurance"]


def test_a_file_without_subheadings_is_one_passage(tmp_path: Path) -> None:
    (tmp_path / "cafe.md").write_text("# Cafeteria\n\nThe cafeteria on the first floor opens at seven.\n")
    sections = split_sections(tmp_path / "cafe.md")
    assert [(s.title, s.text) for s in sections] == [
        ("Cafeteria", "The cafeteria on the first floor opens at seven.")
    ]
    for doc in DOCS.glob("*.md"):
        shutil.copy(doc, tmp_path / doc.name)
    assert KnowledgeBase(tmp_path).search("where is the cafeteria")[0].title == "Cafeteria"


def test_an_empty_folder_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=str(tmp_path)):
        KnowledgeBase(tmp_path)
