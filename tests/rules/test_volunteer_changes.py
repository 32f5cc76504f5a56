"""A volunteer's record changes under their cases: they stop working, become a trainee, lose an
accreditation; and the ways a volunteer becomes a mediator or a specialist."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from cases.models import Case, CaseAssignment
from notifications.models import OutboxMessage
from tests.factories import (
    AccreditationFactory,
    TrainingFactory,
    UserFactory,
    eligible_volunteer,
    held_session,
    ready_case,
)
from tests.rules.conftest import reasons, topics
from volunteers import services
from volunteers.models import Accreditation, TraineeCase, Volunteer
from wkm.consequences import listen

pytestmark = pytest.mark.django_db


def edit(volunteer, by, **fields):
    with listen() as told:
        services.volunteer_update(volunteer=volunteer, by=by, fields=fields)
    return told


# --- Made inactive -------------------------------------------------------------------------------


def test_an_inactive_volunteer_leaves_their_cases_which_are_flagged(team, book, coordinator):
    session = book(team.case, days=4)
    assert session.reminders.filter(volunteer=team.co, status="pending").exists()

    told = edit(team.co, coordinator, status="inactive")

    assert not CaseAssignment.objects.filter(volunteer=team.co, ended_on__isnull=True).exists()
    assert f"Needs a new mediator: only {team.lead.full_name} is on the case" in reasons(team.case)
    assert not OutboxMessage.objects.filter(volunteer=team.co, status="pending").exists()
    assert session.reminders.filter(volunteer=team.lead, status="pending").exists()
    said = " ".join(told)
    assert f"which now needs a new mediator: {team.case.reference}" in said
    assert "Cancelled 2 messages still to go to" in said
    with pytest.raises(ValidationError, match="needs its pair of mediators"):
        book(team.case, days=6)


def test_an_inactive_volunteer_loses_the_case_page(team, coordinator, other_mediator, login):
    assert login(other_mediator).get(team.case.get_absolute_url()).status_code == 200

    edit(team.co, coordinator, status="inactive")

    assert login(other_mediator).get(team.case.get_absolute_url()).status_code == 404


def test_the_edit_page_says_which_cases_need_a_new_mediator(team, coordinator, login):
    data = values_for_post(team.co, status="inactive")

    response = login(coordinator).post(f"/volunteers/{team.co.pk}/edit/", data, follow=True)

    html = response.content.decode()
    assert f"which now needs a new mediator: {team.case.reference}" in html
    assert Volunteer.objects.get(pk=team.co.pk).status == "inactive"


def test_the_admin_makes_a_volunteer_inactive_through_the_same_service(team, login):
    admin_user = UserFactory(
        username="root", is_staff=True, is_superuser=True, roles=["Administrator", "Coordinator"]
    )
    data = values_for_post(team.co, status="inactive")

    response = login(admin_user).post(f"/admin/volunteers/volunteer/{team.co.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/admin/volunteers/volunteer/"
    assert not CaseAssignment.objects.filter(volunteer=team.co, ended_on__isnull=True).exists()


def test_a_trainee_who_stops_ends_their_trainee_cases(coordinator, supervisor):
    case = ready_case()
    lead = eligible_volunteer()
    trainee = eligible_volunteer(status="trainee", supervisor=supervisor)
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)

    edit(trainee, coordinator, status="inactive")

    trainee_case = TraineeCase.objects.get(trainee=trainee)
    assert (trainee_case.status, trainee_case.ended_reason) == (
        "ended",
        "the trainee left the case",
    )
    assert services.signed_off_trainee_cases(trainee) == 0


def values_for_post(volunteer, **changes):
    data = {
        "first_name": volunteer.first_name,
        "last_name": volunteer.last_name,
        "email": volunteer.email,
        "phone": "",
        "address": "",
        "postcode": volunteer.postcode,
        "languages": "English",
        "status": volunteer.status,
        "supervisor": volunteer.supervisor_id or "",
        "user": volunteer.user_id or "",
        "notes": "",
    }
    data.update(changes)
    return data


# --- Made a trainee, or an accreditation revoked -------------------------------------------------


def test_a_mediator_made_trainee_flags_a_case_with_another_trainee(coordinator, supervisor, book):
    case = ready_case()
    lead = eligible_volunteer(postcode="ME15 6RT")
    trainee = eligible_volunteer(status="trainee", supervisor=supervisor)
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)
    assert not topics(case)

    told = edit(lead, coordinator, status="trainee", supervisor=supervisor)

    assert "paired with another trainee" in reasons(case)
    assert f"can no longer work on {case.reference}" in " ".join(told)
    with pytest.raises(ValidationError, match="Two trainees cannot work together"):
        book(case, days=4)


def test_revoking_parent_teen_accreditation_flags_the_case_and_stops_bookings(coordinator, book):
    case = ready_case(dispute_type="parent_teen")
    lead = eligible_volunteer(accredited=("community", "parent_teen"), postcode="ME15 6RT")
    co = eligible_volunteer(accredited=("community", "parent_teen"))
    services.assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    accreditation = co.accreditations.get(kind="parent_teen")

    with listen() as told:
        services.accreditation_revoke(
            accreditation=accreditation, by=coordinator, reason="Did not complete the refresher"
        )

    accreditation.refresh_from_db()
    assert (
        accreditation.revoked_on
        and accreditation.revoked_reason == "Did not complete the refresher"
    )
    assert f"can no longer work on {case.reference}" in " ".join(told)
    assert "is not accredited for parent/teen mediation" in reasons(case)
    with pytest.raises(ValidationError, match="not accredited for parent/teen"):
        book(case, days=4)
    assert AuditEvent.objects.filter(detail__accreditation_revoked="parent_teen").exists()


def test_revoking_community_accreditation_makes_a_mediator_a_trainee(team, coordinator):
    services.accreditation_revoke(
        accreditation=team.co.accreditations.get(kind="community"),
        by=coordinator,
        reason="Conduct",
    )

    team.co.refresh_from_db()
    assert team.co.status == "trainee"
    assert "Trainee" in topics(team.case)
    assert Accreditation.objects.filter(volunteer=team.co).count() == 1  # the record stays


def test_only_a_coordinator_revokes_and_with_a_reason(team, supervisor, coordinator, login):
    accreditation = team.co.accreditations.get(kind="community")
    with pytest.raises(ValidationError, match="Only a coordinator"):
        services.accreditation_revoke(accreditation=accreditation, by=supervisor, reason="x")
    with pytest.raises(ValidationError, match="Say why"):
        services.accreditation_revoke(accreditation=accreditation, by=coordinator, reason=" ")

    url = f"/volunteers/{team.co.pk}/accreditations/{accreditation.pk}/revoke/"
    assert login(supervisor).get(url).status_code == 404  # not a volunteer they supervise
    page = login(coordinator).get(url).content.decode()
    assert "Revoke the community mediation accreditation" in page and 'for="id_reason"' in page
    assert f"Open cases they work on that need it: {team.case.reference}." in page
    response = login(coordinator).post(url, {"reason": "Left the service's panel"})
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.revoked_by == coordinator


# --- Becoming a mediator, or a specialist --------------------------------------------------------


def test_a_volunteer_is_not_created_as_a_mediator(coordinator, login):
    with pytest.raises(ValidationError, match="becomes a mediator by being granted"):
        services.volunteer_create(
            by=coordinator, fields={"first_name": "Ann", "last_name": "Ew", "status": "mediator"}
        )

    response = login(coordinator).post(
        "/volunteers/new/", {"first_name": "Ann", "last_name": "Ew", "status": "mediator"}
    )
    assert response.status_code == 200
    assert "becomes a mediator by being granted" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_a_coordinator_records_an_accreditation_gained_before_joining(coordinator, supervisor):
    volunteer = services.volunteer_create(
        by=coordinator,
        fields={
            "first_name": "Ann",
            "last_name": "Ew",
            "status": "in_training",
            "supervisor": supervisor,
        },
    )
    with pytest.raises(ValidationError, match="Only a coordinator records"):
        services.accreditation_grant(
            volunteer=volunteer, kind="community", by=supervisor, prior_evidence="Certificate"
        )

    services.accreditation_grant(
        volunteer=volunteer,
        kind="community",
        by=coordinator,
        prior_evidence="Accredited by Medway Mediation, 2019; certificate seen",
    )

    volunteer.refresh_from_db()
    assert volunteer.status == "mediator"
    assert volunteer.accreditations.get().prior_evidence.startswith("Accredited by Medway")


@pytest.mark.parametrize(
    "kind, course", [("parent_teen", "parent_teen"), ("restorative", "restorative")]
)
def test_a_specialist_accreditation_needs_community_accreditation_and_its_training(
    coordinator, supervisor, kind, course
):
    trainee = eligible_volunteer(status="trainee", supervisor=supervisor)
    with pytest.raises(ValidationError, match="needs community accreditation"):
        services.accreditation_grant(volunteer=trainee, kind=kind, by=supervisor)

    mediator = eligible_volunteer()
    with pytest.raises(ValidationError, match="training on record"):
        services.accreditation_grant(volunteer=mediator, kind=kind, by=coordinator)

    TrainingFactory(volunteer=mediator, course=course, hours=12)
    services.accreditation_grant(volunteer=mediator, kind=kind, by=coordinator)
    assert mediator.accreditations.held().filter(kind=kind).exists()


def test_a_revoked_accreditation_can_be_granted_again(team, coordinator):
    accreditation = AccreditationFactory(volunteer=team.co, kind="restorative")
    services.accreditation_revoke(accreditation=accreditation, by=coordinator, reason="Lapsed")
    TrainingFactory(volunteer=team.co, course="restorative", hours=12)

    services.accreditation_grant(volunteer=team.co, kind="restorative", by=coordinator)

    assert team.co.accreditations.filter(kind="restorative").count() == 2
    assert team.co.accreditations.held().filter(kind="restorative").count() == 1


def test_held_session_keeps_a_closed_case_out_of_the_flags(team, coordinator):
    """Flags are about open cases: a closed case's pair may change without any."""
    from django.utils import timezone

    from cases.services import case_close

    held_session(team.case)
    case_close(
        case=team.case, by=coordinator, outcome="full_agreement", closed_on=timezone.localdate()
    )

    edit(team.co, coordinator, status="inactive")

    assert not topics(Case.objects.get(pk=team.case.pk))


def test_only_a_coordinator_grants_again_what_was_revoked(coordinator, supervisor):
    trainee = eligible_volunteer(status="trainee", supervisor=supervisor)
    granted = AccreditationFactory(volunteer=trainee, kind="community")
    services.accreditation_revoke(accreditation=granted, by=coordinator, reason="Conduct")

    with pytest.raises(ValidationError, match="only a coordinator can grant it again"):
        services.accreditation_grant(
            volunteer=trainee, kind="community", by=supervisor, prior_evidence="Three cases"
        )
    assert not trainee.accreditations.held().exists()


# --- Taken off a case ---------------------------------------------------------------------------


def test_a_mediator_taken_off_a_case_hears_no_more_of_its_sessions(team, book):
    import datetime

    from django.utils import timezone

    from notifications import dispatch

    session = book(team.case, days=4)
    # Ended behind the services (a data fix): their reminders were left waiting.
    CaseAssignment.objects.filter(case=team.case, volunteer=team.co).update(
        ended_on=timezone.localdate()
    )
    session.reminders.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert "Messages" in topics(team.case)

    dispatch.dispatch_due(max_seconds=10)

    assert not OutboxMessage.objects.filter(volunteer=team.co, status="sent").exists()
    assert OutboxMessage.objects.filter(volunteer=team.lead, status="sent").exists()
