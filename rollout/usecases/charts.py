"""A bar chart of hours saved per week (absolute values, not percent) for the use cases.

Built from the same parts as `rollout.common.charts` (an accessible `<svg role="img">` with title
and description, presentation attributes, no inline style); every text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from rollout.common.charts import INK, TRACK, _n, _svg


def hours_label(hours: Decimal | float) -> str:
    return _("%(n)s h") % {"n": number_format(hours, decimal_pos=1)}


def hours_chart(
    rows: Sequence[tuple[str, Decimal | float]],
    *,
    title: str,
    desc: str,
    width: int = 480,
    row_height: int = 22,
    label_width: int = 190,
) -> SafeString:
    """Draw one horizontal bar per row (label, hours), scaled to the largest value."""
    bar_w = width - label_width - 64
    top_value = max([float(h) for _label, h in rows] + [1.0])
    body = ""
    for i, (label, hours) in enumerate(rows):
        top = i * row_height
        filled = max(0.0, float(hours)) * bar_w / top_value
        short = label if len(label) <= 28 else label[:27] + "…"
        body += (
            f'<text class="chart-label" x="0" y="{top + 15}" font-size="13" fill="#1b1f24">'
            f"{escape(short)}</text>"
            f'<rect class="chart-track" x="{label_width}" y="{top + 4}" width="{bar_w}" '
            f'height="14" fill="{TRACK}"/>'
            f'<rect class="chart-bar" x="{label_width}" y="{top + 4}" width="{_n(filled)}" '
            f'height="14" fill="{INK}"/>'
            f'<text class="chart-value" x="{label_width + bar_w + 6}" y="{top + 15}" '
            f'font-size="13" fill="#1b1f24">{escape(hours_label(hours))}</text>'
        )
    height = max(row_height, row_height * len(rows))
    return _svg(width, height, "chart-bars", title, desc, body)
