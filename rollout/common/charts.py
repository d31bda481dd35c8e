"""Small server-side SVG charts for the dashboard: no JavaScript, no chart library.

Each chart is an `<svg role="img">` whose `<title>` names it and whose `<desc>` says in
words what it shows, so screen readers and print get the figures too. Colours are SVG
presentation attributes plus CSS classes (print-dashboard.css turns them black and grey);
no inline `style` (the CSP forbids it). Every text that goes in is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TRACK = "#e6edf5"
INK = "#1d4e89"
GOOD = "#0f6b45"
LOW = "#a3181c"
MUTED = "#4a5561"


def _n(value: float) -> str:
    """Format a coordinate: short, locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, css: str, title: str, desc: str, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every text in it went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


def progress_bar(
    percent: int | float | None,
    *,
    title: str,
    desc: str = "",
    marker: int | float | None = None,
    low: bool = False,
    width: int = 160,
    height: int = 12,
) -> SafeString:
    """Draw a horizontal bar filled to `percent` (capped at 100), with an optional marker."""
    filled = max(0.0, min(100.0, float(percent or 0))) * width / 100
    colour, css = (
        (LOW, "bar-low") if low else ((GOOD, "bar-full") if filled >= width else (INK, ""))
    )
    body = (
        f'<rect class="chart-track" x="0" y="0" width="{width}" height="{height}" rx="2" '
        f'fill="{TRACK}"/>'
        f'<rect class="chart-bar {css}" x="0" y="0" width="{_n(filled)}" height="{height}" '
        f'rx="2" fill="{colour}"/>'
    )
    if marker is not None:
        x = max(1.0, min(width - 1.0, float(marker) * width / 100))
        body += (
            f'<line class="chart-marker" x1="{_n(x)}" x2="{_n(x)}" y1="0" y2="{height}" '
            f'stroke="{MUTED}" stroke-width="2"/>'
        )
    return _svg(width, height, "chart-progress", title, desc or f"{_n(percent or 0)} %", body)


def sparkline(
    points: Sequence[tuple[date, Decimal | float]],
    *,
    title: str,
    desc: str,
    target: Decimal | float | None = None,
    width: int = 160,
    height: int = 40,
    low: float = 0.0,
    high: float | None = None,
) -> SafeString:
    """Draw the values over time as a line, with the target as a dashed line.

    The vertical axis runs from `low` to `high` (default: the largest value or target), so
    that scores below zero (the NPS, −100 to +100) can be drawn as well.
    """
    pad = 3
    values = [float(v) for _d, v in points]
    top = high if high is not None else max([*values, float(target or 0), 1.0])
    inner_w, inner_h = width - 2 * pad, height - 2 * pad

    def y(value: float) -> float:
        return pad + inner_h * (1 - (value - low) / (top - low))

    body = ""
    if target is not None:
        ty = _n(y(float(target)))
        body += (
            f'<line class="chart-target" x1="0" x2="{width}" y1="{ty}" y2="{ty}" '
            f'stroke="{MUTED}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    if points:
        first, span = points[0][0], max(1, (points[-1][0] - points[0][0]).days)
        xs = [
            pad + inner_w * ((d - first).days / span) if len(points) > 1 else width / 2
            for d, _v in points
        ]
        coords = " ".join(f"{_n(x)},{_n(y(v))}" for x, v in zip(xs, values, strict=True))
        body += (
            f'<polyline class="chart-line" points="{coords}" fill="none" stroke="{INK}" '
            f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>'
            f'<circle class="chart-dot" cx="{_n(xs[-1])}" cy="{_n(y(values[-1]))}" r="3" '
            f'fill="{INK}"/>'
        )
    return _svg(width, height, "chart-sparkline", title, desc, body)


def bar_chart(
    rows: Sequence[tuple[str, int | float, bool]],
    *,
    title: str,
    desc: str,
    width: int = 480,
    row_height: int = 22,
    label_width: int = 190,
) -> SafeString:
    """Draw one horizontal bar per row (label, percent 0–100, highlighted), e.g. per department."""
    bar_w = width - label_width - 48
    body = ""
    for i, (label, percent, low) in enumerate(rows):
        top = i * row_height
        filled = max(0.0, min(100.0, float(percent))) * bar_w / 100
        short = label if len(label) <= 28 else label[:27] + "…"
        colour = LOW if low else INK
        body += (
            f'<text class="chart-label" x="0" y="{top + 15}" font-size="13" fill="#1b1f24">'
            f"{escape(short)}</text>"
            f'<rect class="chart-track" x="{label_width}" y="{top + 4}" width="{bar_w}" '
            f'height="14" fill="{TRACK}"/>'
            f'<rect class="chart-bar{" bar-low" if low else ""}" x="{label_width}" '
            f'y="{top + 4}" width="{_n(filled)}" height="14" fill="{colour}"/>'
            f'<text class="chart-value" x="{label_width + bar_w + 6}" y="{top + 15}" '
            f'font-size="13" fill="#1b1f24">{_n(percent)} %</text>'
        )
    height = max(row_height, row_height * len(rows))
    return _svg(width, height, "chart-bars", title, desc, body)
