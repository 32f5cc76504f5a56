"""Reads about sessions for dashboards."""

from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from volunteers.models import DBSCheck, Volunteer

from .models import MediationSession


def dbs_lapses_before_session():
    """Scheduled sessions with a mediator whose DBS check stops being current before the
    session's day (rule 4): they must be renewed, or the mediator replaced, in time."""
    latest_until = Subquery(
        DBSCheck.objects.filter(volunteer=OuterRef("pk"))
        .values("volunteer")
        .annotate(until=Max("current_until"))
        .values("until")[:1]
    )
    lapsing = (
        Volunteer.objects.filter(sessions=OuterRef("pk"))
        .annotate(dbs_until=latest_until)
        .filter(Q(dbs_until__isnull=True) | Q(dbs_until__lt=OuterRef("session_day")))
    )
    return (
        MediationSession.objects.filter(
            status=MediationSession.Status.SCHEDULED, starts_at__gte=timezone.now()
        )
        .annotate(session_day=TruncDate(F("starts_at"), tzinfo=timezone.get_current_timezone()))
        .filter(Exists(lapsing))
        .select_related("case")
        .order_by("starts_at")
    )
