"""`wardline report`: the figures of a period as rich tables, JSON, or a self-contained HTML file.

`period()` parses --since; `gather()` reads the period and computes everything the terminal,
the HTML report and the console show (figures per intent, days, latency histograms); the
renderers only lay it out. The HTML has its plots inline (SVG) and no external asset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import sessionmaker

from appliance.ops.figures import (
    ALL,
    DayPoint,
    Figures,
    IntentFigures,
    compute,
    daily,
    histogram,
    load_window,
)
from appliance.ops.plots import histogram_chart, line_chart

STAGE_EDGES_MS = (100, 200, 300, 400, 500, 600, 800, 1000, 1500, 2000)
STAGE_TITLES = {
    "endpoint": "Endpoint wait",
    "asr": "Speech recognition",
    "dialog": "Dialog",
    "tts_first_audio": "Speech synthesis (first audio)",
    "voice_to_voice": "Voice to voice",
}
_PERIOD = re.compile(r"^(\d{1,4})([hdw])$")


class ReportError(ValueError):
    """A report option that cannot be used; the message says which and how to write it."""


def period(text: str) -> timedelta:
    """'24h', '7d', '2w' → a duration (at most a year)."""
    m = _PERIOD.match(text.strip())
    if not m or int(m.group(1)) == 0:
        raise ReportError(f"--since {text[:40]!r}: use a duration such as 24h, 7d or 2w")
    n, unit = int(m.group(1)), m.group(2)
    span = timedelta(hours=n) if unit == "h" else timedelta(days=n * (7 if unit == "w" else 1))
    if span > timedelta(days=366):
        raise ReportError(f"--since {text!r}: at most a year")
    return span


@dataclass
class Gathered:
    figures: Figures
    days: list[DayPoint]
    tz: tzinfo

    def to_dict(self) -> dict[str, Any]:
        d = self.figures.to_dict()
        d["days"] = [
            {"day": p.day.isoformat(), "calls": p.calls, "containment": p.containment, "aht_s": p.aht_s}
            for p in self.days
        ]
        return d


def gather(
    sessions: sessionmaker, span: timedelta, now: datetime, tz: tzinfo, intent: str | None = None
) -> Gathered:
    since = now - span
    window = load_window(sessions, since, now + timedelta(seconds=1))
    return Gathered(compute(window, intent), daily(window.calls, since, now, tz, intent), tz)


def plots(g: Gathered) -> dict[str, str]:
    """The SVG plots: containment and handle time per day, a histogram per latency stage."""
    labels = [p.day.strftime("%m-%d") for p in g.days]
    out = {
        "containment": line_chart(
            [
                (lbl, p.containment * 100 if p.containment is not None else None)
                for lbl, p in zip(labels, g.days, strict=True)
            ],
            "Containment per day (%)",
            "{:.0f}%",
            top=100.0,
        ),
        "handle_time": line_chart(
            [(lbl, p.aht_s) for lbl, p in zip(labels, g.days, strict=True)],
            "Average handle time per day (s)",
            "{:.0f} s",
        ),
    }
    for stage in g.figures.stages:
        out["stage_" + stage.stage] = histogram_chart(
            histogram(stage.values_ms, STAGE_EDGES_MS), f"{STAGE_TITLES[stage.stage]}: turns per latency (ms)"
        )
    return out


# -- the terminal -------------------------------------------------------------------------------
def pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


def secs(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f} s"


def num(v: float | None, fmt: str = "{:.1f}") -> str:
    return "-" if v is None else fmt.format(v)


def intent_row(f: IntentFigures) -> list[str]:
    return [
        f.intent,
        str(f.calls),
        pct(f.containment),
        pct(f.assisted_containment),
        pct(f.transfer_rate),
        pct(f.transfer_quality),
        pct(f.abandon_rate),
        secs(f.aht_s),
        secs(f.handle_p90_s),
        num(f.turns_avg),
        f"{f.barge_ins_recovered}/{f.barge_ins}",
        str(f.red_flags),
        pct(f.error_rate),
        pct(f.fcr),
        num(f.satisfaction_avg, "{:.2f}")
        + (f" ({f.satisfaction_answers})" if f.satisfaction_answers else ""),
    ]


INTENT_COLUMNS = (
    "intent",
    "calls",
    "contained",
    "assisted",
    "transferred",
    "transfer quality",
    "abandoned",
    "avg handle",
    "p90 handle",
    "turns",
    "barge-ins recovered",
    "red flags",
    "errors",
    "FCR",
    "satisfaction (1-3)",
)


def print_report(g: Gathered, console: Console, off: dict[str, str]) -> None:
    f = g.figures
    title = f"{f.since:%Y-%m-%d %H:%M} to {f.until:%Y-%m-%d %H:%M} UTC"
    # Outcomes, then the conversation: two tables that fit a terminal.
    groups = (
        (f"Outcomes per intent, {title}", (0, 1, 2, 3, 4, 5, 6, 13, 14)),
        ("Conversation per intent", (0, 7, 8, 9, 10, 11, 12)),
    )
    for name, idx in groups:
        t = Table(title=name)
        for i in idx:
            t.add_column(INTENT_COLUMNS[i], no_wrap=i == 0)
        for row in f.intents:
            cells = intent_row(row)
            t.add_row(*(cells[i] for i in idx), style="bold" if row.intent == ALL else None)
        console.print(t)
    s = Table(title="Voice-to-voice latency per stage (ms)")
    for c in ("stage", "turns", "p50", "p90"):
        s.add_column(c)
    for st in f.stages:
        s.add_row(STAGE_TITLES[st.stage], str(st.turns), num(st.p50_ms, "{:.0f}"), num(st.p90_ms, "{:.0f}"))
    console.print(s)
    tt = Table(title="Tool calls")
    for c in ("tool", "calls", "ok", "errors", "p50 ms", "p90 ms"):
        tt.add_column(c)
    for tf in f.tools:
        tt.add_row(
            tf.tool,
            str(tf.calls),
            str(tf.ok),
            str(tf.errors),
            num(tf.latency_p50_ms, "{:.0f}"),
            num(tf.latency_p90_ms, "{:.0f}"),
        )
    console.print(tt)
    for intent, reason in sorted(off.items()):
        console.print(f"[red]{intent} goes to people:[/red] {reason}", highlight=False)


# -- HTML ---------------------------------------------------------------------------------------
def templates() -> Environment:
    env = Environment(
        loader=PackageLoader("appliance.ops", "console/templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(pct=pct, secs=secs, num=num, stage_titles=STAGE_TITLES, ALL=ALL)
    return env


def html_report(g: Gathered, off: dict[str, str], generated: datetime, site_name: str) -> str:
    return (
        templates()
        .get_template("report.html")
        .render(g=g, f=g.figures, plots=plots(g), off=off, generated=generated, site_name=site_name)
    )


def write_html(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"{path}: cannot be written: {exc.strerror}") from None
