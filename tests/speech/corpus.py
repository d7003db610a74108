"""Sentences a Riverside caller might say, for building a domain language model in tests.

The dialog's own corpus function supplies these in production; the tests use this list (written
from riverside.md, not copied from the scenarios) plus, where a test says so, the scenario lines.
"""

from __future__ import annotations

import yaml

from appliance.numwords import MONTHS, ordinal_words
from tests.conftest import SCENARIOS

PATIENTS = ["Maria Gonzalez", "John Whitfield", "Aisha Rahman", "Robert Kim", "Emily Novak", "David Thompson"]
DOCTORS = ["Doctor Patel", "Doctor Chen", "Doctor Alvarez", "Doctor Okafor"]
ORDINALS = [ordinal_words(n) for n in range(1, 21)]  # "first" .. "twentieth"

HOSPITAL_SENTENCES = [
    "I'd like to make an appointment",
    "I want to book an appointment with Doctor Chen",
    "can I see Doctor Alvarez on Wednesday afternoon",
    "I need to cancel my appointment",
    "I need to reschedule my appointment for next week",
    "do you have anything on Thursday morning",
    "the second one please",
    "the earlier one is better",
    "yes that works",
    "no that doesn't work for me",
    "yes please",
    "no thank you",
    "that's right",
    "my name is Aisha Rahman",
    "my date of birth is July fourteenth nineteen ninety two",
    "my medical record number is R C H one oh four two three three",
    "I'm calling for my daughter Emily Novak",
    "I need a refill on my blood pressure medication",
    "can I get my prescription refilled",
    "the CVS on Elm Street",
    "the pharmacy on Riverbend Road",
    "I have chest pain",
    "I can't breathe",
    "I'm having trouble breathing",
    "my father's face is drooping and his speech is slurred",
    "there's a lot of bleeding and it won't stop",
    "I'm thinking about hurting myself",
    "my husband is unresponsive",
    "my throat is swelling up after a bee sting",
    "what are the visiting hours for the ICU",
    "how much does parking cost",
    "where do I park",
    "is parking free for patients",
    "what time does the clinic open on Saturday",
    "are you open on Sunday",
    "do you take Aetna",
    "do you accept Medicare",
    "do you take Humana",
    "I have a question about my bill",
    "I want to pay my bill",
    "can I speak to the billing office",
    "I want to talk to a nurse",
    "operator",
    "representative",
    "let me talk to someone",
    "transfer me to a person",
    "please don't record this call",
    "stop recording",
    "I don't consent to recording",
    "can you repeat that",
    "sorry I didn't catch that",
    "what was that",
    "that's all",
    "nothing else thanks",
    "goodbye",
    "thank you very much",
    "hello",
    "hi there",
    "good morning",
    "where is the hospital",
    "what is your address",
    "how do I get to the emergency room",
]


def templated_sentences() -> list[str]:
    """Names and dates the way callers give them, in a few shapes."""
    out = []
    for name in PATIENTS:
        out += [name, f"my name is {name}", f"this is {name}"]
    for doctor in DOCTORS:
        out += [f"I'd like to see {doctor}", f"I want an appointment with {doctor} next Monday"]
    for i, month in enumerate(MONTHS):
        for j in (i, i + 7):
            day = ORDINALS[j % len(ORDINALS)]
            for year in (1940 + 7 * i, 1983 + 3 * (i % 7)):
                out.append(f"{month} {day} {year}")
    for year in range(1930, 2026):
        out.append(f"born in {year}")
    return out


def scenario_lines() -> list[str]:
    lines = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        for turn in yaml.safe_load(path.read_text())["turns"]:
            if "say" in turn:
                lines.append(turn["say"])
    return lines


def riverside_corpus(include_scenarios: bool = True) -> list[str]:
    base = HOSPITAL_SENTENCES + templated_sentences()
    return base + scenario_lines() if include_scenarios else base
