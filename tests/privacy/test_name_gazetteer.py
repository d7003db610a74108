"""The name gazetteer (gazetteer.py, names.find_gazetteer_names): a full name made of dictionary
words, said after a person's frame, is known from the US Census's given names and surnames
("his aunt is holly king", "a tutor jordan rich") in lower-case recognizer text and in written
text alike. The more everyday the words, the more the frame must say: a verb or an adjective as a
given name ("will", "young", "rich") is read only with a surname no dictionary holds, and a bare
preposition ("for", "about") carries fewer dictionary words than a relative or a role. Everyday
speech ("will you call", "a young man", "the king size bed", "rich food"), medicines and the
site's doctors after "Dr." are kept. The list file is pinned: an altered one is refused, the rules
run without it, and `status()` and `wardline doctor` say why."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.pinned_files import PinnedFileError
from appliance.privacy.redaction import gazetteer, redact
from tests.privacy.redaction_checks import hidden, kept

FULL_NAMES_OF_EVERYDAY_WORDS = (
    ("his aunt is holly king and she lives with him", "holly king"),
    ("a tutor jordan rich drops him off on mondays", "jordan rich"),
    ("my grandfather leroy young had the same thing", "leroy young"),
    ("my neighbour tiffany cook found her", "tiffany cook"),
    ("her carer is holly rich", "holly rich"),
    ("the patient tiffany king is asking for water", "tiffany king"),
    ("His aunt is Holly King and she lives with him.", "Holly King"),
    ("A tutor, Jordan Rich, drops him off on Mondays.", "Jordan Rich"),
    ("my daughter grace king is off school today", "grace king"),  # a noun and verb borne by many
    ("his sister heather cook will bring her in", "heather cook"),
    ("my brother grant oyelaran has the forms", "grant oyelaran"),  # an everyday given name, a rare surname
)


@pytest.mark.parametrize(("text", "secret"), FULL_NAMES_OF_EVERYDAY_WORDS)
def test_a_full_name_of_everyday_words_after_a_persons_frame_is_hidden(text: str, secret: str) -> None:
    hidden(text, secret, "NAME")


EVERYDAY_SPEECH = (
    "will you call me back after four",
    "my son will cook dinner for us tonight",
    "a young man helped her to the car",
    "the king size bed in his room is broken",
    "she is not allowed rich food after the operation",
    "my daughter will young people be allowed to visit",
    "my daughter grace period on the bill ended",
    "Will you call me back after four?",
    "A young man helped her to the car.",
    "The king size bed in his room is broken.",
    "my mother grant writing is her job",
    "my husband may king size the bed",
    "my son is still king of the house",
    "this is june weather",  # a weak cue carries no two dictionary words
    "is it ok to take lisinopril with warfarin",
    "my wife takes holly leaf tea",
    "the cardiology clinic moved my appointment",
    "i saw Dr. Holly King yesterday about the results",
    "the nurse holly king said he can go home",
)


@pytest.mark.parametrize("text", EVERYDAY_SPEECH)
def test_everyday_speech_and_staff_are_kept(text: str) -> None:
    kept(text)


def test_an_altered_list_is_refused_and_the_rules_run_without_it(tmp_path: Path, monkeypatch) -> None:
    altered = tmp_path / "person_names.txt"
    altered.write_bytes(gazetteer.PERSON_NAMES_FILE.read_bytes().replace(b"tiffany\t", b"tiffanie\t"))
    with pytest.raises(PinnedFileError, match="sha256"):
        gazetteer.load(altered)
    with pytest.raises(PinnedFileError, match="missing"):
        gazetteer.load(tmp_path / "missing.txt")

    monkeypatch.setattr(gazetteer, "PERSON_NAMES_FILE", altered)
    monkeypatch.setattr(gazetteer.load, "__defaults__", (altered, gazetteer.PERSON_NAMES_SHA256))
    gazetteer.reset()
    try:
        state = gazetteer.status()
        assert not state.loaded
        assert "sha256" in state.detail and "without it" in state.detail
        # the gazetteer's names pass through; the rules' own names are still hidden
        assert redact("his aunt is holly king").text == "his aunt is holly king"
        assert redact("my name is maude tremlett, call 555-0167").text == "my name is [NAME], call [PHONE]"

        from appliance.config import Settings
        from appliance.service.doctor import check_redaction

        check = check_redaction(Settings())
        assert check.status == "warn" and "name gazetteer off" in check.detail
    finally:
        monkeypatch.undo()
        gazetteer.reset()
    assert gazetteer.status().loaded
    hidden("his aunt is holly king", "holly king", "NAME")
