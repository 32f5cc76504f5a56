"""Reads about cases for home pages and lists, always within the user's scope."""

from django.db.models import Count

from .models import Case, Status


def status_counts(user) -> list[tuple[str, str, int]]:
    """[(status, label, number of visible cases)] in lifecycle order, in one query."""
    counts = dict(
        Case.objects.visible_to(user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(status, status.label, counts.get(status, 0)) for status in Status]


def open_cases(user, limit: int = 20):
    """The user's open cases, most recently changed first."""
    return (
        Case.objects.visible_to(user)
        .exclude(status=Status.CLOSED)
        .order_by("-status_changed_at")
        .prefetch_related("parties")[:limit]
    )
