"""Django admin goes through the same scoping and services as the pages."""

import pytest

from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_no_case_data_to_an_administrator_who_is_not_a_coordinator(login, case):
    admin_only = UserFactory(
        username="root", roles=["Administrator"], is_staff=True, is_superuser=True
    )

    client = login(admin_only)

    assert client.get("/admin/cases/case/").status_code == 403
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 403
    index = client.get("/admin/").content.decode()
    for model in ("case", "caseassignment", "contactlogentry"):
        assert f"/admin/cases/{model}/" not in index
    # The one thing of the cases app an administrator runs: its editable lists (cases.lists).
    assert "/admin/cases/listentry/" in index


def test_it_edits_a_case_through_the_service_and_audits_it(login, admin_coordinator, case):
    client = login(admin_coordinator)
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    data = {
        "dispute_type": "family",
        "referral_source": case.referral_source,
        "received_on": case.received_on.isoformat(),
        "summary": case.summary,
        "referrer_name": case.referrer_name,
        "referrer_organisation": case.referrer_organisation,
    }

    response = client.post(f"/admin/cases/case/{case.pk}/change/", data)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.dispute_type == "family"
    event = AuditEvent.objects.get(action="change", case_reference=case.reference)
    assert event.detail == {"fields": ["dispute_type"]}


def test_it_normalises_a_party_postcode_edited_in_admin(login, admin_coordinator, case):
    party = case.parties.first()
    client = login(admin_coordinator)
    data = {f: getattr(party, f) for f in ("full_name", "role", "preferred_contact", "phone")}
    data.update(postcode="me14 2lp", email="")

    response = client.post(f"/admin/parties/party/{party.pk}/change/", data)

    assert response.status_code == 302
    party.refresh_from_db()
    assert party.postcode == "ME14 2LP"
