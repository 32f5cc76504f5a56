"""Reads of referring organisations: the list's search, an organisation's cases as the user may
see them, and the choices intake offers as one types."""

from dataclasses import dataclass

from django.db.models import Count, Q

from cases.models import Case

from .models import Referrer, ReferrerContact


def referrers_listed(*, q: str = "", retired: bool = False):
    """The organisations whose name (or a current contact's name) has ``q`` in it; retired ones
    only with ``retired``. Each with its number of current contacts and of cases (in the page's
    one query)."""
    found = Referrer.objects.all()
    if not retired:
        found = found.filter(retired_at__isnull=True)
    q = " ".join(q.split())
    if q:
        found = found.filter(
            Q(name__icontains=q)
            | Q(pk__in=ReferrerContact.objects.filter(name__icontains=q).values("referrer_id"))
        )
    return found.annotate(
        contact_count=Count("contacts", filter=Q(contacts__retired_at__isnull=True), distinct=True),
    ).order_by("name", "pk")


def cases_of(referrer: Referrer, user):
    """The organisation's cases that ``user`` may see (rule 11: Case.objects.visible_to)."""
    return (
        Case.objects.visible_to(user)
        .filter(referrer=referrer)
        .select_related("referrer_person")
        .only(
            "reference",
            "received_on",
            "dispute_type",
            "status",
            "outcome",
            "closed_on",
            "referrer_person__name",
        )
        .order_by("-received_on", "-id")
    )


@dataclass(frozen=True)
class IntakeChoices:
    organisations: list[str]
    people: list[tuple[str, str]]  # (name, organisation)


def intake_choices() -> IntakeChoices:
    """What intake offers as one types: current organisations and their current people (two
    queries, whatever their number; a few hundred names are a few kilobytes)."""
    organisations = list(
        Referrer.objects.filter(retired_at__isnull=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    people = list(
        ReferrerContact.objects.filter(retired_at__isnull=True, referrer__retired_at__isnull=True)
        .order_by("name", "referrer__name")
        .values_list("name", "referrer__name")
    )
    return IntakeChoices(organisations=organisations, people=people)
