"""Reads about cases for home pages and lists, always within the user's scope."""

import datetime

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.utils import timezone

from parties.models import Party

from .models import Case, Status

OPEN_STATUSES = [status for status in Status if status != Status.CLOSED]


def status_counts(user, today: datetime.date | None = None) -> list[tuple[str, str, int]]:
    """[(label, case list query, number of visible cases)]: each open stage in lifecycle
    order, then the cases closed in the last 12 months — in one query, counted from indexes
    alone. (Counting every closed case ever read the whole table: 23 ms at 100,000 cases,
    for a figure nobody acts on; the reports have the history.)"""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=365)
    visible = Case.objects.visible_to(user).order_by()
    open_counts = (
        visible.filter(status__in=OPEN_STATUSES)
        .values_list("status")
        .annotate(n=Count("*"))
        .values_list("status", "n")
    )
    closed_recently = (
        visible.filter(status=Status.CLOSED, closed_on__gte=since)
        .annotate(label=Value(Status.CLOSED.value, output_field=CharField()))
        .values("label")
        .annotate(n=Count("*"))
        .values_list("label", "n")
    )
    counts = dict(open_counts.union(closed_recently, all=True))
    rows = [(status.label, f"status={status}", counts.get(status, 0)) for status in OPEN_STATUSES]
    rows.append(
        (
            "Closed in the last 12 months",
            f"status=closed&closed_from={since.isoformat()}",
            counts.get(Status.CLOSED, 0),
        )
    )
    return rows


def open_cases(user, limit: int = 20):
    """The user's open cases, most recently changed first."""
    return (
        Case.objects.visible_to(user)
        .exclude(status=Status.CLOSED)
        .order_by("-status_changed_at")
        .prefetch_related("parties")[:limit]
    )


def party_names(case_field: str = "pk") -> Subquery:
    """An annotation: the names of the parties of the case ``case_field`` points at ("Alice
    Carter, Bob Dunn") — lists of references mean little to someone about to ring the
    parties. Computed only for the rows a panel shows (it is in the select list of a query
    with a LIMIT), from the index on parties' case."""
    return Subquery(
        Party.objects.filter(case=OuterRef(case_field))
        .order_by()
        .values("case")
        .annotate(names=StringAgg("full_name", ", ", order_by="id"))
        .values("names")[:1]
    )
