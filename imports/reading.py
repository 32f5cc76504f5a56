"""Reading an uploaded CSV or XLSX into rows of text, and grouping them by the sheet's id.

What is refused outright (``Unreadable``, with words saying what to do): a file that is neither
(an old .xls, a PDF, an image, a zip that is no workbook), one over ``IMPORT_MAX_BYTES``, one
with more than ``IMPORT_MAX_ROWS`` rows, an XLSX that would unpack to far more than its size (a
zip bomb). Everything else is read, and what is wrong with the header becomes problems on row 1
naming the column: an unknown column (a typing mistake would otherwise lose a whole column
silently), a column twice, a required column missing.

CSV: UTF-8, with or without the byte-order mark Excel writes with "CSV UTF-8". A file that is
not UTF-8 is read as Windows-1252, which is what Excel on a UK Windows machine saves as plain
"CSV": text with £, é or ’ is never valid UTF-8 in that encoding, so the guess cannot mistake
one for the other, and the preview says the file was read that way. Commas, semicolons and tabs
are each accepted as the separator (whichever the header uses).

XLSX: read streaming (openpyxl read-only), the sheet named as the kind of sheet (or the first
that is not "About"); a date cell as 2026-11-23, a whole number without ".0", yes/no cells as
yes/no. A cell the importer gave back defused (``'=...``, so no spreadsheet would run it) is
read as written before it was defused.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from reports.spreadsheets import FORMULA_STARTS  # _undefuse undoes exactly what they defuse

from .sheets import Problem, Row, Sheet

# Added by the importer to the rows it gives back; ignored when such a sheet comes in again.
PROBLEMS_COLUMN = "problems"
# An XLSX unpacking to more than this many times its size is not a spreadsheet someone typed.
MAX_UNPACK_RATIO = 100
MAX_COLUMNS = 200


class Unreadable(Exception):
    """The file cannot be read as a sheet at all; the message says why, for the uploader."""


@dataclass
class ReadSheet:
    columns: list[str]  # the header, normalised, in the uploaded order
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""  # CSV only: "utf-8" or "windows-1252"

    @property
    def header_ok(self) -> bool:
        return not any(p.row == 1 for p in self.problems)


# What a file that is no sheet begins with, and what it is called to the uploader.
NOT_SHEETS = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a Word (RTF) document"),
)
NOT_A_SHEET = "This is not a spreadsheet: upload a CSV or an Excel workbook (.xlsx)."


def sniff_format(content: bytes) -> str:
    """ "csv" or "xlsx", by what the file is (its bytes), not by its name. Anything else is
    refused here, at the upload, rather than read as a CSV of garbage: a CSV is text, so a NUL
    byte anywhere (every binary format has them) or a known binary start refuses it."""
    if content.startswith(b"PK\x03\x04"):
        if not _is_workbook(content):
            raise Unreadable(
                "This is a ZIP file or a document, not an Excel workbook: upload a CSV or an "
                "Excel workbook (.xlsx)."
            )
        return "xlsx"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise Unreadable(
            "This is an old Excel file (.xls). Open it in Excel or LibreOffice and save it as "
            "an Excel workbook (.xlsx) or as CSV, then upload that."
        )
    if not content.strip():
        raise Unreadable("The file is empty.")
    for start, what in NOT_SHEETS:
        if content.startswith(start):
            raise Unreadable(
                f"This is {what}, not a spreadsheet: upload a CSV or an Excel workbook (.xlsx)."
            )
    if b"\x00" in content:
        raise Unreadable(NOT_A_SHEET)
    return "csv"


def _is_workbook(content: bytes) -> bool:
    """A ZIP holding an Excel workbook's parts (a .docx or any archive is refused up front; a
    damaged workbook is the reader's to refuse, with its own words)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return True
    return "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names)


def normalise_header(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _undefuse(text: str) -> str:
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def _decode(content: bytes) -> tuple[str, str]:
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise Unreadable(
            "This file is not text in a known encoding. Save it from Excel as “CSV UTF-8”, or "
            "upload the workbook (.xlsx) itself."
        ) from None


class _Lines:
    """The sheet's lines that hold anything, each with its number in the sheet (the header is
    1): a sheet formatted down to row 1,048,576 holds no more rows than it shows, and blank
    lines do not count toward IMPORT_MAX_ROWS."""

    def __init__(self):
        self.numbered: list[tuple[int, list[str]]] = []

    def add(self, number: int, cells: list[str]) -> None:
        if number == 1 or any(cell.strip() for cell in cells):
            self.numbered.append((number, cells))
            if len(self.numbered) > settings.IMPORT_MAX_ROWS + 1:
                raise _too_many_rows()


def _csv_lines(content: bytes) -> tuple[_Lines, str]:
    text, encoding = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    lines = _Lines()
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        for number, cells in enumerate(reader, 1):
            lines.add(number, cells)
    except csv.Error as error:
        raise Unreadable(f"This CSV file cannot be read: {error}.") from None
    return lines, encoding


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_lines(content: bytes, sheet: Sheet) -> _Lines:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise Unreadable("This file is damaged or is not an Excel workbook (.xlsx).") from None
    if unpacked > MAX_UNPACK_RATIO * max(len(content), 10_000):
        raise Unreadable("This workbook unpacks to far more than a spreadsheet holds: refused.")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise Unreadable(
            "This file is not an Excel workbook (.xlsx) that can be read. Save it again from "
            "Excel or LibreOffice as .xlsx, or as CSV."
        ) from None
    try:
        names = book.sheetnames
        wanted = next((n for n in names if n.strip().lower() == sheet.label.lower()), None)
        wanted = wanted or next((n for n in names if n.strip().lower() != "about"), None)
        if wanted is None:
            raise Unreadable("This workbook has no sheet of rows to import.")
        lines = _Lines()
        rows = book[wanted].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        for number, values in enumerate(rows, 1):
            lines.add(number, [_xlsx_text(value) for value in values])
    except Unreadable:
        raise
    except Exception:
        raise Unreadable("This workbook is damaged and cannot be read to the end.") from None
    finally:
        book.close()
    return lines


def _too_many_rows() -> Unreadable:
    return Unreadable(
        f"The sheet has more than {settings.IMPORT_MAX_ROWS:,} rows, the most imported at once. "
        "Split it into smaller sheets and import each."
    )


def read(content: bytes, fmt: str, sheet: Sheet) -> ReadSheet:
    """The sheet's rows (blank ones skipped) and its header problems."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise Unreadable(
            f"The file is larger than {settings.IMPORT_MAX_BYTES / 1_000_000:g} MB, the largest "
            "imported at once. Split it into smaller sheets and import each."
        )
    encoding = ""
    if fmt == "xlsx":
        lines = _xlsx_lines(content, sheet)
    else:
        lines, encoding = _csv_lines(content)
    numbered = lines.numbered
    if not numbered or not any(cell.strip() for cell in numbered[0][1]):
        raise Unreadable(
            "The first row must be the header: the columns' names, as in the template."
        )
    header = [normalise_header(cell) for cell in numbered[0][1][:MAX_COLUMNS]]
    while header and not header[-1]:
        header.pop()
    known = {column.name for column in sheet.columns}
    problems = []
    seen = set()
    for position, name in enumerate(header, 1):
        if not name:
            problems.append(Problem(1, f"column {position}", "This column has no name."))
        elif name in seen:
            problems.append(Problem(1, name, f"The column “{name}” is there twice."))
        elif name not in known and name != PROBLEMS_COLUMN:
            problems.append(
                Problem(1, name, f"“{name}” is not a column of the {sheet.label.lower()} sheet.")
            )
        seen.add(name)
    for column in sheet.columns:
        if column.required and column.name not in seen:
            problems.append(
                Problem(1, column.name, f"The column “{column.name}” is missing: it is needed.")
            )
    rows = []
    for number, cells in numbered[1:]:
        values = {
            name: _undefuse(cell.strip())
            for name, cell in zip(header, cells, strict=False)
            if name in known
        }
        if any(values.values()):
            rows.append(Row(number=number, values=values))
    return ReadSheet(columns=header, rows=rows, problems=problems, encoding=encoding)


def group(read_sheet: ReadSheet, sheet: Sheet) -> tuple[dict[str, list[Row]], list[Problem]]:
    """The rows by their id, in the order each id first appears; a row without an id is a
    problem (it cannot be matched on a second import, so it is never imported)."""
    groups: dict[str, list[Row]] = {}
    problems = []
    for row in read_sheet.rows:
        key = row.get(sheet.id_column)
        if not key:
            problems.append(
                Problem(
                    row.number,
                    sheet.id_column,
                    f"Every row needs a {sheet.id_column}: it is how a second import of the "
                    "same sheet knows the record is already here.",
                )
            )
            continue
        groups.setdefault(key, []).append(row)
    return groups, problems
