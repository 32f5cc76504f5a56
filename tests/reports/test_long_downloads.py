"""A report's CSV or XLSX for a period longer than 13 months is made by the worker: the page's
buttons post to exports:start, a GET of ?format= shows the button that asks (and makes
nothing), and the file the export gives is the one the direct download would give."""

import datetime
import io

import openpyxl
import pytest
import time_machine

from audit.models import AuditEvent
from exports.models import Export
from reports import downloads
from reports.periods import Period
from reports.spreadsheets import report_xlsx
from reports.views import REPORT_PAGES
from tests.exports.conftest import build_queued
from tests.reports.conftest import Q4_QUERY

pytestmark = pytest.mark.django_db

# Two years ending with the fixed data set's Q4 2025: longer than 13 months.
LONG = Period(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
LONG_QUERY = {"start": "2024-01-01", "end": "2025-12-31"}
PAGES = [name for name, _, _ in REPORT_PAGES]
NOW = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)


def d(year, month, day):
    return datetime.date(year, month, day)


@pytest.mark.parametrize(
    ("start", "end", "long"),
    [
        (d(2025, 10, 1), d(2025, 12, 31), False),  # a quarter
        (d(2025, 4, 1), d(2026, 3, 31), False),  # a financial year
        (d(2025, 1, 1), d(2026, 1, 31), False),  # 13 months, the most made in the request
        (d(2025, 1, 1), d(2026, 2, 1), True),  # a day more
        (d(2025, 1, 15), d(2026, 2, 14), False),
        (d(2025, 1, 15), d(2026, 2, 15), True),
        (d(2016, 1, 1), d(2025, 12, 31), True),  # ten years: ~450 ms measured
    ],
)
def test_a_period_is_long_beyond_13_months(start, end, long):
    assert downloads.is_long(Period(start, end)) is long


def test_a_year_still_downloads_at_once(dataset, login, coordinator):
    year = {"start": "2025-01-01", "end": "2025-12-31", "format": "csv"}
    response = login(coordinator).get("/reports/timeliness/", year)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert not Export.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("page", PAGES)
def test_a_get_of_a_long_period_shows_the_button_and_makes_nothing(
    dataset, login, coordinator, page, fmt
):
    response = login(coordinator).get(f"/reports/{page}/", {**LONG_QUERY, "format": fmt})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'action="/exports/new/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'name="kind" value="report_{fmt}"' in html
    assert f'name="report" value="{page}"' in html
    assert 'name="start" value="2024-01-01"' in html
    assert 'name="end" value="2025-12-31"' in html
    assert "1 January 2024 to 31 December 2025" in html
    assert f"Prepare the {fmt.upper()} file" in html
    assert not Export.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_long_period_page_asks_the_worker_with_a_post(dataset, login, coordinator):
    html = login(coordinator).get("/reports/timeliness/", LONG_QUERY).content.decode()

    assert '<form method="post" action="/exports/new/"' in html
    assert 'name="kind" value="report_xlsx"' in html
    assert 'name="kind" value="report_csv"' in html
    assert 'name="report" value="timeliness"' in html
    assert "format=csv" not in html and "format=xlsx" not in html
    assert (
        "Downloads of periods longer than 13 months are prepared in the background and "
        'appear under <a href="/exports/">Your exports</a>.'
    ) in html


def test_a_short_period_page_keeps_its_links(dataset, login, coordinator):
    html = login(coordinator).get("/reports/timeliness/", Q4_QUERY).content.decode()

    assert "start=2025-10-01&amp;end=2025-12-31&amp;format=csv" in html
    assert "report_csv" not in html
    assert "prepared in the background and appear" not in html


def test_the_index_asks_for_each_reports_csv_with_a_post_for_a_long_period(
    dataset, login, coordinator
):
    client = login(coordinator)
    html = client.get("/reports/", LONG_QUERY).content.decode()

    assert "format=csv" not in html
    assert '<form id="report-csv-form" method="post" action="/exports/new/">' in html
    for page in PAGES:
        assert f'form="report-csv-form" name="report" value="{page}"' in html
    assert "format=csv" in client.get("/reports/", Q4_QUERY).content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("page", PAGES)
def test_the_exports_file_is_the_direct_downloads_file(dataset, login, coordinator, page):
    """Asked for with the page's POST, built by the worker: the same bytes as report_csv and
    the same workbook as report_xlsx of that report and period (for the requester)."""
    client = login(coordinator)
    report = downloads.REPORTS[page](LONG, user=coordinator)

    for fmt in ("csv", "xlsx"):
        response = client.post("/exports/new/", {"kind": f"report_{fmt}", "report": page,
                                                 **LONG_QUERY})  # fmt: skip
        export = Export.objects.get(kind=f"report_{fmt}")
        assert response["Location"] == f"/exports/{export.pk}/"
        (built,) = build_queued()
        assert built.status == "ready", built.error
        assert built.file_name == f"wkm-{page}-2024-01-01-to-2025-12-31.{fmt}"
        download = client.get(f"/exports/{export.pk}/download/")
        content = b"".join(download.streaming_content) if download.streaming else download.content
        if fmt == "csv":
            assert download["Content-Type"] == "text/csv; charset=utf-8"
            assert content == downloads.csv_bytes(report)
        else:
            assert sheets(content) == sheets(report_xlsx(report))


def sheets(content: bytes) -> dict:
    """Every sheet's cells (value, number format), to compare two workbooks."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [[(c.value, c.number_format) for c in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


@time_machine.travel(NOW, tick=False)
def test_the_exports_csv_equals_the_direct_download_of_a_13_month_period(
    dataset, login, coordinator
):
    """Across the threshold the file does not change: the export of a long period is what the
    direct download gives, byte for byte (checked on the longest direct period too)."""
    client = login(coordinator)
    thirteen = {"start": "2024-12-01", "end": "2025-12-31"}
    direct = client.get("/reports/outcomes/", {**thirteen, "format": "csv"}).content
    report = downloads.REPORTS["outcomes"](Period(d(2024, 12, 1), d(2025, 12, 31)))

    assert direct == downloads.csv_bytes(report)


def test_asking_and_downloading_are_audited_as_a_direct_download(dataset, login, coordinator):
    client = login(coordinator)
    client.post("/exports/new/", {"kind": "report_xlsx", "report": "sessions", **LONG_QUERY})
    (export,) = build_queued()
    client.get(f"/exports/{export.pk}/download/")

    events = AuditEvent.objects.filter(object_type="exports.export").order_by("id")
    assert [e.action for e in events] == ["export", "download"]
    detail = {"report": "sessions", "format": "xlsx", **LONG_QUERY}
    assert [e.detail for e in events] == [{"export": "report_xlsx", **detail}] * 2
    assert export.description == "Sessions, 1 January 2024 to 31 December 2025"


@time_machine.travel(NOW, tick=False)
def test_the_per_referrer_report_keeps_its_organisation(survey_data, login, coordinator):  # noqa: F811
    moat = survey_data["moat"]
    client = login(coordinator)
    query = {**LONG_QUERY, "referrer": str(moat.pk)}

    page = client.get("/reports/referrer/", query).content.decode()
    asking = client.get("/reports/referrer/", {**query, "format": "csv"}).content.decode()
    for html in (page, asking):
        assert f'name="referrer" value="{moat.pk}"' in html
        assert 'name="report" value="referrer"' in html
    assert "Moat Homes, 1 January 2024 to 31 December 2025" in asking

    client.post("/exports/new/", {"kind": "report_csv", "report": "referrer", **query})
    (export,) = build_queued()
    assert export.parameters == {
        "report": "referrer", **LONG_QUERY, "referrer": moat.pk, "referrer_name": "Moat Homes"
    }  # fmt: skip
    assert export.description == "Referrers: Moat Homes, 1 January 2024 to 31 December 2025"
    expected = downloads.build_report("referrer", LONG, {"referrer": moat.pk}, coordinator)
    assert expected.title == "What happened to the referrals: Moat Homes"
    assert bytes(export.content) == downloads.csv_bytes(expected)
    event = AuditEvent.objects.get(object_type="exports.export", action="export")
    assert event.detail == {
        "export": "report_csv", "report": "referrer", "format": "csv", **LONG_QUERY,
        "referrer": moat.pk,
    }  # fmt: skip


def test_an_unknown_organisation_is_refused_in_words(dataset, login, coordinator):
    response = login(coordinator).post(
        "/exports/new/",
        {"kind": "report_csv", "report": "referrer", "referrer": "999999", **LONG_QUERY},
        follow=True,
    )

    assert not Export.objects.exists()
    assert "Choose one of the referring organisations." in response.content.decode()


def test_an_organisation_gone_before_the_build_fails_in_words(survey_data, login, coordinator):  # noqa: F811
    from referrers.models import Referrer

    gone = Referrer.objects.create(name="Gone Housing", kind="housing")
    client = login(coordinator)
    client.post("/exports/new/", {"kind": "report_csv", "report": "referrer",
                                  "referrer": str(gone.pk), **LONG_QUERY})  # fmt: skip
    gone.delete()
    (export,) = build_queued()

    assert export.status == "failed"
    assert export.error == "That referring organisation is no longer on the list."


def test_a_mediator_cannot_ask_for_a_report_file(dataset, login, mediator):
    client = login(mediator)

    for kind in ("report_csv", "report_xlsx"):
        response = client.post("/exports/new/", {"kind": kind, "report": "outcomes",
                                                  **LONG_QUERY})  # fmt: skip
        assert response.status_code == 403
    # Refused like the trustees' summary.
    assert client.post("/reports/summary.pdf", LONG_QUERY).status_code == 403
    assert client.get("/reports/outcomes/", {**LONG_QUERY, "format": "csv"}).status_code == 403
    assert not Export.objects.exists()


def test_a_report_file_needs_a_report_and_a_valid_period(dataset, login, coordinator):
    client = login(coordinator)
    wrong = client.post("/exports/new/", {"kind": "report_csv", "report": "outcomes",
                                          "start": "2025-12-31", "end": "2025-01-01"},
                        follow=True)  # fmt: skip
    nothing = client.post("/exports/new/", {"kind": "report_csv", **LONG_QUERY}, follow=True)

    assert "The end date must be on or after the start date." in wrong.content.decode()
    assert "Choose one of the reports." in nothing.content.decode()
    assert not Export.objects.exists()
