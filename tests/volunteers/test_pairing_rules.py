"""Rules 1-6 and 8 of DESIGN.md, at the service: assign_pair refuses whatever breaks them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import CaseAssignment, Status
from notifications.models import OutboxMessage
from tests.factories import (
    AccreditationFactory,
    DBSCheckFactory,
    DeclaredConnectionFactory,
    TrainingFactory,
    UserFactory,
    VolunteerFactory,
    eligible_volunteer,
    ready_case,
)
from volunteers import services
from volunteers.models import Accreditation, AccreditationKind, TraineeCase, Volunteer

pytestmark = pytest.mark.django_db


def refused(case, lead, co, **kwargs):
    with pytest.raises(ValidationError) as caught:
        services.assign_pair(case=case, lead=lead, co_mediator=co, by=kwargs.pop("by"), **kwargs)
    assert not CaseAssignment.objects.filter(case=case, ended_on__isnull=True).exists()
    return " ".join(caught.value.messages)


def test_it_assigns_an_eligible_pair_makes_the_case_active_and_tells_both(coordinator, pair):
    case = ready_case()
    lead, co = pair

    services.assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)

    case.refresh_from_db()
    assert case.status == Status.ACTIVE
    assert set(case.assignments.values_list("volunteer", "role")) == {
        (lead.pk, "lead"),
        (co.pk, "co_mediator"),
    }
    # Told through the outbox (tests/notifications/test_assignment_notices.py).
    assert sorted(
        OutboxMessage.objects.filter(kind="assigned").values_list("address", flat=True)
    ) == sorted([lead.email, co.email])


def test_rule_1_it_refuses_the_same_person_twice(coordinator, pair):
    lead, _co = pair

    assert "always work in pairs" in refused(ready_case(), lead, lead, by=coordinator)


def test_rule_1_it_refuses_a_case_not_ready_to_assign(coordinator, pair):
    case = ready_case()
    case.status = Status.AWAITING_CONSENT
    case.save()

    assert "ready to assign" in refused(case, *pair, by=coordinator)


def test_rule_2_it_refuses_two_trainees(coordinator, trainee):
    other = eligible_volunteer(status="trainee")

    assert "Two trainees cannot work together" in refused(
        ready_case(), trainee, other, by=coordinator
    )


def test_rule_2_it_refuses_a_trainee_with_an_unaccredited_partner(coordinator, trainee):
    unaccredited = eligible_volunteer(accredited=())

    message = refused(ready_case(), unaccredited, trainee, by=coordinator)

    assert "must work with an accredited mediator" in message


def test_rule_2_it_refuses_a_trainee_on_a_case_that_is_not_community(coordinator, trainee):
    lead = eligible_volunteer()

    message = refused(ready_case(dispute_type="workplace"), lead, trainee, by=coordinator)

    assert "trainees only work on community cases" in message


def test_rule_2_a_trainee_pairing_opens_a_trainee_case_for_their_supervisor(
    coordinator, trainee, supervisor
):
    lead = eligible_volunteer()
    case = ready_case()

    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)

    trainee_case = TraineeCase.objects.get(trainee=trainee, case=case)
    assert (trainee_case.co_mediator, trainee_case.supervisor) == (lead, supervisor)
    assert trainee_case.status == TraineeCase.Status.PENDING
    assert case.assignments.get(volunteer=trainee).role == "trainee"


@pytest.mark.parametrize(
    ("dispute_type", "kind"), [("parent_teen", "parent_teen"), ("restorative", "restorative")]
)
def test_rule_3_it_needs_both_accredited_for_the_extra_work(coordinator, dispute_type, kind):
    accredited = eligible_volunteer(accredited=("community", kind))
    not_accredited = eligible_volunteer()
    case = ready_case(dispute_type=dispute_type)

    assert f"is not accredited for {AccreditationKind(kind).label.lower()}" in refused(
        case, accredited, not_accredited, by=coordinator
    )

    AccreditationFactory(volunteer=not_accredited, kind=kind)
    services.assign_pair(case=case, lead=accredited, co_mediator=not_accredited, by=coordinator)


def test_rule_4_it_refuses_a_volunteer_whose_dbs_has_lapsed(coordinator, pair):
    lead, co = pair
    co.dbs_checks.all().delete()
    DBSCheckFactory(volunteer=co, issued_on=timezone.localdate() - datetime.timedelta(days=1200))

    assert "no current enhanced DBS check" in refused(ready_case(), lead, co, by=coordinator)


def test_rule_4_a_basic_dbs_check_does_not_count(coordinator, pair):
    lead, co = pair
    co.dbs_checks.update(enhanced=False, current_until=None)

    assert "no current enhanced DBS check" in refused(ready_case(), lead, co, by=coordinator)


def test_rule_4_an_update_service_check_keeps_an_old_certificate_current(coordinator, pair):
    lead, co = pair
    co.dbs_checks.all().delete()
    old = DBSCheckFactory(
        volunteer=co,
        issued_on=timezone.localdate() - datetime.timedelta(days=1500),
        update_service=True,
    )
    assert "no current enhanced DBS check" in refused(ready_case(), lead, co, by=coordinator)

    services.dbs_status_checked(check=old, by=coordinator, checked_on=timezone.localdate())

    services.assign_pair(case=ready_case(), lead=lead, co_mediator=co, by=coordinator)


def test_rule_5_it_refuses_a_volunteer_with_under_40_hours(coordinator, pair):
    lead, co = pair
    co.training.update(hours=39)

    assert "40 hours" in refused(ready_case(), lead, co, by=coordinator)


def test_rule_5_an_unfinished_course_does_not_count(coordinator, pair):
    lead, co = pair
    co.training.update(completed_on=None)

    assert "40 hours of the community mediation course" in refused(
        ready_case(), lead, co, by=coordinator
    )


def test_rule_6_a_mediator_without_community_accreditation_is_refused(coordinator, pair):
    lead, co = pair
    Accreditation.objects.filter(volunteer=co).delete()

    assert "not accredited for community mediation" in refused(
        ready_case(), lead, co, by=coordinator
    )


def test_rule_6_accreditation_needs_three_signed_off_trainee_cases(supervisor, trainee):
    with pytest.raises(ValidationError, match="0 of 3"):
        services.accreditation_grant(volunteer=trainee, kind="community", by=supervisor)

    lead = eligible_volunteer()
    for _ in range(3):
        case = ready_case()
        TraineeCase.objects.create(
            trainee=trainee,
            case=case,
            co_mediator=lead,
            supervisor=supervisor,
            status=TraineeCase.Status.SIGNED_OFF,
        )
    services.accreditation_grant(volunteer=trainee, kind="community", by=supervisor)

    trainee.refresh_from_db()
    assert trainee.status == Volunteer.Status.MEDIATOR


def test_rule_6_a_mediator_cannot_grant_accreditation(mediator, trainee):
    with pytest.raises(ValidationError, match="Only a supervisor or a coordinator"):
        services.accreditation_grant(volunteer=trainee, kind="parent_teen", by=mediator)


def test_rule_8_a_shared_postcode_needs_an_override_reason(coordinator, pair):
    lead, co = pair
    co.postcode = "TN9 1AA"  # Alice Carter's postcode in ready_case()
    co.save()
    case = ready_case()

    message = refused(case, lead, co, by=coordinator)
    assert "shares a postcode (TN9 1AA) with Alice Carter" in message
    assert "Record why it is acceptable to assign them anyway." in message

    services.assign_pair(
        case=case,
        lead=lead,
        co_mediator=co,
        by=coordinator,
        override_reason="Different block of flats; no contact",
    )
    assert case.assignments.get(volunteer=co).override_reason.startswith("Different block")


def test_rule_8_a_declared_connection_needs_an_override_reason(coordinator, pair):
    lead, co = pair
    DeclaredConnectionFactory(volunteer=co, person_name="bob dunn")

    assert "declared a connection with Bob Dunn" in refused(ready_case(), lead, co, by=coordinator)


def test_it_replaces_a_mediator_keeping_history(coordinator, pair):
    lead, co = pair
    case = ready_case()
    services.assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    newcomer = eligible_volunteer(postcode="ME16 0DF")

    services.assign_pair(case=case, lead=lead, co_mediator=newcomer, by=coordinator)

    old = case.assignments.get(volunteer=co)
    assert old.ended_on == timezone.localdate()
    current = set(
        case.assignments.filter(ended_on__isnull=True).values_list("volunteer", flat=True)
    )
    assert current == {lead.pk, newcomer.pk}


def test_it_refuses_applicants_and_inactive_volunteers(coordinator, pair):
    lead, _ = pair
    applicant = VolunteerFactory(status="applicant")
    TrainingFactory(volunteer=applicant)

    assert "not a mediator" in refused(ready_case(), lead, applicant, by=coordinator)


def test_rule_6_a_supervisor_accredits_only_their_own_trainees(trainee):
    stranger = UserFactory(username="other_supervisor", roles=["Supervisor"])

    with pytest.raises(ValidationError, match="their own trainees"):
        services.accreditation_grant(volunteer=trainee, kind="parent_teen", by=stranger)


def test_rule_6_a_trainee_needs_a_supervisor_to_be_assigned(coordinator, trainee):
    trainee.supervisor = None
    trainee.save()

    message = refused(ready_case(), eligible_volunteer(), trainee, by=coordinator)

    assert "no supervisor" in message


def test_it_refuses_a_status_jump_to_mediator_without_accreditation(coordinator):
    inactive = VolunteerFactory(status="inactive")

    with pytest.raises(ValidationError, match="after three signed-off trainee cases"):
        services.volunteer_update(volunteer=inactive, by=coordinator, fields={"status": "mediator"})


def test_rules_2_and_3_hold_when_a_case_with_a_pair_is_reclassified(coordinator, trainee):
    """Changing the kind of dispute goes through cases.services.case_update, which the edit
    page and the admin both use: the pair already on the case must still be allowed on it."""
    from cases import services as case_services
    from cases.models import Case

    lead = eligible_volunteer()
    case = ready_case(dispute_type="neighbour")
    services.assign_pair(case=case, lead=lead, co_mediator=trainee, by=coordinator)

    with pytest.raises(ValidationError, match="trainees only work on community cases"):
        case_services.case_update(case=case, by=coordinator, fields={"dispute_type": "workplace"})
    with pytest.raises(ValidationError, match="not accredited for parent/teen mediation"):
        case_services.case_update(
            case=Case.objects.get(pk=case.pk),
            by=coordinator,
            fields={"dispute_type": "parent_teen"},
        )
    assert Case.objects.get(pk=case.pk).dispute_type == "neighbour"

    # Between kinds of community work, the pair may stay.
    case_services.case_update(
        case=Case.objects.get(pk=case.pk), by=coordinator, fields={"dispute_type": "community"}
    )
    assert Case.objects.get(pk=case.pk).dispute_type == "community"
