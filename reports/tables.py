"""What a report is made of: sections of tables whose rows hold this period's figure and the
previous period's. The same objects feed the page (charts and tables), the CSV and the PDF, so
the three can never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .periods import Period

# Units: how a figure is shown and how its change is described.
COUNT = "count"
DAYS = "days"
PERCENT = "percent"
HOURS = "hours"
MILES = "miles"


@dataclass(frozen=True)
class Suppressed:
    """A figure not shown (small-number suppression): only its text is ever output."""

    text: str

    def __str__(self) -> str:
        return self.text


FEWER_THAN_5 = Suppressed("fewer than 5")
WITHHELD = Suppressed("withheld")


def is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def display(value, unit: str = COUNT) -> str:
    """A figure as people read it: 1,234 · 4.5 · 66.7% · — for no figure."""
    if value is None:
        return "—"
    if isinstance(value, Suppressed):
        return value.text
    if unit == PERCENT:
        return f"{value:.1f}%"
    if unit == DAYS:
        return f"{value:,.1f}".removesuffix(".0")
    if isinstance(value, Decimal | float):
        return f"{value:,.1f}"
    return f"{value:,}"


def plain(value) -> str:
    """A figure for a CSV cell: no thousands separators; a suppressed one as its text."""
    if value is None:
        return ""
    if isinstance(value, Suppressed):
        return value.text
    if isinstance(value, float):
        return f"{value:.1f}".removesuffix(".0")
    return str(value)


def display_change(change, unit: str = COUNT) -> str:
    """+3 · −2 · no change · +5.0 points (for a rate) · — when either figure is missing."""
    if change is None:
        return "—"
    if change == 0:
        return "no change"
    sign = "+" if change > 0 else "−"
    if unit == PERCENT:
        return f"{sign}{abs(change):.1f} points"
    return f"{sign}{display(abs(change), unit)}"


@dataclass
class Row:
    label: str
    current: object = None
    previous: object = None
    # For a snapshot or one period's series the only figure is ``current``. A row may have a
    # unit of its own (a headline table mixes counts, days and rates).
    unit: str | None = None

    @property
    def change(self):
        if is_number(self.current) and is_number(self.previous):
            if isinstance(self.current, float) or isinstance(self.previous, float):
                return round(float(self.current) - float(self.previous), 1)
            return self.current - self.previous
        return None


@dataclass
class Table:
    """One table (and, when ``chart``, one bar chart of the same numbers).

    ``compare``: columns this period / previous period / change; otherwise one column of
    figures (a month series of one period, or a snapshot as of today). ``columns`` and
    ``cells`` instead make a plain list table (no chart)."""

    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    unit: str = COUNT
    compare: bool = True
    chart: bool = True
    value_label: str = ""
    category_label: str = ""
    caption: str = ""
    # A figure as of today rather than of a period (e.g. volunteers by status).
    snapshot: bool = False
    columns: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    # A list table may hold figures (ints, rates, Suppressed) instead of text: the unit of each
    # column (None for text), so that the page formats them and a spreadsheet types them.
    column_units: list[str | None] = field(default_factory=list)
    scale_max: float | None = None
    # Set by the report: the periods the columns refer to.
    period: Period | None = None
    previous: Period | None = None

    def __post_init__(self):
        if not self.category_label:
            self.category_label = "Category" if self.chart else "Figure"

    @property
    def is_list(self) -> bool:
        return bool(self.columns)

    @property
    def is_previous_series(self) -> bool:
        """One period's series, and that period is the previous one."""
        return not self.compare and self.period is not None and self.period == self.previous

    @property
    def display_cells(self) -> list[list[str]]:
        """The list table's cells as text (figures formatted as elsewhere on the page)."""
        if not self.column_units:
            return self.cells
        return [
            [
                cell if unit is None else display(cell, unit)
                for cell, unit in zip(cells, self.column_units, strict=True)
            ]
            for cells in self.cells
        ]

    @property
    def display_rows(self) -> list[dict]:
        rows = []
        for row in self.rows:
            unit = row.unit or self.unit
            rows.append(
                {
                    "label": row.label,
                    "current": display(row.current, unit),
                    "previous": display(row.previous, unit),
                    "change": display_change(row.change, unit),
                }
            )
        return rows


@dataclass
class Section:
    title: str
    tables: list[Table]
    intro: str = ""

    @property
    def key(self) -> str:
        return self.tables[0].key if self.tables else ""


@dataclass
class Report:
    key: str
    title: str
    period: Period
    sections: list[Section]
    notes: list[str] = field(default_factory=list)

    @property
    def previous(self) -> Period:
        return self.period.previous

    def __post_init__(self):
        for section in self.sections:
            for table in section.tables:
                if not table.snapshot:
                    table.period = table.period or self.period
                table.previous = self.period.previous

    def table(self, key: str) -> Table:
        return next(t for s in self.sections for t in s.tables if t.key == key)

    def figures(self, key: str) -> dict[str, tuple]:
        """{label: (current, previous)} of one table, for tests and headline figures."""
        return {row.label: (row.current, row.previous) for row in self.table(key).rows}
