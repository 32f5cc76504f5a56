"""The volunteer admin: for the Administrator role, saving through the service, never deleting,
records read-only."""

import pytest

from audit.models import AuditEvent
from tests.volunteers.records import volunteer_data
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_the_volunteer_admin_is_for_the_administrators_role(login, administrator, stranger):
    """Volunteers' records are part of the Administrator's job (its migration's permissions):
    all of them, not the own-record scope of the volunteer pages. Without the permission, 403."""
    from django.contrib.auth.models import Group

    client = login(administrator)

    assert "Stranger" in client.get("/admin/volunteers/volunteer/").content.decode()
    Group.objects.get(name="Administrator").permissions.clear()
    assert client.get("/admin/volunteers/volunteer/").status_code == 403


def test_it_saves_a_volunteer_in_admin_through_the_service(login, admin_coordinator, trainee):
    client = login(admin_coordinator)
    data = volunteer_data(first_name="Tess", last_name="Trainee", status="trainee")
    assert client.get(f"/admin/volunteers/volunteer/{trainee.pk}/change/").status_code == 200

    response = client.post(f"/admin/volunteers/volunteer/{trainee.pk}/change/", data)

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.postcode == "TN9 1AA"
    assert AuditEvent.objects.filter(action="change", object_id=str(trainee.pk)).count() == 1

    refused = client.post(
        f"/admin/volunteers/volunteer/{trainee.pk}/change/", {**data, "status": "mediator"}
    )

    assert refused.status_code == 200
    assert "after three signed-off trainee cases" in refused.content.decode()
    trainee.refresh_from_db()
    assert trainee.status == "trainee"


def test_it_adds_a_volunteer_in_admin_and_never_deletes(login, admin_coordinator, stranger):
    client = login(admin_coordinator)

    response = client.post("/admin/volunteers/volunteer/add/", volunteer_data())

    assert response.status_code == 302
    assert Volunteer.objects.filter(first_name="Priya", postcode="TN9 1AA").count() == 1
    assert AuditEvent.objects.filter(action="create").count() == 1
    delete = client.get(f"/admin/volunteers/volunteer/{stranger.pk}/delete/")
    assert delete.status_code == 403


@pytest.mark.parametrize(
    "path", ["dbscheck", "trainingrecord", "accreditation", "traineecase", "volunteerhours"]
)
def test_it_lists_volunteer_records_read_only_in_admin(login, admin_coordinator, path):
    client = login(admin_coordinator)

    assert client.get(f"/admin/volunteers/{path}/").status_code == 200
    assert client.get(f"/admin/volunteers/{path}/add/").status_code == 403
