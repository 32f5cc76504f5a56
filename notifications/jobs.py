"""The daily jobs: each writes messages for coordinators into the outbox, once per day or case
(dedupe keys), so running a job twice — or on two workers — queues nothing twice."""

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import COORDINATOR, users_with_role
from cases.models import Case, CaseAssignment, Status
from cases.querysets import follow_up_due_q
from volunteers.dbs import dbs_state
from volunteers.selectors import dbs_attention

from .models import OutboxMessage
from .outbox import notify_staff


def _day(value) -> str:
    return date_format(value, "j M Y") if value else ""


def queue_dbs_warnings(today=None) -> int:
    today = today or timezone.localdate()
    rows = [
        {"name": v.full_name, "state": dbs_state(v.dbs_until, today), "until": _day(v.dbs_until)}
        for v in dbs_attention(today)
    ]
    if not rows:
        return 0
    context = {"volunteers": rows, "count": len(rows), "warning_days": settings.DBS_WARNING_DAYS}
    return sum(
        notify_staff(
            kind=OutboxMessage.Kind.DBS_EXPIRY,
            user=user,
            context=context,
            dedupe_key=f"dbs:{user.pk}:{today.isoformat()}",
        )
        for user in users_with_role(COORDINATOR)
    )


def queue_follow_ups(today=None) -> int:
    """One message per closed case whose follow-up date has come, to its coordinator."""
    today = today or timezone.localdate()
    # To the case's coordinator while they are one: not to a disabled account or a former one.
    due = Case.objects.filter(
        follow_up_due_q(today), coordinator__in=users_with_role(COORDINATOR)
    ).select_related("coordinator")
    return sum(
        notify_staff(
            kind=OutboxMessage.Kind.FOLLOW_UP,
            user=case.coordinator,
            context={
                "reference": case.reference,
                "closed_on": _day(case.closed_on),
                "follow_up_on": _day(case.follow_up_on),
            },
            dedupe_key=f"follow_up:{case.pk}:{case.follow_up_on.isoformat()}",
        )
        for case in due
    )


def queue_unassigned_digest(today=None) -> int:
    today = today or timezone.localdate()
    current_pair = CaseAssignment.objects.current().filter(case=OuterRef("pk"))
    waiting = (
        Case.objects.exclude(status__in=[Status.ACTIVE, Status.CLOSED])
        .exclude(Exists(current_pair))
        .order_by("received_on")
    )
    rows = [
        {
            "reference": c.reference,
            "status": c.get_status_display(),
            "received": _day(c.received_on),
        }
        for c in waiting[:200]
    ]
    if not rows:
        return 0
    context = {"cases": rows, "count": waiting.count()}
    return sum(
        notify_staff(
            kind=OutboxMessage.Kind.UNASSIGNED_DIGEST,
            user=user,
            context=context,
            dedupe_key=f"digest:{user.pk}:{today.isoformat()}",
        )
        for user in users_with_role(COORDINATOR)
    )
