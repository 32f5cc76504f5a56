"""An Administrator (not a superuser) edits the lists in the admin, with the permissions
cases/migrations/0012 gives the role, through cases.lists' services; nothing is ever deleted."""

import pytest

from accounts.roles import ADMINISTRATOR, COORDINATOR
from audit.models import AuditEvent
from cases import lists
from cases.models import ListEntry
from tests.cases.editable_lists import entry
from tests.factories import CaseFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]

LIST_URL = "/admin/cases/listentry/"


def change_url(entry: ListEntry) -> str:
    return f"{LIST_URL}{entry.pk}/change/"


def test_it_lists_every_entry_of_the_three_lists(admin_client):
    html = admin_client.get(LIST_URL).content.decode()

    for label in ("Self-referral", "Parent/teen", "Unsuitable for mediation"):
        assert label in html
    assert "delete_selected" not in html
    assert "Retire the selected referral sources" in html


def test_it_renames_and_moves_an_outcome_and_audits_it(admin_client, administrator):
    withdrawn = entry(lists.OUTCOME, "withdrawn")

    response = admin_client.post(
        change_url(withdrawn), {"label": "Withdrew before mediation", "position": "5"}
    )

    assert response.status_code == 302
    withdrawn.refresh_from_db()
    assert (withdrawn.code, withdrawn.label, withdrawn.position) == (
        "withdrawn",
        "Withdrew before mediation",
        5,
    )
    event = AuditEvent.objects.get(object_type="cases.listentry", action="change")
    assert event.actor == administrator
    assert event.detail["fields"] == ["label", "position"]
    assert lists.choices(lists.OUTCOME)[0] == ("withdrawn", "Withdrew before mediation")


def test_a_dispute_type_has_no_retired_box_and_a_free_source_has(admin_client):
    fixed = admin_client.get(change_url(entry(lists.DISPUTE_TYPE, "family"))).content.decode()
    pinned = admin_client.get(change_url(entry(lists.REFERRAL_SOURCE, "self"))).content.decode()
    free = admin_client.get(change_url(entry(lists.REFERRAL_SOURCE, "school"))).content.decode()

    assert 'name="retired"' not in fixed and 'name="retired"' not in pinned
    assert 'name="retired"' in free
    assert 'name="code"' not in fixed  # shown, never editable


def test_it_retires_a_source_from_its_page(admin_client):
    school = entry(lists.REFERRAL_SOURCE, "school")

    response = admin_client.post(
        change_url(school), {"label": "School", "position": "50", "retired": "on"}
    )

    assert response.status_code == 302
    assert entry(lists.REFERRAL_SOURCE, "school").is_retired
    assert not lists.is_current(lists.REFERRAL_SOURCE, "school")


def test_it_adds_a_source_at_the_end(admin_client):
    response = admin_client.post(f"{LIST_URL}add/", {"label": "GP surgery", "position": ""})

    assert response.status_code == 302
    added = entry(lists.REFERRAL_SOURCE, "gp_surgery")
    assert (added.label, added.position) == ("GP surgery", 80)
    assert AuditEvent.objects.filter(action="create", object_id=str(added.pk)).exists()


def test_a_name_already_used_is_a_message_next_to_it_and_nothing_is_saved(admin_client):
    before = ListEntry.objects.count()

    response = admin_client.post(f"{LIST_URL}add/", {"label": "POLICE", "position": ""})
    renamed = admin_client.post(
        change_url(entry(lists.OUTCOME, "withdrawn")), {"label": "Not contactable", "position": "1"}
    )

    assert response.status_code == 200
    assert "already a referral source called “Police”" in str(
        response.context["adminform"].form.errors["label"]
    )
    assert renamed.status_code == 200
    assert ListEntry.objects.count() == before
    assert entry(lists.OUTCOME, "withdrawn").label == "Withdrawn"
    assert (
        not AuditEvent.objects.filter(object_type="cases.listentry").exclude(action="view").exists()
    )


def test_the_retire_action_refuses_what_rules_depend_on(admin_client):
    chosen = ListEntry.objects.filter(
        list=lists.REFERRAL_SOURCE, code__in=["self", "school", "health"]
    )

    response = admin_client.post(
        LIST_URL,
        {"action": "retire_selected", "_selected_action": [e.pk for e in chosen]},
        follow=True,
    )

    html = response.content.decode()
    assert "the public referral form uses it" in html
    assert "Retired 2 entries." in html
    assert not entry(lists.REFERRAL_SOURCE, "self").is_retired
    assert entry(lists.REFERRAL_SOURCE, "school").is_retired


def test_the_bring_back_action_brings_a_source_back(admin_client):
    lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, "school"), by=None, retired=True)

    admin_client.post(
        LIST_URL,
        {
            "action": "bring_back_selected",
            "_selected_action": [entry(lists.REFERRAL_SOURCE, "school").pk],
        },
    )

    assert lists.is_current(lists.REFERRAL_SOURCE, "school")


def test_nothing_can_be_deleted(admin_client):
    school = entry(lists.REFERRAL_SOURCE, "school")

    assert admin_client.get(f"{LIST_URL}{school.pk}/delete/").status_code == 403
    assert admin_client.post(f"{LIST_URL}{school.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ListEntry.objects.filter(pk=school.pk).exists()


def test_a_coordinator_who_is_not_an_administrator_cannot_edit_the_lists(login, coordinator):
    response = login(coordinator).get(LIST_URL)

    assert response.status_code == 302  # the admin's login page: administrators only


def test_the_case_admin_keeps_a_retired_source_and_filters_by_it(login, administrator):
    both = UserFactory(roles=[ADMINISTRATOR, COORDINATOR], is_staff=True)
    case = CaseFactory(referral_source="school")
    lists.entry_change(entry=entry(lists.REFERRAL_SOURCE, "school"), by=None, retired=True)
    lists.entry_change(entry=entry(lists.DISPUTE_TYPE, "neighbour"), by=None, label="Neighbours")
    client = login(both)

    form = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    listed = client.get("/admin/cases/case/", {"referral_source": "school"}).content.decode()

    assert '<option value="school" selected>School (retired)</option>' in form
    assert "School (retired)" in listed and case.reference in listed
    assert "Neighbours" in listed
