"""Training hours, accreditation (rule 6 for trainees), a trainee's cases and sign-offs, declared
connections, and the availability grid."""

import re

import pytest
from django.utils import timezone
from django.utils.html import escape

from tests.factories import CaseFactory, TrainingFactory, VolunteerFactory
from tests.volunteers.records import TODAY, days, url
from volunteers.models import (
    Accreditation,
    Availability,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
)

pytestmark = pytest.mark.django_db


def signed_off_cases(trainee, supervisor, count):
    for _ in range(count):
        TraineeCase.objects.create(
            trainee=trainee,
            case=CaseFactory(status="active"),
            co_mediator=VolunteerFactory(),
            supervisor=supervisor,
            status=TraineeCase.Status.SIGNED_OFF,
            signed_by=supervisor,
            signed_at=timezone.now(),
        )


def test_it_totals_completed_community_course_hours(login, coordinator, stranger):
    client = login(coordinator)
    TrainingFactory(volunteer=stranger, hours=24)
    TrainingFactory(volunteer=stranger, hours=10, completed_on=None)  # still in progress

    response = client.post(
        url("training_new", stranger),
        {"course": "community", "hours": "12.5", "completed_on": days(-1), "notes": "Role play"},
    )

    assert response.status_code == 302
    assert TrainingRecord.objects.filter(volunteer=stranger).count() == 3
    html = client.get(url("detail", stranger)).content.decode()
    assert "36.5 of 40 hours completed" in html
    assert "not yet enough to be assigned" in html


def test_it_refuses_training_hours_out_of_range(login, coordinator, stranger):
    response = login(coordinator).post(
        url("training_new", stranger), {"course": "community", "hours": "600"}
    )

    assert "Enter the hours, between 0.5 and 500." in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_it_shows_the_rule_6_refusal_to_accredit_a_trainee(login, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 2)
    client = login(supervisor)
    assert "2 of 3 supervised community cases signed off" in (
        client.get(url("accreditation_new", trainee)).content.decode()
    )

    response = client.post(
        url("accreditation_new", trainee), {"kind": "community", "granted_on": TODAY}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tess Trainee has 2 of 3 supervised community cases signed off." in html
    assert re.search(r'id="error_\d+_id_kind"', html)
    assert not Accreditation.objects.exists()


def test_it_lets_a_supervisor_accredit_a_trainee_after_three_sign_offs(login, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 3)
    client = login(supervisor)

    response = client.post(
        url("accreditation_new", trainee), {"kind": "community", "granted_on": TODAY}
    )

    assert response.status_code == 302
    accreditation = Accreditation.objects.get(volunteer=trainee)
    assert accreditation.granted_by == supervisor
    trainee.refresh_from_db()
    assert trainee.status == "mediator"
    html = client.get(url("detail", trainee)).content.decode()
    assert f"granted {TODAY:%-d %b %Y} by {escape(supervisor.get_full_name())}" in html


def test_it_shows_a_trainees_cases_and_sign_offs(login, coordinator, supervisor, trainee):
    signed_off_cases(trainee, supervisor, 1)

    html = login(coordinator).get(url("detail", trainee)).content.decode()

    assert "1 of 3 signed off." in html
    assert TraineeCase.objects.get().case.reference in html


def test_it_declares_a_connection_with_a_normalised_postcode(login, coordinator, stranger):
    response = login(coordinator).post(
        url("connection_new", stranger),
        {"person_name": "Bob Dunn", "street": "", "postcode": "tn91ab", "note": "Neighbour"},
    )

    assert response.status_code == 302
    connection_ = DeclaredConnection.objects.get()
    assert (connection_.person_name, connection_.postcode) == ("Bob Dunn", "TN9 1AB")


def test_it_refuses_an_empty_connection(login, coordinator, stranger):
    response = login(coordinator).post(url("connection_new", stranger), {"note": "Who?"})

    assert "Give a person&#x27;s name, a street or a postcode." in response.content.decode()
    assert not DeclaredConnection.objects.exists()


def test_it_round_trips_the_availability_grid(login, coordinator, stranger):
    Availability.objects.create(volunteer=stranger, weekday=6, part_of_day="evening")
    client = login(coordinator)

    response = client.post(
        url("availability", stranger), {"slots": ["0-morning", "2-evening", "4-afternoon"]}
    )

    assert response.status_code == 302
    assert sorted(stranger.availability.values_list("weekday", "part_of_day")) == [
        (0, "morning"),
        (2, "evening"),
        (4, "afternoon"),
    ]
    form = client.get(url("availability", stranger)).content.decode()
    checked = re.findall(r'name="slots" value="([^"]+)"[^>]*checked', form)
    assert checked == ["0-morning", "2-evening", "4-afternoon"]
    assert '<label class="visually-hidden" for="slot-0-morning">Monday morning</label>' in form


def test_it_clears_availability_when_nothing_is_ticked(login, mediator, own_volunteer):
    Availability.objects.create(volunteer=own_volunteer, weekday=1, part_of_day="morning")

    response = login(mediator).post(url("availability", own_volunteer), {})

    assert response.status_code == 302
    assert not own_volunteer.availability.exists()


def test_it_refuses_an_unknown_availability_slot(login, coordinator, stranger):
    response = login(coordinator).post(url("availability", stranger), {"slots": ["9-midnight"]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not stranger.availability.exists()
