"""The spreadsheets the importer writes: each sheet's template, and the rows given back.

Both are made safe to open as the reports' spreadsheets are (reports.spreadsheets): a cell
beginning with = + - @ gets a leading apostrophe, and XLSX text cells are string cells, so a
"name" typed as ``=HYPERLINK(...)`` into an old system comes back as text, never as a formula.
The importer reads such a cell back without the apostrophe (imports.reading), so a sheet given
back, corrected and uploaded again, goes in as it was first written.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reports.spreadsheets import _cell, _put

from .reading import PROBLEMS_COLUMN
from .sheets import Problem, Row, Sheet

BOLD = Font(bold=True)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(header: list[str], lines: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_cell(name) for name in header])
    for cells in lines:
        writer.writerow([_cell(cell) for cell in cells])
    # With the byte-order mark: Excel then reads it as UTF-8, not as Windows-1252.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(sheet: Sheet, header: list[str], lines: list[list[str]], *, about: bool) -> bytes:
    book = Workbook()
    rows = book.active
    rows.title = sheet.label[:31]
    for column, name in enumerate(header, 1):
        _put(rows, 1, column, name).font = BOLD
        rows.column_dimensions[rows.cell(row=1, column=column).column_letter].width = max(
            12, min(40, len(name) + 4)
        )
    for number, cells in enumerate(lines, 2):
        for column, value in enumerate(cells, 1):
            if value:
                _put(rows, number, column, value)
    rows.freeze_panes = "A2"
    if about:
        _about(book.create_sheet("About"), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _about(about, sheet: Sheet) -> None:
    """What each column holds: the column's help, whether it is needed, an example."""
    lines = [
        (f"{sheet.label}: one row per record, the header in row 1 of the first sheet.", "", "", ""),
        ("Column", "Needed", "What it holds", "Example"),
    ]
    lines += [
        (column.name, "yes" if column.required else "", column.help, column.example)
        for column in sheet.columns
    ]
    for number, values in enumerate(lines, 1):
        for position, value in enumerate(values, 1):
            if value:
                cell = _put(about, number, position, value)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if number <= 2:
                    cell.font = BOLD
    for letter, width in (("A", 30), ("B", 8), ("C", 80), ("D", 30)):
        about.column_dimensions[letter].width = width


def template(sheet: Sheet, fmt: str) -> bytes:
    """An empty sheet of ``sheet``'s columns; the XLSX with its "About" sheet."""
    header = [column.name for column in sheet.columns]
    if fmt == "xlsx":
        return _xlsx(sheet, header, [], about=True)
    return _csv(header, [])


def rest(
    sheet: Sheet, fmt: str, columns: list[str], rows: list[Row], problems: list[Problem]
) -> bytes:
    """The rows not imported, with the columns as uploaded and a last column saying what is
    wrong with each (column: message; …), to correct and upload again."""
    header = [name for name in columns if name and name != PROBLEMS_COLUMN]
    by_row: dict[int, list[str]] = {}
    for problem in problems:
        where = f"{problem.column}: " if problem.column else ""
        by_row.setdefault(problem.row, []).append(f"{where}{problem.message}")
    lines = [
        [row.get(name) for name in header] + ["; ".join(by_row.get(row.number, []))] for row in rows
    ]
    header = [*header, PROBLEMS_COLUMN]
    if fmt == "xlsx":
        return _xlsx(sheet, header, lines, about=False)
    return _csv(header, lines)
