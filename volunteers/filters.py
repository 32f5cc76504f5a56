"""The volunteer list's search and filters. They filter a queryset already scoped to the user
(volunteers.selectors.volunteers_visible_to) and annotated with ``dbs_until``."""

import datetime

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wkm.forms import style_filter_widgets

from .models import Accreditation, AccreditationKind, Volunteer

DBS_STATES = (
    ("current", "Current"),
    ("expiring", f"Expiring within {settings.DBS_WARNING_DAYS} days"),
    ("expired", "Expired"),
    ("missing", "Missing (no current enhanced check recorded)"),
)


def dbs_condition(state: str, today: datetime.date | None = None) -> Q:
    """The same states as volunteers.dbs.dbs_state, as a condition on ``dbs_until``."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.DBS_WARNING_DAYS)
    return {
        "current": Q(dbs_until__gt=horizon),
        "expiring": Q(dbs_until__gte=today, dbs_until__lte=horizon),
        "expired": Q(dbs_until__lt=today),
        "missing": Q(dbs_until__isnull=True),
    }[state]


class VolunteerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search", help_text="Name or email")
    status = django_filters.ChoiceFilter(choices=Volunteer.Status.choices, empty_label="Any status")
    dbs = django_filters.ChoiceFilter(
        label="DBS check", choices=DBS_STATES, method="dbs_state", empty_label="Any DBS state"
    )
    accreditation = django_filters.ChoiceFilter(
        label="Accreditation",
        choices=AccreditationKind.choices,
        method="accredited_for",
        empty_label="Any or none",
    )

    class Meta:
        model = Volunteer
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_filter_widgets(self.form)

    def search(self, queryset, name, value):
        condition = Q()
        for word in value.split():
            condition &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset.filter(condition)

    def dbs_state(self, queryset, name, value):
        return queryset.filter(dbs_condition(value))

    def accredited_for(self, queryset, name, value):
        return queryset.filter(
            Exists(Accreditation.objects.held().filter(volunteer=OuterRef("pk"), kind=value))
        )
