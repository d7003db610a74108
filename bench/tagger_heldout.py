"""The redaction tagger on held-out sets 1-15 and the PHI-free sentences, the blind sixteenth set left out.

    .venv/bin/python bench/tagger_heldout.py                        (the pinned weights)
    .venv/bin/python bench/tagger_heldout.py --candidate DIR        (an unpinned retraining)
    .venv/bin/python bench/tagger_heldout.py --candidate DIR --against-pinned

bench/redaction.py scores every labeled set, the sixteenth held-out set (corpus_heldout16) among them;
that set is kept blind while the tagger's training data change, and is scored once, by the lead,
at the end. This bench never opens it. For the rules with the tagger (finished transcripts) it
prints recall and precision on held-out sets 1-15, NAME and ADDRESS on each, the mean recall over
sets 2-15, how many of the PHI-free caller sentences (phi_free_callers.txt) lose a word, and the
tagger's throughput on the transcript mix, per turn, on one core.

A candidate is the tagger_weights.json and tagger_classes.json in DIR (`tagger_train` without
`--check` writes them beside the module, with new sha256s: copy the two to DIR and `git checkout`
the pinned ones back to compare). It is loaded with the sha256s its files have, printed first;
nothing is pinned or written. `--sure-margin` gives it the margin chosen for it (tagger.SURE_MARGIN,
chosen again with each retraining on the PHI-free and generated sentences, never on a held-out
set). `--against-pinned` scores the pinned weights in a second process and prints both, with each
set's change in recall. Figures are printed, never judged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from appliance.privacy.egress import EgressGuard  # noqa: E402
from appliance.privacy.evaluation import load_examples, score  # noqa: E402
from appliance.privacy.redaction import redact, tagger, word_classes  # noqa: E402

DATA = REPO / "tests" / "privacy" / "data"
# Held-out sets 1-15 by number; the sixteenth is blind and never read here (the tenth to the
# fifteenth were, until their first scores).
SETS = {1: "corpus_heldout", **{k: f"corpus_heldout{k}" for k in range(2, 16)}}
LEARNED = ("NAME", "ADDRESS")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def use_candidate(folder: Path) -> dict[str, str]:
    """Load the weights and classes in `folder` as the process's tagger, pinned to their own sha256s."""
    weights, classes = folder / tagger.WEIGHTS_FILE.name, folder / word_classes.CLASSES_FILE.name
    pins = {"weights": _sha256(weights), "classes": _sha256(classes)}
    centres = word_classes.read_centres(classes, pins["classes"])
    word_classes.use_classes(word_classes.WordClasses(word_classes.WordVectors(), centres))
    # the process's tagger, as shared_tagger() hands it to the redactor (bench only: never pinned)
    tagger._model = tagger.load(weights, pins["weights"])
    return pins


def measure() -> dict:  # type: ignore[type-arg]
    import redaction as bench  # bench/redaction.py: the same predictor, site names and mix

    if tagger.shared_tagger() is None:
        raise SystemExit(f"tagger_heldout: {tagger.status().detail}")
    out: dict = {"sets": {}}  # type: ignore[type-arg]
    for number, name in SETS.items():
        scores = score(load_examples(DATA / f"{name}.jsonl"), bench.tagged)
        row = {"recall": scores.overall().recall, "precision": scores.overall().precision}
        for label in LEARNED:
            x = scores.labels.get(label)
            row[label] = None if x is None else [x.recall, x.precision]
        out["sets"][number] = row
    out["mean_2_15"] = sum(out["sets"][k]["recall"] for k in range(2, 16)) / 14
    path = DATA / "phi_free_callers.txt"
    lines = [x for x in path.read_text(encoding="utf-8").splitlines() if x and not x.startswith("#")]
    out["phi_free"] = [
        len(lines),
        sum(1 for x in lines if redact(x, bench.SITE_NAMES, None, True, bench.SITE_FACTS).spans),
    ]
    dev = [e for n in ("utterances", "heldout", "corpus_dev") for e in load_examples(DATA / f"{n}.jsonl")]
    mix = bench.transcript_mix(dev, 1)
    model = tagger.shared_tagger()
    out["mb_s"] = {
        "tagger alone": bench.throughput(model.spans, mix),
        "rules + tagger": bench.throughput(bench.tagged, mix),
    }
    return out


def _cell(row: dict | None, label: str | None = None) -> str:  # type: ignore[type-arg]
    if row is None:
        return "-"
    pair = (row["recall"], row["precision"]) if label is None else row[label]
    return "-" if pair is None else f"{pair[0]:.3f} / {pair[1]:.3f}"


def print_figures(title: str, got: dict, before: dict | None = None) -> None:  # type: ignore[type-arg]
    print(f"\n{title}: rules + tagger (finished transcripts), recall / precision")
    print(
        f"{'set':>4} | {'all':>15} | {'NAME':>15} | {'ADDRESS':>15}" + (" | recall change" if before else "")
    )
    for number in SETS:
        row = got["sets"][number]
        cells = " | ".join(f"{_cell(row, lab):>15}" for lab in (None, *LEARNED))
        change = ""
        if before:
            change = f" | {row['recall'] - before['sets'][number]['recall']:+.4f}"
        print(f"{number:>4} | {cells}{change}")
    print(f"mean recall, sets 2-15: {got['mean_2_15']:.4f}"
          + (f" ({got['mean_2_15'] - before['mean_2_15']:+.4f})" if before else ""))  # fmt: skip
    total, changed = got["phi_free"]
    print(f"PHI-free caller sentences that lose a word: {changed} of {total}")
    print("MB/s, transcript mix per turn, one core: "
          + ", ".join(f"{k} {v:.2f}" for k, v in got["mb_s"].items()))  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--candidate", type=Path, help="a folder with unpinned tagger_weights.json and tagger_classes.json"
    )
    parser.add_argument(
        "--against-pinned", action="store_true", help="score the pinned weights too, in another process"
    )
    parser.add_argument(
        "--sure-margin",
        type=float,
        help="the candidate's tagger.SURE_MARGIN (re-chosen with each retraining)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with EgressGuard(block=True):
        title = "pinned weights"
        if args.candidate is not None:
            pins = use_candidate(args.candidate)
            title = f"candidate weights {pins['weights'][:12]}…, classes {pins['classes'][:12]}… (unpinned)"
            if args.sure_margin is not None:
                tagger.SURE_MARGIN = args.sure_margin
                title += f", sure margin {args.sure_margin:g}"
        got = measure()
    if args.json:
        print(json.dumps(got))
        return 0
    before = None
    if args.candidate is not None and args.against_pinned:
        done = subprocess.run(
            [sys.executable, __file__, "--json"], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            print(f"tagger_heldout: the pinned weights could not be scored: {done.stderr.strip()[-300:]}")
        else:
            before = json.loads(done.stdout)
            before["sets"] = {int(k): v for k, v in before["sets"].items()}
            print_figures("pinned weights", before)
    print_figures(title, got, before)
    return 0


if __name__ == "__main__":
    sys.exit(main())
