"""The site pack: one site's policy (site.yaml, flows.yaml, nlu.yaml, redflags.yaml, and the optional
examples.yaml of labeled caller sentences for the semantic understanding), validated whole.

`load_site(dir)` reads all the files, validates each with pydantic and then across files (a flow's
tools exist, every transfer target named is declared, each step names a slot or tool its flow
has). Every problem found is collected with its file and line (`SiteIssue`), and `SiteError`
carries the list. Nothing is half-applied: the caller gets a complete `SitePack` or the error.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from appliance.dialog.commands import HANDOFF_TARGETS
from appliance.privacy.redaction.site_facts import SiteFacts
from appliance.tools.base import TOOL_NAMES
from appliance.yamlsource import KeyPath, Lines, YamlError, load_yaml

SITE_FILE = "site.yaml"
FLOWS_FILE = "flows.yaml"
NLU_FILE = "nlu.yaml"
REDFLAGS_FILE = "redflags.yaml"
EXAMPLES_FILE = "examples.yaml"  # optional: labeled sentences for the semantic understanding
FILES = (SITE_FILE, FLOWS_FILE, NLU_FILE, REDFLAGS_FILE)
OPTIONAL_FILES = (EXAMPLES_FILE,)

# Variables a flow may read besides its own slots and saved results.
IDENTITY_VARS = ("patient_ref", "caller_id", "name", "dob", "acting_for")
_VAR = re.compile(r"\$([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?")
_TEMPLATE_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)(?:\.([a-z_][a-z0-9_]*))?\}")


@dataclass(frozen=True)
class SiteIssue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}

    @classmethod
    def of(cls, error: YamlError) -> SiteIssue:
        return cls(error.path, error.line or 0, error.reason)


class SiteError(Exception):
    """A site pack that cannot be used; `issues` lists every problem with its file and line."""

    def __init__(self, directory: Path, issues: list[SiteIssue]) -> None:
        self.directory = directory
        self.issues = issues
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"site pack {directory}: {issues[0]}{more}" if issues else str(directory))


def _compile(value: Any) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str) or not value:
        raise ValueError("a pattern must be non-empty text")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid pattern ({exc})") from None


Pattern = Annotated[re.Pattern[str], BeforeValidator(_compile)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


# -- site.yaml -------------------------------------------------------------------------------
class TransferTarget(_Strict):
    extension: str = Field(pattern=r"^[0-9*#]{2,12}$")
    label: str = Field(min_length=1)
    hours: tuple[str, ...] = ("24/7",)


class IdentityRules(_Strict):
    max_attempts: int = Field(3, ge=1, le=5)


class KeypadRules(_Strict):
    """The keypad (DTMF) rules, in one place.

    Outside a keypad entry, `operator` pressed as the first key reaches the operator. While the
    caller keys in a date of birth (a `keypad: date_of_birth` identity step, once the agent has
    asked for the date on its own) every digit, 0 too, is part of the date, so `entry_operator`
    reaches the operator instead and `entry_end` may end the entry; saying "operator" works
    throughout."""

    operator: str = Field("0", pattern=r"^[0-9*#]$")
    entry_operator: str = Field("*", pattern=r"^[*#]$")
    entry_end: str = Field("#", pattern=r"^[*#]$")
    # appended to every question that asks for the date of birth on a keypad step
    dob_hint: str = Field(
        "You can also key it in on your phone: two digits for the month, two for the day and "
        "four for the year. Press star for the operator.",
        min_length=1,
    )
    # a keyed entry that is no date (too short, month 13): it counts as a failed try
    dob_invalid: str = Field(
        "I'm sorry, that isn't a date I can use. Please key in your date of birth again: two "
        "digits for the month, two for the day and four for the year.",
        min_length=1,
    )

    @model_validator(mode="after")
    def _distinct_keys(self) -> KeypadRules:
        if self.entry_operator == self.entry_end:
            raise ValueError("entry_operator and entry_end must be different keys")
        return self


class Retention(_Strict):
    audio_days: int = Field(30, ge=0)
    transcript_days: int = Field(365, ge=0)
    audit_days: int = Field(2555, ge=0)


class SiteSpec(_Strict):
    name: str = Field(min_length=1)
    short_name: str = ""
    main_line: str = ""
    address: str = ""
    time_zone: str
    # The disclosure is the part of the opening the law requires before anything else: played
    # whole, never interrupted (DESIGN invariant 5); keep it to the automated-assistant and
    # recording notices. `welcome` follows it and, like the greeting, a key press or
    # "operator" cuts it short.
    disclosure: str = Field(min_length=1)
    welcome: str = ""
    greeting: str = "How can I help you today?"
    # languages the site's agent speaks (ISO 639-1); a caller in another goes to `interpreter`
    languages: tuple[str, ...] = ("en",)
    transfer_targets: dict[str, TransferTarget]
    identity: IdentityRules = IdentityRules()
    keypad: KeypadRules = KeypadRules()
    max_silence_turns: int = Field(3, ge=1, le=10)
    retention: Retention = Retention()

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("transfer_targets")
    @classmethod
    def _operator(cls, value: dict[str, TransferTarget]) -> dict[str, TransferTarget]:
        missing = [t for t in ("operator", "nurse") if t not in value]
        if missing:
            raise ValueError(f"missing transfer target(s): {', '.join(missing)}")
        return value

    @model_validator(mode="after")
    def _disclosure(self) -> SiteSpec:
        text = self.disclosure.lower()
        for word in ("automated", "recorded"):
            if word not in text:
                raise ValueError(f"disclosure must mention {word!r} (the opening rule)")
        if "operator" not in f"{text} {self.welcome.lower()}":
            raise ValueError("disclosure or welcome must mention 'operator' (the opening rule)")
        return self


# -- flows.yaml ------------------------------------------------------------------------------
SlotType = Literal["text", "provider", "date", "part_of_day", "medication", "pharmacy", "phone", "reason"]
STEP_KINDS = ("collect", "verify_identity", "call", "offer", "confirm", "say", "answer")
# What a step may let the caller key in instead of saying (site.yaml `keypad:` has the rules).
KeypadEntry = Literal["date_of_birth"]


class SlotSpec(_Strict):
    prompt: str = ""
    type: SlotType = "text"


class Step(_Strict):
    """One step of a flow; exactly one of the kind fields is set."""

    collect: str | None = None  # a slot: ask its prompt until it is filled
    verify_identity: bool = False  # name + date of birth through the verify_identity tool
    call: str | None = None  # a tool, with `args` ("$slot", "$result.field" or plain text)
    offer: str | None = None  # "<result>.<list field>": read the options out, the caller picks
    confirm: str | None = None  # a yes/no question; "no" ends the flow
    say: str | None = None  # a sentence; "{slot}" and "{result.field}" are filled in
    answer: str | None = None  # a slot holding a question, answered from the site documents
    args: dict[str, str] = Field(default_factory=dict)
    save: str | None = None  # name the result is kept under (default: the tool's name)
    into: str | None = None  # offer (or a call asking "which one?"): the slot a choice fills
    announce: bool = True  # call: speak the tool's message when it succeeds
    retry: str | None = None  # call: the step (a call's save name) to go back to for another time
    prompt: str = ""  # offer: the question after the options
    filler: str = ""  # call: said when the tool takes a while
    skip_if: str | None = None  # a slot: the step is skipped when it is filled
    # verify_identity: the date of birth may be keyed in (8 digits, MMDDYYYY) in secure mode
    keypad: KeypadEntry | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if value == "verify_identity":
            return {"verify_identity": True}
        if isinstance(value, str):
            raise ValueError(
                f"unknown step {value!r}; a step is a mapping with one of {', '.join(STEP_KINDS)}"
            )
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        kinds = [k for k in STEP_KINDS if getattr(self, k) not in (None, False)]
        if len(kinds) != 1:
            raise ValueError(f"a step needs exactly one of {', '.join(STEP_KINDS)} (found {kinds or 'none'})")
        if self.offer is not None and (self.into is None or "." not in self.offer):
            raise ValueError("an offer step needs `offer: <result>.<field>` and `into: <slot>`")
        if self.keypad is not None and not self.verify_identity:
            raise ValueError("`keypad` belongs on a verify_identity step")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in STEP_KINDS if getattr(self, k) not in (None, False))


class FlowHandoff(_Strict):
    """Where the flow hands off; a target of null means "say why and end the flow"."""

    tool_failed: str = "operator"
    identity_failed: str = "operator"
    no_options: str | None = None
    refused: str | None = None


class FlowSpec(_Strict):
    description: str = Field(min_length=1)
    request: str = ""  # the caller's request in a few words, for the handoff summary
    identity_required: bool = False
    tools: tuple[str, ...] = ()
    slots: dict[str, SlotSpec] = Field(default_factory=dict)
    steps: tuple[Step, ...] = Field(min_length=1)
    done: str = ""  # said when the flow completes
    handoff: FlowHandoff = FlowHandoff()


class FlowsSpec(_Strict):
    flows: dict[str, FlowSpec] = Field(min_length=1)
    anything_else: str = "Is there anything else I can help you with?"


# -- nlu.yaml --------------------------------------------------------------------------------
class PatternSet(_Strict):
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    examples: tuple[str, ...] = ()


class IntentSpec(PatternSet):
    flow: str
    # Tried after `patterns`: they catch any mention of what the intent is about ("an
    # appointment for ..."), so a request the semantic understanding names clearly replaces a
    # match of theirs ("I'd like to call off my appointment for next week"); a match of
    # `patterns` ("book an appointment", "reschedule") is never replaced.
    broad: tuple[Pattern, ...] = ()


class HandoffSpec(PatternSet):
    target: str
    before_intents: bool = False


class ClarifySpec(PatternSet):
    """Words that could mean either of two or more requests ("I can't make it Thursday": move it,
    or cancel it?). The agent asks `question` instead of guessing; `answers` read the reply, one
    pattern list per flow, tried in order (a new day said in the reply is a move)."""

    question: str = Field(min_length=1)
    answers: dict[str, tuple[Pattern, ...]] = Field(min_length=2)


class Vocabulary(_Strict):
    names: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()


class NluSpec(_Strict):
    intents: dict[str, IntentSpec] = Field(min_length=1)
    handoffs: tuple[HandoffSpec, ...] = ()
    refuse_recording: PatternSet
    goodbye: PatternSet
    injection: PatternSet
    questions: PatternSet
    # checked after the intents' own patterns and before their `broad` ones
    clarify: dict[str, ClarifySpec] = Field(default_factory=dict)
    # other ways of saying a request's words, read as the canonical words (the key) before any
    # pattern looks: {canonical: pattern}
    equivalents: dict[str, Pattern] = Field(default_factory=dict)
    entities: dict[str, dict[str, tuple[str, ...]]] = Field(default_factory=dict)
    provider_names: dict[str, str] = Field(default_factory=dict)
    vocabulary: Vocabulary = Vocabulary()


# -- redflags.yaml ---------------------------------------------------------------------------
def _words(value: Any) -> re.Pattern[str]:
    """A group of whole-word alternatives ("(chest|heart)", "swell\\w*") as one pattern."""
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("a word group must be non-empty text")
    return _compile(rf"\b(?:{value})\b")


Words = Annotated[re.Pattern[str], BeforeValidator(_words)]


class RedFlagCategory(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    message: str = Field(min_length=1)
    transfer_to: str = "nurse"
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    # a symptom with its modifiers: every group within `concept_window` words of the others
    concepts: tuple[tuple[Words, ...], ...] = ()
    near_misses: tuple[Pattern, ...] = ()
    # false: history or paperwork around the words never makes this a near miss (a crisis)
    framed: bool = True

    @model_validator(mode="after")
    def _says_what_to_dial(self) -> RedFlagCategory:
        if "911" not in self.message and "988" not in self.message:
            raise ValueError("a red-flag message must tell the caller to dial 911 or 988")
        if any(not concept for concept in self.concepts):
            raise ValueError("a concept needs at least one word group")
        return self


class RedFlagsSpec(_Strict):
    categories: tuple[RedFlagCategory, ...] = Field(min_length=1)
    concept_window: int = Field(8, ge=1, le=40)
    safety_question: str = Field("Before anything else: is this happening right now?", min_length=1)
    shared_near_misses: tuple[Pattern, ...] = ()
    # word groups that frame a turn (see redflags.yaml): what a hit means depends on them
    symptoms: tuple[Words, ...] = ()
    urgency: tuple[Words, ...] = ()
    present: tuple[Words, ...] = ()
    history: tuple[Words, ...] = ()
    paperwork: tuple[Words, ...] = ()
    requests: tuple[Words, ...] = ()
    # one way of saying a thing, read as another before any layer looks: {canonical: word group}
    # ("won't quit bleeding" is "won't stop bleeding")
    equivalents: dict[str, Words] = Field(default_factory=dict)
    # figures of speech ("this hold music is killing me"): without a symptom word beside them
    # they cannot vouch for the semantic layer's reading on their own
    figures: tuple[Words, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> RedFlagsSpec:
        names = [c.name for c in self.categories]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"category named twice: {', '.join(repeated)}")
        return self


# -- examples.yaml ---------------------------------------------------------------------------
Sentence = Annotated[str, Field(min_length=2, max_length=400, pattern=r"[A-Za-z\u00C0-\uFFFF]")]


class ExamplesSpec(_Strict):
    """Labeled caller sentences (see policies/riverside/examples.yaml for the labels)."""

    flows: dict[str, tuple[Sentence, ...]] = Field(default_factory=dict)
    questions: tuple[Sentence, ...] = ()
    handoffs: dict[str, tuple[Sentence, ...]] = Field(default_factory=dict)
    red_flags: dict[str, tuple[Sentence, ...]] = Field(default_factory=dict)
    none: tuple[Sentence, ...] = ()

    def labeled(self) -> list[tuple[str, str, KeyPath]]:
        """(label, sentence, where in the file) for every example; labels as semantic.py reads them."""
        out: list[tuple[str, str, KeyPath]] = []
        for group in ("flows", "handoffs", "red_flags"):
            prefix = {"flows": "flow", "handoffs": "handoff", "red_flags": "red_flag"}[group]
            for key, sentences in getattr(self, group).items():
                out += [(f"{prefix}:{key}", t, (group, key, i)) for i, t in enumerate(sentences)]
        out += [("question", t, ("questions", i)) for i, t in enumerate(self.questions)]
        out += [("none", t, ("none", i)) for i, t in enumerate(self.none)]
        return out


# -- the pack --------------------------------------------------------------------------------
@dataclass(frozen=True)
class SitePack:
    directory: Path
    site: SiteSpec
    flows: dict[str, FlowSpec]
    anything_else: str
    nlu: NluSpec
    redflags: RedFlagsSpec
    examples: ExamplesSpec = dataclasses.field(default_factory=ExamplesSpec)

    def extension(self, target: str) -> str:
        """The PBX extension of a transfer target; unknown targets go to the operator."""
        spec = self.site.transfer_targets.get(target) or self.site.transfer_targets["operator"]
        return spec.extension

    def label(self, target: str) -> str:
        spec = self.site.transfer_targets.get(target) or self.site.transfer_targets["operator"]
        return spec.label

    def provider_name(self, key: str) -> str:
        return self.nlu.provider_names.get(key, key.replace("_", " ").title())

    def public_facts(self) -> SiteFacts:
        """What the site publishes about itself (its address, main line, departments'
        extensions): redaction leaves them as said, as they name no patient (site_facts.py)."""
        return self._public_facts

    @functools.cached_property
    def _public_facts(self) -> SiteFacts:
        # read once per pack: every handoff and transcript of every call asks for them
        site = self.site
        extensions = [t.extension for t in site.transfer_targets.values()]
        return SiteFacts(site.address, [site.main_line] if site.main_line else [], extensions)


_MODELS: dict[str, type[BaseModel]] = {
    SITE_FILE: SiteSpec,
    FLOWS_FILE: FlowsSpec,
    NLU_FILE: NluSpec,
    REDFLAGS_FILE: RedFlagsSpec,
    EXAMPLES_FILE: ExamplesSpec,
}


def load_site(directory: Path | str) -> SitePack:
    """Read and validate a site pack; raises SiteError listing every problem with file and line."""
    directory = Path(directory)
    issues: list[SiteIssue] = []
    specs: dict[str, BaseModel] = {}
    lines: dict[str, Lines] = {}
    if not directory.is_dir():
        raise SiteError(directory, [SiteIssue(str(directory), 0, "not a directory")])
    for name in FILES + OPTIONAL_FILES:
        path = directory / name
        if name in OPTIONAL_FILES and not path.exists():
            continue
        try:
            data, lines[name] = load_yaml(path)
        except YamlError as exc:
            issues.append(SiteIssue.of(exc))
            continue
        if not isinstance(data, dict):
            issues.append(SiteIssue(str(path), 1, "the file must be a mapping of keys to values"))
            continue
        try:
            specs[name] = _MODELS[name].model_validate(data)
        except ValidationError as exc:
            issues.extend(SiteIssue.of(e) for e in lines[name].validation_errors(exc))
    issues.extend(_cross_check(directory, specs, lines))
    if issues:
        order = {name: i for i, name in enumerate(FILES + OPTIONAL_FILES)}
        issues.sort(key=lambda i: (order.get(Path(i.file).name, len(FILES)), i.line))
        raise SiteError(directory, issues)
    flows = specs[FLOWS_FILE]
    assert isinstance(flows, FlowsSpec)
    return SitePack(
        directory=directory,
        site=specs[SITE_FILE],  # type: ignore[arg-type]
        flows=dict(flows.flows),
        anything_else=flows.anything_else,
        nlu=specs[NLU_FILE],  # type: ignore[arg-type]
        redflags=specs[REDFLAGS_FILE],  # type: ignore[arg-type]
        examples=specs.get(EXAMPLES_FILE) or ExamplesSpec(),  # type: ignore[arg-type]
    )


def _cross_check(directory: Path, specs: dict[str, BaseModel], lines: dict[str, Lines]) -> list[SiteIssue]:
    """Checks across files; each runs when the files it reads are themselves valid."""
    site = specs.get(SITE_FILE)
    flows = specs.get(FLOWS_FILE)
    nlu = specs.get(NLU_FILE)
    redflags = specs.get(REDFLAGS_FILE)
    examples = specs.get(EXAMPLES_FILE)
    issues: list[SiteIssue] = []

    def issue(file: str, loc: KeyPath, message: str) -> None:
        issues.append(SiteIssue.of(lines[file].error(loc, message)))

    targets = set(site.transfer_targets) if isinstance(site, SiteSpec) else None
    if isinstance(flows, FlowsSpec):
        for name, flow in flows.flows.items():
            for problem, loc in _flow_problems(name, flow, targets):
                issue(FLOWS_FILE, loc, problem)
    if isinstance(nlu, NluSpec):
        for intent, spec in nlu.intents.items():
            if isinstance(flows, FlowsSpec) and spec.flow not in flows.flows:
                issue(
                    NLU_FILE, ("intents", intent, "flow"), f"intent {intent!r}: no flow named {spec.flow!r}"
                )
        for key, clarify in nlu.clarify.items():
            for flow in clarify.answers:
                if isinstance(flows, FlowsSpec) and flow not in flows.flows:
                    where = ("clarify", key, "answers", flow)
                    issue(NLU_FILE, where, f"clarify {key!r}: no flow named {flow!r}")
        for i, handoff in enumerate(nlu.handoffs):
            if handoff.target not in HANDOFF_TARGETS or (
                targets is not None and handoff.target not in targets
            ):
                issue(NLU_FILE, ("handoffs", i, "target"), f"unknown transfer target {handoff.target!r}")
    if isinstance(redflags, RedFlagsSpec) and targets is not None:
        for i, category in enumerate(redflags.categories):
            if category.transfer_to not in targets:
                issue(
                    REDFLAGS_FILE,
                    ("categories", i, "transfer_to"),
                    f"unknown transfer target {category.transfer_to!r}",
                )
    if isinstance(examples, ExamplesSpec):
        for problem, loc in _example_problems(examples, flows, targets, redflags):
            issue(EXAMPLES_FILE, loc, problem)
    return issues


def _example_problems(
    examples: ExamplesSpec, flows: BaseModel | None, targets: set[str] | None, redflags: BaseModel | None
) -> Iterable[tuple[str, KeyPath]]:
    """Labels that name nothing, and a sentence under two labels (or twice under one)."""
    if isinstance(flows, FlowsSpec):
        for name in examples.flows:
            if name not in flows.flows:
                yield f"examples: no flow named {name!r}", ("flows", name)
    if targets is not None:
        for name in examples.handoffs:
            if name not in targets:
                yield f"examples: unknown transfer target {name!r}", ("handoffs", name)
    if isinstance(redflags, RedFlagsSpec):
        known = {c.name for c in redflags.categories}
        for name in examples.red_flags:
            if name not in known:
                yield f"examples: no red-flag category named {name!r}", ("red_flags", name)
    seen: dict[str, tuple[str, KeyPath]] = {}
    for label, sentence, loc in examples.labeled():
        key = " ".join(re.sub(r"[^\w ]+", " ", sentence.lower().replace("'", "")).split())
        if key in seen:
            first_label, _ = seen[key]
            where = "twice under" if first_label == label else f"under {label} and also under"
            other = label if first_label == label else first_label
            yield f"example {sentence!r} is {where} {other}: one sentence, one label", loc
        else:
            seen[key] = (label, loc)


def _flow_problems(name: str, flow: FlowSpec, targets: set[str] | None) -> Iterable[tuple[str, KeyPath]]:
    base: KeyPath = ("flows", name)
    for i, tool in enumerate(flow.tools):
        if tool not in TOOL_NAMES:
            yield f"flow {name!r}: unknown tool {tool!r}", (*base, "tools", i)
    known = set(flow.slots) | set(IDENTITY_VARS)
    for i, step in enumerate(flow.steps):
        loc: KeyPath = (*base, "steps", i)
        if step.call is not None:
            known.add(step.save or step.call)
        if step.into is not None:
            known.add(step.into)
    has_verify = any(step.verify_identity for step in flow.steps)
    if flow.identity_required and not has_verify:
        yield f"flow {name!r}: identity_required but no verify_identity step", (*base, "identity_required")
    if has_verify and "verify_identity" not in flow.tools:
        yield f"flow {name!r}: verify_identity step but the tool is not in `tools`", (*base, "tools")
    for i, step in enumerate(flow.steps):
        loc = (*base, "steps", i)
        if step.collect is not None and step.collect not in flow.slots:
            yield f"flow {name!r}: step collects unknown slot {step.collect!r}", loc
        if step.answer is not None and step.answer not in flow.slots:
            yield f"flow {name!r}: step answers from unknown slot {step.answer!r}", loc
        if step.call is not None and step.call not in flow.tools:
            yield f"flow {name!r}: step calls {step.call!r}, which is not in the flow's tools", loc
        saves = {s.save or s.call for s in flow.steps if s.call}
        if step.retry is not None and step.retry not in saves:
            yield f"flow {name!r}: retry names no call step {step.retry!r}", loc
        if step.skip_if is not None and step.skip_if not in flow.slots:
            yield f"flow {name!r}: skip_if names unknown slot {step.skip_if!r}", loc
        if step.offer is not None and step.offer.split(".")[0] not in known:
            yield f"flow {name!r}: offer reads unknown result {step.offer.split('.')[0]!r}", loc
        refs = [m.group(1) for v in step.args.values() for m in _VAR.finditer(v)]
        for text in (step.say, step.confirm, step.prompt, step.filler):
            refs += [m.group(1) for m in _TEMPLATE_VAR.finditer(text or "")]
        for ref in refs:
            if ref not in known and ref not in ("provider_name", "site_name"):
                yield f"flow {name!r}: step refers to unknown name {ref!r}", loc
    for field in ("tool_failed", "identity_failed", "no_options", "refused"):
        target = getattr(flow.handoff, field)
        if target is not None and targets is not None and target not in targets:
            yield f"flow {name!r}: unknown transfer target {target!r}", (*base, "handoff", field)
