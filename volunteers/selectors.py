"""Reads about volunteers, scoped to the user asking (like Case.objects.visible_to)."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.roles import COORDINATOR, SUPERVISOR, has_role
from cases.models import Case, Status
from cases.models import Status as CaseStatus
from cases.querysets import WORKING_STATUSES

from .dbs import annotate_dbs
from .eligibility import COMMUNITY_DISPUTES
from .models import Accreditation, AccreditationKind, TraineeCase, Volunteer


def volunteers_visible_to(user):
    """Coordinators see every volunteer; supervisors see the trainees they supervise (and
    themselves); anyone else sees only their own record."""
    queryset = Volunteer.objects.all()
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if has_role(user, COORDINATOR):
        return queryset
    if has_role(user, SUPERVISOR):
        return queryset.filter(Q(supervisor=user) | Q(user=user))
    return queryset.filter(user=user)


def trainee_cases_visible_to(user):
    """Coordinators see all; otherwise the trainee, the co-mediator and the trainee's supervisor
    of each, while its case is theirs to see (rule 11, Case.objects.visible_to): a co-mediator
    replaced by a new pair, or a trainee taken off the case, loses its supervision page with
    the case, and a trainee's former supervisor loses it to the new one."""
    queryset = TraineeCase.objects.select_related(
        "case", "trainee", "co_mediator__user", "supervisor", "signed_by"
    )
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if has_role(user, COORDINATOR):
        return queryset
    return queryset.filter(
        Q(trainee__user=user) | Q(co_mediator__user=user) | Q(trainee__supervisor=user),
        case__in=Case.objects.visible_to(user),
    )


def with_caseload(queryset):
    """Annotate ``active_cases``: places in current pairs (CaseAssignmentQuerySet.current) on
    open cases."""
    return queryset.annotate(
        active_cases=Count(
            "assignments",
            distinct=True,
            filter=Q(assignments__ended_on__isnull=True, status__in=WORKING_STATUSES)
            & ~Q(assignments__case__status=Status.CLOSED),
        )
    )


def dbs_attention(today=None):
    """Working volunteers whose DBS check has expired or will within DBS_WARNING_DAYS."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.DBS_WARNING_DAYS)
    return (
        annotate_dbs(
            Volunteer.objects.filter(
                status__in=[Volunteer.Status.TRAINEE, Volunteer.Status.MEDIATOR]
            )
        )
        .filter(Q(dbs_until__isnull=True) | Q(dbs_until__lte=horizon))
        .order_by("dbs_until")
    )


# --- The trainee pathway (supervision pages and home panels) ---------------------------------


def ready_q() -> Q:
    """TraineeCase.ready_for_sign_off, in SQL."""
    return Q(
        status=TraineeCase.Status.PENDING,
        case__status=CaseStatus.CLOSED,
        reflection_at__isnull=False,
        feedback_at__isnull=False,
    )


def supervised_trainee_cases(user):
    """The trainee cases of the trainees ``user`` supervises (a coordinator: every trainee
    case)."""
    queryset = trainee_cases_visible_to(user)
    if has_role(user, COORDINATOR):
        return queryset
    return queryset.filter(trainee__supervisor=user)


def accreditable_volunteers(user):
    """The volunteers ``user`` may grant community accreditation to from these pages: a
    coordinator, anyone; a supervisor, the trainees they supervise; anybody else, nobody."""
    if has_role(user, COORDINATOR):
        return Volunteer.objects.all()
    if has_role(user, SUPERVISOR):
        return Volunteer.objects.filter(supervisor=user)
    return Volunteer.objects.none()


def trainee_progress(user):
    """The trainees ``user`` supervises (a coordinator: all trainees), each annotated with
    ``signed_off`` (signed-off community trainee cases, as rule 6 counts them), ``accredited``
    (holds community accreditation) — one query."""
    queryset = Volunteer.objects.filter(status=Volunteer.Status.TRAINEE)
    if not has_role(user, COORDINATOR):
        queryset = queryset.filter(supervisor=user)
    return queryset.annotate(
        signed_off=Count(
            "trainee_cases",
            filter=Q(
                trainee_cases__status=TraineeCase.Status.SIGNED_OFF,
                trainee_cases__case__dispute_type__in=COMMUNITY_DISPUTES,
            ),
        ),
        accredited=Exists(
            Accreditation.objects.held().filter(
                volunteer=OuterRef("pk"), kind=AccreditationKind.COMMUNITY
            )
        ),
    ).order_by("last_name", "first_name", "pk")


def with_eligibility(trainees):
    needed = settings.TRAINEE_CASES_FOR_ACCREDITATION
    trainees = list(trainees)
    for trainee in trainees:
        trainee.needed = needed
        trainee.can_be_accredited = trainee.signed_off >= needed and not trainee.accredited
    return trainees


def waiting_for(user, *, supervisor: bool) -> dict:
    """What the trainee pathway is waiting for from ``user``, for their home page, in a fixed
    number of queries: reflections to write, feedback to give and (supervisors) sign-offs and
    trainees' progress."""
    closed = trainee_cases_visible_to(user).filter(case__status=CaseStatus.CLOSED)
    context = {
        "reflections_to_write": list(
            closed.filter(trainee__user=user)
            .filter(Q(reflection_at__isnull=True) | Q(status=TraineeCase.Status.MORE_WORK))
            .filter(status__in=TraineeCase.OPEN_STATUSES)
        ),
        "feedback_to_give": list(
            closed.filter(
                co_mediator__user=user,
                feedback_at__isnull=True,
                status__in=TraineeCase.OPEN_STATUSES,
            )
        ),
    }
    if supervisor:
        context["sign_offs_waiting"] = list(closed.filter(ready_q(), supervisor=user))
        context["trainees"] = with_eligibility(trainee_progress(user))
    return context
