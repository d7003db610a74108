"""Whisper hears a turn for what the dialog listens for: a near-miss of an expected term is read as
the term, only where the dialog (or the site's grammar) expects one; Whisper's written numbers and
titles reach the dialog as the words a caller said.

The rules are pure (speech/asr/rescoring.py); the last test runs the real tiny.en on a caller's
sentence that Whisper alone never gets right.
"""

from __future__ import annotations

import asyncio

import pytest

from appliance.config import load_settings
from appliance.dialog.listening import context
from appliance.dialog.sitepack import load_site
from appliance.dialog.state import DialogState
from appliance.registry.engines import site_expectations, site_names, site_topics, site_vocabulary
from appliance.speech.asr.rescoring import (
    TOPIC_MARGIN,
    Listening,
    heard_again,
    sound_key,
    sounds_like,
    topic_phrases,
)
from tests.speech.listening import hear


@pytest.fixture(scope="module")
def site():
    return load_site(load_settings().site.policy_dir)


@pytest.fixture(scope="module")
def listening(site) -> Listening:
    return Listening.of(site_vocabulary(site), site_expectations(site))


def test_a_medication_heard_as_a_near_miss_is_read_as_the_formulary_word_when_one_is_expected(listening):
    # the dialog asked "which medication?": the whole answer may name one
    assert listening.choose([("My circle line, please.", -0.3)], "medication") == "My sertraline, please."
    assert listening.choose([("Love etheric.", -0.4)], "medication") == "levothyroxine."
    # an open request names one in the place the site's grammar gives it
    assert listening.choose([("I ran out of my meth for men.", -0.2)], "") == "I ran out of my metformin."
    assert listening.choose([("I need a refill on my own brazil", -0.3)], "") == (
        "I need a refill on my omeprazole"
    )
    # a hypothesis that holds the term, heard nearly as well, is preferred to one that does not
    nbest = [("I ran out of my search align", -0.30), ("I ran out of my circle line", -0.35)]
    assert listening.choose(nbest, "") == "I ran out of my sertraline"


def test_a_refill_whose_own_word_was_misheard_still_names_the_medication(listening):
    # "refill" heard as "resell" or "resale": the grammar's place for a medication is still found,
    # so the dialog reads a refill of a formulary drug, not a sale of "own brazil"
    assert listening.choose([("I need to resell on my own Brazil.", -0.3)], "") == (
        "I need to refill on my omeprazole."
    )
    assert listening.choose([("Can I get a resale of my amla defined?", -0.3)], "") == (
        "Can I get a refill of my amlodipine?"
    )
    # a word like the grammar's own, with no medication in its place, stays as heard
    assert listening.choose([("Can you resell the house?", -0.2)], "") == "Can you resell the house?"
    assert listening.choose([("I need to resell on my own terms.", -0.2)], "") == (
        "I need to resell on my own terms."
    )


def test_nothing_is_read_as_a_term_where_none_is_expected(listening):
    # the same words outside the place a medication goes stay as heard
    commute = "I take the circle line to work."
    assert listening.choose([(commute, -0.2)], "") == commute
    assert listening.choose([("My circle line, please.", -0.3)], "yes_no") == "My circle line, please."
    # words that sound like no formulary term stay, even where one is expected
    assert listening.choose([("I ran out of my blood pressure pills", -0.2)], "") == (
        "I ran out of my blood pressure pills"
    )
    # a patient's name is never put in for a near-miss: a name alone must verify no one
    misheard = "Marie Gonzales, March third."
    assert listening.choose([(misheard, -0.2)], "identity") == misheard
    assert listening.choose([], "medication") == ""


def test_a_homophone_of_what_the_dialog_asked_for_is_read_as_it():
    from appliance.speech.asr.rescoring import expected_words

    # asked for a date of birth: a word that sounds like a number, between numbers, is one
    assert expected_words("three for two thousand four.", "identity") == "three four two thousand four."
    assert expected_words("eleven won nineteen fifty three", "identity") == "eleven one nineteen fifty three"
    # a day past the 31st cannot be: -ty next to a month is the -teen it sounds like
    assert expected_words("the fortieth of November, seventy five", "identity") == (
        "the fourteenth of November, seventy five"
    )
    # a yes/no answer that begins "know" begins "no"
    assert expected_words("Know, that's all, thanks.", "yes_no") == "No, that's all, thanks."
    # elsewhere, and where no number is around, the words stay as heard
    assert expected_words("from two to three", "") == "from two to three"
    assert expected_words("I came for my results", "identity") == "I came for my results"
    assert expected_words("Know what I mean", "identity") == "Know what I mean"
    assert expected_words("March twenty first to nineteen eighty", "identity") == (
        "March twenty first to nineteen eighty"
    )


def test_sound_alike_keys():
    assert sound_key("meth for men") == sound_key("metformin")
    assert sounds_like("circle line", "sertraline") > sounds_like("circle", "sertraline")
    assert sounds_like("walgreens", "metformin") < 0.5


def test_the_dialog_says_what_it_listens_for():
    for expecting, heard_as in [
        ("identity", "identity"),
        ("dob", "identity"),
        ("medication", "medication"),
        ("pharmacy", "pharmacy"),
        ("choice", "choice"),
        ("confirm", "yes_no"),
        ("anything_else", "yes_no"),
        (None, ""),
    ]:
        assert context(DialogState(expecting=expecting)) == heard_as, expecting


# -- the site's topics, heard again -----------------------------------------------------------
@pytest.fixture(scope="module")
def with_topics(site) -> Listening:
    return Listening.of(site_vocabulary(site), site_expectations(site), site_topics(site), site_names(site))


def test_a_site_topic_misheard_as_other_words_is_proposed_for_the_recognizer_to_hear_again(with_topics):
    # tiny.en's "what are your visiting hours": "busy numbers", "busy hours" in all its 10 best
    assert "What are your visiting hours?" in with_topics.respellings("What are your busy numbers?", "")
    assert "What are your visiting hours?" in with_topics.respellings("What are your busy hours?", "")
    # only in an open request: an answer to "your name and date of birth?" is no topic
    assert with_topics.respellings("What are your busy numbers?", "identity") == []
    # a text that already names a topic, or names one inflected, is left as heard
    assert with_topics.respellings("Where is visitor parking?", "") == []
    assert all(
        "appointments" not in r for r in with_topics.respellings("I want to cancel my appointment.", "")
    )


def test_a_name_is_never_replaced_by_a_topic_nor_put_in_by_sound(site, with_topics):
    # the site's patients and providers, and any word Whisper wrote as a name, stay as heard
    for said in ["Can Maria Gonzalez visit now?", "Is Doctor Patel in hours?", "Can Bizzy Nambers call me?"]:
        for respelled in with_topics.respellings(said, ""):
            kept = [w for w in said.split() if w[:1].isupper() and w != said.split()[0]]
            assert all(w in respelled.split() for w in kept), respelled
    names = frozenset(w.lower() for n in site_names(site) for w in n.split())
    phrases = topic_phrases(["Visiting hours", "Doctor Patel hours", "Maria Gonzalez records"], names)
    assert phrases == ("visiting hours",)


def test_the_recognizer_keeps_what_it_wrote_unless_a_respelling_is_nearly_as_likely():
    written = ("What are your busy numbers?", -2.97)
    near = [("What are your visiting hours?", -7.24)]
    far = [("What are your clinic hours?", -2.97 - TOPIC_MARGIN - 1.0)]
    assert heard_again(*written, near) == "What are your visiting hours?"
    assert heard_again(*written, far) == "What are your busy numbers?"
    assert heard_again(*written, []) == "What are your busy numbers?"


# -- the real tiny.en ------------------------------------------------------------------------
def test_tiny_en_reads_a_refill_of_sertraline_as_the_formulary_word(models, site):
    """The piper caller's "sertraline" is "circle line" or "search align" to tiny.en, in all of
    its 4 best; with the site's expectations the refill names the medication."""
    from appliance.speech.asr.faster_whisper import FasterWhisperAsr
    from tests.speech.listening import caller_audio

    whisper_dir, joe = models

    async def alone() -> tuple[str, tuple[tuple[str, float], ...]]:
        pcm = await caller_audio(joe, "I ran out of my sertraline.")
        plain = FasterWhisperAsr(whisper_dir, language="en", vocabulary=site_vocabulary(site), cpu_threads=1)
        await plain.start()
        try:
            result = await asyncio.wrap_future(plain.submit(plain.decode, pcm, 8000, "en", True, ""))
        finally:
            await plain.close()
        return result.text, result.hypotheses

    before, nbest = asyncio.run(alone())
    (after,) = hear(models, site, ["I ran out of my sertraline."], tail_ms=300)
    assert "sertraline" not in before.lower()  # what Whisper alone makes of it
    assert all("sertraline" not in text.lower() for text, _ in nbest)
    assert "ran out of my sertraline" in after.lower()


def test_tiny_en_reads_a_misheard_refill_of_amlodipine_as_one(models, site):
    """The piper caller deeper and quicker says "Can I get a refill of my amlodipine?"; tiny.en
    hears "a resale of my amla defined". The dialog gets the refill and the formulary name."""
    (heard,) = hear(models, site, ["Can I get a refill of my amlodipine?"])
    assert "refill of my amlodipine" in heard.lower()


def test_tiny_en_hears_a_date_of_birth_in_numbers_as_the_dialog_reads_it(models, site):
    """Asked for a name and a date of birth, the piper caller deeper and quicker says "three four
    two thousand four"; tiny.en writes "3 for 2004". The dialog reads March 4th, 2004."""
    from datetime import date

    from appliance.dialog.spoken import parse_date

    said = "My name is Emily Novak and my date of birth is three four two thousand four."
    (heard,) = hear(models, site, [said], context="identity")
    assert "emily novak" in heard.lower()
    assert parse_date(heard) == date(2004, 3, 4)


def test_tiny_en_hears_a_question_about_visiting_hours_as_the_site_topic(models, site):
    """The piper caller deeper and quicker asks "What are your visiting hours?"; tiny.en writes
    "What are your busy numbers?" (in all its 10 best). Forced through "visiting hours" on the
    same audio it finds that nearly as likely, and the dialog hears the topic."""
    (heard,) = hear(models, site, ["What are your visiting hours?"])
    assert "visiting hours" in heard.lower()
    (other,) = hear(models, site, ["What are your clinic hours?"])
    assert "clinic hours" in other.lower()  # a topic said as is stays the one said
