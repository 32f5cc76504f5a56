"""Bar charts drawn on the server as SVG: no JavaScript, nothing loaded from elsewhere, and the
same markup works on the page and in the PDF.

Readable without colour: every bar has its category written above it and its value written at
its end; this period's bars are solid and the previous period's are white with black hatching,
both outlined, with a legend saying which is which. Screen readers get ``role="img"`` and a
label saying where the numbers are: the table beside each chart holds the same figures.

Only presentation attributes are used (no ``style`` attributes or elements), so the markup is
fine under a strict Content Security Policy.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .tables import DAYS, HOURS, MILES, Suppressed, Table, display, is_number

WIDTH = 480
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 12
LEGEND_LINE = 22
# Room kept to the right of the longest bar for its value.
VALUE_ROOM = 110
FONT = "'Source Sans 3', system-ui, -apple-system, 'Segoe UI', Arial, sans-serif"
INK = "#0b0c0c"
SOLID = "#1d4f91"
SUFFIX = {DAYS: " days", HOURS: " h", MILES: " mi"}


def _value_text(value, unit: str) -> str:
    if isinstance(value, Suppressed):
        return value.text
    if value is None:
        return "no figure"
    return display(value, unit) + SUFFIX.get(unit, "")


def _bar(x: float, y: float, width: float, *, fill: str):
    if width <= 0:
        return ""
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" stroke-width="1"/>',
        f"{x:.1f}",
        f"{y:.1f}",
        f"{max(width, 1.5):.1f}",
        BAR_HEIGHT,
        fill,
        INK,
    )


def _text(x: float, y: float, text: str, *, weight: str = "400"):
    return format_html(
        '<text x="{}" y="{}" font-size="13" font-weight="{}" fill="{}">{}</text>',
        f"{x:.1f}",
        f"{y:.1f}",
        weight,
        INK,
        text,
    )


def bar_chart(table: Table) -> SafeString:
    """A horizontal bar chart of ``table``: one bar per row (two, this period and the previous
    one, for a comparison table)."""
    uid = f"chart-{table.key.replace('_', '-')}"
    hatch = f"url(#{uid}-hatch)"
    if table.compare:
        series = [("current", SOLID), ("previous", hatch)]
    else:
        series = [("current", hatch if table.is_previous_series else SOLID)]
    numbers = [
        float(getattr(row, name))
        for row in table.rows
        for name, _ in series
        if is_number(getattr(row, name))
    ]
    top = float(table.scale_max or 0) or max(numbers, default=0) or 1.0
    area = WIDTH - VALUE_ROOM

    parts = []
    y = 4.0
    if table.compare and table.period and table.previous:
        for label, fill in (
            (f"This period: {table.period.label}", SOLID),
            (f"Previous period: {table.previous.label}", hatch),
        ):
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="28" height="14" fill="{}" stroke="{}"/>',
                    f"{y:.1f}",
                    fill,
                    INK,
                )
            )
            parts.append(_text(36, y + 12, label))
            y += LEGEND_LINE
        y += 6
    for row in table.rows:
        parts.append(_text(0, y + 13, row.label, weight="600"))
        y += LABEL_HEIGHT
        unit = row.unit or table.unit
        for name, fill in series:
            value = getattr(row, name)
            width = area * float(value) / top if is_number(value) and value > 0 else 0
            parts.append(_bar(0, y, width, fill=fill))
            parts.append(_text(width + 6, y + BAR_HEIGHT - 3, _value_text(value, unit)))
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP - BAR_GAP
    height = int(y) + 2

    label = f"Bar chart: {table.title}. The same figures are in the table beside it."
    defs = format_html(
        '<defs><pattern id="{}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{}" stroke-width="2.5"/></pattern></defs>',
        uid,
        INK,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart img-fluid" id="{}" '
        'width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'font-family="{}"><title>{}</title>{}{}</svg>',
        uid,
        WIDTH,
        height,
        WIDTH,
        height,
        label,
        FONT,
        label,
        defs,
        mark_safe("".join(str(part) for part in parts)),  # noqa: S308 - each part escaped above
    )
