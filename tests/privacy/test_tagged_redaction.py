"""The learned name-and-place tagger (appliance/privacy/redaction/tagger.py) on finished transcripts.

Every sentence here was written for these tests, apart from the labeled sets and the tagger's
training corpus. Each PHI sentence is one the rules alone leave readable (asserted, so the test
shows what the tagger adds) and that a supervisor would read in the console without it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.privacy.redaction import redact, redact_many, tagger
from appliance.privacy.redaction.tagger_corpus import generate
from appliance.privacy.redaction.tagger_train import to_sequence, train
from appliance.privacy.transcripts import TranscriptLine, redacted_lines

# (sentence, what must not be readable): names and places said with no cue the rules know
MISSED_BY_THE_RULES = (
    ("we bumped into will fisher outside the chemist", "will fisher"),  # everyday words as a name
    ("holly frost brought me in today", "holly frost"),
    ("so erm pat mcnulty will be with me", "pat mcnulty"),
    ("it was ifeanyi who picked up the phone", "ifeanyi"),
    ("yeah saoirse ní dhomhnaill can confirm that", "saoirse ní dhomhnaill"),  # diacritics, three parts
    ("the letter went to rhodri by mistake", "rhodri"),
    ("we stopped at bernard's on the way", "bernard"),
    ("can rosie come in with me", "rosie"),
    ("i think oluwadamilare rang yesterday", "oluwadamilare"),
    ("they took him to st wilfrid's for respite", "wilfrid"),  # a care home by its saint
    ("i'll be at the old smithy, lower wenford", "old smithy"),  # a house by its name, a village
    ("my aunt comes down from little snoring on thursdays", "little snoring"),
    ("so gwilym parry said he'd drive me", "gwilym parry"),
    ("tamar ben-david and her mum are in the waiting room", "tamar ben-david"),
    ("ruth cole will phone you back about it", "ruth cole"),
    ("i'm ringing from ashcott de la marne", "marne"),  # the rules hid "ashcott" only
    ("he's in the cedars on moorland road", "cedars"),
    ("she stays at her daughter's in upper slaughter", "upper slaughter"),
)

# Found by the rules already; the tagger must keep them hidden (and not cut them short).
FOUND_BY_BOTH = (
    ("i was with tadeusz kowal-nowak when it happened", "kowal-nowak"),  # hyphenated surname
    ("her son anders lindgren-moe is flying in", "lindgren-moe"),
    ("he's been out at brackenholme all week", "brackenholme"),
    ("my dad moved to fallowfield lodge in may", "fallowfield lodge"),
    ("we're just off cobbler's walk, by the post box", "cobbler's walk"),  # a street after "off"
)

# Caller speech with no PHI, in the places names stand: none of it may be hidden.
NO_PHI = (
    "i need help with my hospital bill",
    "i will ring back tomorrow",
    "will the doctor be in on monday",
    "we saw the nurse at the shops",
    "she's speaking gibberish and her face has dropped",
    "i'm struggling for breath",
    "the frost killed my roses",
    "grace period on the bill please",
    "can i bring my daughter with me",
    "may i speak to a nurse",
    "my mark on the form is wrong",
    "the rose bush by the gate",
    "we live near the station",
    "it's the house with the red door",
    "i need more ibuprofen for my back",
    "im at the shops now so ring me later",
    "I'd like to book with Dr. Patel on Tuesday.",
    "The garage on Elm Street is free for thirty minutes.",
)


@pytest.mark.parametrize(("text", "phi"), MISSED_BY_THE_RULES)
def test_names_and_places_the_rules_miss_are_hidden(text: str, phi: str) -> None:
    assert phi in redact(text, tagged=False).text  # the rules alone: readable
    out = redact(text, tagged=True).text
    assert phi not in out
    assert "[NAME]" in out or "[ADDRESS]" in out


@pytest.mark.parametrize(("text", "phi"), FOUND_BY_BOTH)
def test_what_the_rules_find_stays_hidden_whole(text: str, phi: str) -> None:
    assert phi not in redact(text, tagged=False).text
    assert phi.split("-")[-1] not in redact(text, tagged=True).text


def test_speech_with_no_phi_is_left_alone() -> None:
    changed = [(t, r.text) for t, r in zip(NO_PHI, redact_many(list(NO_PHI)), strict=True) if r.text != t]
    assert changed == []


def test_a_finished_transcript_hides_them_without_spacy() -> None:
    # learned=None: spaCy's layer off (as when it fails to load); the tagger still runs
    lines = [
        TranscriptLine(0, "agent", "How can I help?", False),
        TranscriptLine(800, "caller", "holly frost brought me in from brackenholme", False),
        TranscriptLine(1900, "caller", "i need help with my hospital bill", False),
    ]
    out = redacted_lines(lines, [], learned=None)
    assert [ln.text for ln in out] == [
        "How can I help?",
        "[NAME] brought me in from [ADDRESS]",
        "i need help with my hospital bill",
    ]


def test_turn_by_turn_redaction_is_the_rules_alone() -> None:
    # with the tagger the rules read a third as fast: live turns get the rules, finished transcripts both
    text = "holly frost brought me in today"
    assert redact(text).text == text
    assert redact(text, tagged=True).text == "[NAME] brought me in today"


def test_altered_or_missing_weights_are_refused(tmp_path: Path) -> None:
    altered = tmp_path / "tagger_weights.json"
    data = json.loads(tagger.WEIGHTS_FILE.read_text(encoding="utf-8"))
    data["weights"]["b"] = [9.0, 9.0, 9.0]
    altered.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(tagger.TaggerUnavailable, match="sha256"):
        tagger.load(altered)
    with pytest.raises(tagger.TaggerUnavailable, match=r"missing\.json: missing"):
        tagger.load(tmp_path / "missing.json")


def test_without_its_weights_the_rules_still_redact(monkeypatch) -> None:
    monkeypatch.setattr(tagger, "_model", None)
    monkeypatch.setattr(tagger, "_failure", "tagger_weights.json: sha256 0000 is not the pinned 1111")
    (r,) = redact_many(["my name is maude tremlett, call 555-0167"])
    assert r.text == "my name is [NAME], call [PHONE]"
    state = tagger.status()
    assert not state.loaded
    assert "rules alone" in state.detail


def test_doctor_names_a_tagger_that_cannot_load(monkeypatch) -> None:
    from appliance.config import Settings
    from appliance.service.doctor import check_redaction

    monkeypatch.setattr(tagger, "_model", None)
    monkeypatch.setattr(tagger, "_failure", "tagger_weights.json: sha256 0000 is not the pinned 1111")
    check = check_redaction(Settings())
    assert check.status == "warn" and "tagger" in check.detail and "rules alone" in check.detail


def test_wardline_redact_uses_the_tagger_even_when_spacy_is_off(monkeypatch) -> None:
    from typer.testing import CliRunner

    from appliance.cli.main import app
    from appliance.privacy import learned

    monkeypatch.setattr(learned, "shared_model", lambda: None)  # spaCy's model did not load
    monkeypatch.setattr(learned, "status", lambda: tagger.Status(False, "spaCy layer off"))
    said = "holly frost brought me in today"
    out = CliRunner().invoke(app, ["redact", "--no-site-names"], input=said)
    assert out.exit_code == 0, out.output
    assert "holly frost" not in out.stdout and "[NAME]" in out.stdout
    rules_only = CliRunner().invoke(app, ["redact", "--no-site-names", "--rules-only"], input=said)
    assert rules_only.stdout == said


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        ",,, ... ---",
        "e\u0301lodie ran in, \u202eright to left\u202c, \U0001f600 and \x00 nul",
        "call \u00b2\u00b3 or \u0663\u0664\u0665 now",
        "a" * 5000,
        "zoë-ñúñez " * 400,
        "we saw will fisher at the shops\n" * 6000,  # about 200,000 characters: a long call
    ],
)
def test_unusual_text_gives_a_correct_result(text: str) -> None:
    (r,) = redact_many([text])
    expected, pos = [], 0
    for span in r.spans:
        assert pos <= span.start < span.end <= len(text)
        expected += [text[pos : span.start], f"[{span.label}]"]
        pos = span.end
    assert r.text == "".join([*expected, text[pos:]])  # everything else exactly as it was
    if "will fisher" in text:
        assert "fisher" not in r.text


def test_the_pinned_weights_load_and_training_is_deterministic() -> None:
    assert tagger.load().spans("") == []
    sequences = [to_sequence(e) for e in generate(150, 3)]
    assert generate(150, 3) == generate(150, 3)
    assert train(sequences, epochs=1) == train(sequences, epochs=1)
