"""The editable lists (cases.lists) as the migration seeds them, and their labels everywhere: the
case page and list, the close form, the timeline, the CSVs, the reports, the trustees' summary."""

import datetime
import importlib
import io

import pgtrigger
import pytest
from django.apps import apps
from django.template import Context, Template

from cases import lists, services
from cases.models import DisputeType, ListEntry, Outcome, ReferralSource
from tests.cases.editable_lists import PERIOD, csv_rows, entry, rename
from tests.factories import CaseFactory
from tests.reports.test_exports import ask_and_download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]


migration = importlib.import_module("cases.migrations.0012_editable_lists")

# --- The seed ---------------------------------------------------------------------------------


def test_the_migration_seeds_each_list_as_its_text_choices_had_it():
    with pgtrigger.ignore("cases.ListEntry:list_entry_never_deleted"):
        ListEntry.objects.all().delete()

    migration.seed(apps)

    for name, seed in lists.SEEDS.items():
        rows = ListEntry.objects.filter(list=name).order_by("position")
        assert [(e.code, e.label) for e in rows] == list(seed.choices)
        assert [e.position for e in rows] == [10 * (i + 1) for i in range(len(seed))]
        assert not rows.filter(retired_at__isnull=False).exists()


def test_the_lists_read_as_the_text_choices_before_anything_is_renamed():
    assert lists.labels(lists.REFERRAL_SOURCE) == dict(ReferralSource.choices)
    assert lists.choices(lists.DISPUTE_TYPE) == list(DisputeType.choices)
    assert lists.choices(lists.OUTCOME) == list(Outcome.choices)


def test_an_emptied_table_still_reads_every_value_the_code_knows():
    with pgtrigger.ignore("cases.ListEntry:list_entry_never_deleted"):
        ListEntry.objects.all().delete()
    lists.forget()

    assert lists.label(lists.OUTCOME, "withdrawn") == "Withdrawn"
    assert lists.ensure_seeded() == 21
    assert lists.ensure_seeded() == 0


# --- Labels everywhere ------------------------------------------------------------------------


def test_a_renamed_dispute_type_and_source_show_on_the_case_page_and_list(login, coordinator):
    case = CaseFactory(dispute_type="neighbour", referral_source="housing")
    rename(lists.DISPUTE_TYPE, "neighbour", "Neighbours and noise")
    rename(lists.REFERRAL_SOURCE, "housing", "Social landlord")
    client = login(coordinator)

    detail = client.get(case.get_absolute_url()).content.decode()
    listed = client.get("/cases/").content.decode()

    assert "Neighbours and noise" in detail and "Social landlord" in detail
    assert "Housing provider" not in detail
    assert "Neighbours and noise" in listed
    # The filters offer the new names.
    assert ">Social landlord</option>" in listed and ">Neighbours and noise</option>" in listed


def test_a_renamed_outcome_shows_on_the_case_page_and_in_the_close_form(login, coordinator):
    case = CaseFactory(status="closed", outcome="withdrawn", closed_on=datetime.date(2026, 11, 20))
    open_case = CaseFactory()
    rename(lists.OUTCOME, "withdrawn", "Withdrew before mediation")
    client = login(coordinator)

    assert "Withdrew before mediation" in client.get(case.get_absolute_url()).content.decode()
    close = client.get(f"/cases/{open_case.reference}/close/").content.decode()
    assert ">Withdrew before mediation</option>" in close


def test_the_close_page_names_the_mediated_outcomes_by_their_labels(login, coordinator):
    case = CaseFactory()
    rename(lists.OUTCOME, "no_agreement", "No agreement reached")

    html = login(coordinator).get(f"/cases/{case.reference}/close/").content.decode()

    assert (
        "“Full agreement”, “Partial agreement”, “No agreement reached” and “Improved "
        "communication” need mediation"
    ) in html


def test_a_case_closed_with_a_renamed_outcome_says_so_on_its_timeline(coordinator):
    case = CaseFactory()
    rename(lists.OUTCOME, "withdrawn", "Withdrew before mediation")

    services.case_close(
        case=case, by=coordinator, outcome="withdrawn", closed_on=datetime.date(2026, 11, 20)
    )

    texts = list(case.log_entries.values_list("text", flat=True))
    assert "Case closed: withdrew before mediation." in texts


def test_the_case_list_csv_has_the_new_labels(login, coordinator):
    CaseFactory(dispute_type="family", referral_source="police")
    rename(lists.DISPUTE_TYPE, "family", "Family (adults)")
    rename(lists.REFERRAL_SOURCE, "police", "Kent Police")

    rows = csv_rows(ask_and_download(login(coordinator), "/cases/export.csv"))

    assert rows[1][2:4] == ["Family (adults)", "Kent Police"]


def test_the_reports_and_their_csv_have_the_new_labels_in_the_new_order(login, coordinator):
    CaseFactory(dispute_type="family", referral_source="police")
    CaseFactory(status="closed", outcome="withdrawn", closed_on=datetime.date(2026, 11, 20))
    rename(lists.REFERRAL_SOURCE, "police", "Kent Police")
    lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, "police"), by=None, position=1)
    rename(lists.DISPUTE_TYPE, "family", "Family (adults)")
    rename(lists.OUTCOME, "withdrawn", "Withdrew before mediation")
    client = login(coordinator)

    page = client.get("/reports/referrals/", PERIOD).content.decode()
    referrals = csv_rows(client.get("/reports/referrals/", {**PERIOD, "format": "csv"}))
    outcomes = csv_rows(client.get("/reports/outcomes/", {**PERIOD, "format": "csv"}))

    assert "Kent Police" in page and "Family (adults)" in page
    by_source = [row[1:3] for row in referrals if row and row[0] == "Referrals by source"]
    assert by_source[0] == ["Kent Police", "1"]  # moved to the top
    assert "Police" not in [label for label, _ in by_source]
    assert ["Referrals by dispute type", "Family (adults)", "1", "0", "1"] in referrals
    by_outcome = [row[1:3] for row in outcomes if row and row[0] == "Outcomes of cases closed"]
    assert ["Withdrew before mediation", "1"] in by_outcome


def test_the_trustees_summary_has_the_new_labels(login, coordinator):
    pypdf = pytest.importorskip("pypdf")
    CaseFactory(referral_source="police")
    rename(lists.REFERRAL_SOURCE, "police", "Kent Constabulary")

    response = ask_and_download(
        login(coordinator),
        "/reports/summary.pdf?" + "&".join(f"{k}={v}" for k, v in PERIOD.items()),
    )

    assert response.status_code == 200
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "Kent Constabulary" in text


def test_the_template_filter_names_a_code_by_its_label():
    rename(lists.REFERRAL_SOURCE, "school", "School or college")
    template = Template('{% load case_lists %}{{ code|list_label:"referral_source" }}')

    assert template.render(Context({"code": "school"})) == "School or college"
    assert template.render(Context({"code": ""})) == ""
