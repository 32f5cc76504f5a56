"""Server-side SVG bar charts: readable without colour, labelled for screen readers, safe."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.charts import VALUE_ROOM, WIDTH, bar_chart
from reports.periods import Period
from reports.tables import DAYS, FEWER_THAN_5, Row, Table

SVG = "{http://www.w3.org/2000/svg}"
Q4 = Period(datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))


def chart(table):
    markup = str(bar_chart(table))
    return markup, ET.fromstring(markup)  # noqa: S314 - our own markup: well-formed XML


def texts(root):
    return [t.text for t in root.iter(f"{SVG}text")]


def compare_table(rows, **fields):
    return Table(
        "by_source", "Referrals by source", rows, period=Q4, previous=Q4.previous, **fields
    )


def test_it_labels_every_bar_with_its_category_and_value():
    markup, root = chart(compare_table([Row("Self-referral", 1, 2), Row("Police", 3, 0)]))

    assert texts(root) == [
        "This period: 1 Oct 2025 to 31 Dec 2025",
        "Previous period: 1 Jul 2025 to 30 Sep 2025",
        "Self-referral",
        "1",
        "2",
        "Police",
        "3",
        "0",
    ]
    assert root.get("role") == "img"
    assert root.get("aria-label") == (
        "Bar chart: Referrals by source. The same figures are in the table beside it."
    )
    assert root.find(f"{SVG}title").text == root.get("aria-label")
    assert "style" not in markup


def test_it_tells_the_periods_apart_by_pattern_not_colour():
    _, root = chart(compare_table([Row("Police", 3, 3)]))

    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern.get("id") == "chart-by-source-hatch"
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    assert [bar.get("fill") for bar in bars] == ["#1d4f91", "url(#chart-by-source-hatch)"]
    assert all(bar.get("stroke") == "#0b0c0c" for bar in bars)  # outlined, on white too


def test_it_scales_the_bars_to_the_largest_value():
    _, root = chart(compare_table([Row("Self-referral", 2, 4), Row("Police", 1, 0)]))

    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]
    area = WIDTH - VALUE_ROOM
    assert widths == [area / 2, area, area / 4]  # no bar for a zero


def test_it_writes_suppressed_and_missing_figures_as_words():
    table = compare_table([Row("Man", FEWER_THAN_5, None)], unit=DAYS)

    _, root = chart(table)

    assert texts(root)[-2:] == ["fewer than 5", "no figure"]
    assert not [r for r in root.iter(f"{SVG}rect") if r.get("height") == "16"]


def test_it_draws_one_period_with_units():
    table = Table(
        "hours_by_month_previous",
        "Previous period",
        [Row("Jul 2025", Decimal("2.0")), Row("Aug 2025", Decimal("0"))],
        compare=False,
        unit="hours",
        period=Q4.previous,
        previous=Q4.previous,
    )

    _, root = chart(table)

    assert texts(root) == ["Jul 2025", "2.0 h", "Aug 2025", "0.0 h"]
    bar = next(r for r in root.iter(f"{SVG}rect") if r.get("height") == "16")
    assert bar.get("fill") == "url(#chart-hours-by-month-previous-hatch)"  # the previous period


def test_it_escapes_labels():
    markup, root = chart(compare_table([Row('<script>alert("x")</script>', 1, 1)]))

    assert "<script>" not in markup
    assert '<script>alert("x")</script>' in texts(root)
