"""Every report as a spreadsheet: CSV (``report_csv``) and XLSX (``report_xlsx``), from the same
Report objects as the pages, so the three never disagree.

Both are made safe to open: a cell that begins with = + - @ (or a tab or carriage return) would
be run as a formula by Excel or LibreOffice (a referrer's name typed as ``=HYPERLINK(...)``,
say). In the CSV such text gets a leading apostrophe (``_cell``); in the XLSX every text cell is
written as a string cell (``data_type`` "s"), which a spreadsheet shows and never evaluates, and
gets the same apostrophe so that copying it out into another file stays harmless too.

The XLSX layout: a first sheet "About" with what the report is, the periods, when it was made
and the notes; then one sheet per table, each with a header row, the first row and column
frozen, numbers as numbers (rates as fractions with a % format, so =AVERAGE works), dates as
dates, and a suppressed figure as the text "fewer than 5" or "withheld".

The API other code calls (the exports app builds files off the request with it):
``report_csv(report) -> str`` and ``report_xlsx(report) -> bytes``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .tables import COUNT, DAYS, HOURS, MILES, PERCENT, Report, Suppressed, Table, plain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text for a spreadsheet cell, defused: a cell starting with = + - @ (or a tab or carriage
    return) would be run as a formula by Excel, so it gets a leading apostrophe."""
    text = str(value)
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


# --- CSV --------------------------------------------------------------------------------------


def _csv_value(value) -> str:
    if isinstance(value, str):
        return _cell(value)
    return _cell(plain(value))


def report_csv(report: Report) -> str:
    """The report as CSV: a few lines saying what it is, then every table, then the notes."""
    out = io.StringIO()
    writer = csv.writer(out)
    period, previous = report.period, report.previous
    writer.writerow(["Report", _cell(report.title)])
    writer.writerow(["Service", _cell(settings.SERVICE_NAME)])
    writer.writerow(["This period", period.start.isoformat(), period.end.isoformat()])
    writer.writerow(["Previous period", previous.start.isoformat(), previous.end.isoformat()])
    writer.writerow(["Produced", timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    writer.writerow([])
    writer.writerow(["Table", "Category", "This period", "Previous period", "Change"])
    lists = []
    for section in report.sections:
        for table in section.tables:
            if table.is_list:
                lists.append(table)
                continue
            previous_only = table.is_previous_series
            for row in table.rows:
                current = plain(row.current)
                name = table.title if table.compare else (table.caption or table.title)
                label = f"{row.label} (%)" if (row.unit or table.unit) == PERCENT else row.label
                cells = [_cell(name), _cell(label)]
                if previous_only:
                    cells += ["", current, ""]
                elif not table.compare:
                    cells += [current, "", ""]
                else:
                    cells += [current, plain(row.previous), plain(row.change)]
                writer.writerow(cells)
    for table in lists:
        writer.writerow([])
        writer.writerow(["Table", *(_cell(c) for c in table.columns)])
        for cells in table.cells:
            writer.writerow([_cell(table.caption or table.title), *(_csv_value(c) for c in cells)])
    writer.writerow([])
    for note in report.notes:
        writer.writerow(["Note", _cell(note)])
    return out.getvalue()


# --- XLSX -------------------------------------------------------------------------------------

NUMBER_FORMATS = {
    COUNT: "#,##0",
    DAYS: "#,##0.0",
    HOURS: "#,##0.0",
    MILES: "#,##0.0",
    PERCENT: "0.0%",
}
DATE_FORMAT = "dd/mm/yyyy"
BOLD = Font(bold=True)
WIDEST = 60


def _put(sheet, row: int, column: int, value, unit: str | None = None):
    """Write one cell, typed: numbers as numbers (a percentage as a fraction, formatted %),
    dates as dates, None as empty, anything else — including a suppressed figure — as text
    that is never a formula."""
    cell = sheet.cell(row=row, column=column)
    if value is None:
        return cell
    if isinstance(value, bool):
        value = "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None)
        cell.number_format = "dd/mm/yyyy hh:mm"
    elif isinstance(value, datetime.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, int | float | Decimal) and not isinstance(value, Suppressed):
        number = float(value) if isinstance(value, Decimal) else value
        if unit == PERCENT:
            cell.value = round(number / 100, 6)
        else:
            cell.value = number
        cell.number_format = NUMBER_FORMATS.get(unit or COUNT, "General")
    else:
        # Defused first (so it cannot start with "="), then marked a string cell: shown as
        # written, never evaluated.
        cell.value = _cell(value)
        cell.data_type = TYPE_STRING
    return cell


def _sheet_title(title: str, used: set) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique in the book."""
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Table"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(name.lower())
    return name


def _widths(sheet, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(WIDEST, max(10, width + 2))


def _measure(value, unit=None) -> int:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return 10
    if isinstance(value, datetime.date):
        return 11
    return len(str(value)) if value is not None else 0


def _about_sheet(sheet, report: Report) -> None:
    period, previous = report.period, report.previous
    sheet.title = "About"
    lines = [
        ("Report", report.title),
        ("Service", settings.SERVICE_NAME),
        ("This period from", period.start),
        ("This period to", period.end),
        ("Previous period from", previous.start),
        ("Previous period to", previous.end),
        ("Produced", timezone.localtime()),
    ]
    for i, (label, value) in enumerate(lines, 1):
        _put(sheet, i, 1, label).font = BOLD
        _put(sheet, i, 2, value)
    row = len(lines) + 2
    _put(sheet, row, 1, "Notes").font = BOLD
    for note in report.notes:
        row += 1
        cell = _put(sheet, row, 2, note)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100


def _header(sheet, headings: list[str]) -> None:
    for column, heading in enumerate(headings, 1):
        _put(sheet, 1, column, heading).font = BOLD
    sheet.freeze_panes = "B2"


def _table_sheet(sheet, table: Table) -> None:
    if table.is_list:
        units = table.column_units or [None] * len(table.columns)
        _header(sheet, table.columns)
        widths = {i: len(str(c)) for i, c in enumerate(table.columns, 1)}
        for r, cells in enumerate(table.cells, 2):
            for c, (value, unit) in enumerate(zip(cells, units, strict=True), 1):
                _put(sheet, r, c, value, unit)
                widths[c] = max(widths[c], _measure(value))
        _widths(sheet, widths)
        return
    if table.compare:
        headings = [table.category_label, "This period", "Previous period", "Change"]
    else:
        headings = [table.category_label, table.value_label or "Number"]
    _header(sheet, headings)
    widths = {i: len(h) for i, h in enumerate(headings, 1)}
    for r, row in enumerate(table.rows, 2):
        unit = row.unit or table.unit
        _put(sheet, r, 1, row.label)
        widths[1] = max(widths[1], len(row.label))
        _put(sheet, r, 2, row.current, unit)
        if table.compare:
            _put(sheet, r, 3, row.previous, unit)
            # A change of a rate is in points, not a percentage of a percentage.
            change = row.change
            if change is not None and unit == PERCENT:
                _put(sheet, r, 4, change, None).number_format = '+0.0" points";-0.0" points";0'
            else:
                _put(sheet, r, 4, change, unit)
    _widths(sheet, widths)


def report_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook (see the module docstring)."""
    book = Workbook()
    _about_sheet(book.active, report)
    used = {"about"}
    for section in report.sections:
        for table in section.tables:
            sheet = book.create_sheet(_sheet_title(table.title, used))
            _table_sheet(sheet, table)
            caption = table.caption or table.title
            # The caption says which period the figures are of; kept with the sheet.
            sheet.oddHeader.center.text = caption.replace("&", "&&")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
