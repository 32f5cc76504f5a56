"""The editable lists (cases.lists): referral sources, dispute types and closing outcomes renamed,
reordered, added and retired by administrators, shown by their labels everywhere, and the rules
that keep the codes the rest of the code depends on."""

import csv
import datetime
import importlib
import io

import pgtrigger
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, connection, transaction
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from cases import lists, services
from cases.models import Case, DisputeType, ListEntry, Outcome, ReferralSource
from tests.cases.test_pages import intake_data
from tests.factories import CaseFactory
from tests.reports.test_exports import ask_and_download

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]

PERIOD = {"start": "2026-10-01", "end": "2026-12-31"}
migration = importlib.import_module("cases.migrations.0012_editable_lists")


def entry(name, code) -> ListEntry:
    return ListEntry.objects.get(list=name, code=code)


def rename(name, code, label, by=None):
    return lists.entry_change(entry=entry(name, code), by=by, label=label)


def retire(code, by=None):
    return lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, code), by=by, retired=True)


def edit_data(case, **changes):
    data = {
        "dispute_type": case.dispute_type,
        "referral_source": case.referral_source,
        "referrer_name": case.referrer_name,
        "referrer_organisation": case.referrer_organisation,
        "received_on": case.received_on.isoformat(),
        "summary": case.summary,
    }
    data.update(changes)
    return data


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode() if response.streaming else None
    text = text if text is not None else response.content.decode()
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


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


# --- Retiring a referral source ---------------------------------------------------------------


def test_a_retired_source_cannot_be_chosen_for_a_new_case(login, coordinator):
    retire("school")
    client = login(coordinator)

    form = client.get("/cases/new/").content.decode()
    response = client.post("/cases/new/", intake_data(referral_source="school"))

    assert 'value="school"' not in form
    assert response.status_code == 200
    assert "Choose one of the referral sources listed." in response.content.decode()
    assert not Case.objects.filter(referral_source="school").exists()
    with pytest.raises(ValidationError, match="has been retired"):
        services.case_create(
            by=coordinator,
            fields={
                "dispute_type": "neighbour",
                "referral_source": "school",
                "received_on": datetime.date(2026, 11, 20),
                "summary": "Noise.",
            },
            parties=[{"full_name": "Alice Carter", "role": "first_party"}],
        )


def test_an_old_case_keeps_its_retired_source_and_shows_it(login, coordinator):
    case = CaseFactory(referral_source="school")
    retire("school")
    client = login(coordinator)

    form = client.get(f"/cases/{case.reference}/edit/").content.decode()
    saved = client.post(f"/cases/{case.reference}/edit/", edit_data(case, summary="Noise, still."))
    detail = client.get(case.get_absolute_url()).content.decode()

    assert '<option value="school" selected>School (retired)</option>' in form
    assert saved.status_code == 302
    case.refresh_from_db()
    assert case.referral_source == "school" and case.summary == "Noise, still."
    assert "School" in detail


def test_another_case_cannot_be_moved_to_a_retired_source(login, coordinator):
    case = CaseFactory(referral_source="housing")
    retire("school")

    response = login(coordinator).post(
        f"/cases/{case.reference}/edit/", edit_data(case, referral_source="school")
    )

    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).referral_source == "housing"
    with pytest.raises(ValidationError, match="“School” has been retired"):
        services.case_update(case=case, by=coordinator, fields={"referral_source": "school"})


def test_the_reports_still_count_a_retired_source_and_drop_it_when_nothing_counts(
    login, coordinator
):
    CaseFactory(referral_source="school")
    retire("school")
    retire("health")
    client = login(coordinator)

    rows = csv_rows(client.get("/reports/referrals/", {**PERIOD, "format": "csv"}))

    by_source = {row[1]: row[2] for row in rows if row and row[0] == "Referrals by source"}
    assert by_source["School"] == "1"
    assert "Health" not in by_source  # retired, and nothing to count


def test_the_case_list_can_still_filter_by_a_retired_source(login, coordinator):
    old = CaseFactory(referral_source="school")
    other = CaseFactory(referral_source="housing")
    retire("school")

    html = login(coordinator).get("/cases/", {"referral_source": "school"}).content.decode()

    assert ">School (retired)</option>" in html
    assert old.reference in html and other.reference not in html


def test_a_retired_source_is_not_offered_on_the_public_referral_form(client):
    retire("health")
    lists.entry_add(by=None, label="GP surgery")

    html = client.get(reverse("public:refer")).content.decode()

    assert 'value="health"' not in html
    assert ">GP surgery</option>" in html
    assert 'value="self"' not in html.split('name="agency_kind"')[1].split("</select>")[0]


def test_a_retired_source_can_be_brought_back():
    retire("health")

    lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, "health"), by=None, retired=False)

    assert lists.is_current(lists.REFERRAL_SOURCE, "health")


# --- Adding a referral source -----------------------------------------------------------------


def test_an_added_source_gets_a_code_from_its_name_and_can_be_used(login, coordinator):
    added = lists.entry_add(by=coordinator, label="  GP   surgery ")
    client = login(coordinator)

    response = client.post("/cases/new/", intake_data(referral_source="gp_surgery"))

    assert (added.code, added.label) == ("gp_surgery", "GP surgery")
    assert added.position == 80  # after the seven the code had
    assert response.status_code == 302
    case = Case.objects.get(referral_source="gp_surgery")
    assert "GP surgery" in client.get(case.get_absolute_url()).content.decode()
    assert "Referral logged (gp surgery)" in case.log_entries.get().text


def test_a_code_is_never_given_twice_even_once_retired():
    first = lists.entry_add(by=None, label="Faith group")
    lists.entry_change(entry=first, by=None, retired=True)

    second = lists.entry_add(by=None, label="Faith-group leaders")
    third = lists.entry_add(by=None, label="Faith group!!")  # the same name, once tidied?

    assert first.code == "faith_group"
    assert second.code == "faith_group_leaders"
    assert third.code == "faith_group_2"


def test_a_name_already_in_the_list_is_refused_saying_so():
    retire("health")

    with pytest.raises(ValidationError, match="already a referral source called “Police”"):
        lists.entry_add(by=None, label="police")
    with pytest.raises(ValidationError, match=r"“Health” \(retired: bring it back instead\)"):
        lists.entry_add(by=None, label="HEALTH")
    with pytest.raises(ValidationError, match="Give the referral source a name"):
        lists.entry_add(by=None, label="   ")


def test_a_source_named_without_letters_still_gets_a_code():
    assert lists.entry_add(by=None, label="警察").code == "source"
    assert lists.entry_add(by=None, label="—").code == "source_2"


def test_a_code_never_changes_when_the_source_is_renamed():
    added = lists.entry_add(by=None, label="Faith group")

    renamed = lists.entry_change(entry=added, by=None, label="Churches and mosques")

    assert renamed.code == "faith_group"


# --- The fixed lists and the pinned sources -----------------------------------------------------


def test_no_dispute_type_or_outcome_can_be_added():
    for name in (lists.DISPUTE_TYPE, lists.OUTCOME):
        with pytest.raises(ValidationError, match="fixed, as rules depend on them"):
            lists.entry_add(by=None, label="Something new", name=name)


def test_no_dispute_type_or_outcome_can_be_retired():
    for name, code in ((lists.DISPUTE_TYPE, "family"), (lists.OUTCOME, "withdrawn")):
        with pytest.raises(ValidationError, match="cannot be retired, as rules depend on it"):
            lists.entry_change(entry=entry(name, code), by=None, retired=True)
        assert entry(name, code).retired_at is None


@pytest.mark.parametrize("code", ["self", "other_agency"])
def test_the_sources_the_public_form_uses_cannot_be_retired(code):
    with pytest.raises(ValidationError, match="the public referral form uses it"):
        retire(code)


def test_the_database_refuses_a_retired_dispute_type_or_pinned_source():
    for name, code in ((lists.DISPUTE_TYPE, "family"), (lists.REFERRAL_SOURCE, "self")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ListEntry.objects.filter(list=name, code=code).update(
                retired_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
            )


def test_the_database_refuses_to_change_a_code_or_delete_an_entry():
    with pytest.raises(InternalError, match="Cannot update"), transaction.atomic():
        ListEntry.objects.filter(list=lists.OUTCOME, code="withdrawn").update(code="gave_up")
    with pytest.raises(InternalError, match="Cannot delete"), transaction.atomic():
        entry(lists.REFERRAL_SOURCE, "health").delete()


def test_the_rules_still_work_on_a_renamed_dispute_type(coordinator):
    rename(lists.DISPUTE_TYPE, "parent_teen", "Parents and teenagers")

    assert lists.label(lists.DISPUTE_TYPE, DisputeType.PARENT_TEEN) == "Parents and teenagers"
    assert Case(dispute_type="parent_teen").get_dispute_type_display() == "Parents and teenagers"


# --- Order ------------------------------------------------------------------------------------


def test_the_position_orders_every_form(login, coordinator):
    lists.entry_change(entry=entry(lists.DISPUTE_TYPE, "workplace"), by=None, position=5)
    lists.entry_change(entry=entry(lists.OUTCOME, "not_contactable"), by=None, position=1)

    assert [code for code, _ in lists.choices(lists.DISPUTE_TYPE)][:2] == ["workplace", "neighbour"]
    assert services.closing_outcomes(CaseFactory())[0] == "not_contactable"
    html = login(coordinator).get("/cases/new/").content.decode()
    assert html.index('value="workplace"') < html.index('value="neighbour"')


def test_a_position_out_of_range_is_refused():
    with pytest.raises(ValidationError, match="from 0 to 32767"):
        lists.entry_change(entry=entry(lists.OUTCOME, "withdrawn"), by=None, position=-1)


# --- The audit trail --------------------------------------------------------------------------


def test_each_change_is_audited_with_the_label_before_and_after(administrator):
    added = lists.entry_add(by=administrator, label="GP surgery")
    rename(lists.OUTCOME, "withdrawn", "Withdrew", by=administrator)
    retire("gp_surgery", by=administrator)

    events = AuditEvent.objects.filter(object_type="cases.listentry").order_by("pk")
    assert [(e.action, e.actor, e.object_id) for e in events] == [
        ("create", administrator, str(added.pk)),
        ("change", administrator, str(entry(lists.OUTCOME, "withdrawn").pk)),
        ("change", administrator, str(added.pk)),
    ]
    assert events[0].detail == {
        "list": "referral_source",
        "code": "gp_surgery",
        "label": "GP surgery",
        "position": 80,
    }
    assert events[1].detail["label"] == {"from": "Withdrawn", "to": "Withdrew"}
    assert events[2].detail["retired"] is True


def test_a_change_that_changes_nothing_is_not_recorded():
    lists.entry_change(entry=entry(lists.OUTCOME, "withdrawn"), by=None, label="Withdrawn")

    assert not AuditEvent.objects.filter(object_type="cases.listentry").exists()


# --- The cache --------------------------------------------------------------------------------


def test_labels_cost_no_query_once_read(django_assert_num_queries):
    lists.labels(lists.REFERRAL_SOURCE)

    with django_assert_num_queries(0):
        for _ in range(100):
            Case(dispute_type="family", referral_source="police").get_referral_source_display()
            lists.choices(lists.OUTCOME)


def test_one_query_reads_all_three_lists(django_assert_num_queries):
    cache.clear()

    with django_assert_num_queries(1):
        lists.labels(lists.REFERRAL_SOURCE)
        lists.labels(lists.DISPUTE_TYPE)
        lists.labels(lists.OUTCOME)


def test_a_saved_entry_is_read_again_at_once():
    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"

    rename(lists.REFERRAL_SOURCE, "police", "Kent Police")

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent Police"


def test_another_process_reads_again_when_the_stamp_is_gone():
    lists.label(lists.REFERRAL_SOURCE, "police")
    # As another process would: a change saved there, seen here through the shared stamp.
    ListEntry.objects.filter(list=lists.REFERRAL_SOURCE, code="police").update(label="Kent Police")
    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"

    cache.delete(lists.STAMP_KEY)

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent Police"


def test_a_request_looks_at_the_stamp_once_and_keeps_one_version_throughout():
    # What request_started and request_finished call (sending them would close the test's
    # database connection).
    lists._request_starts()
    try:
        assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"
        ListEntry.objects.filter(list=lists.REFERRAL_SOURCE, code="police").update(label="Kent")
        cache.delete(lists.STAMP_KEY)  # as a save in another process would

        assert lists.label(lists.REFERRAL_SOURCE, "police") == "Police"  # the same page
    finally:
        lists._request_ends()

    assert lists.label(lists.REFERRAL_SOURCE, "police") == "Kent"  # the next one


# --- Query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/cases/",
        "/cases/?referral_source=school",
        "/reports/referrals/?start=2026-10-01&end=2026-12-31",
    ],
)
def test_edited_lists_cost_the_pages_no_query(login, coordinator, url):
    CaseFactory.create_batch(3, referral_source="school", dispute_type="family")
    client = login(coordinator)
    client.get(url)  # one-off per-process lookups out of the way
    with CaptureQueriesContext(connection) as before:
        client.get(url)

    rename(lists.DISPUTE_TYPE, "family", "Family (adults)")
    lists.entry_add(by=None, label="GP surgery")
    retire("school")
    assert "Family (adults)" in client.get(url).content.decode()  # read again, once
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    cache.delete(lists.STAMP_KEY)  # a change elsewhere: one query for the three lists
    with CaptureQueriesContext(connection) as cold:
        client.get(url)

    assert len(after) == len(before)
    assert len(cold) == len(before) + 1


def test_a_code_no_list_knows_shows_as_itself_and_an_empty_one_as_nothing():
    case = Case(dispute_type="family", referral_source="imported_2019", outcome="")

    assert case.get_referral_source_display() == "imported_2019"
    assert case.get_outcome_display() == ""
