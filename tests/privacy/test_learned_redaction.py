"""The learned name-and-place layer: what it adds to the rules, and what happens when it cannot load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from appliance.privacy import learned
from appliance.privacy.learned import ModelUnavailable, NameModel
from appliance.privacy.redaction import redact, redact_many
from appliance.privacy.transcripts import TranscriptLine, redacted_lines


@pytest.fixture(scope="module")
def model() -> NameModel:
    return NameModel.load()


def test_names_and_towns_said_without_a_cue_are_found(model: NameModel) -> None:
    # the rules alone keep these: no cue word, one capitalised word that a dictionary also holds
    # (a name no dictionary holds, "Bartholomew", the rules find by themselves)
    for text, want in (
        ("we met Grace yesterday at the market", "we met [NAME] yesterday at the market"),
        ("I saw Jasmine at the market yesterday", "I saw [NAME] at the market yesterday"),
        ("I visited Albany and Tucson", "I visited [ADDRESS] and [ADDRESS]"),
    ):
        assert redact(text).text == text
        assert redact(text, (), model).text == want


def test_staff_and_site_words_stay(model: NameModel) -> None:
    for text in (
        "Can I see Dr. Anita Patel on Tuesday?",
        "The garage on Elm Street is free for thirty minutes.",
        "Riverside Community Hospital, how can I help?",
        "zip code please",
    ):
        assert redact(text, (), model).text == text


def test_a_finished_transcript_uses_the_layer_and_keeps_line_order(model: NameModel) -> None:
    lines = [
        TranscriptLine(0, "agent", "How can I help?", False),
        TranscriptLine(900, "caller", "my cousin Oskar drove me, call 555-0167", False),
    ]
    out = redacted_lines(lines, [], learned=model)
    assert [ln.text for ln in out] == ["How can I help?", "my cousin [NAME] drove me, call [PHONE]"]
    assert [ln.t_ms for ln in out] == [0, 900]


def test_a_text_longer_than_spacy_takes_is_read_in_pieces(model: NameModel, monkeypatch) -> None:
    # spaCy refuses texts over 1,000,000 characters; pieces are cut at line breaks, offsets kept
    monkeypatch.setattr(learned, "PIECE_CHARS", 500)
    text = "Thank you for calling.\n" * 60 + "tell Ingrid I said hello\n" + "Goodbye now.\n" * 60
    (r,) = redact_many([text], (), model)
    assert "tell [NAME] I said hello\n" in r.text
    assert r.text.replace("tell [NAME] I", "tell Ingrid I") == text


def test_an_altered_model_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(learned.model_directory(), copy)
    with open(copy / "ner" / "model", "r+b") as f:
        f.seek(1000)
        f.write(b"\x00\x01\x02")
    with pytest.raises(ModelUnavailable, match="sha256"):
        NameModel.load(copy)
    shutil.rmtree(copy / "ner")
    with pytest.raises(ModelUnavailable, match="missing"):
        NameModel.load(copy)


def test_a_model_that_cannot_load_leaves_the_rules_and_doctor_warns(monkeypatch) -> None:
    from appliance.config import Settings
    from appliance.service.doctor import check_redaction

    def broken(directory=None):
        raise ModelUnavailable("ner/model: missing")

    monkeypatch.setattr(learned, "_loaded", None)
    monkeypatch.setattr(learned, "_failure", None)
    monkeypatch.setattr(NameModel, "load", staticmethod(broken))
    assert learned.shared_model() is None
    check = check_redaction(Settings())
    assert check.status == "warn"
    assert "rules alone" in check.detail and "missing" in check.detail
    # redaction did not turn off: a finished transcript is still redacted by the rules
    out = redacted_lines([TranscriptLine(0, "caller", "my name is Ada Quixley, 555-0167", False)], [])
    assert out[0].text == "my name is [NAME], [PHONE]"


def test_doctor_says_the_layer_is_on(model: NameModel, monkeypatch) -> None:
    from appliance.config import Settings
    from appliance.service.doctor import check_redaction

    monkeypatch.setattr(learned, "_loaded", model)
    monkeypatch.setattr(learned, "_failure", None)
    check = check_redaction(Settings())
    assert check.status == "ok" and "en_core_web_sm" in check.detail
