"""The public evaluation corpus through `wardline eval`'s library: no emergency may be missed.

The corpus (corpus_*.yaml beside this file) is written apart from the site pack's examples, so
these figures measure generalization. Red-flag recall must stay 1.00 in every category, for the
full stack and for the deterministic layers alone; near misses must stay near misses.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appliance.cli import errors
from appliance.cli.main import app
from appliance.dialog.evaluation import Corpus, CorpusError, Report, evaluate, load_corpus
from appliance.dialog.sitepack import SitePack, load_site
from tests.conftest import REPO

# The first test to use a stack's report pays for encoding the whole corpus: about a minute on an
# idle 2-core box, five on a loaded one. The net is for a hang, not a speed check.
pytestmark = pytest.mark.timeout(1200)

HERE = Path(__file__).parent
CORPUS_FILES = sorted(HERE.glob("corpus_*.yaml"))
SITE_DIR = REPO / "policies" / "riverside"


@pytest.fixture(scope="module")
def site() -> SitePack:
    return load_site(SITE_DIR)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(CORPUS_FILES)


@pytest.fixture(scope="module")
def full(site: SitePack, corpus: Corpus) -> Report:
    return evaluate(site, corpus, "full")


@pytest.fixture(scope="module")
def rules(site: SitePack, corpus: Corpus) -> Report:
    return evaluate(site, corpus, "rules")


def test_the_corpus_is_large_and_covers_every_category_and_intent(site: SitePack, corpus: Corpus) -> None:
    assert sum(len(v) for v in corpus.red_flags.values()) >= 400
    assert set(corpus.red_flags) == {c.name for c in site.redflags.categories}
    assert len(corpus.near_misses) >= 200
    assert all(len(v) >= 30 for v in corpus.intents.values())
    assert {f for f in corpus.intents if ":" not in f and f != "faq"} == set(site.flows) - {"faq"}


def test_red_flag_recall_is_one_in_every_category(full: Report) -> None:
    missed = {c: f.missed for c, f in full.red_flags.items() if f.recall < 1.0}
    assert not missed, missed
    assert full.red_flag_recall == 1.0


def test_the_deterministic_layers_alone_miss_no_emergency(rules: Report) -> None:
    assert rules.red_flag_recall == 1.0, {c: f.missed for c, f in rules.red_flags.items() if f.missed}


def test_near_misses_stay_near_misses(full: Report) -> None:
    assert full.false_alarms == 0, full.false_alarm_examples  # nobody is told to dial 911
    assert full.false_alarm_rate <= 0.05, full.false_alarm_examples


def test_meaning_understands_what_the_patterns_miss(full: Report, rules: Report) -> None:
    assert full.held_out_intent_accuracy is not None and full.held_out_intent_accuracy >= 0.9
    assert full.intent_accuracy > rules.intent_accuracy + 0.3
    assert all(f.accuracy >= 0.8 for f in full.intents.values()), {
        k: f.wrong for k, f in full.intents.items() if f.accuracy < 0.8
    }


def test_cli_eval_json_and_exit_code(tmp_path: Path) -> None:
    small = tmp_path / "small.yaml"
    small.write_text(
        "red_flags:\n  chest_pain:\n    - my chest feels like it's in a vise\n"
        "near_misses:\n  - can I get my chest x-ray results\n"
        "intents:\n  refill_request:\n    - i'm nearly out of my blood pressure pills\n"
    )
    result = CliRunner().invoke(app, ["eval", str(small), "--site", str(SITE_DIR), "--json"])
    assert result.exit_code == 0, result.output
    reports = json.loads(result.output)["reports"]
    assert [r["stack"] for r in reports] == ["rules", "full"]
    assert reports[-1]["red_flags"]["chest_pain"]["recall"] == 1.0
    assert reports[-1]["false_alarms"] == 0


def test_cli_eval_fails_when_an_emergency_is_missed(tmp_path: Path) -> None:
    small = tmp_path / "missed.yaml"
    small.write_text("red_flags:\n  chest_pain:\n    - the weather is lovely today\n")
    result = CliRunner().invoke(app, ["eval", str(small), "--site", str(SITE_DIR), "--stack", "rules"])
    assert result.exit_code == 1


def test_cli_eval_names_the_line_of_a_bad_corpus(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("red_flags:\n  chest_pain:\n    - fine\n  stroke_signs: 12\n")
    result = CliRunner().invoke(app, ["eval", str(bad), "--site", str(SITE_DIR)])
    assert isinstance(result.exception, CorpusError)  # run() shows it as "error: <file>:<line>: ..."
    assert errors.exit_code_for(result.exception) == 2
    assert str(result.exception).startswith(f"{bad}:4: ")


def test_the_held_out_callers_stay_out_of_the_site_examples_and_the_corpus(site: SitePack) -> None:
    """bench/understanding.py reads heldout/callers.yaml as callers nobody tuned for: none of its
    sentences may be copied into examples.yaml or the public corpus."""
    held = load_corpus([HERE / "heldout" / "callers.yaml"])
    assert sum(map(len, held.intents.values())) >= 150
    assert set(held.intents) == set(load_corpus(CORPUS_FILES).intents)

    def key(text: str) -> str:
        return " ".join(text.lower().replace("'", "").replace(",", " ").replace(".", " ").split())

    seen = {key(t) for _, t, _ in site.examples.labeled()}
    seen |= {key(t) for v in load_corpus(CORPUS_FILES).intents.values() for t in v}
    copied = [t for v in held.intents.values() for t in v if key(t) in seen]
    assert not copied, copied
