"""Held-out emergencies (heldout/emergencies.yaml): callers' own words that no pattern or example
was written from. The full embedded stack misses none of them and tells no near miss to dial 911.

The file was frozen before the red-flag layers were changed for it, and stays out of the site
pack and the public corpus (checked here), so it keeps measuring generalization.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.dialog.evaluation import Corpus, Report, _key, evaluate, load_corpus
from appliance.dialog.sitepack import SitePack, load_site
from tests.conftest import REPO

HERE = Path(__file__).parent
HELD_OUT = HERE / "heldout" / "emergencies.yaml"


@pytest.fixture(scope="module")
def site() -> SitePack:
    return load_site(REPO / "policies" / "riverside")


@pytest.fixture(scope="module")
def held() -> Corpus:
    return load_corpus([HELD_OUT])


@pytest.fixture(scope="module")
def full(site: SitePack, held: Corpus) -> Report:
    return evaluate(site, held, "full")


def test_the_set_covers_every_category_with_near_misses(site: SitePack, held: Corpus) -> None:
    assert sum(map(len, held.red_flags.values())) >= 60 and len(held.near_misses) >= 40
    assert set(held.red_flags) == {c.name for c in site.redflags.categories}


def test_no_held_out_sentence_is_copied_into_the_site_pack_or_the_public_corpus(
    site: SitePack, held: Corpus
) -> None:
    public = load_corpus(sorted(HERE.glob("corpus_*.yaml")))
    seen = {_key(t) for _, t, _ in site.examples.labeled()}
    seen |= {_key(t) for v in public.red_flags.values() for t in v} | {_key(t) for t in public.near_misses}
    mine = [t for v in held.red_flags.values() for t in v] + held.near_misses
    assert not [t for t in mine if _key(t) in seen]
    rules = (REPO / "policies" / "riverside" / "redflags.yaml").read_text().lower()
    assert not [t for t in mine if _key(t) in rules]


def test_no_held_out_emergency_is_missed(full: Report) -> None:
    assert full.red_flag_recall == 1.0, {c: f.missed for c, f in full.red_flags.items() if f.missed}


def test_no_held_out_near_miss_is_told_to_dial_911(full: Report) -> None:
    assert full.false_alarms == 0, full.false_alarm_examples
    assert full.false_alarm_rate <= 0.05, full.false_alarm_examples
