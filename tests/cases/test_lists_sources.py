"""Referral sources retired and added: not offered for new cases, kept and still counted for old
ones, brought back; codes made from names, never given twice, never changed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import lists, services
from cases.models import Case
from tests.cases.editable_lists import PERIOD, csv_rows, entry, retire
from tests.cases.test_pages import intake_data
from tests.factories import CaseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("lists_seeded")]


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
