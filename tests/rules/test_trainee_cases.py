"""Trainee cases follow the people on them: a new supervisor, a new partner, a trainee who leaves
or a case that closes before mediation; and a co-mediator without a login never stops one."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MEDIATOR, SUPERVISOR
from cases.services import case_close
from rules import checker
from tests.factories import UserFactory, eligible_volunteer, held_session, ready_case
from volunteers import services
from volunteers.models import TraineeCase
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainee_case(trainee, mediator, coordinator):
    """The root ``trainee`` paired with ``mediator`` (who lives in ME15, away from the parties)
    on a ready case: an open trainee case."""
    case = ready_case()
    lead = eligible_volunteer(mediator, postcode="ME15 6RT")
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    return TraineeCase.objects.get(case=case, trainee=trainee)


def close(case, by, outcome="full_agreement"):
    if outcome == "full_agreement":
        held_session(case)
    case_close(case=case, by=by, outcome=outcome, closed_on=timezone.localdate())


# --- A new supervisor ---------------------------------------------------------------------------


def test_a_new_supervisor_takes_over_the_trainees_cases_on_the_next_request(
    trainee, trainee_case, supervisor, coordinator, login
):
    new = UserFactory(username="new_supervisor", roles=[SUPERVISOR, MEDIATOR])
    case_url = trainee_case.case.get_absolute_url()
    page = reverse("volunteers:trainee_case", args=[trainee_case.pk])
    assert login(supervisor).get(case_url).status_code == 200
    assert login(new).get(case_url).status_code == 404

    with listen() as told:
        services.volunteer_update(volunteer=trainee, by=coordinator, fields={"supervisor": new})

    assert "goes to the new supervisor" in " ".join(told)
    trainee_case.refresh_from_db()
    assert trainee_case.supervisor == new
    for url in (case_url, page):
        assert login(supervisor).get(url).status_code == 404
        assert login(new).get(url).status_code == 200


def test_visibility_follows_a_supervisor_changed_behind_the_services(
    trainee, trainee_case, supervisor, login
):
    from rules.checker import find_breaches
    from volunteers.models import Volunteer

    new = UserFactory(username="new_supervisor", roles=[SUPERVISOR, MEDIATOR])
    Volunteer.objects.filter(pk=trainee.pk).update(supervisor=new)  # a data fix, say

    case_url = trainee_case.case.get_absolute_url()
    assert login(new).get(case_url).status_code == 200
    assert login(supervisor).get(case_url).status_code == 404
    assert any(b.topic == "Supervision" for b in find_breaches())  # and its sign-off is flagged


def test_a_signed_off_case_keeps_the_supervisor_who_signed_it(
    trainee, trainee_case, supervisor, coordinator
):
    TraineeCase.objects.filter(pk=trainee_case.pk).update(status="signed_off", signed_by=supervisor)
    new = UserFactory(username="new_supervisor", roles=[SUPERVISOR, MEDIATOR])

    services.volunteer_update(volunteer=trainee, by=coordinator, fields={"supervisor": new})

    trainee_case.refresh_from_db()
    assert trainee_case.supervisor == supervisor


# --- The pair changes ---------------------------------------------------------------------------


def test_the_co_mediator_follows_a_new_partner(trainee, trainee_case, coordinator):
    new_partner = eligible_volunteer(first_name="Nina", postcode="ME14 2AA")

    services.assign_pair(
        case=trainee_case.case, lead=new_partner, co_mediator=trainee, by=coordinator
    )

    trainee_case.refresh_from_db()
    assert trainee_case.co_mediator == new_partner and trainee_case.is_open


def test_a_trainee_taken_off_the_case_ends_their_trainee_case(trainee, trainee_case, coordinator):
    lead = trainee_case.co_mediator
    replacement = eligible_volunteer(first_name="Nina", postcode="ME14 2AA")

    services.assign_pair(case=trainee_case.case, lead=lead, co_mediator=replacement, by=coordinator)

    trainee_case.refresh_from_db()
    assert (trainee_case.status, trainee_case.ended_reason) == (
        "ended",
        "the trainee left the case",
    )
    assert services.signed_off_trainee_cases(trainee) == 0


def test_a_case_closed_before_mediation_ends_the_trainee_case_and_reopening_restores_it(
    trainee_case, coordinator
):
    from cases.services import case_reopen

    with listen() as told:
        close(trainee_case.case, coordinator, outcome="withdrawn")

    trainee_case.refresh_from_db()
    assert trainee_case.status == "ended" and "does not count" in " ".join(told)
    with pytest.raises(ValidationError, match="has ended"):
        services.reflection_submit(
            trainee_case=trainee_case, by=trainee_case.trainee.user, text="It went well."
        )

    case_reopen(case=trainee_case.case, by=coordinator, reason="The parties came back")

    trainee_case.refresh_from_db()
    assert trainee_case.status == "pending" and trainee_case.ended_reason == ""


def test_an_ended_trainee_case_cannot_be_signed_off(trainee_case, supervisor, coordinator):
    close(trainee_case.case, coordinator)
    TraineeCase.objects.filter(pk=trainee_case.pk).update(
        status="ended",
        ended_reason="the trainee left the case",
        reflection_at=timezone.now(),
        feedback_at=timezone.now(),
    )
    trainee_case.refresh_from_db()

    with pytest.raises(ValidationError, match="Not ready for review: ended"):
        services.trainee_case_review(trainee_case=trainee_case, by=supervisor, sign_off=True)


# --- A co-mediator without a login --------------------------------------------------------------


def test_the_coordinator_records_feedback_for_a_co_mediator_without_a_login(
    trainee, supervisor, coordinator, login
):
    case = ready_case()
    grace = eligible_volunteer(first_name="Grace", last_name="Oduya", postcode="TN4 9LH")
    services.assign_pair(case=case, lead=grace, co_mediator=trainee, by=coordinator)
    close(case, coordinator)
    tc = TraineeCase.objects.get(case=case)
    services.reflection_submit(trainee_case=tc, by=trainee.user, text="I learnt to pause.")
    page = reverse("volunteers:trainee_case", args=[tc.pk])

    html = login(coordinator).get(page).content.decode()
    assert "Grace Oduya has no login" in html and "Save the feedback on their behalf" in html
    login(coordinator).post(
        reverse("volunteers:feedback", args=[tc.pk]), {"feedback": "Grace: calm, well paced."}
    )

    tc.refresh_from_db()
    assert tc.feedback == "Grace: calm, well paced." and tc.feedback_on_behalf
    html = login(supervisor).get(page).content.decode()
    assert "recorded on Grace Oduya's behalf by" in html
    services.trainee_case_review(trainee_case=tc, by=supervisor, sign_off=True)
    assert services.signed_off_trainee_cases(trainee) == 1


def test_nobody_else_writes_a_co_mediators_feedback(trainee_case, coordinator, other_mediator):
    close(trainee_case.case, coordinator)
    tc = TraineeCase.objects.select_related("co_mediator").get(pk=trainee_case.pk)

    # The co-mediator has a login and still works: they write it, not the coordinator.
    assert not services.may_record_feedback_for(tc, coordinator)
    with pytest.raises(ValidationError, match="Only the co-mediator"):
        services.feedback_submit(trainee_case=tc, by=other_mediator, text="Fine.")
    services.feedback_submit(trainee_case=tc, by=tc.co_mediator.user, text="Good work.")
    tc.refresh_from_db()
    assert not tc.feedback_on_behalf


def test_the_coordinator_records_feedback_when_the_co_mediators_login_is_disabled(
    trainee_case, coordinator
):
    close(trainee_case.case, coordinator)
    tc = TraineeCase.objects.select_related("co_mediator__user").get(pk=trainee_case.pk)
    partner = tc.co_mediator.user
    partner.is_active = False
    partner.save(update_fields=["is_active"])

    assert services.may_record_feedback_for(tc, coordinator)
    services.feedback_submit(trainee_case=tc, by=coordinator, text="From Martin, by phone.")
    tc.refresh_from_db()
    assert tc.feedback_on_behalf and tc.feedback_recorded_by == coordinator


# --- Ends that keep the trainee's work ------------------------------------------------------------


def test_a_case_withdrawn_after_mediation_keeps_the_trainee_case(trainee_case, coordinator):
    held_session(trainee_case.case)

    close(trainee_case.case, coordinator, outcome="withdrawn")

    trainee_case.refresh_from_db()
    assert trainee_case.is_open


def test_a_trainee_who_stops_keeps_the_work_of_cases_already_closed(trainee_case, coordinator):
    close(trainee_case.case, coordinator)
    trainee = trainee_case.trainee

    services.volunteer_update(volunteer=trainee, by=coordinator, fields={"status": "inactive"})

    trainee_case.refresh_from_db()
    assert trainee_case.is_open and trainee_case.ended_reason == ""


# --- Becoming a trainee, and a supervisor who stops ---------------------------------------------


def test_a_mediator_made_a_trainee_gets_trainee_cases_their_supervisor_sees(
    mediator, other_mediator, supervisor, coordinator, login
):
    case = ready_case()
    lead = eligible_volunteer(mediator, postcode="ME15 6RT")
    partner = eligible_volunteer(other_mediator, postcode="TN4 9LH")
    services.assign_pair(case=case, lead=lead, co_mediator=partner, by=coordinator)
    assert login(supervisor).get(case.get_absolute_url()).status_code == 404

    services.volunteer_update(
        volunteer=partner, by=coordinator, fields={"status": "trainee", "supervisor": supervisor}
    )

    made = TraineeCase.objects.get(trainee=partner)
    assert (made.case, made.co_mediator, made.supervisor) == (case, lead, supervisor)
    assert case.assignments.get(volunteer=partner, ended_on__isnull=True).role == "trainee"
    assert login(supervisor).get(case.get_absolute_url()).status_code == 200


def test_a_supervisor_who_stops_volunteering_hands_over_their_trainees(
    trainee, trainee_case, supervisor, coordinator, login
):
    own_record = eligible_volunteer(supervisor, postcode="CT1 1AA")
    close(trainee_case.case, coordinator)
    services.reflection_submit(trainee_case=trainee_case, by=trainee.user, text="I learnt a lot.")
    trainee_case.refresh_from_db()
    services.feedback_submit(
        trainee_case=trainee_case, by=trainee_case.co_mediator.user, text="Well done."
    )
    trainee_case.refresh_from_db()

    with listen() as told:
        services.volunteer_update(
            volunteer=own_record, by=coordinator, fields={"status": "inactive"}
        )

    assert f"supervised {trainee.full_name}: give that trainee another supervisor" in " ".join(told)
    assert login(supervisor).get(trainee_case.case.get_absolute_url()).status_code == 404
    with pytest.raises(ValidationError, match="You no longer volunteer"):
        services.trainee_case_review(trainee_case=trainee_case, by=supervisor, sign_off=True)
    flagged = [b for b in checker.volunteers() if trainee.full_name in b.reason]
    assert flagged and "supervisor" in flagged[0].reason
