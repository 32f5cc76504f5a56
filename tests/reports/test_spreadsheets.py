"""Every report as XLSX (read back with openpyxl: types, dates, percentages, the header row,
frozen panes, text that looks like a formula stays text) and CSV (formulas defused)."""

import csv
import datetime
import io

import openpyxl
import pytest

from audit.models import AuditEvent
from reports import evidence
from reports.spreadsheets import report_csv, report_xlsx
from reports.views import REPORT_PAGES
from tests.reports.conftest import Q4, Q4_QUERY
from tests.reports.evidence_data import HOSTILE

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.mark.parametrize("page", [name for name, _, _ in REPORT_PAGES])
def test_every_report_downloads_as_xlsx_and_is_audited(dataset, login, coordinator, page):
    response = login(coordinator).get(f"/reports/{page}/", {**Q4_QUERY, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        f'attachment; filename="wkm-{page}-2025-10-01-to-2025-12-31.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    book = workbook(response.content)
    assert book.sheetnames[0] == "About"
    assert len(book.sheetnames) > 1
    for sheet in book.worksheets[1:]:
        assert sheet.freeze_panes == "B2"
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.detail == {
        "report": page,
        "format": "xlsx",
        "start": "2025-10-01",
        "end": "2025-12-31",
    }


def test_the_about_sheet_has_real_dates_and_the_notes(survey_data):  # noqa: F811
    book = workbook(report_xlsx(evidence.satisfaction_report(Q4)))

    about = book["About"]
    assert about["A1"].value == "Report" and about["B1"].value == "Satisfaction"
    assert about["A3"].value == "This period from"
    # date cells, which openpyxl reads back as datetimes
    assert about["B3"].is_date and isinstance(about["B3"].value, datetime.datetime)
    assert about["B3"].value.date() == datetime.date(2025, 10, 1)
    assert about["B4"].value.date() == datetime.date(2025, 12, 31)
    assert about["B6"].value.date() == datetime.date(2025, 9, 30)
    assert isinstance(about["B7"].value, datetime.datetime)  # when it was produced
    notes = [row[1].value for row in about.iter_rows(min_row=9) if row[1].value]
    assert notes == evidence.satisfaction_report(Q4).notes


def test_cells_are_typed_and_suppressed_ones_are_text(survey_data):  # noqa: F811
    book = workbook(report_xlsx(evidence.satisfaction_report(Q4)))

    response = book["Feedback survey response"]
    assert [c.value for c in response[1]] == [
        "Figure",
        "This period",
        "Previous period",
        "Change",
    ]
    assert [c.value for c in response["A"]][1:] == [
        "Parties invited",
        "Surveys answered",
        "Response rate",
    ]
    assert response["B2"].value == 21 and response["B2"].data_type == "n"
    assert response["B2"].number_format == "#,##0"
    assert response["C2"].value == "fewer than 5" and response["C2"].data_type == "s"
    rate = response["B4"]
    assert rate.data_type == "n"
    assert rate.value == pytest.approx(16 / 21, abs=1e-6)  # a fraction, shown as a percentage
    assert rate.number_format == "0.0%"
    districts = book["Feedback by postcode district"]
    header = [c.value for c in districts[1]]
    assert header[:4] == [
        "Postcode district",
        "Parties invited",
        "Surveys answered",
        "Response rate",
    ]
    me14 = list(districts[2])
    assert [c.value for c in me14[:3]] == ["ME14", "withheld", 8]
    assert (me14[1].data_type, me14[2].data_type) == ("s", "n")
    tn10 = [c.value for c in districts[4]]
    assert tn10[:3] == ["TN10", "withheld", "withheld"]
    authorities = book["Feedback by local authority"]
    tonbridge = list(authorities[3])
    assert tonbridge[0].value == "Tonbridge & Malling"
    assert (tonbridge[1].value, tonbridge[2].value) == (10, 8)
    assert tonbridge[3].value == pytest.approx(0.8) and tonbridge[3].number_format == "0.0%"


def test_text_that_looks_like_a_formula_stays_text(survey_data):  # noqa: F811
    book = workbook(report_xlsx(evidence.satisfaction_report(Q4)))

    sheet = next(s for s in book.worksheets if s.title.startswith("Feedback by referring"))
    cell = sheet["A2"]
    assert cell.value == f"'{HOSTILE}"
    assert cell.data_type == "s"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_the_csv_defuses_formulas_and_keeps_numbers_plain(survey_data):  # noqa: F811
    rows = list(csv.reader(io.StringIO(report_csv(evidence.satisfaction_report(Q4)))))

    hostile = [row for row in rows if len(row) > 1 and HOSTILE in row[1]]
    assert hostile
    assert all(row[1] == f"'{HOSTILE}" for row in hostile)
    assert [*next(r for r in rows if r[1:2] == ["Tonbridge & Malling"])[:5]] == [
        "Feedback by local authority, 1 Oct 2025 to 31 Dec 2025",
        "Tonbridge & Malling",
        "10",
        "8",
        "80",
    ]
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")) or value == "-1"


def test_the_sheet_names_are_unique_and_short_enough(dataset):
    from reports import builders

    book = workbook(report_xlsx(builders.referrals_report(Q4)))

    assert all(len(name) <= 31 for name in book.sheetnames)
    assert len(set(book.sheetnames)) == len(book.sheetnames)
    months = book[book.sheetnames[2]]
    assert months["A2"].value == "Oct 2025"
    assert months["B2"].value == 3 and months["B2"].data_type == "n"
