"""The figures a clinic lead reads, computed from stored per-call rows (pure functions).

Per intent (flow) and for all calls: raw containment, assisted containment (the agent started
the process and a person finished it), transfer rate and quality (the summary was delivered and
the receiving side opened it), abandonment, average handle time with its distribution, turns,
barge-ins and recovery, red flags, errors, first-contact resolution (no call back from the same
caller for the same intent within 7 days) and the post-call satisfaction score (1-3). Tool
latency and the voice-to-voice latency per stage come from their own rows.

`load_window` reads a period from the database; everything else works on plain rows (OpsCall
or CallSummary alike), so the tests compare the figures with the events they came from.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from appliance.ops.store import OpsCall, OpsHandoffOpen, OpsToolCall, OpsTurnLatency, aware

ALL = "all"
FCR_DAYS = 7
HANDLE_EDGES_S = (30, 60, 120, 180, 240, 300, 420, 600)
STAGE_FIELDS = (
    ("endpoint", "endpoint_ms"),
    ("asr", "asr_ms"),
    ("dialog", "dialog_ms"),
    ("tts_first_audio", "tts_ms"),
    ("voice_to_voice", "voice_to_voice_ms"),
)


@dataclass(frozen=True)
class IntentFigures:
    intent: str
    calls: int
    contained: int
    assisted: int
    transferred: int
    abandoned: int
    ended: int
    containment: float | None
    assisted_containment: float | None
    transfer_rate: float | None
    abandon_rate: float | None
    summaries_delivered: int
    summaries_opened: int
    transfer_quality: float | None
    aht_s: float | None
    handle_p50_s: float | None
    handle_p90_s: float | None
    handle_histogram: tuple[tuple[str, int], ...]
    turns_avg: float | None
    barge_ins: int
    barge_ins_recovered: int
    red_flags: int
    errored_calls: int
    error_rate: float | None
    fcr: float | None
    satisfaction_avg: float | None
    satisfaction_answers: int
    fallback_calls: int
    transfer_reasons: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["handle_histogram"] = [list(x) for x in self.handle_histogram]
        d["transfer_reasons"] = dict(self.transfer_reasons)
        return d


@dataclass(frozen=True)
class ToolFigures:
    tool: str
    calls: int
    ok: int
    errors: int  # failed or timed out
    latency_p50_ms: float | None
    latency_p90_ms: float | None


@dataclass(frozen=True)
class StageFigures:
    stage: str
    turns: int
    p50_ms: float | None
    p90_ms: float | None
    values_ms: tuple[float, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class Figures:
    since: datetime
    until: datetime
    intents: tuple[IntentFigures, ...]  # the per-intent rows, then "all"
    tools: tuple[ToolFigures, ...]
    stages: tuple[StageFigures, ...]

    def intent(self, name: str) -> IntentFigures | None:
        return next((f for f in self.intents if f.intent == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "intents": [f.to_dict() for f in self.intents],
            "tools": [t.__dict__ for t in self.tools],
            "stages": [{k: v for k, v in s.__dict__.items() if k != "values_ms"} for s in self.stages],
        }


@dataclass
class Window:
    """The stored rows of one period."""

    since: datetime
    until: datetime
    calls: list[Any]
    tools: list[Any]
    latencies: list[Any]
    opened: set[str]


# -- small statistics ---------------------------------------------------------------------------
def ratio(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of the values; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def histogram(values: Iterable[float], edges: Sequence[float]) -> tuple[tuple[str, int], ...]:
    """Counts per bucket "≤edge", with a last "> last edge" bucket."""
    counts = [0] * (len(edges) + 1)
    for v in values:
        i = next((k for k, e in enumerate(edges) if v <= e), len(edges))
        counts[i] += 1
    labels = [f"≤{_num(e)}" for e in edges] + [f">{_num(edges[-1])}"]
    return tuple(zip(labels, counts, strict=True))


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# -- the figures ----------------------------------------------------------------------------------
def first_contact_resolved(calls: Sequence[Any], days: int = FCR_DAYS) -> dict[str, bool]:
    """call id -> resolved at first contact, for calls with a caller reference: no later call
    from the same caller for the same intent within `days`."""
    by_key: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for c in calls:
        if c.caller_ref:
            by_key[(c.caller_ref, c.intent)].append(c)
    resolved: dict[str, bool] = {}
    for group in by_key.values():
        group.sort(key=lambda c: aware(c.started_at))
        for i, c in enumerate(group):
            nxt = group[i + 1] if i + 1 < len(group) else None
            back = nxt is not None and aware(nxt.started_at) - aware(c.started_at) <= timedelta(days=days)
            resolved[c.call_id] = not back
    return resolved


def intent_figures(
    intent: str, calls: Sequence[Any], opened: set[str], fcr: dict[str, bool]
) -> IntentFigures:
    n = len(calls)
    count = {
        o: sum(c.outcome == o for c in calls) for o in ("contained", "transferred", "abandoned", "ended")
    }
    assisted = sum(bool(c.assisted) for c in calls)
    transfers = [c for c in calls if c.outcome == "transferred"]
    delivered = [c for c in transfers if c.summary_delivered]
    opened_n = sum(bool(c.handoff_id) and c.handoff_id in opened for c in delivered)
    handle_s = [c.handle_ms / 1000 for c in calls]
    errored = sum(c.errors > 0 for c in calls)
    fcr_known = [fcr[c.call_id] for c in calls if c.call_id in fcr]
    scores = [c.satisfaction for c in calls if c.satisfaction is not None]
    reasons: dict[str, int] = defaultdict(int)
    for c in transfers:
        reasons[c.transfer_reason or "other"] += 1
    return IntentFigures(
        intent=intent,
        calls=n,
        contained=count["contained"],
        assisted=assisted,
        transferred=count["transferred"],
        abandoned=count["abandoned"],
        ended=count["ended"],
        containment=ratio(count["contained"], n),
        assisted_containment=ratio(count["contained"] + assisted, n),
        transfer_rate=ratio(count["transferred"], n),
        abandon_rate=ratio(count["abandoned"], n),
        summaries_delivered=len(delivered),
        summaries_opened=opened_n,
        transfer_quality=ratio(opened_n, len(transfers)),
        aht_s=ratio(sum(handle_s), n),
        handle_p50_s=percentile(handle_s, 50),
        handle_p90_s=percentile(handle_s, 90),
        handle_histogram=histogram(handle_s, HANDLE_EDGES_S),
        turns_avg=ratio(sum(c.turns for c in calls), n),
        barge_ins=sum(c.barge_ins for c in calls),
        barge_ins_recovered=sum(c.barge_ins_recovered for c in calls),
        red_flags=sum(c.red_flags for c in calls),
        errored_calls=errored,
        error_rate=ratio(errored, n),
        fcr=ratio(sum(fcr_known), len(fcr_known)),
        satisfaction_avg=ratio(sum(scores), len(scores)),
        satisfaction_answers=len(scores),
        fallback_calls=sum(bool(c.fallback) for c in calls),
        transfer_reasons=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def tool_figures(rows: Sequence[Any]) -> tuple[ToolFigures, ...]:
    by_tool: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        by_tool[r.tool].append(r)
    out = []
    for tool in sorted(by_tool):
        rs = by_tool[tool]
        lat = [r.latency_ms for r in rs]
        out.append(
            ToolFigures(
                tool=tool,
                calls=len(rs),
                ok=sum(r.status == "ok" for r in rs),
                errors=sum(r.status in ("failed", "timeout") for r in rs),
                latency_p50_ms=percentile(lat, 50),
                latency_p90_ms=percentile(lat, 90),
            )
        )
    return tuple(out)


def stage_figures(rows: Sequence[Any]) -> tuple[StageFigures, ...]:
    out = []
    for stage, attr in STAGE_FIELDS:
        values = tuple(float(getattr(r, attr)) for r in rows)
        out.append(StageFigures(stage, len(values), percentile(values, 50), percentile(values, 90), values))
    return tuple(out)


def compute(window: Window, intent: str | None = None) -> Figures:
    """Figures per intent and for all calls; `intent` narrows tools and latencies to one."""
    fcr = first_contact_resolved(window.calls)
    by_intent: dict[str, list[Any]] = defaultdict(list)
    for c in window.calls:
        by_intent[c.intent].append(c)
    rows = [intent_figures(name, by_intent[name], window.opened, fcr) for name in sorted(by_intent)]
    rows.append(intent_figures(ALL, window.calls, window.opened, fcr))
    tools = [t for t in window.tools if intent is None or t.intent == intent]
    lat = [r for r in window.latencies if intent is None or r.intent == intent]
    if intent is not None:
        rows = [r for r in rows if r.intent == intent]
    return Figures(window.since, window.until, tuple(rows), tool_figures(tools), stage_figures(lat))


@dataclass(frozen=True)
class DayPoint:
    day: date
    calls: int
    containment: float | None
    aht_s: float | None


def daily(
    calls: Sequence[Any], since: datetime, until: datetime, tz: tzinfo, intent: str | None = None
) -> list[DayPoint]:
    """Containment and average handle time per local day, every day of the period (empty days too)."""
    by_day: dict[date, list[Any]] = defaultdict(list)
    for c in calls:
        if intent is None or c.intent == intent:
            by_day[aware(c.started_at).astimezone(tz).date()].append(c)
    first, last = since.astimezone(tz).date(), until.astimezone(tz).date()
    points = []
    day = first
    while day <= last:
        cs = by_day.get(day, [])
        points.append(
            DayPoint(
                day,
                len(cs),
                ratio(sum(c.outcome == "contained" for c in cs), len(cs)),
                ratio(sum(c.handle_ms for c in cs) / 1000, len(cs)),
            )
        )
        day += timedelta(days=1)
    return points


def load_window(sessions: sessionmaker, since: datetime, until: datetime) -> Window:
    """The rows of calls that started in [since, until), their tools, latencies and handoff opens."""
    with sessions() as db:
        calls = list(
            db.scalars(select(OpsCall).where(OpsCall.started_at >= since, OpsCall.started_at < until))
        )
        ids = {c.call_id for c in calls}
        tools = [
            t for t in db.scalars(select(OpsToolCall).where(OpsToolCall.at >= since)) if t.call_id in ids
        ]
        lat = [
            r
            for r in db.scalars(select(OpsTurnLatency).where(OpsTurnLatency.at >= since))
            if r.call_id in ids
        ]
        handoffs = {c.handoff_id for c in calls if c.handoff_id}
        opened = {h for h in db.scalars(select(OpsHandoffOpen.handoff_id)) if h in handoffs}
    return Window(since, until, calls, tools, lat, opened)
