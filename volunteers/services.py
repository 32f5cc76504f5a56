"""Every write about volunteers that has a rule: records, DBS, training, pairing, trainees.

Conventions as in cases.services: keyword arguments, one transaction, full_clean(), a
ValidationError a coordinator understands, an audit record.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import COORDINATOR, SUPERVISOR, has_role
from audit.models import AuditEvent
from audit.services import record_event
from cases import services as case_services
from cases import timeline
from cases.models import Case, CaseAssignment, Status
from cases.querysets import WORKING_STATUSES
from notifications.outbox import (
    VOLUNTEER_CONTACT_FIELDS,
    cancel_assignment_notices,
    cancel_messages_to,
    queue_assignment_notices,
    replan_messages_to,
)
from wkm.consequences import tell

from . import dbs, signals
from .eligibility import (
    COMMUNITY_DISPUTES,
    EXTRA_ACCREDITATION,
    pair_problems,
    pair_standing,
    tell_unaccepted_conflicts,
)
from .models import (
    Accreditation,
    AccreditationKind,
    Availability,
    DBSCheck,
    DeclaredConnection,
    TraineeCase,
    TrainingRecord,
    Volunteer,
    VolunteerHours,
)
from .visibility import stopped_volunteering

VOLUNTEER_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postcode",
    "languages",
    "status",
    "supervisor",
    "user",
    "notes",
)


def _save(obj, *, by, action=AuditEvent.Action.CREATE, audit_obj=None, **detail):
    obj.full_clean()
    obj.save()
    record_event(action=action, actor=by, obj=audit_obj or obj, detail=detail)
    return obj


# --- Records ----------------------------------------------------------------------------------


def _check_becoming_mediator(volunteer: Volunteer, status: str | None) -> None:
    """Rule 6: "mediator" is what community accreditation makes a volunteer, not a choice."""
    if status != Volunteer.Status.MEDIATOR or volunteer.status == Volunteer.Status.MEDIATOR:
        return
    held = volunteer.pk and volunteer.accreditations.held().filter(kind=AccreditationKind.COMMUNITY)
    if not (held and held.exists()):
        raise ValidationError(
            {
                "status": "A volunteer becomes a mediator by being granted community "
                "accreditation after three signed-off trainee cases (or, for someone "
                "accredited before joining, by a coordinator recording it). Add them as a "
                "trainee or in training, then grant the accreditation."
            }
        )


@transaction.atomic
def volunteer_create(*, by, fields: dict) -> Volunteer:
    volunteer = Volunteer(**fields)
    _check_becoming_mediator(Volunteer(), fields.get("status"))
    return _save(volunteer, by=by)


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, by, fields: dict) -> Volunteer:
    """Change a volunteer's record, and what the change means for their cases:

    - no longer working (inactive, applicant, back in training): their assignments on open
      cases end, so each case needs a new mediator; no message still to be sent to them
      survives; their trainee cases on open cases end (work on closed cases waits for them);
      the trainees they supervised are named, to be given another supervisor;
    - a different supervisor: the trainee cases still on their way to sign-off go to the new
      supervisor (who sees them from the next request; the old one no longer does);
    - a new email address or phone number: what is still to go to them goes there
      (notifications.outbox.replan_messages_to);
    - made a trainee: each open case they work on becomes one of their trainee cases (their
      supervisor sees it), and those where that breaks a rule are listed (the coordinator's
      home and the case pages show them, and no session can be booked until the pair is fixed).
    """
    unknown = set(fields) - set(VOLUNTEER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    volunteer = Volunteer.objects.select_for_update(no_key=True).get(pk=volunteer.pk)
    _check_becoming_mediator(volunteer, fields.get("status"))
    before = Volunteer(status=volunteer.status, supervisor_id=volunteer.supervisor_id)
    contact_before = [getattr(volunteer, name) for name in VOLUNTEER_CONTACT_FIELDS]
    for name, value in fields.items():
        setattr(volunteer, name, value)
    _save(volunteer, by=by, action=AuditEvent.Action.CHANGE, fields=sorted(fields))
    working = WORKING_STATUSES
    if before.status in working and volunteer.status not in working:
        _stop_working(volunteer, by=by)
    elif volunteer.status not in working and volunteer.status != Volunteer.Status.APPLICANT:
        # An applicant has nothing to stop but the acknowledgement of their application, which
        # still goes (to a corrected address: replan_messages_to).
        cancel_messages_to(volunteer=volunteer, reason="The volunteer is not working")
    if contact_before != [getattr(volunteer, name) for name in VOLUNTEER_CONTACT_FIELDS]:
        # What is still to go to them goes to the new address (or is cancelled).
        tell(replan_messages_to(volunteer=volunteer))
    if volunteer.supervisor_id != before.supervisor_id:
        _follow_new_supervisor(volunteer, by=by)
    if volunteer.status == Volunteer.Status.TRAINEE and before.status != volunteer.status:
        _now_a_trainee(volunteer, by=by)
    return volunteer


def _references(cases) -> str:
    return ", ".join(case.reference for case in cases)


def _stop_working(volunteer: Volunteer, *, by) -> None:
    """End the assignments of a volunteer who no longer works, and everything that would still
    reach them. The cases are left for the coordinator to give a new mediator (they are listed
    under "Cases that need attention"), rather than the change being refused: the volunteer has
    stopped, whatever the records say."""
    today = timezone.localdate()
    assignments = list(
        CaseAssignment.objects.filter(volunteer=volunteer, ended_on__isnull=True)
        .exclude(case__status=Status.CLOSED)
        .select_for_update(of=("self",))
        .select_related("case")
    )
    for assignment in assignments:
        assignment.ended_on = max(today, assignment.started_on)
        assignment.save(update_fields=["ended_on"])
        record_event(
            action=AuditEvent.Action.CHANGE,
            actor=by,
            obj=assignment.case,
            case_reference=assignment.case.reference,
            detail={"ended_assignment": assignment.pk, "because": "volunteer_not_working"},
        )
    open_cases = [a.case for a in assignments]
    ended = end_trainee_cases(
        TraineeCase.objects.filter(trainee=volunteer).exclude(case__status=Status.CLOSED),
        reason=TRAINEE_LEFT,
        by=by,
    )
    cancelled = cancel_messages_to(volunteer=volunteer, reason="The volunteer is not working")
    name = volunteer.full_name
    if open_cases:
        tell(
            f"Took {name} off {len(open_cases)} open case{pluralize(len(open_cases))}, "
            f"which now need{pluralize(len(open_cases), 's,')} a new mediator: "
            f"{_references(open_cases)}."
        )
    if ended:
        tell(f"Ended {ended} trainee case{pluralize(ended)} of {name}: they do not count.")
    if cancelled:
        tell(f"Cancelled {cancelled} message{pluralize(cancelled)} still to go to {name}.")
    if volunteer.user_id:
        trainees = list(
            Volunteer.objects.filter(
                supervisor_id=volunteer.user_id, status=Volunteer.Status.TRAINEE
            )
        )
        if trainees:
            tell(
                f"{name} supervised {', '.join(t.full_name for t in trainees)}: give "
                f"{'them' if len(trainees) > 1 else 'that trainee'} another supervisor."
            )


def _now_a_trainee(volunteer: Volunteer, *, by) -> None:
    """A volunteer made a trainee (by hand, or by losing community accreditation) works on
    their open cases as a trainee: each becomes one of their trainee cases, beside their
    partner, so their supervisor sees it; where that breaks a rule, the case is named."""
    for assignment in (
        CaseAssignment.objects.current()
        .filter(volunteer=volunteer)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
    ):
        assignment.role = CaseAssignment.Role.TRAINEE
        assignment.save(update_fields=["role"])
        pair = [
            a.volunteer for a in assignment.case.assignments.current().select_related("volunteer")
        ]
        if len(pair) == 2:
            _trainee_cases_follow_the_pair(assignment.case, pair, left=[], by=by)
    _tell_cases_needing_attention(volunteer)


def _follow_new_supervisor(volunteer: Volunteer, *, by) -> None:
    moved = TraineeCase.objects.filter(
        trainee=volunteer, status__in=TraineeCase.OPEN_STATUSES
    ).update(supervisor_id=volunteer.supervisor_id)
    if moved:
        record_event(
            action=AuditEvent.Action.CHANGE,
            actor=by,
            obj=volunteer,
            detail={"trainee_cases_to_supervisor": volunteer.supervisor_id},
        )
        tell(
            f"{moved} trainee case{pluralize(moved)} of {volunteer.full_name} "
            f"{pluralize(moved, 'goes,go')} to the new supervisor."
        )


def _tell_cases_needing_attention(volunteer: Volunteer) -> None:
    """Name the open cases whose pair ``volunteer``'s change has broken."""
    cases = [
        assignment.case
        for assignment in CaseAssignment.objects.current()
        .filter(volunteer=volunteer)
        .exclude(case__status=Status.CLOSED)
        .select_related("case")
        if pair_standing(assignment.case)
    ]
    if cases:
        tell(
            f"{volunteer.full_name} can no longer work on {_references(cases)} with the same "
            "pair: no session can be booked there until the pair is changed."
        )


@transaction.atomic
def dbs_record(*, volunteer: Volunteer, by, fields: dict) -> DBSCheck:
    check = DBSCheck(volunteer=volunteer, recorded_by=by, **fields)
    check.full_clean()
    check.current_until = dbs.current_until(check)
    check.save()
    record_event(action=AuditEvent.Action.CREATE, actor=by, obj=volunteer, detail={"dbs": check.pk})
    return check


@transaction.atomic
def dbs_status_checked(*, check: DBSCheck, by, checked_on: datetime.date) -> DBSCheck:
    """Record an Update Service status check that found the certificate still valid."""
    check = DBSCheck.objects.select_for_update().get(pk=check.pk)
    if check.last_status_check_on and checked_on < check.last_status_check_on:
        raise ValidationError({"last_status_check_on": "A later status check is already recorded."})
    check.last_status_check_on = checked_on
    check.full_clean()
    check.current_until = dbs.current_until(check)
    check.save()
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=check.volunteer, detail={"dbs": check.pk}
    )
    return check


@transaction.atomic
def training_add(*, volunteer: Volunteer, by, fields: dict) -> TrainingRecord:
    record = TrainingRecord(volunteer=volunteer, **fields)
    return _save(record, by=by, audit_obj=volunteer, training=record.course)


# The training each specialist accreditation needs, besides community accreditation (rule 3).
SPECIALIST_TRAINING = {
    AccreditationKind.PARENT_TEEN: TrainingRecord.Course.PARENT_TEEN,
    AccreditationKind.RESTORATIVE: TrainingRecord.Course.RESTORATIVE,
}


@transaction.atomic
def accreditation_grant(
    *,
    volunteer: Volunteer,
    kind: str,
    by,
    granted_on: datetime.date | None = None,
    prior_evidence: str = "",
) -> Accreditation:
    """Grant an accreditation; only supervisors (for their own trainees) and coordinators grant.

    - Community accreditation follows three signed-off supervised community cases (rule 6) and
      makes the volunteer a mediator. A coordinator may instead record a community
      accreditation gained before joining, with the evidence seen (``prior_evidence``).
    - Parent/teen and restorative accreditation (rule 3) go only to a volunteer who holds
      community accreditation and has completed that training.
    """
    if not has_role(by, SUPERVISOR, COORDINATOR):
        raise ValidationError("Only a supervisor or a coordinator can grant an accreditation.")
    volunteer = Volunteer.objects.select_for_update(no_key=True).get(pk=volunteer.pk)
    is_coordinator = has_role(by, COORDINATOR)
    if not is_coordinator and volunteer.supervisor_id != by.pk:
        raise ValidationError("A supervisor grants accreditation to their own trainees only.")
    if volunteer.user_id is not None and volunteer.user_id == by.pk:
        raise ValidationError("Nobody can grant an accreditation to themselves.")
    allowed = (Volunteer.Status.TRAINEE, Volunteer.Status.MEDIATOR)
    if prior_evidence.strip():
        allowed += (Volunteer.Status.IN_TRAINING, Volunteer.Status.APPLICANT)
    if volunteer.status not in allowed:
        raise ValidationError(
            f"{volunteer.full_name} is {volunteer.get_status_display().lower()}: only trainees "
            "and mediators are accredited."
        )
    granted_on = granted_on or timezone.localdate()
    if granted_on > timezone.localdate():
        raise ValidationError({"granted_on": "The date cannot be in the future."})
    held = volunteer.accreditations.held()
    if held.filter(kind=kind).exists():
        raise ValidationError({"kind": f"{volunteer.full_name} already holds this accreditation."})
    revoked = volunteer.accreditations.filter(kind=kind, revoked_on__isnull=False).first()
    if revoked is not None and not is_coordinator:
        raise ValidationError(
            {
                "kind": f"This accreditation was revoked on "
                f"{date_format(revoked.revoked_on, 'j M Y')}: only a coordinator can grant it "
                "again."
            }
        )
    if prior_evidence.strip():
        if kind != AccreditationKind.COMMUNITY:
            raise ValidationError(
                {
                    "prior_evidence": "Only community accreditation is recorded as gained "
                    "before joining: parent/teen and restorative accreditation follow training "
                    "recorded here. Leave this empty."
                }
            )
        if not is_coordinator:
            raise ValidationError(
                {
                    "prior_evidence": "Only a coordinator records a community accreditation "
                    "gained before joining."
                }
            )
    elif kind == AccreditationKind.COMMUNITY:
        signed = signed_off_trainee_cases(volunteer)
        needed = settings.TRAINEE_CASES_FOR_ACCREDITATION
        if signed < needed:
            elsewhere = (
                " If they were accredited by another service, fill in “Accredited before joining”."
                if is_coordinator
                else ""
            )
            raise ValidationError(
                {
                    "kind": f"{volunteer.full_name} has {signed} of {needed} supervised "
                    f"community cases signed off.{elsewhere}"
                }
            )
    if kind in SPECIALIST_TRAINING:
        _check_specialist(volunteer, kind, held)
    accreditation = Accreditation(
        volunteer=volunteer,
        kind=kind,
        granted_on=granted_on,
        granted_by=by,
        prior_evidence=prior_evidence.strip(),
    )
    _save(accreditation, by=by, audit_obj=volunteer, accreditation=kind)
    if kind == AccreditationKind.COMMUNITY and volunteer.status != Volunteer.Status.MEDIATOR:
        volunteer.status = Volunteer.Status.MEDIATOR
        volunteer.save(update_fields=["status"])
    return accreditation


def _check_specialist(volunteer: Volunteer, kind: str, held) -> None:
    label = AccreditationKind(kind).label.lower()
    if not held.filter(kind=AccreditationKind.COMMUNITY).exists():
        raise ValidationError(
            {
                "kind": f"{volunteer.full_name} needs community accreditation before "
                f"accreditation for {label}."
            }
        )
    course = SPECIALIST_TRAINING[kind]
    if not volunteer.training.filter(course=course, completed_on__isnull=False).exists():
        raise ValidationError(
            {
                "kind": f"{volunteer.full_name} has no completed "
                f"{TrainingRecord.Course(course).label.lower()} training on record: record it "
                "first."
            }
        )


@transaction.atomic
def accreditation_revoke(*, accreditation: Accreditation, by, reason: str):
    """Revoke an accreditation (coordinators only, with a reason; the record stays). Revoking
    community accreditation makes a mediator a trainee again. Each open case whose pair this
    breaks (rules 2, 3 and 6) is named; none can have a session booked until its pair is fixed.
    """
    if not has_role(by, COORDINATOR):
        raise ValidationError("Only a coordinator can revoke an accreditation.")
    accreditation = (
        Accreditation.objects.select_for_update()
        .select_related("volunteer")
        .get(pk=accreditation.pk)
    )
    if accreditation.revoked_on is not None:
        raise ValidationError("This accreditation has already been revoked.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the accreditation is being revoked."})
    accreditation.revoked_on = timezone.localdate()
    accreditation.revoked_by = by
    accreditation.revoked_reason = reason.strip()[:300]
    accreditation.save(update_fields=["revoked_on", "revoked_by", "revoked_reason"])
    volunteer = accreditation.volunteer
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=volunteer,
        detail={"accreditation_revoked": accreditation.kind},
    )
    if (
        accreditation.kind == AccreditationKind.COMMUNITY
        and volunteer.status == Volunteer.Status.MEDIATOR
    ):
        volunteer.status = Volunteer.Status.TRAINEE
        volunteer.save(update_fields=["status"])
        tell(f"{volunteer.full_name} is a trainee again.")
        _now_a_trainee(volunteer, by=by)
    else:
        _tell_cases_needing_attention(volunteer)
    return accreditation


def cases_needing(accreditation: Accreditation) -> list[Case]:
    """The open cases the volunteer works on that need this accreditation: every one for
    community accreditation, those of its kind of dispute for the others (rule 3)."""
    cases = Case.objects.exclude(status=Status.CLOSED).filter(
        pk__in=CaseAssignment.objects.current()
        .filter(volunteer_id=accreditation.volunteer_id)
        .values("case_id")
    )
    if accreditation.kind != AccreditationKind.COMMUNITY:
        needing = [d for d, kind in EXTRA_ACCREDITATION.items() if kind == accreditation.kind]
        cases = cases.filter(dispute_type__in=needing)
    return list(cases.order_by("reference"))


def signed_off_trainee_cases(volunteer: Volunteer) -> int:
    return volunteer.trainee_cases.filter(
        status=TraineeCase.Status.SIGNED_OFF, case__dispute_type__in=COMMUNITY_DISPUTES
    ).count()


@transaction.atomic
def connection_add(*, volunteer: Volunteer, by, fields: dict) -> DeclaredConnection:
    """Declare a connection; rule 8 is asked again of every open case the volunteer is on."""
    connection = DeclaredConnection(volunteer=volunteer, **fields)
    _save(connection, by=by, audit_obj=volunteer, connection="added")
    tell_unaccepted_conflicts(
        Case.objects.exclude(status=Status.CLOSED).filter(
            pk__in=CaseAssignment.objects.current().filter(volunteer=volunteer).values("case_id")
        )
    )
    return connection


@transaction.atomic
def availability_set(*, volunteer: Volunteer, by, slots: list[tuple[int, str]]):
    """Replace the volunteer's weekly availability with ``slots`` [(weekday, part_of_day)]."""
    slots = sorted(set(slots))
    for day, part in slots:
        if day not in Availability.Weekday.values or part not in Availability.Part.values:
            raise ValidationError(f"Not a time of the week: {day}, {part}.")
    volunteer.availability.all().delete()
    Availability.objects.bulk_create(
        Availability(volunteer=volunteer, weekday=day, part_of_day=part) for day, part in slots
    )
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=volunteer,
        detail={"availability": len(slots)},
    )


@transaction.atomic
def hours_log(*, volunteer: Volunteer, by, fields: dict) -> VolunteerHours:
    entry = VolunteerHours(volunteer=volunteer, **fields)
    if entry.case_id and not Case.objects.visible_to(by).filter(pk=entry.case_id).exists():
        raise ValidationError({"case": "Choose one of your cases."})
    return _save(entry, by=by, audit_obj=volunteer, hours=str(entry.hours))


# --- Pairing ----------------------------------------------------------------------------------


def _role(volunteer: Volunteer, default: str) -> str:
    return CaseAssignment.Role.TRAINEE if volunteer.is_trainee else default


@transaction.atomic
def assign_pair(
    *,
    case: Case,
    lead: Volunteer,
    co_mediator: Volunteer,
    by,
    override_reason: str = "",
    on: datetime.date | None = None,
) -> list[CaseAssignment]:
    """Assign (or replace) the pair on a case, refusing anything that breaks rules 1-5 and 8.

    Replaced mediators keep their assignment with an end date. A trainee's assignment opens a
    TraineeCase for their supervisor; when the pair changes it follows (its co-mediator is the
    trainee's new partner), and a trainee who leaves the case ends theirs. A case that was
    ready to assign becomes active. Assigning the same pair again with a reason accepts the
    conflicts of interest found since (they no longer stop bookings).

    Each newly assigned volunteer is told through the outbox, in this transaction: each
    returned assignment's ``notice`` is the message queued (an OutboxMessage, sent by the
    dispatcher with retries), or None when the volunteer has no email address or mobile number
    and the coordinator must tell them. Nothing is sent from here, so a mail server that is down
    cannot undo or fail the assignment.
    """
    on = on or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (Status.READY, Status.ACTIVE):
        raise ValidationError(
            "A pair can be assigned once every party has consented and the case is ready to "
            f"assign; this case is “{case.get_status_display()}”."
        )
    prefetch_related_objects([case], "parties")  # read once for both volunteers (rule 8)
    problems = pair_problems(case, lead, co_mediator, on)
    hard = [p.message for p in problems if not p.needs_override]
    if hard:
        raise ValidationError(hard)
    overridable = [p for p in problems if p.needs_override]
    if overridable and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": [
                    *(p.message for p in overridable),
                    "Record why it is acceptable to assign them anyway.",
                ]
            }
        )
    reason = override_reason.strip() if overridable else ""
    accepted = [p.key for p in overridable]
    current = list(
        case.assignments.filter(ended_on__isnull=True)
        .select_for_update(of=("self",))
        .select_related("volunteer")
    )
    wanted = {lead.pk: _role(lead, "lead"), co_mediator.pk: _role(co_mediator, "co_mediator")}
    left = [a for a in current if a.volunteer_id not in wanted]
    for assignment in left:
        assignment.ended_on = on
        assignment.save(update_fields=["ended_on"])
    cancel_assignment_notices(left, reason="Taken off the case before the notice went")
    kept = {a.volunteer_id: a for a in current if a.volunteer_id in wanted}
    created = CaseAssignment.objects.bulk_create(
        CaseAssignment(
            case=case,
            volunteer=volunteer,
            role=wanted[volunteer.pk],
            started_on=on,
            override_reason=reason,
            overridden_conflicts=accepted,
            assigned_by=by,
        )
        for volunteer in (lead, co_mediator)
        if volunteer.pk not in kept
    )
    for volunteer in (lead, co_mediator):
        assignment = kept.get(volunteer.pk)
        if assignment is None:
            continue
        assignment.role = wanted[volunteer.pk]
        if reason:
            assignment.override_reason = "\n".join(
                filter(None, [assignment.override_reason, reason])
            )
            assignment.overridden_conflicts = sorted(
                set(assignment.overridden_conflicts) | set(accepted)
            )
        assignment.save(update_fields=["role", "override_reason", "overridden_conflicts"])
    _trainee_cases_follow_the_pair(
        case, [lead, co_mediator], left=[a.volunteer for a in left], by=by
    )
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=case,
        case_reference=case.reference,
        detail={"pair": [lead.pk, co_mediator.pk], "overridden": bool(overridable)},
    )
    if created or left:
        replaced = f"; {', '.join(a.volunteer.full_name for a in left)} came off the case"
        timeline.log(
            case,
            f"Mediators: {lead.full_name} (lead) and {co_mediator.full_name}"
            + (replaced if left else "")
            + ".",
            by=by,
        )
    if case.status == Status.READY:
        if on == timezone.localdate():
            case_services.mediation_start(case=case, by=by)
        else:  # checked for another day: asked again for today (a DBS check lapsed since)
            case_services.case_transition(case=case, to=Status.ACTIVE, by=by)
    if created:
        signals.pair_assigned.send(Volunteer, case=case, pair=[lead, co_mediator])
    queue_assignment_notices(created)
    return created


def _trainee_cases_follow_the_pair(case, pair, *, left, by) -> None:
    """A trainee in the pair has an open TraineeCase whose co-mediator is their partner (one
    that ended because they had left is opened again); a trainee who left the case ends
    theirs."""
    for trainee, partner in (pair, pair[::-1]):
        if not trainee.is_trainee:
            continue
        trainee_case, made = TraineeCase.objects.select_for_update().get_or_create(
            trainee=trainee,
            case=case,
            defaults={"co_mediator": partner, "supervisor": trainee.supervisor},
        )
        if made or trainee_case.status == TraineeCase.Status.SIGNED_OFF:
            continue
        if trainee_case.status == TraineeCase.Status.ENDED:
            trainee_case.status = TraineeCase.Status.PENDING
            trainee_case.ended_reason = ""
        trainee_case.co_mediator = partner
        trainee_case.supervisor_id = trainee.supervisor_id
        trainee_case.save()
    if left:
        end_trainee_cases(
            TraineeCase.objects.filter(case=case, trainee__in=left),
            reason=TRAINEE_LEFT,
            by=by,
        )


# --- Trainee pathway --------------------------------------------------------------------------

# Why a trainee case ended (TraineeCase.ended_reason): it never counts toward accreditation.
TRAINEE_LEFT = "the trainee left the case"
CLOSED_BEFORE_MEDIATION = "the case closed before mediation"


def end_trainee_cases(trainee_cases, *, reason: str, by) -> int:
    """End the trainee cases among ``trainee_cases`` still on their way to sign-off; return how
    many. Signed-off ones stay signed off."""
    ended = list(
        trainee_cases.filter(status__in=TraineeCase.OPEN_STATUSES)
        .select_for_update(of=("self",))
        .select_related("case")
    )
    for trainee_case in ended:
        trainee_case.status = TraineeCase.Status.ENDED
        trainee_case.ended_reason = reason
        trainee_case.save(update_fields=["status", "ended_reason"])
        record_event(
            action=AuditEvent.Action.CHANGE, actor=by, obj=trainee_case, detail={"ended": reason}
        )
    return len(ended)


def _lock_trainee_case(trainee_case: TraineeCase) -> TraineeCase:
    return (
        TraineeCase.objects.select_for_update(of=("self",))
        .select_related("case", "trainee", "co_mediator__user")
        .get(pk=trainee_case.pk)
    )


@transaction.atomic
def reflection_submit(*, trainee_case: TraineeCase, by, text: str) -> TraineeCase:
    trainee_case = _lock_trainee_case(trainee_case)
    if trainee_case.trainee.user_id != by.pk:
        raise ValidationError("Only the trainee writes their reflection.")
    if trainee_case.case.is_open:
        raise ValidationError("Write the reflection once the case has closed.")
    _check_not_over(trainee_case)
    if not text.strip():
        raise ValidationError({"reflection": "Write your reflection on the case."})
    trainee_case.reflection = text.strip()
    trainee_case.reflection_at = timezone.now()
    trainee_case.status = TraineeCase.Status.PENDING  # back for review after "more work"
    trainee_case.save()
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=trainee_case, detail={"reflection": True}
    )
    return trainee_case


def _check_not_over(trainee_case: TraineeCase) -> None:
    if trainee_case.status == TraineeCase.Status.SIGNED_OFF:
        raise ValidationError("This case has already been signed off.")
    if trainee_case.status == TraineeCase.Status.ENDED:
        raise ValidationError(
            f"This trainee case has ended ({trainee_case.ended_reason}): it does not count "
            "toward accreditation."
        )


def may_record_feedback_for(trainee_case: TraineeCase, user) -> bool:
    """May ``user`` write the co-mediator's feedback? The co-mediator, of course. So may a
    coordinator, or the trainee's supervisor, on behalf of a co-mediator who cannot (no login,
    a login disabled, or no longer working as a mediator) — so that every trainee case can
    move on."""
    co_mediator = trainee_case.co_mediator
    if co_mediator.user_id is not None and co_mediator.user_id == user.pk:
        return True
    cannot = (
        co_mediator.user is None
        or not co_mediator.user.is_active
        or co_mediator.status not in WORKING_STATUSES
    )
    return cannot and (
        has_role(user, COORDINATOR)
        or (has_role(user, SUPERVISOR) and trainee_case.supervisor_id == user.pk)
    )


@transaction.atomic
def feedback_submit(*, trainee_case: TraineeCase, by, text: str) -> TraineeCase:
    """The co-mediator's feedback, written by them or, on their behalf, by a coordinator or
    the supervisor (``may_record_feedback_for``); the page says which."""
    trainee_case = _lock_trainee_case(trainee_case)
    if not may_record_feedback_for(trainee_case, by):
        raise ValidationError("Only the co-mediator gives feedback on this case.")
    _check_not_over(trainee_case)
    if trainee_case.case.is_open:
        raise ValidationError("Give feedback once the case has closed.")
    if not text.strip():
        raise ValidationError({"feedback": "Write the co-mediator's feedback for the trainee."})
    trainee_case.feedback = text.strip()
    trainee_case.feedback_at = timezone.now()
    trainee_case.feedback_recorded_by = by
    trainee_case.save()
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=trainee_case,
        detail={"feedback": True, "on_behalf": trainee_case.feedback_on_behalf},
    )
    return trainee_case


@transaction.atomic
def trainee_case_review(
    *, trainee_case: TraineeCase, by, sign_off: bool, comments: str = ""
) -> TraineeCase:
    """The supervisor signs the case off, or asks for more work with comments."""
    trainee_case = _lock_trainee_case(trainee_case)
    if trainee_case.supervisor_id != by.pk or not has_role(by, SUPERVISOR):
        raise ValidationError("Only the trainee's supervisor can review this case.")
    if stopped_volunteering(by).exists():
        raise ValidationError("You no longer volunteer: a working supervisor signs cases off.")
    if not trainee_case.ready_for_sign_off:
        raise ValidationError(f"Not ready for review: {trainee_case.stage.lower()}.")
    if not sign_off and not comments.strip():
        raise ValidationError({"comments": "Say what more work is needed."})
    if comments.strip():  # earlier comments stay unless new ones replace them
        trainee_case.supervisor_comments = comments.strip()
    trainee_case.status = (
        TraineeCase.Status.SIGNED_OFF if sign_off else TraineeCase.Status.MORE_WORK
    )
    if sign_off:
        trainee_case.signed_by = by
        trainee_case.signed_at = timezone.now()
    trainee_case.save()
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=trainee_case,
        detail={"review": trainee_case.status},
    )
    return trainee_case


def reopen_trainee_cases(case: Case, *, by) -> int:
    """A reopened case takes back the trainee cases its closing ended (closed before
    mediation), for trainees still on it; return how many."""
    reopened = 0
    ended = TraineeCase.objects.select_for_update(of=("self",)).filter(
        case=case, status=TraineeCase.Status.ENDED, ended_reason=CLOSED_BEFORE_MEDIATION
    )
    still_on = set(case.assignments.current().values_list("volunteer_id", flat=True))
    for trainee_case in ended:
        if trainee_case.trainee_id not in still_on:
            continue
        trainee_case.status = TraineeCase.Status.PENDING
        trainee_case.ended_reason = ""
        trainee_case.save(update_fields=["status", "ended_reason"])
        record_event(
            action=AuditEvent.Action.CHANGE, actor=by, obj=trainee_case, detail={"reopened": True}
        )
        reopened += 1
    return reopened
