"""The site language model: numbers spelled, unknown words dropped, a valid back-off model."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from pathlib import Path

import pocketsphinx
import pytest

from appliance.speech.asr.domain_lm import (
    LOG10_OF_LOGMATH_UNIT,
    build_domain_model,
    normalize,
    spell_number,
)

CORPUS = [
    "I need a refill on my lisinopril",
    "I need to talk to a nurse",
    "my date of birth is March 3 1980",
    "parking is free for 30 minutes",
]


def test_numbers_are_spelled_the_way_callers_say_them() -> None:
    assert spell_number(1980) == "nineteen eighty"
    assert spell_number(2005) == "two thousand five"
    assert spell_number(1907) == "nineteen oh seven"
    assert spell_number(21) == "twenty one"
    assert normalize("March 3, 1980 - it's Dr. Patel!") == [
        "march", "three", "nineteen", "eighty", "it's", "dr", "patel",
    ]  # fmt: skip


def test_words_the_dictionary_lacks_get_espeak_pronunciations(tmp_path: Path) -> None:
    # "lisinopril" is not in pocketsphinx's dictionary: without espeak-ng's spelling the site
    # model could never hear the medication a refill is for.
    model = build_domain_model([*CORPUS, "refill my zorp'ex"], tmp_path)
    lines = dict(line.split(maxsplit=1) for line in model.dict_path.read_text().splitlines())
    assert lines["lisinopril"] == "L IH S IH N AA P R AH L"
    assert model.dropped == ("zorp'ex",)  # not a plain word: nothing to spell, so it is named
    vocabulary = {w.split("(")[0] for w in lines}
    assert {"refill", "nurse", "nineteen", "thirty"} <= vocabulary


def test_a_context_model_hears_only_its_own_sentences_with_the_shared_dictionary(tmp_path: Path) -> None:
    model = build_domain_model(CORPUS, tmp_path, contexts={"identity": ["maria gonzalez march third"]})
    identity = pocketsphinx.NGramModel.readfile(str(model.contexts["identity"]))
    vocabulary = {line.split()[0].split("(")[0] for line in model.dict_path.read_text().splitlines()}
    assert {"maria", "gonzalez", "refill"} <= vocabulary  # one dictionary serves every model
    assert identity.prob(["gonzalez", "maria"]) > identity.prob(["refill", "maria"])
    with pytest.raises(ValueError, match="identity"):
        build_domain_model(CORPUS, tmp_path, contexts={"identity": ["!!!"]})


def test_each_history_is_a_probability_distribution(tmp_path: Path) -> None:
    model = build_domain_model(CORPUS, tmp_path)
    lm = pocketsphinx.NGramModel.readfile(str(model.arpa_path))
    vocabulary = {line.split()[0].split("(")[0] for line in model.dict_path.read_text().splitlines()}
    for history in (["i", "need"], ["need"], ["talk", "to"], ["zzz-unseen"]):
        # NGramModel.prob takes the word first, then its history, most recent first.
        context = history[::-1]
        total = sum(10 ** (lm.prob([w, *context]) * LOG10_OF_LOGMATH_UNIT) for w in [*vocabulary, "</s>"])
        assert total == pytest.approx(1.0, abs=0.02), history


def test_mixing_in_general_words_widens_the_vocabulary(tmp_path: Path) -> None:
    site = build_domain_model(CORPUS, tmp_path)
    mixed = build_domain_model(CORPUS, tmp_path, general_words=500, general_weight=0.1)
    assert mixed.words > site.words + 400


def test_the_model_is_built_once_and_reused(tmp_path: Path) -> None:
    first = build_domain_model(CORPUS, tmp_path)
    stamp = first.arpa_path.stat().st_mtime_ns
    again = build_domain_model(CORPUS, tmp_path)
    assert again.arpa_path == first.arpa_path and again.arpa_path.stat().st_mtime_ns == stamp
    assert build_domain_model([*CORPUS, "goodbye"], tmp_path).arpa_path != first.arpa_path


def test_a_corpus_without_known_words_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no sentence"):
        build_domain_model(["zorp'ex", "1 2 3 !!!"[:0]], tmp_path)
    with pytest.raises(ValueError, match="general_weight"):
        build_domain_model(CORPUS, tmp_path, general_weight=1.5)


def _build_into(cache: str) -> str:
    model = build_domain_model(CORPUS, Path(cache), contexts={"identity": ["maria gonzalez march third"]})
    return model.arpa_path.read_text(encoding="utf-8")


def test_workers_building_one_model_into_one_cache_at_once_all_get_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIP workers of one box start together and build the same model into the shared cache. Each
    # writer's temporary file must be its own: a name two writers share is renamed by one and then
    # missing for the other, and that worker cannot start.
    renamed: list[str] = []
    real_replace = os.replace

    def recording_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        renamed.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    build_domain_model(CORPUS, tmp_path / "one", contexts={"identity": ["maria gonzalez march third"]})
    assert len(renamed) == len(set(renamed)) == 3  # the context model, the dictionary, the model
    assert all(str(os.getpid()) in name for name in renamed)
    monkeypatch.undo()

    cache = tmp_path / "shared"
    with concurrent.futures.ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        models = list(pool.map(_build_into, [str(cache)] * 4))
    assert len(set(models)) == 1 and models[0].rstrip().endswith("\\end\\")
    assert not list(cache.glob("*.tmp"))
