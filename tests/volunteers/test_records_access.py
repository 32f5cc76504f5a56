"""Volunteer records at /volunteers/: who may see and change what (anonymous users, coordinators,
mediators, supervisors), the audit of each view, and which cases a volunteer's page lists."""

import pytest

from audit.models import AuditEvent
from tests.factories import AssignmentFactory, CaseFactory, DBSCheckFactory, VolunteerFactory
from tests.volunteers.records import TODAY, url
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


PER_VOLUNTEER = ["detail", "edit", "dbs_new", "training_new", "accreditation_new"]

PER_VOLUNTEER += ["connection_new", "availability"]

COORDINATOR_ONLY = ["edit", "dbs_new", "training_new", "connection_new"]


@pytest.mark.parametrize("name", ["list", "new"])
def test_it_sends_anonymous_users_to_log_in_from_the_list_pages(client, name):
    response = client.get(url(name))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_sends_anonymous_users_to_log_in_from_a_volunteer(client, stranger, name):
    response = client.get(url(name, stranger))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["list", "new"])
def test_it_opens_every_page_to_a_coordinator(login, coordinator, name):
    assert login(coordinator).get(url(name)).status_code == 200


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_opens_every_volunteer_page_to_a_coordinator(login, coordinator, stranger, name):
    assert login(coordinator).get(url(name, stranger)).status_code == 200


@pytest.mark.parametrize("cast", ["mediator", "no_role_user"])
@pytest.mark.parametrize("name", ["list", "new"])
def test_it_refuses_the_list_and_new_pages_to_others(request, login, cast, name):
    client = login(request.getfixturevalue(cast))

    assert client.get(url(name)).status_code == 403


def test_it_refuses_adding_a_volunteer_to_a_supervisor(login, supervisor):
    response = login(supervisor).post(url("new"), {"first_name": "A", "last_name": "B"})

    assert response.status_code == 403
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_hides_another_volunteer_from_a_mediator(login, mediator, own_volunteer, stranger, name):
    assert login(mediator).get(url(name, stranger)).status_code == 404


def test_it_shows_a_mediator_their_own_record_read_only(login, mediator, own_volunteer):
    html = login(mediator).get(url("detail", own_volunteer)).content.decode()

    assert "Mo Mediator" in html
    assert url("edit", own_volunteer) not in html
    assert url("dbs_new", own_volunteer) not in html
    assert url("accreditation_new", own_volunteer) not in html
    assert url("availability", own_volunteer) in html  # they keep their own availability


@pytest.mark.parametrize("name", COORDINATOR_ONLY + ["accreditation_new"])
def test_it_refuses_a_mediator_changes_to_their_own_record(login, mediator, own_volunteer, name):
    client = login(mediator)

    assert client.get(url(name, own_volunteer)).status_code == 403
    assert client.post(url(name, own_volunteer), {}).status_code == 403


def test_it_lists_only_a_supervisors_trainees(login, supervisor, trainee, stranger):
    html = login(supervisor).get(url("list")).content.decode()

    assert "Trainee, Tess" in html
    assert "Stranger" not in html
    assert url("new") not in html


def test_it_shows_a_supervisor_their_trainee_read_only(login, supervisor, trainee):
    html = login(supervisor).get(url("detail", trainee)).content.decode()

    assert "Tess Trainee" in html
    assert url("edit", trainee) not in html
    assert url("dbs_new", trainee) not in html
    assert url("availability", trainee) not in html
    assert url("accreditation_new", trainee) in html  # supervisors grant accreditation


@pytest.mark.parametrize("name", PER_VOLUNTEER)
def test_it_hides_other_volunteers_from_a_supervisor(login, supervisor, trainee, stranger, name):
    assert login(supervisor).get(url(name, stranger)).status_code == 404


@pytest.mark.parametrize("name", COORDINATOR_ONLY + ["availability"])
def test_it_refuses_a_supervisor_changes_to_their_trainee(login, supervisor, trainee, name):
    client = login(supervisor)

    assert client.get(url(name, trainee)).status_code == 403
    assert client.post(url(name, trainee), {}).status_code == 403


def test_it_refuses_a_status_check_to_a_supervisor(login, supervisor, trainee):
    check = DBSCheckFactory(volunteer=trainee, update_service=True)

    response = login(supervisor).post(
        url("dbs_status_check", trainee, check_pk=check.pk),
        {"last_status_check_on": TODAY.isoformat()},
    )

    assert response.status_code == 403


def test_it_audits_each_view_of_a_volunteer(login, coordinator, stranger):
    login(coordinator).get(url("detail", stranger))

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert event.object_type == "volunteers.volunteer"
    assert event.object_id == str(stranger.pk)
    assert event.actor == coordinator
    assert "Stranger" not in event.object_repr  # no names in the audit trail


def test_a_volunteers_page_lists_only_the_cases_the_viewer_may_see(client, coordinator, supervisor):
    """A supervisor sees the volunteers they supervise; the cases listed on such a page are
    only those the supervisor may open (rule 11), while a coordinator sees them all."""
    from django.test import Client

    from tests.factories import eligible_volunteer, ready_case
    from volunteers import services as volunteer_services

    accredited = eligible_volunteer(supervisor=supervisor)  # kept their supervisor after training
    case = ready_case()
    volunteer_services.assign_pair(
        case=case, lead=accredited, co_mediator=eligible_volunteer(), by=coordinator
    )
    url = f"/volunteers/{accredited.pk}/"

    client.force_login(supervisor)
    theirs = client.get(url)
    staff = Client()
    staff.force_login(coordinator)

    assert theirs.status_code == 200 and accredited.last_name in theirs.content.decode()
    assert case.reference not in theirs.content.decode()
    assert case.reference in staff.get(url).content.decode()


def test_a_closed_case_is_listed_as_past_work(login, coordinator):
    volunteer = VolunteerFactory()
    AssignmentFactory(volunteer=volunteer, case=CaseFactory(status="active"))
    closed = CaseFactory(status="closed", outcome="withdrawn", closed_on=TODAY)
    AssignmentFactory(volunteer=volunteer, case=closed)

    html = login(coordinator).get(f"/volunteers/{volunteer.pk}/").content.decode()

    current, past = html.split('<h3 class="h6">Past</h3>')
    assert closed.reference not in current.split('<h3 class="h6">Current</h3>')[1]
    assert closed.reference in past and "(case closed)" in past
