"""Reading sheets: the header check, blank rows, encodings, limits and hostile files."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from imports import reading
from imports.volunteers_sheet import VolunteersSheet
from tests.imports.sheets import COLUMNS, as_csv, as_xlsx, volunteer_row

SHEET = VolunteersSheet()


def problems(read_sheet):
    return {(p.row, p.column): p.message for p in read_sheet.problems}


@pytest.mark.parametrize("writer", [as_csv, as_xlsx], ids=["csv", "xlsx"])
def test_header_problems_are_on_row_1_naming_the_column(writer):
    columns = [c for c in COLUMNS if c != "last_name"] + ["favourite_colour", "email"]
    read = reading.read(writer([volunteer_row(1)], columns=columns), writer.__name__[3:], SHEET)

    assert problems(read) == {
        (1, "favourite_colour"): "“favourite_colour” is not a column of the volunteers sheet.",
        (1, "email"): "The column “email” is there twice.",
        (1, "last_name"): "The column “last_name” is missing: it is needed.",
    }
    assert not read.header_ok


def test_headers_are_read_as_people_write_them():
    content = b"Volunteer ID,First Name,last-name\nV-1,Sam,Patel\n"
    read = reading.read(content, "csv", SHEET)
    assert read.problems == []
    assert read.rows[0].values == {"volunteer_id": "V-1", "first_name": "Sam", "last_name": "Patel"}


def test_blank_rows_are_skipped_and_numbers_kept():
    content = (
        b"\xef\xbb\xbfvolunteer_id,first_name,last_name\r\n"
        b"V-1,Sam,Patel\r\n,,\r\n\r\nV-2,Ann,Lee\r\n"
    )
    read = reading.read(content, "csv", SHEET)
    assert [row.number for row in read.rows] == [2, 5]
    assert read.encoding == "utf-8"


def test_semicolons_are_a_separator_too():
    read = reading.read(b"volunteer_id;first_name;last_name\nV-1;Sam;Patel\n", "csv", SHEET)
    assert read.rows[0].get("last_name") == "Patel"


def test_a_defused_cell_is_read_as_it_was_written():
    read = reading.read(
        b"volunteer_id,first_name,last_name,phone\nV-1,'=Sam,'Patel,'+441732123456\n", "csv", SHEET
    )
    assert read.rows[0].values["first_name"] == "=Sam"
    assert read.rows[0].values["last_name"] == "'Patel"  # not defused: kept
    assert read.rows[0].values["phone"] == "+441732123456"


def test_too_many_rows_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 5
    for fmt, writer in (("csv", as_csv), ("xlsx", as_xlsx)):
        with pytest.raises(reading.Unreadable, match="more than 5 rows"):
            reading.read(writer([volunteer_row(i) for i in range(6)]), fmt, SHEET)
        assert len(reading.read(writer([volunteer_row(i) for i in range(5)]), fmt, SHEET).rows) == 5


def test_a_huge_file_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 10_000
    with pytest.raises(reading.Unreadable, match="larger than 0.01 MB"):
        reading.read(as_csv([volunteer_row(i) for i in range(200)]), "csv", SHEET)


def test_a_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 50_000_000)
    with pytest.raises(reading.Unreadable, match="unpacks to far more"):
        reading.read(out.getvalue(), "xlsx", SHEET)


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04 not really a zip", None],
    ids=["broken-zip", "zip-without-workbook"],
)
def test_a_zip_that_is_no_workbook_is_refused(content):
    if content is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "hello")
        content = out.getvalue()
    with pytest.raises(reading.Unreadable):
        reading.read(content, "xlsx", SHEET)


def test_the_sheet_named_after_the_kind_is_read_whatever_its_place():
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing", "here"])
    rows = book.create_sheet("Volunteers")
    rows.append(["volunteer_id", "first_name", "last_name"])
    rows.append(["V-1", "Sam", "Patel"])
    out = io.BytesIO()
    book.save(out)
    read = reading.read(out.getvalue(), "xlsx", SHEET)
    assert read.rows[0].get("first_name") == "Sam"


def test_a_text_that_is_neither_utf8_nor_windows_1252_is_refused():
    with pytest.raises(reading.Unreadable, match="not text in a known encoding"):
        reading.read(b"volunteer_id,first_name\nV-1,\x81\x8d\x8f\x90\x9d\n", "csv", SHEET)


def test_blank_lines_do_not_count_toward_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 5
    book = Workbook()
    book.active.append(COLUMNS)
    for n in range(5):
        book.active.append([volunteer_row(n).get(name) for name in COLUMNS])
    book.active.cell(row=5000, column=1).number_format = "@"  # formatted, empty
    book.active.cell(row=5001, column=2, value=" ")
    out = io.BytesIO()
    book.save(out)
    read = reading.read(out.getvalue(), "xlsx", SHEET)
    assert [row.number for row in read.rows] == [2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer\n%%EOF\n", "This is a PDF"),
        (b"\x89PNG\r\n\x1a\n rest", "This is a PNG image"),
        (b"\xff\xd8\xff\xe0 rest", "This is a JPEG image"),
        (b"volunteer_id\nV-1\x00\n", "This is not a spreadsheet"),
        (b"volunteer_id\n" + b"V-1\n" * 2000 + b"\x00", "This is not a spreadsheet"),
        (None, "not an Excel workbook"),
    ],
    ids=["pdf", "png", "jpeg", "nul", "nul-after-4k", "docx"],
)
def test_a_file_that_is_no_sheet_is_refused_at_the_upload(content, message):
    if content is None:  # a Word document: a ZIP without a workbook's parts
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        content = out.getvalue()
    with pytest.raises(reading.Unreadable, match=message):
        reading.sniff_format(content)
