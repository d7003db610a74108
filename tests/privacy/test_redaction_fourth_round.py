"""The kinds of error the fourth held-out set showed (issue 17), one test per kind of fix.

Every sentence here was written for these tests, apart from the labeled sets: the fixes are for a
kind of utterance, so each is tried on words of its own. Each identifier must be gone from the
redacted text and the words around it must stay; each sentence with no PHI must stay whole.
People are invented; numbers are 555-01xx.
"""

from __future__ import annotations

import re

import pytest

from appliance.privacy.redaction import redact

# Found by the rules, turn by turn (no learned layer).
RULE_CASES = {
    # an age over 89 after a contraction the recognizer printed without its apostrophe
    "age after shes, words": ("shes ninety six and lives alone", "ninety six"),
    "age after hes, digits": ("hes 93 and still drives", "93"),
    "age after who's": ("my uncle, who's ninety-two, had a fall", "ninety-two"),
    # an extension after the pause a recognizer writes as a comma
    "extension after a comma, digits": ("call 555-0139, extension 42 please", "555-0139, extension 42"),
    "extension after a comma, words": (
        "it's five five five oh one three nine, extension four two",
        "five five five oh one three nine, extension four two",
    ),
    "extension after a comma, ext.": ("the desk is 555-0126, ext. 7 i think", "555-0126, ext. 7"),
    # a spoken email whose name was written with its dot
    "spoken email, written dot in the name": (
        "email is rhiannon.pryce at example dot net thanks",
        "rhiannon.pryce at example dot net",
    ),
    "spoken email, two written dots": ("send it to m.t.orr at example dot org", "m.t.orr at example dot org"),
    # a code spelled letter by letter that starts with "a" or "i"
    "account spelled from a": ("account number a r t seven seven two", "a r t seven seven two"),
    "member id spelled from i, with dash": (
        "member id i k dash four four nine one",
        "i k dash four four nine one",
    ),
    "policy spelled from a, digits": ("my policy number is a 4 4 0 9 1", "a 4 4 0 9 1"),
    # a year written short with its apostrophe, after a day and month
    "year with an apostrophe after a date": (
        "born on the 14th of March '52, I think",
        "the 14th of March '52",
    ),
    "year with an apostrophe after a month": ("date of birth May '61 please", "May '61"),
    # a year of birth a few words after "born"
    "year of birth further from born": ("she was born in the spring of 1931 in a farmhouse", "1931"),
    # a name that runs into the next clause, unpunctuated, after an opening "this is" / "it's"
    "name running into i need": ("this is dawn castle i need to move my appointment", "dawn castle"),
    "name running into i'm": ("hi it's merrin vosper i'm calling about a bill", "merrin vosper"),
    "name running into my": ("yeah it's otto lindqvist my tablets ran out", "otto lindqvist"),
}


@pytest.mark.parametrize(("text", "phi"), RULE_CASES.values(), ids=RULE_CASES.keys())
def test_each_kind_of_miss_is_found_by_the_rules(text: str, phi: str) -> None:
    _assert_hidden(redact(text).text, text, phi)


def test_an_everyday_word_name_after_a_title_of_office_the_census_lists_is_found_by_the_rules() -> None:
    # once the tagger's alone; the name gazetteer (names.find_gazetteer_names) reads it now: "mark"
    # and "stone" are a given name and a surname many bear, after a role ("the rabbi")
    text = "can you tell the rabbi mark stone i rang"
    _assert_hidden(redact(text).text, text, "mark stone")
    _assert_hidden(redact(text, tagged=True).text, text, "mark stone", keep_before=False)


# Found on finished transcripts, by the tagger (the rules alone leave them readable): everyday words
# as a name after a title of office, which the tagger's corpus now says in its own sentences.
TAGGER_CASES = {
    "everyday-word name after reverend": ("i'm ringing for the reverend will baker", "will baker"),
    "everyday-word name after father": ("we're with father frank hill now", "frank hill"),
}


@pytest.mark.parametrize(("text", "phi"), TAGGER_CASES.values(), ids=TAGGER_CASES.keys())
def test_names_after_titles_of_office_are_found_by_the_tagger(text: str, phi: str) -> None:
    assert phi in redact(text).text  # the rules alone leave it readable
    out = redact(text, tagged=True).text
    # the title may go with the name ("[NAME] asked me to call."): hiding it too is on the safe side
    _assert_hidden(out, text, phi, keep_before=False)


# Said where names and places stand, identifying no one.
NOT_PHI = (
    # medicines, which no dictionary lists, in a name's slot
    "i need a prescription for ozempic",
    "can i take bisoprolol with tramadol",
    "is it okay to give my mother simvastatin",
    "My dad is on Eliquis and he bruises easily.",
    "i need a refill of my lisinopril and my metoprolol",
    "the adderall isnt working any more",
    # countries and states, which Safe Harbor does not ask to remove
    "my daughter's in Spain at the moment",
    "we just moved here from Ohio",
    "she flew in from New Zealand last night",
    # a verb opening the turn before a name is no part of it
    "tell the nurse I said thank you",
)


@pytest.mark.parametrize("text", NOT_PHI)
def test_medicines_and_countries_stay(text: str) -> None:
    assert redact(text).text == text
    assert redact(text, tagged=True).text == text


def test_a_town_beside_a_country_is_still_hidden() -> None:
    out = redact("she lives in Fenmoor Cross now, not in Spain").text
    assert "Fenmoor" not in out and "Spain" in out


def test_a_verb_before_a_name_is_kept_by_the_tagger() -> None:
    out = redact("Goodbye now.\ntell Ingrid I said hello\nGoodbye now.", tagged=True).text
    assert "tell [NAME] I said hello" in out


def _assert_hidden(out: str, text: str, phi: str, keep_before: bool = True) -> None:
    start = text.index(phi)
    around = (text[:start] if keep_before else "") + " " + text[start + len(phi) :]
    for piece in set(re.findall(r"\w+", phi)):
        want = len(re.findall(rf"(?<!\w){re.escape(piece)}(?!\w)", around))
        assert len(re.findall(rf"(?<!\w){re.escape(piece)}(?!\w)", out)) <= want, (piece, out)
    for word in re.findall(r"[^\W\d_]{3,}", around):
        assert word in out, (word, out)
