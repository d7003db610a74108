"""Plots as inline SVG strings (no script, no external asset): a line over days, a histogram.

The console and the HTML report embed them as they are; every label is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

W, H = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 24, 36


def _frame(title: str, body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{escape(label)}" class="plot">'
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#fff"/>'
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>{body}</svg>'
    )


def _axis(top: float, fmt: str) -> str:
    y0, y1 = H - BOTTOM, TOP
    parts = [f'<line x1="{LEFT}" y1="{y0}" x2="{W - RIGHT}" y2="{y0}" stroke="#888"/>']
    for frac in (0.0, 0.5, 1.0):
        y = y0 - (y0 - y1) * frac
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
        label = escape(fmt.format(top * frac))
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{label}</text>')
    return "".join(parts)


def line_chart(
    points: Sequence[tuple[str, float | None]], title: str, fmt: str = "{:.0f}", top: float | None = None
) -> str:
    """One value per x label (None: no data that day, the line breaks there)."""
    values = [v for _, v in points if v is not None]
    top = top or (max(values) * 1.1 if values and max(values) > 0 else 1.0)
    n = max(len(points), 1)
    step = (W - LEFT - RIGHT) / max(n - 1, 1)
    y0, span = H - BOTTOM, H - BOTTOM - TOP
    body = [_axis(top, fmt)]
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (label, v) in enumerate(points):
        x = LEFT + i * step
        if i % max(1, n // 7) == 0 or i == n - 1:
            body.append(
                f'<text x="{x:.1f}" y="{H - 18}" font-size="10" text-anchor="middle">{escape(label)}</text>'
            )
        if v is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        y = y0 - span * min(v / top, 1.0)
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f5f99"><title>{escape(label)}: '
            f"{escape(fmt.format(v))}</title></circle>"
        )
    if segment:
        segments.append(segment)
    for seg in segments:
        body.append(f'<polyline fill="none" stroke="#1f5f99" stroke-width="2" points="{" ".join(seg)}"/>')
    if not values:
        body.append(f'<text x="{W / 2}" y="{H / 2}" font-size="12" text-anchor="middle">no calls yet</text>')
    return _frame(title, "".join(body), title)


def histogram_chart(bins: Sequence[tuple[str, int]], title: str) -> str:
    """Bars per bucket, labelled below."""
    top = max((c for _, c in bins), default=0) or 1
    n = max(len(bins), 1)
    slot = (W - LEFT - RIGHT) / n
    y0, span = H - BOTTOM, H - BOTTOM - TOP
    body = [_axis(float(top), "{:.0f}")]
    for i, (label, count) in enumerate(bins):
        x = LEFT + i * slot
        h = span * count / top
        body.append(
            f'<rect x="{x + 2:.1f}" y="{y0 - h:.1f}" width="{slot - 4:.1f}" height="{h:.1f}" '
            f'fill="#4a8f5a"><title>{escape(label)}: {count}</title></rect>'
        )
        mid = x + slot / 2
        body.append(
            f'<text x="{mid:.1f}" y="{H - 18}" font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
    return _frame(title, "".join(body), title)
