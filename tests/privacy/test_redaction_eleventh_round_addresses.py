"""The eleventh round, places: the kinds of ADDRESS and ZIP an eleventh held-out set (corpus_heldout11,
written blind) showed passing through, each in sentences of its own (none of the set's), in
lower-case recognizer text and in Whisper's capitals and digits. A town known by name whose words
are all in the dictionary ("druid hills") or that is written with letters outside ASCII ("łódź")."""

from __future__ import annotations

import pytest

from tests.privacy.redaction_checks import hidden, kept

KNOWN_TOWNS = (
    ("my aunt lives over in druid hills with her sister", "druid hills"),
    ("we drove up from cedar city this morning", "cedar city"),
    ("my brother grew up in łódź and moved here in the nineties", "łódź"),
    ("She's staying with her son in Malmö until spring.", "Malmö"),
    ("he was born in zürich", "zürich"),
)


@pytest.mark.parametrize(("text", "secret"), KNOWN_TOWNS)
def test_a_town_known_by_name_is_hidden_whatever_its_words_or_letters(text: str, secret: str) -> None:
    hidden(text, secret, "ADDRESS")


def test_a_dictionary_word_before_falls_or_hills_is_no_town_by_itself() -> None:
    kept("she had two falls at home last month")
    kept("we walked in the hills on sunday")
