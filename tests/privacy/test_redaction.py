"""Redaction against the labeled set (goals asserted per label) and behaviour a reader would notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.privacy.evaluation import load_examples, score
from appliance.privacy.redaction import LABELS, NUMERIC_LABELS, redact

DATA = Path(__file__).parent / "data"
# Names the site knows: riverside.md's patients and the guardian on file.
SITE_NAMES = ("Maria Gonzalez", "John Whitfield", "Aisha Rahman", "Robert Kim", "Emily Novak",
              "David Thompson", "Karen Novak")  # fmt: skip


def _predict(text: str):
    return [(s.start, s.end, s.label) for s in redact(text, SITE_NAMES).spans]


# The development sets: written beside the rules, which may be tuned on them. corpus_heldout is the
# held-out third (issue 17), frozen before the rules were changed; corpus_heldout2 a second held-out
# set, written by hand and frozen before the next round of changes: see test_held_out_floor.
DEVELOPMENT = ("utterances", "heldout", "corpus_dev")


@pytest.fixture(scope="module")
def scores():
    examples = [e for name in DEVELOPMENT for e in load_examples(DATA / f"{name}.jsonl")]
    assert len(examples) >= 700
    return score(examples, _predict)


def test_the_labeled_set_tripled_with_a_third_held_out():
    sizes = {n: len(load_examples(DATA / f"{n}.jsonl")) for n in (*DEVELOPMENT, "corpus_heldout")}
    total = sum(sizes.values())
    assert total >= 3 * 369  # the set issue 17 found: 312 + 57 utterances
    assert sizes["corpus_heldout"] >= total // 3 - 1


@pytest.mark.parametrize(
    "name, floor", [("corpus_heldout", 0.98), ("corpus_heldout2", 0.98), ("corpus_heldout3", 0.88)]
)
def test_held_out_floor(name, floor):
    # Rules alone, on utterances they were not tuned on. The goal is recall 0.99 (bench prints it);
    # these floors, under the figures measured (0.993, 1.000 and 0.897 recall; first measured
    # 0.947, 0.825 and 0.586 before the rules met them), only catch a change that makes redaction
    # worse on speech it has not seen. Misses are counted, not printed: the held-out sets stay
    # unread while tuning (corpus_dev3 holds the same forms in other sentences, for tuning).
    held = score(load_examples(DATA / f"{name}.jsonl"), _predict)
    assert held.overall().recall >= floor, f"{len(held.misses)} misses"
    assert held.overall().precision >= 0.95


def test_the_forms_of_the_last_round_are_found():
    # corpus_dev3: lower-case names and towns told by a dictionary, codes with letters said as
    # words, houses by number and name (written beside the rules, so near 1.0 by construction).
    dev3 = score(load_examples(DATA / "corpus_dev3.jsonl"), _predict)
    missed = [f"{label}: {text[a:b]!r} in {text!r}" for text, (a, b, label) in dev3.misses]
    assert dev3.overall().recall >= 0.95, missed
    assert dev3.overall().precision >= 0.95


def test_the_labeled_set_is_current():
    # utterances.jsonl is generated from utterances.txt; a stale copy would test the wrong thing.
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", DATA / "build_utterances.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name in (*DEVELOPMENT, "corpus_dev3", "corpus_heldout", "corpus_heldout2", "corpus_heldout3"):
        lines = [x.strip() for x in (DATA / f"{name}.txt").read_text().splitlines()]
        want = [build.parse(x) for x in lines if x and not x.startswith("#")]
        got = load_examples(DATA / f"{name}.jsonl")
        assert [
            (e.text, [tuple(s.values()) for s in w["spans"]]) for e, w in zip(got, want, strict=True)
        ] == [(w["text"], [tuple(s.values()) for s in w["spans"]]) for w in want]


def test_recall_goals(scores):
    missed = [f"{label}: {text[a:b]!r} in {text!r}" for text, (a, b, label) in scores.misses]
    assert scores.overall().recall >= 0.99, missed
    for label in NUMERIC_LABELS:
        assert scores.labels[label].recall == 1.0, (label, missed)
    assert set(scores.labels) <= set(LABELS)
    assert {label for label in LABELS if scores.labels.get(label) and scores.labels[label].gold} == set(
        LABELS
    )


def test_precision_goal(scores):
    wrong = [f"{label}: {text[a:b]!r} in {text!r}" for text, (a, b, label) in scores.false_positives]
    assert scores.overall().precision >= 0.90, wrong
    for label, s in scores.labels.items():
        assert s.precision >= 0.90, (label, wrong)


def test_spans_are_exact_offsets_and_text_is_rebuilt_from_them():
    text = "Hi, this is Karen Novak — call me at five five five, oh one four, three three oh two."
    r = redact(text, SITE_NAMES)
    assert [(text[s.start : s.end], s.label) for s in r.spans] == [
        ("Karen Novak", "NAME"),
        ("five five five, oh one four, three three oh two", "PHONE"),
    ]
    assert r.text == "Hi, this is [NAME] — call me at [PHONE]."


def test_digits_are_joined_across_fillers_and_pauses():
    r = redact("it's five five five … uh … oh one three … two two nine one")
    assert r.text == "it's [PHONE]"


def test_staff_site_facts_and_small_numbers_are_kept():
    for text in (
        "Can I see Dr. Anita Patel on Tuesday at ten thirty?",
        "Transfer me to extension 2100 please.",
        "Parking is $12 a day and she is eighty-nine.",
        "I've been a patient here since 2015.",
        "The garage on Elm Street is free for thirty minutes.",
    ):
        assert redact(text).text == text


def test_names_known_to_the_site_are_found_anywhere_and_spelled():
    r = redact("whitfield here, w h i t f i e l d", ["John Whitfield"])
    assert r.text == "[NAME] here, [NAME]"


def test_ages_over_89_only():
    assert redact("my mother is ninety-three years old").text == "my mother is [AGE] years old"
    assert redact("my mother is eighty-three years old").text == "my mother is eighty-three years old"


def test_empty_and_unicode_text():
    assert redact("").spans == ()
    text = "İstanbul'dan arıyorum, numaram 555 013 2291"  # lowercasing changes length here
    r = redact(text)
    # The city is a place (Safe Harbor counts it), and words in no English dictionary next to it
    # go with it: the safe side. What matters here is that every span still falls on whole words.
    assert [text[s.start : s.end] for s in r.spans] == ["İstanbul'dan arıyorum", "555 013 2291"]
    assert r.text == "[NAME], numaram [PHONE]"


def test_known_names_index_scales_and_spares_everyday_words():
    from appliance.privacy.redaction import KnownNames

    def word(i: int) -> str:  # invented, letters only: "Qab", "Qbb", …
        return "Q" + "".join("abcdefghijklmnopqrstuvwxyz"[(i // 26**k) % 26] for k in range(3))

    names = KnownNames([f"{word(i)} {word(i + 7000)}" for i in range(5000)] + ["Will Grant", "Aisha Rahman"])
    r = redact(f"Aisha will grant it; Will Grant and {word(7321).lower()} called, {word(17)} too", names)
    assert r.text == "[NAME] will grant it; [NAME] and [NAME] called, [NAME] too"


def test_site_known_names_reads_patients_and_guardians(tmp_path):
    import sqlite3

    from appliance.privacy.known_names import site_known_names

    db = tmp_path / "site.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE patients (name TEXT)")
        conn.execute("CREATE TABLE guardians (name TEXT)")
        conn.execute("INSERT INTO patients VALUES ('Emily Novak')")
        conn.execute("INSERT INTO guardians VALUES ('Karen Novak')")
    assert site_known_names(f"sqlite:///{db}") == ["Emily Novak", "Karen Novak"]
    assert site_known_names(f"sqlite:///{tmp_path / 'absent.db'}") == []
    assert not (tmp_path / "absent.db").exists()


def test_a_whole_transcript_redacted_at_once_meets_the_goals():
    # `wardline redact` reads all of stdin as one string: long texts take the same finders.
    from appliance.privacy.evaluation import Example

    examples = [e for name in DEVELOPMENT for e in load_examples(DATA / f"{name}.jsonl")]
    lines, gold, pos = [], [], 0
    for ex in examples:
        lines.append(ex.text)
        gold += [(a + pos, b + pos, label) for a, b, label in ex.spans]
        pos += len(ex.text) + 1
    whole = score([Example("\n".join(lines), tuple(gold))], _predict)
    missed = [f"{label}: {text[a:b]!r}" for text, (a, b, label) in whole.misses]
    assert whole.overall().recall >= 0.99, missed
    for label in NUMERIC_LABELS:
        assert whole.labels[label].recall == 1.0, (label, missed)
    assert whole.overall().precision >= 0.90


def test_written_identifiers_far_into_a_long_transcript():
    filler = "Thank you. How can I help you today?\n" * 400
    tail = "MRN RCH-104233, SSN 123-45-6789, id 1EG4-TE5-MK72 or AB12CD34, mail maria.g@example.com."
    text = filler + tail
    r = redact(text)
    assert [(text[s.start : s.end], s.label) for s in r.spans] == [
        ("RCH-104233", "MRN"),
        ("123-45-6789", "SSN"),
        ("1EG4-TE5-MK72", "ID"),
        ("AB12CD34", "ID"),
        ("maria.g@example.com", "EMAIL"),
    ]
    assert r.text == filler + "MRN [MRN], SSN [SSN], id [ID] or [ID], mail [EMAIL]."


def test_words_that_merely_contain_digits_or_letters_are_kept():
    for text in ("version v2 of the form", "the 2nd floor, form 12B", "abc-12 is not an id"):
        assert [text[s.start : s.end] for s in redact(text).spans] == [], text


def test_digits_that_int_cannot_read_do_not_break_redaction():
    # "²" is a digit to str.isdigit() but not to int(); it once raised ValueError.
    assert redact("call me at 5² please").text == "call me at 5² please"
    assert redact("my number is 555 013 2291²").text == "my number is [PHONE]²"
