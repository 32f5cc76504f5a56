"""The mediator's and the supervisor's home panels: their open cases, what is waiting for them on
the trainee pathway, sign-offs waiting and trainees' progress — in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    CaseFactory,
    PartyFactory,
    UserFactory,
    VolunteerFactory,
    assign,
)
from volunteers.models import TraineeCase

pytestmark = pytest.mark.django_db


def closed_case():
    return CaseFactory(status="closed", outcome="full_agreement", closed_on=timezone.localdate())


def trainee_case(*, trainee, co_mediator, supervisor, case=None, **fields):
    """A trainee case whose trainee and co-mediator are the case's pair, as assign_pair makes
    them (without the pair, the case and its supervision are not theirs to see)."""
    case = case or closed_case()
    for volunteer, role in ((co_mediator, "lead"), (trainee, "trainee")):
        if not case.assignments.filter(volunteer=volunteer, ended_on__isnull=True).exists():
            AssignmentFactory(case=case, volunteer=volunteer, role=role)
    return TraineeCase.objects.create(
        trainee=trainee, case=case, co_mediator=co_mediator, supervisor=supervisor, **fields
    )


def done(**extra):
    now = timezone.now()
    return {"reflection": "R", "reflection_at": now, "feedback": "F", "feedback_at": now, **extra}


def test_a_trainee_is_asked_for_reflections(login, trainee_user, trainee, lead, supervisor):
    to_write = trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor)
    to_revise = trainee_case(
        trainee=trainee, co_mediator=lead, supervisor=supervisor, **done(status="more_work")
    )
    trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor, **done())  # waiting
    trainee_case(
        trainee=trainee,
        co_mediator=lead,
        supervisor=supervisor,
        case=CaseFactory(status="active"),  # still open: nothing to write yet
    )
    open_case = CaseFactory(status="active")
    assign(open_case, trainee_user, role="trainee")

    response = login(trainee_user).get("/")

    html = response.content.decode()
    assert [tc.pk for tc in response.context["reflections_to_write"]] == [to_revise.pk, to_write.pk]
    assert f"Write your reflection on {to_write.case.reference}" in html
    assert f"Revise your reflection on {to_revise.case.reference}" in html
    assert response.context["feedback_to_give"] == []
    assert open_case.reference in html  # my open cases are still there
    assert "Log my hours and mileage" in html


def test_a_co_mediator_is_asked_for_feedback(login, mediator, trainee, lead, supervisor):
    waiting = trainee_case(
        trainee=trainee, co_mediator=lead, supervisor=supervisor, reflection_at=timezone.now()
    )
    trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor, **done())

    response = login(mediator).get("/")

    assert [tc.pk for tc in response.context["feedback_to_give"]] == [waiting.pk]
    assert (
        f"Give feedback to {trainee.full_name} on {waiting.case.reference}"
        in response.content.decode()
    )
    assert "sign_offs_waiting" not in response.context


def test_nothing_waiting_says_so(login, mediator):
    html = login(mediator).get("/").content.decode()

    assert "Nothing is waiting for you." in html
    assert "Log my hours and mileage" not in html  # no volunteer record


def test_a_supervisor_sees_sign_offs_waiting_and_progress(login, supervisor, trainee, lead):
    ready = trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor, **done())
    trainee_case(
        trainee=trainee,
        co_mediator=lead,
        supervisor=supervisor,
        **done(status="signed_off", signed_by=supervisor, signed_at=timezone.now()),
    )
    someone_elses = VolunteerFactory(status="trainee", supervisor=UserFactory(), first_name="Zed")
    trainee_case(
        trainee=someone_elses, co_mediator=lead, supervisor=someone_elses.supervisor, **done()
    )

    response = login(supervisor).get("/")

    html = response.content.decode()
    assert [tc.pk for tc in response.context["sign_offs_waiting"]] == [ready.pk]
    assert f"Review {ready.case.reference}" in html
    assert f"{trainee.full_name} · 1 of 3 signed off" in html
    assert someone_elses.full_name not in html


def add_trainee_cases(count, *, supervisor, lead):
    """``count`` trainees of ``supervisor``, each with a case ready for sign-off, one signed off,
    and one awaiting ``lead``'s feedback; and ``count`` open cases of ``lead`` with parties."""
    now = timezone.now()
    for n in range(count):
        trainee = VolunteerFactory(status="trainee", supervisor=supervisor)
        trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor, **done())
        trainee_case(
            trainee=trainee,
            co_mediator=lead,
            supervisor=supervisor,
            **done(status="signed_off", signed_by=supervisor, signed_at=now),
        )
        trainee_case(trainee=trainee, co_mediator=lead, supervisor=supervisor, reflection_at=now)
        case = CaseFactory(status="active", received_on=datetime.date(2026, 11, 1))
        PartyFactory(case=case, full_name=f"Party {n}")
        assign(case, lead.user)


@pytest.mark.parametrize("who", ["supervisor", "mediator"])
def test_the_home_page_runs_a_fixed_number_of_queries(
    login, django_assert_num_queries, supervisor, mediator, who
):
    user = supervisor if who == "supervisor" else mediator
    lead = VolunteerFactory(user=user)
    add_trainee_cases(1, supervisor=supervisor, lead=lead)
    client = login(user)
    client.get("/")  # the service settings for the banner are cached from now on
    with CaptureQueriesContext(connection) as one:
        response = client.get("/")
    assert response.status_code == 200
    # 2 for every request (session, user with roles), the open cases and their parties,
    # reflections, feedback, next sessions, whether they have a volunteer record; a supervisor
    # adds sign-offs waiting and trainees' progress.
    assert len(one) <= (10 if who == "supervisor" else 8)
    assert len(response.context["feedback_to_give"]) == 1
    if who == "supervisor":
        assert len(response.context["sign_offs_waiting"]) == 1

    add_trainee_cases(4, supervisor=supervisor, lead=lead)

    with django_assert_num_queries(len(one)):
        response = client.get("/")
    assert len(response.context["feedback_to_give"]) == 5
    assert len(response.context["my_cases"]) == 5
    if who == "supervisor":
        assert len(response.context["sign_offs_waiting"]) == 5
        assert len(response.context["trainees"]) == 5
        assert "1 of 3 signed off" in response.content.decode()
