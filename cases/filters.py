import re

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from parties.models import Party
from parties.validators import OUTWARD_CODE, POSTCODE
from wkm.forms import style_filter_widgets
from wkm.widgets import DateInput

from .forms import coordinators
from .models import (
    CONTACT_KINDS,
    Case,
    CaseAssignment,
    ContactLogEntry,
    DisputeType,
    ReferralSource,
    Status,
)
from .querysets import follow_up_due_q

# What part of a reference can look like: digits and hyphens, perhaps after "WKM". A postcode
# ("TN3") is not searched for among references, which made every such search scan every case.
REFERENCE_PART = re.compile(r"^(WKM)?-?[\d-]*\d[\d-]*$")


def not_contacted_q() -> Q:
    """New referrals nobody has contacted yet: referred or contacting parties, and no call,
    letter, email, visit or meeting logged (notes and drafts do not count)."""
    contacted = Exists(
        ContactLogEntry.objects.filter(case=OuterRef("pk"), is_draft=False, kind__in=CONTACT_KINDS)
    )
    return Q(status__in=[Status.REFERRED, Status.CONTACTING]) & ~Q(contacted)


class CaseFilter(django_filters.FilterSet):
    """The case list's search and filters. It filters a queryset already scoped to the user."""

    q = django_filters.CharFilter(
        label="Search", method="search", help_text="Reference, party name or postcode"
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    dispute_type = django_filters.ChoiceFilter(choices=DisputeType.choices, empty_label="Any type")
    referral_source = django_filters.ChoiceFilter(
        label="Source", choices=ReferralSource.choices, empty_label="Any source"
    )
    coordinator = django_filters.ModelChoiceFilter(
        queryset=coordinators(), empty_label="Any coordinator"
    )
    # A name to type rather than a list to scroll: a service has hundreds of volunteers, and
    # rendering each as an option cost more than the rest of the page together.
    mediator = django_filters.CharFilter(
        label="Mediator's name",
        method="assigned_to",
        help_text="Cases this mediator is working on now",
    )
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label="Received from", widget=DateInput()
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label="Received to", widget=DateInput()
    )
    closed_from = django_filters.DateFilter(
        field_name="closed_on", lookup_expr="gte", label="Closed from", widget=DateInput()
    )
    not_contacted = django_filters.BooleanFilter(
        label="Not yet contacted", method="filter_not_contacted", widget=forms.CheckboxInput
    )
    follow_up_due = django_filters.BooleanFilter(
        label="Follow-up due", method="filter_follow_up_due", widget=forms.CheckboxInput
    )
    order = django_filters.OrderingFilter(
        label="Sort by",
        fields=(("received_on", "received"), ("reference", "reference"), ("status", "status")),
        field_labels={
            "received": "Received (oldest first)",
            "-received": "Received (newest first)",
            "reference": "Reference (A–Z)",
            "-reference": "Reference (Z–A)",
            "status": "Status",
            "-status": "Status (reversed)",
        },
        empty_label="Newest first",
    )

    class Meta:
        model = Case
        fields = ()

    def __init__(self, *args, show_staff_filters=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["coordinator"].field.label_from_instance = lambda u: (
            u.get_full_name() or u.username
        )
        if not show_staff_filters:
            for name in ("coordinator", "mediator", "not_contacted", "follow_up_due"):
                del self.filters[name]
        style_filter_widgets(self.form)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Each kind of search only where it can match, so that a name search uses the trigram
        # index on party names instead of scanning every case's reference as well.
        compact = value.replace(" ", "").upper()
        matching = Party.objects.none()
        condition = Q(pk__in=[])
        if REFERENCE_PART.match(compact):  # "WKM-2026-0042", "2026-42", "0042"
            condition |= Q(reference__icontains=value)
        if POSTCODE.match(compact):
            matching = Party.objects.filter(postcode=f"{compact[:-3]} {compact[-3:]}")
        elif OUTWARD_CODE.match(compact):
            matching = Party.objects.filter(postcode__startswith=f"{compact} ")
        elif any(char.isalpha() for char in value):
            matching = Party.objects.filter(full_name__icontains=value)
        return queryset.filter(condition | Q(pk__in=matching.values("case_id")))

    def filter_not_contacted(self, queryset, name, value):
        return queryset.filter(not_contacted_q()) if value else queryset

    def filter_follow_up_due(self, queryset, name, value):
        return queryset.filter(follow_up_due_q()) if value else queryset

    def assigned_to(self, queryset, name, value):
        words = value.split()[:4]
        if not words:
            return queryset
        assignments = CaseAssignment.objects.current().filter(case=OuterRef("pk"))
        for word in words:
            assignments = assignments.filter(
                Q(volunteer__first_name__icontains=word) | Q(volunteer__last_name__icontains=word)
            )
        return queryset.filter(Exists(assignments))
