"""Contact details where the work is: each party's number and email on the case page for those
who contact them, tap-to-call; names beside references on the home pages; a session under way
stays on the mediator's home; a trainee is called one."""

import datetime

import pytest
from django.utils import timezone

from parties.models import Party
from sessions.models import MediationSession
from tests.factories import UserFactory, VolunteerFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def reachable(case):
    Party.objects.filter(case=case, full_name="Alice Carter").update(
        phone="+441732123456", preferred_contact="phone"
    )
    Party.objects.filter(case=case, full_name="Bob Dunn").update(
        email="bob@example.org", preferred_contact="email", no_email=True
    )
    return case


def test_the_case_page_gives_numbers_to_call_to_those_who_call(reachable, coordinator, login):
    html = login(coordinator).get(reachable.get_absolute_url()).content.decode()

    assert '<a href="tel:+441732123456" class="fw-semibold">01732 123456</a>' in html
    assert 'bob@example.org <span class="text-danger">· do not email</span>' in html
    assert 'href="mailto:bob@example.org"' not in html


def test_the_assigned_mediator_sees_them_and_a_supervisor_does_not(
    reachable, mediator, supervisor, login
):
    from volunteers.models import TraineeCase

    trainee = assign(reachable, mediator).volunteer
    partner = assign(reachable, UserFactory(), role="co_mediator").volunteer
    trainee.status, trainee.supervisor = "trainee", supervisor
    trainee.save()
    TraineeCase.objects.create(
        case=reachable, trainee=trainee, supervisor=supervisor, co_mediator=partner
    )

    assert "tel:+441732123456" in login(mediator).get(reachable.get_absolute_url()).content.decode()
    supervisor_view = login(supervisor).get(reachable.get_absolute_url())
    assert supervisor_view.status_code == 200  # they read the case of their trainee...
    assert "tel:" not in supervisor_view.content.decode()  # ...but do not ring the parties


def test_home_pages_name_the_parties_beside_the_reference(case, coordinator, login):
    html = login(coordinator).get("/").content.decode()

    assert case.reference in html and "Alice Carter, Bob Dunn" in html


def test_a_session_under_way_stays_on_the_mediators_home(my_case, mediator, login):
    started = timezone.now() - datetime.timedelta(minutes=30)
    session = MediationSession.objects.create(
        case=my_case, kind="separate", mode="office", venue="Office",
        starts_at=started, ends_at=started + datetime.timedelta(hours=1),
    )  # fmt: skip
    session.mediators.add(my_case.assignments.get().volunteer)

    html = login(mediator).get("/").content.decode()

    assert f"/sessions/{session.pk}/" in html and "under way" in html
    assert "(Alice Carter, Bob Dunn)" in html


def test_a_trainee_is_greeted_as_a_trainee_mediator(mediator, login):
    VolunteerFactory(user=mediator, status="trainee", supervisor=UserFactory())

    html = login(mediator).get("/").content.decode()

    assert "· Trainee mediator" in html
