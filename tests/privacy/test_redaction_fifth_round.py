"""The fifth round's learned layer: the tagger reads each word with its class in wordllama's
token-embedding space (word_classes.py), its frame two words wide, and a corpus with streets as
other countries write them, street corners, flats and units, and plain speech about rooms of the
house, states and things swallowed. Its files are pinned; an altered one turns the tagger off with
the reason and the rules redact alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.privacy.redaction import redact, word_classes
from appliance.privacy.redaction import tagger as tagger_module
from appliance.privacy.redaction.tagger_corpus import generate


def test_an_altered_classes_file_turns_the_tagger_off_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    altered = tmp_path / "tagger_classes.json"
    altered.write_bytes(word_classes.CLASSES_FILE.read_bytes().replace(b"0.1", b"0.2", 1))
    monkeypatch.setattr(word_classes, "CLASSES_FILE", altered)
    monkeypatch.setattr(word_classes, "_shared", None)
    with pytest.raises(word_classes.WordClassesUnavailable, match="sha256"):
        word_classes.read_centres()
    with pytest.raises(tagger_module.TaggerUnavailable, match="word classes"):
        tagger_module.load()
    # the rules still redact what they find
    assert "[NAME]" in redact("my name is Oriel Vantassel", tagged=False).text


def test_the_generated_corpus_holds_the_new_shapes_of_place() -> None:
    examples = generate(4000, 99)
    places = [t[a:b] for t, spans in examples for a, b, lab in spans if lab == "ADDRESS"]
    assert any(p.split()[0] in ("calle", "rue", "via", "rua", "avenida") for p in places)
    assert any(p.endswith(("straße 4", "strasse 9", "weg 14")) or "straße" in p for p in places)
    assert any(p.split()[0] in ("flat", "apartment", "unit", "suite") for p in places)
    assert any("corner of" in t and len(spans) == 2 for t, spans in examples)


# Places a tagger finds by the shape a town or a house's name has (fixed this round: a run of
# words the tagger calls a place is kept when it opens with a town's modifier, or is a house's name).
PLACES = (
    ("she stays at her daughter's in upper slaughter", "upper slaughter"),
    ("he's in the cedars on moorland road", "cedars"),
    ("he lives out at lower tadmarton", "lower tadmarton"),
    ("im staying with my son at the paddocks", "paddocks"),
)


@pytest.mark.parametrize(("text", "place"), PLACES)
def test_towns_and_house_names_said_without_a_street_word_are_hidden(text: str, place: str) -> None:
    out = redact(text, tagged=True).text
    assert place not in out
    assert "[ADDRESS]" in out


# The generator's new plain speech: where a caller is, what was swallowed, everyday nouns that are
# names elsewhere. None of it is PHI.
NO_PHI = (
    "my grandson is in a lot of pain with his ear",
    "she's been in agony all night with her back",
    "i found my husband on the floor in the kitchen",
    "my toddler swallowed some washing powder",
    "he's stuck in the bath and can't get out",
    "we walked along the marsh and he twisted his ankle",
    "the heath was covered in frost this morning",
    "is it the shallow end of the car park by the gate",
    "the storm took the fence down and i cut my hand",
    "what time do visiting hours end",
)


@pytest.mark.parametrize("text", NO_PHI)
def test_plain_speech_about_rooms_states_and_weather_is_left_whole(text: str) -> None:
    assert redact(text, tagged=True).text == text
