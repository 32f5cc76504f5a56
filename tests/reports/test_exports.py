"""CSV of each report, the trustees' summary PDF, and the case list export: contents, scoping,
headers and the audit trail. The summary and the case list are made by the worker as exports
(exports/): asked for with a POST, built here in-process, downloaded from the export's page."""

import csv
import io
import re

import pypdf
import pytest

from audit.models import AuditEvent
from tests.exports.conftest import build_queued
from tests.factories import CaseFactory, PartyFactory, UserFactory, assign
from tests.reports.conftest import Q4_QUERY

pytestmark = pytest.mark.django_db


def rows_of(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_it_downloads_the_referrals_report_as_csv(dataset, login, coordinator):
    response = login(coordinator).get("/reports/referrals/", {**Q4_QUERY, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="wkm-referrals-2025-10-01-to-2025-12-31.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    rows = rows_of(response)
    assert rows[:4] == [
        ["Report", "Referrals"],
        ["Service", "West Kent Mediation"],
        ["This period", "2025-10-01", "2025-12-31"],
        ["Previous period", "2025-07-01", "2025-09-30"],
    ]
    assert rows[4][0] == "Produced"
    table = rows[rows.index(["Table", "Category", "This period", "Previous period", "Change"]) :]
    q4_months = "Referrals by month, 1 Oct 2025 to 31 Dec 2025"
    q3_months = "Referrals by month, 1 Jul 2025 to 30 Sep 2025"
    source, kind = "Referrals by source", "Referrals by dispute type"
    assert table[1:26] == [
        ["Referrals received", "Referrals received", "7", "4", "3"],
        [q4_months, "Oct 2025", "3", "", ""],
        [q4_months, "Nov 2025", "3", "", ""],
        [q4_months, "Dec 2025", "1", "", ""],
        [q3_months, "Jul 2025", "", "1", ""],
        [q3_months, "Aug 2025", "", "2", ""],
        [q3_months, "Sep 2025", "", "1", ""],
        [source, "Self-referral", "1", "2", "-1"],
        [source, "Housing provider", "3", "1", "2"],
        [source, "Police", "1", "1", "0"],
        [source, "Council/ASB team", "1", "0", "1"],
        [source, "School", "1", "0", "1"],
        [source, "Health", "0", "0", "0"],
        [source, "Other agency", "0", "0", "0"],
        [kind, "Neighbour", "3", "3", "0"],
        [kind, "Family", "1", "1", "0"],
        [kind, "Parent/teen", "1", "0", "1"],
        [kind, "Restorative conferencing", "0", "0", "0"],
        [kind, "Community/group", "1", "0", "1"],
        [kind, "Workplace", "1", "0", "1"],
        [kind, "Other", "0", "0", "0"],
        [],
        [
            "Note",
            "A referral counts in the period in which its case was received (the date received); "
            "reopening a case does not make it a new referral.",
        ],
        table[24],
    ]
    assert table[24][0] == "Note" and len(table) == 25


def test_it_keeps_suppressed_figures_suppressed_in_the_csv(dataset, login, coordinator):
    response = login(coordinator).get("/reports/equality/", {**Q4_QUERY, "format": "csv"})

    rows = {(row[0], row[1]): row[2:] for row in rows_of(response) if len(row) == 5}
    assert rows[("Gender", "Woman")] == ["6", "fewer than 5", ""]
    assert rows[("Gender", "Man")] == ["withheld", "0", ""]
    assert rows[("Gender", "Not answered")] == ["fewer than 5", "0", ""]
    assert rows[("Parties in cases received", "Parties in cases received")] == [
        "14",
        "fewer than 5",
        "",
    ]


def test_it_writes_percentages_and_medians_plainly(dataset, login, coordinator):
    client = login(coordinator)

    outcomes = rows_of(client.get("/reports/outcomes/", {**Q4_QUERY, "format": "csv"}))
    timeliness = rows_of(client.get("/reports/timeliness/", {**Q4_QUERY, "format": "csv"}))

    assert ["Cases closed and agreement rate", "Agreement rate (%)", "75", "50", "25"] in outcomes
    assert ["Median days from referral", "Referral to closure", "68.5", "25", "43.5"] in timeliness


@pytest.mark.parametrize(
    "page", ["referrals", "outcomes", "timeliness", "sessions", "volunteers", "equality"]
)
def test_it_audits_every_report_export(login, administrator, page):
    response = login(administrator).get(f"/reports/{page}/", {**Q4_QUERY, "format": "csv"})

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == administrator
    assert event.detail == {
        "report": page,
        "format": "csv",
        "start": "2025-10-01",
        "end": "2025-12-31",
    }


def test_it_does_not_audit_looking_at_a_report(login, coordinator):
    login(coordinator).get("/reports/referrals/", Q4_QUERY)

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_defuses_spreadsheet_formulas_in_the_csv(dataset, login, coordinator):
    from volunteers.models import Volunteer

    Volunteer.objects.filter(first_name="Tina").update(first_name="=HYPERLINK(1)")

    response = login(coordinator).get("/reports/volunteers/", {**Q4_QUERY, "format": "csv"})

    names = [row[1] for row in rows_of(response) if row and row[0].startswith("Trainees and")]
    assert "'=HYPERLINK(1) Trainee" in names


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def ask_and_download(client, url, data=None):
    """Ask for an export (POST), let the worker build it, and download it."""
    response = client.post(url, data or {})
    assert response.status_code == 302, response.content.decode()[:500]
    (export,) = build_queued()
    assert export.status == "ready", export.error
    assert response["Location"] == f"/exports/{export.pk}/"
    return client.get(f"/exports/{export.pk}/download/")


def test_it_renders_the_trustees_summary_as_a_pdf(dataset, login, coordinator):
    response = ask_and_download(login(coordinator), "/reports/summary.pdf", Q4_QUERY)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="wkm-summary-2025-10-01-to-2025-12-31.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    assert "West Kent Mediation" in text
    assert "1 October 2025 to 31 December 2025" in text
    assert "received 7 referrals" in text
    assert "Agreement rate 75.0% 50.0% +25.0 points" in text
    # Aggregates only: no case, party or volunteer named; no case-confidential header.
    assert not re.search(r"WKM-\d{4}", text)
    assert "Tina" not in text and "Quarry Hill" not in text
    assert "WITHOUT PREJUDICE" not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.DOWNLOAD)
    assert event.actor == coordinator
    assert event.detail["report"] == "summary"
    assert (event.detail["start"], event.detail["end"]) == ("2025-10-01", "2025-12-31")


def test_it_refuses_a_summary_for_a_bad_period(login, coordinator):
    client = login(coordinator)

    assert client.get("/reports/summary.pdf", {"start": "2025-13-01"}).status_code == 400
    assert client.post("/reports/summary.pdf", {"start": "2025-13-01"}).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


# --- The case list export ---------------------------------------------------------------------


def export(client, **params):
    from urllib.parse import urlencode

    url = "/cases/export.csv" + (f"?{urlencode(params)}" if params else "")
    response = ask_and_download(client, url)
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_a_mediator_exports_only_their_own_cases(login, mediator, other_mediator):
    mine = CaseFactory(dispute_type="family", referral_source="police")
    PartyFactory(case=mine, full_name="Alice Carter")
    theirs = CaseFactory()
    assign(mine, mediator)
    assign(theirs, other_mediator)

    response, rows = export(login(mediator))

    assert rows == [
        [
            "Reference",
            "Received",
            "Dispute type",
            "Referral source",
            "Status",
            "Outcome",
            "Closed on",
            "Coordinator",
        ],
        [mine.reference, "2026-11-02", "Family", "Police", "Referred", "", "", ""],
    ]
    assert "Alice Carter" not in str(rows)  # no party details
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="wkm-cases-')


def test_it_exports_the_filtered_list_and_audits_the_filters(login, coordinator):
    lead = UserFactory(username="lead", first_name="Lena", last_name="Lead")
    closed = CaseFactory(
        status="closed", outcome="withdrawn", closed_on="2026-11-10", coordinator=lead
    )
    CaseFactory()  # referred: filtered out

    _, rows = export(login(coordinator), status="closed", q="Carter", order="-received")

    assert rows[1:] == []  # the search applies too: no party called Carter
    _, rows = export(login(coordinator), status="closed")
    assert rows[1:] == [
        [
            closed.reference,
            "2026-11-02",
            "Neighbour",
            "Housing provider",
            "Closed",
            "Withdrawn",
            "2026-11-10",
            "Lena Lead",
        ]
    ]
    first, second = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("id")
    assert first.actor == coordinator
    assert first.detail == {
        "export": "case_list",
        "format": "csv",
        # The search text is not copied into the audit trail: it may be somebody's name.
        "filters": {"q": "(search text given)", "status": "closed", "order": "-received"},
    }
    assert second.detail["filters"] == {"status": "closed"}


def test_the_case_list_links_to_its_export_with_its_filters(login, coordinator):
    CaseFactory()

    html = login(coordinator).get("/cases/", {"status": "referred"}).content.decode()

    assert '<form method="post" action="/cases/export.csv?status=referred">' in html


def test_anonymous_users_cannot_export_cases(client):
    response = client.post("/cases/export.csv")

    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_it_defuses_formulas_in_the_case_export(login, coordinator):
    sneaky = UserFactory(username="sneaky", first_name="=HYPERLINK(1)", last_name="x")
    CaseFactory(coordinator=sneaky)

    _, rows = export(login(coordinator))

    assert rows[1][-1] == "'=HYPERLINK(1) x"
