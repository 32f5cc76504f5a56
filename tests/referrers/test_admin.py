"""The admin for referring organisations: administrators, through the same services."""

import pytest

from audit.models import AuditEvent
from referrers.models import Referrer, ReferrerContact
from tests.factories import ReferrerContactFactory, ReferrerFactory

pytestmark = pytest.mark.django_db


def test_an_administrator_adds_an_organisation_through_the_service(login, administrator):
    response = login(administrator).post(
        "/admin/referrers/referrer/add/", {"name": " Kent  Police ", "kind": "police"}
    )

    org = Referrer.objects.get()
    assert response.status_code == 302 and org.name == "Kent Police"
    assert AuditEvent.objects.filter(action="create", object_id=str(org.pk)).exists()


def test_a_name_taken_is_a_message_next_to_the_field(login, administrator):
    ReferrerFactory(name="Kent Police")

    response = login(administrator).post(
        "/admin/referrers/referrer/add/", {"name": "KENT POLICE", "kind": ""}
    )

    assert response.status_code == 200
    assert "There is already an organisation called “Kent Police”" in response.content.decode()
    assert Referrer.objects.count() == 1


def test_retiring_in_the_admin_is_the_service(login, administrator):
    person = ReferrerContactFactory()

    login(administrator).post(
        "/admin/referrers/referrercontact/",
        {"action": "retire", "_selected_action": [person.pk]},
    )

    person.refresh_from_db()
    assert person.retired_at is not None
    assert AuditEvent.objects.filter(
        object_type="referrers.referrercontact", detail__retired=True
    ).exists()


def test_nothing_is_deleted_in_the_admin(login, administrator):
    org = ReferrerFactory()

    response = login(administrator).get(f"/admin/referrers/referrer/{org.pk}/delete/")

    assert response.status_code == 403
    assert Referrer.objects.filter(pk=org.pk).exists()


def test_an_administrator_edits_a_person(login, administrator):
    person = ReferrerContactFactory(name="Jo Bloggs")

    login(administrator).post(
        f"/admin/referrers/referrercontact/{person.pk}/change/",
        {"name": "Jo Bloggs", "job_title": "ASB lead", "email": "jo@example.org"},
    )

    person = ReferrerContact.objects.get(pk=person.pk)
    assert person.job_title == "ASB lead" and not person.receives_updates
