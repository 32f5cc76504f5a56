"""The volunteer form: adding and editing a volunteer through the service, its postcode and phone,
the logins and supervisors offered, and the service's refusals on the page."""

import re

import pytest

from audit.models import AuditEvent
from tests.factories import UserFactory, VolunteerFactory
from tests.volunteers.records import url, volunteer_data
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_it_adds_a_volunteer_with_a_normalised_postcode_and_phone(login, coordinator):
    login_user = UserFactory(username="priya", first_name="Priya", last_name="Shah")

    client = login(coordinator)

    response = client.post(url("new"), volunteer_data(user=login_user.pk))

    volunteer = Volunteer.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", volunteer)
    assert (volunteer.postcode, volunteer.phone) == ("TN9 1AA", "+447911123456")
    assert volunteer.user == login_user
    assert "07911 123456" in client.get(url("detail", volunteer)).content.decode()
    assert AuditEvent.objects.filter(action="create", object_id=str(volunteer.pk)).exists()


def test_it_refuses_a_bad_postcode_and_keeps_what_was_typed(login, coordinator):
    response = login(coordinator).post(url("new"), volunteer_data(postcode="TN9 XYZ"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a UK postcode" in html
    assert re.search(r'id="error_\d+_id_postcode"', html)  # next to the field
    assert 'value="Priya"' in html and "English, Gujarati" in html
    assert not Volunteer.objects.exists()


def test_it_offers_only_free_logins_and_supervisors(login, coordinator, supervisor, stranger):
    taken = UserFactory(username="taken")
    VolunteerFactory(user=taken)
    free = UserFactory(username="free", first_name="Fran", last_name="Free")
    UserFactory(username="gone", is_active=False)

    html = login(coordinator).get(url("new")).content.decode()
    user_select = re.search(r'<select name="user".*?</select>', html, re.S).group(0)
    supervisor_select = re.search(r'<select name="supervisor".*?</select>', html, re.S).group(0)

    assert f'value="{free.pk}"' in user_select and "Fran Free (free)" in user_select
    assert f'value="{taken.pk}"' not in user_select
    assert "(gone)" not in user_select
    assert f'value="{supervisor.pk}"' in supervisor_select
    assert f'value="{coordinator.pk}"' not in supervisor_select


def test_it_keeps_a_volunteers_own_login_on_edit(login, coordinator, mediator, own_volunteer):
    html = login(coordinator).get(url("edit", own_volunteer)).content.decode()
    user_select = re.search(r'<select name="user".*?</select>', html, re.S).group(0)

    assert re.search(rf'value="{mediator.pk}"[^>]*selected', user_select)


def test_it_edits_a_volunteer_through_the_service(login, coordinator, stranger):
    data = volunteer_data(first_name="Samuel", last_name="Stranger", status="inactive")

    response = login(coordinator).post(url("edit", stranger), data)

    assert response.status_code == 302
    stranger.refresh_from_db()
    assert (stranger.first_name, stranger.status, stranger.postcode) == (
        "Samuel",
        "inactive",
        "TN9 1AA",
    )
    assert AuditEvent.objects.filter(action="change", object_id=str(stranger.pk)).exists()


def test_it_shows_the_services_refusal_to_make_a_trainee_a_mediator(login, coordinator, trainee):
    data = volunteer_data(first_name="Tess", last_name="Trainee", status="mediator")

    response = login(coordinator).post(url("edit", trainee), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "three signed-off trainee cases (or, for someone" in html
    assert re.search(r'id="error_\d+_id_status"', html)
    trainee.refresh_from_db()
    assert trainee.status == "trainee"
