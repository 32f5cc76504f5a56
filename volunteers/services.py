"""Every write about volunteers that has a rule: records, DBS, training, pairing, trainees.

Conventions as in cases.services: keyword arguments, one transaction, full_clean(), a
ValidationError a coordinator understands, an audit record.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.roles import COORDINATOR, SUPERVISOR, has_role
from audit.models import AuditEvent
from audit.services import record_event
from cases import services as case_services
from cases.models import Case, CaseAssignment, Status

from . import dbs
from .eligibility import COMMUNITY_DISPUTES, pair_problems
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


def _audit(action, *, by, obj, request=None, case_reference="", **detail):
    record_event(
        action=action,
        actor=by,
        request=request,
        obj=obj,
        case_reference=case_reference,
        detail=detail or None,
    )


def _save(obj, *, by, request=None, action=AuditEvent.Action.CREATE, audit_obj=None, **detail):
    obj.full_clean()
    obj.save()
    _audit(action, by=by, obj=audit_obj or obj, request=request, **detail)
    return obj


# --- Records ----------------------------------------------------------------------------------


@transaction.atomic
def volunteer_create(*, by, fields: dict, request=None) -> Volunteer:
    return _save(Volunteer(**fields), by=by, request=request)


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, by, fields: dict, request=None) -> Volunteer:
    unknown = set(fields) - set(VOLUNTEER_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if (
        fields.get("status") == Volunteer.Status.MEDIATOR
        and volunteer.status != Volunteer.Status.MEDIATOR
        and not volunteer.accreditations.filter(kind=AccreditationKind.COMMUNITY).exists()
    ):
        raise ValidationError(
            {
                "status": "A volunteer becomes a mediator by being granted community "
                "accreditation after three signed-off trainee cases."
            }
        )
    for name, value in fields.items():
        setattr(volunteer, name, value)
    return _save(
        volunteer, by=by, request=request, action=AuditEvent.Action.CHANGE, fields=sorted(fields)
    )


@transaction.atomic
def dbs_record(*, volunteer: Volunteer, by, fields: dict, request=None) -> DBSCheck:
    check = DBSCheck(volunteer=volunteer, recorded_by=by, **fields)
    check.full_clean()
    check.current_until = dbs.current_until(check)
    check.save()
    _audit(AuditEvent.Action.CREATE, by=by, obj=volunteer, request=request, dbs=check.pk)
    return check


@transaction.atomic
def dbs_status_checked(*, check: DBSCheck, by, checked_on: datetime.date, request=None) -> DBSCheck:
    """Record an Update Service status check that found the certificate still valid."""
    check = DBSCheck.objects.select_for_update().get(pk=check.pk)
    if check.last_status_check_on and checked_on < check.last_status_check_on:
        raise ValidationError({"last_status_check_on": "A later status check is already recorded."})
    check.last_status_check_on = checked_on
    check.full_clean()
    check.current_until = dbs.current_until(check)
    check.save()
    _audit(AuditEvent.Action.CHANGE, by=by, obj=check.volunteer, request=request, dbs=check.pk)
    return check


@transaction.atomic
def training_add(*, volunteer: Volunteer, by, fields: dict, request=None) -> TrainingRecord:
    record = TrainingRecord(volunteer=volunteer, **fields)
    return _save(record, by=by, request=request, audit_obj=volunteer, training=record.course)


@transaction.atomic
def accreditation_grant(
    *, volunteer: Volunteer, kind: str, by, granted_on: datetime.date | None = None, request=None
) -> Accreditation:
    """Grant an accreditation. Community accreditation of a trainee needs three signed-off
    trainee cases (rule 6) and makes them a mediator; only supervisors and coordinators grant."""
    if not has_role(by, SUPERVISOR, COORDINATOR):
        raise ValidationError("Only a supervisor or a coordinator can grant an accreditation.")
    volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if not has_role(by, COORDINATOR) and volunteer.supervisor_id != by.pk:
        raise ValidationError("A supervisor grants accreditation to their own trainees only.")
    if volunteer.user_id is not None and volunteer.user_id == by.pk:
        raise ValidationError("Nobody can grant an accreditation to themselves.")
    if volunteer.status not in (Volunteer.Status.TRAINEE, Volunteer.Status.MEDIATOR):
        raise ValidationError(
            f"{volunteer.full_name} is {volunteer.get_status_display().lower()}: only trainees "
            "and mediators are accredited."
        )
    granted_on = granted_on or timezone.localdate()
    if granted_on > timezone.localdate():
        raise ValidationError({"granted_on": "The date cannot be in the future."})
    if volunteer.accreditations.filter(kind=kind).exists():
        raise ValidationError({"kind": f"{volunteer.full_name} already holds this accreditation."})
    if kind == AccreditationKind.COMMUNITY:
        signed = signed_off_trainee_cases(volunteer)
        needed = settings.TRAINEE_CASES_FOR_ACCREDITATION
        if signed < needed:
            raise ValidationError(
                {
                    "kind": f"{volunteer.full_name} has {signed} of {needed} supervised "
                    "community cases signed off."
                }
            )
    accreditation = Accreditation(
        volunteer=volunteer, kind=kind, granted_on=granted_on, granted_by=by
    )
    _save(accreditation, by=by, request=request, audit_obj=volunteer, accreditation=kind)
    if kind == AccreditationKind.COMMUNITY and volunteer.status != Volunteer.Status.MEDIATOR:
        volunteer.status = Volunteer.Status.MEDIATOR
        volunteer.save(update_fields=["status"])
    return accreditation


def signed_off_trainee_cases(volunteer: Volunteer) -> int:
    return volunteer.trainee_cases.filter(
        status=TraineeCase.Status.SIGNED_OFF, case__dispute_type__in=COMMUNITY_DISPUTES
    ).count()


@transaction.atomic
def connection_add(*, volunteer: Volunteer, by, fields: dict, request=None) -> DeclaredConnection:
    connection = DeclaredConnection(volunteer=volunteer, **fields)
    return _save(connection, by=by, request=request, audit_obj=volunteer, connection="added")


@transaction.atomic
def availability_set(*, volunteer: Volunteer, by, slots: list[tuple[int, str]], request=None):
    """Replace the volunteer's weekly availability with ``slots`` [(weekday, part_of_day)]."""
    slots = sorted(set(slots))
    for day, part in slots:
        if day not in Availability.Weekday.values or part not in Availability.Part.values:
            raise ValidationError(f"Not a time of the week: {day}, {part}.")
    volunteer.availability.all().delete()
    Availability.objects.bulk_create(
        Availability(volunteer=volunteer, weekday=day, part_of_day=part) for day, part in slots
    )
    _audit(AuditEvent.Action.CHANGE, by=by, obj=volunteer, request=request, availability=len(slots))


@transaction.atomic
def hours_log(*, volunteer: Volunteer, by, fields: dict, request=None) -> VolunteerHours:
    entry = VolunteerHours(volunteer=volunteer, **fields)
    if entry.case_id and not Case.objects.visible_to(by).filter(pk=entry.case_id).exists():
        raise ValidationError({"case": "Choose one of your cases."})
    return _save(entry, by=by, request=request, audit_obj=volunteer, hours=str(entry.hours))


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
    request=None,
) -> list[CaseAssignment]:
    """Assign (or replace) the pair on a case, refusing anything that breaks rules 1-5 and 8.

    Replaced mediators keep their assignment with an end date. A trainee's assignment opens a
    TraineeCase for their supervisor. A case that was ready to assign becomes active. Both
    volunteers are emailed once the transaction commits.
    """
    on = on or timezone.localdate()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status not in (Status.READY, Status.ACTIVE):
        raise ValidationError(
            "A pair can be assigned once every party has consented and the case is ready to "
            f"assign; this case is “{case.get_status_display()}”."
        )
    problems = pair_problems(case, lead, co_mediator, on)
    hard = [p.message for p in problems if not p.needs_override]
    if hard:
        raise ValidationError(hard)
    overridable = [p.message for p in problems if p.needs_override]
    if overridable and not override_reason.strip():
        raise ValidationError(
            {
                "override_reason": [
                    *overridable,
                    "Record why it is acceptable to assign them anyway.",
                ]
            }
        )
    current = list(case.assignments.filter(ended_on__isnull=True).select_related("volunteer"))
    wanted = {lead.pk: _role(lead, "lead"), co_mediator.pk: _role(co_mediator, "co_mediator")}
    for assignment in current:
        if assignment.volunteer_id not in wanted:
            assignment.ended_on = on
            assignment.save(update_fields=["ended_on"])
    kept = {a.volunteer_id for a in current if a.volunteer_id in wanted}
    created = []
    for volunteer in (lead, co_mediator):
        if volunteer.pk in kept:
            continue
        created.append(
            CaseAssignment.objects.create(
                case=case,
                volunteer=volunteer,
                role=wanted[volunteer.pk],
                started_on=on,
                override_reason=override_reason.strip() if overridable else "",
                assigned_by=by,
            )
        )
    for trainee, partner in ((lead, co_mediator), (co_mediator, lead)):
        if trainee.is_trainee:
            TraineeCase.objects.get_or_create(
                trainee=trainee,
                case=case,
                defaults={"co_mediator": partner, "supervisor": trainee.supervisor},
            )
    _audit(
        AuditEvent.Action.CHANGE,
        by=by,
        obj=case,
        request=request,
        case_reference=case.reference,
        pair=[lead.pk, co_mediator.pk],
        overridden=bool(overridable),
    )
    if case.status == Status.READY:
        case_services.case_transition(case=case, to=Status.ACTIVE, by=by, request=request)
    if created:
        _move_future_sessions_to(case, [lead, co_mediator])
    assignment_ids = [a.pk for a in created]
    transaction.on_commit(lambda: notify_assigned(assignment_ids))
    return created


def _move_future_sessions_to(case: Case, pair: list[Volunteer]) -> None:
    """A new pair takes over the case's scheduled sessions, and their reminders follow."""
    from sessions.models import MediationSession
    from sessions.outbox import reschedule_session_reminders

    upcoming = case.sessions.filter(
        status=MediationSession.Status.SCHEDULED, starts_at__gte=timezone.now()
    )
    for session in upcoming:
        session.mediators.set(pair)
        reschedule_session_reminders(session)


def notify_assigned(assignment_ids: list[int]) -> None:
    """Email each newly assigned volunteer: the case reference and a link, nothing confidential."""
    assignments = CaseAssignment.objects.filter(pk__in=assignment_ids).select_related(
        "case", "volunteer"
    )
    for assignment in assignments:
        if not assignment.volunteer.email:
            continue
        context = {"assignment": assignment, "case": assignment.case}
        send_mail(
            subject=f"You have been assigned to case {assignment.case.reference}",
            message=render_to_string("emails/assigned-body.txt", context),
            html_message=render_to_string("emails/assigned-body.html", context),
            from_email=None,
            recipient_list=[assignment.volunteer.email],
        )


@transaction.atomic
def assignment_end(*, assignment: CaseAssignment, by, on=None, request=None) -> CaseAssignment:
    """Take a volunteer off a case (history kept). The case then needs a new pair."""
    assignment = CaseAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise ValidationError("This assignment has already ended.")
    assignment.ended_on = on or timezone.localdate()
    assignment.save(update_fields=["ended_on"])
    _audit(
        AuditEvent.Action.CHANGE,
        by=by,
        obj=assignment.case,
        request=request,
        case_reference=assignment.case.reference,
        ended_assignment=assignment.pk,
    )
    return assignment


# --- Trainee pathway --------------------------------------------------------------------------


def _lock_trainee_case(trainee_case: TraineeCase) -> TraineeCase:
    return (
        TraineeCase.objects.select_for_update()
        .select_related("case", "trainee")
        .get(pk=trainee_case.pk)
    )


@transaction.atomic
def reflection_submit(*, trainee_case: TraineeCase, by, text: str, request=None) -> TraineeCase:
    trainee_case = _lock_trainee_case(trainee_case)
    if trainee_case.trainee.user_id != by.pk:
        raise ValidationError("Only the trainee writes their reflection.")
    if trainee_case.case.is_open:
        raise ValidationError("Write the reflection once the case has closed.")
    if trainee_case.status == TraineeCase.Status.SIGNED_OFF:
        raise ValidationError("This case has already been signed off.")
    if not text.strip():
        raise ValidationError({"reflection": "Write your reflection on the case."})
    trainee_case.reflection = text.strip()
    trainee_case.reflection_at = timezone.now()
    trainee_case.status = TraineeCase.Status.PENDING  # back for review after "more work"
    trainee_case.save()
    _audit(AuditEvent.Action.CHANGE, by=by, obj=trainee_case, request=request, reflection=True)
    return trainee_case


@transaction.atomic
def feedback_submit(*, trainee_case: TraineeCase, by, text: str, request=None) -> TraineeCase:
    trainee_case = _lock_trainee_case(trainee_case)
    if trainee_case.co_mediator.user_id != by.pk:
        raise ValidationError("Only the co-mediator gives feedback on this case.")
    if trainee_case.status == TraineeCase.Status.SIGNED_OFF:
        raise ValidationError("This case has already been signed off.")
    if trainee_case.case.is_open:
        raise ValidationError("Give feedback once the case has closed.")
    if not text.strip():
        raise ValidationError({"feedback": "Write your feedback for the trainee."})
    trainee_case.feedback = text.strip()
    trainee_case.feedback_at = timezone.now()
    trainee_case.save()
    _audit(AuditEvent.Action.CHANGE, by=by, obj=trainee_case, request=request, feedback=True)
    return trainee_case


@transaction.atomic
def trainee_case_review(
    *, trainee_case: TraineeCase, by, sign_off: bool, comments: str = "", request=None
) -> TraineeCase:
    """The supervisor signs the case off, or asks for more work with comments."""
    trainee_case = _lock_trainee_case(trainee_case)
    if trainee_case.supervisor_id != by.pk or not has_role(by, SUPERVISOR):
        raise ValidationError("Only the trainee's supervisor can review this case.")
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
    _audit(
        AuditEvent.Action.CHANGE,
        by=by,
        obj=trainee_case,
        request=request,
        review=trainee_case.status,
    )
    return trainee_case
