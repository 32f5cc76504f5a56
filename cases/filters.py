import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from wkm.forms import style_filter_widgets
from wkm.widgets import DateInput

from . import lists
from .forms import coordinators
from .models import (
    CONTACT_KINDS,
    Case,
    CaseAssignment,
    ContactLogEntry,
    Status,
)
from .querysets import follow_up_due_q
from .search import ranked, search_cases


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
        label="Search",
        method="search",
        help_text=(
            "Reference or case number, a party's name (near spellings too), address, postcode "
            "or part of one, phone number, or the referrer's organisation"
        ),
    )
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="Any status")
    # The editable lists (cases.lists), read when the form is made: retired sources too, so
    # that old cases can still be found by theirs.
    dispute_type = django_filters.ChoiceFilter(
        choices=lambda: lists.choices(lists.DISPUTE_TYPE), empty_label="Any type"
    )
    referral_source = django_filters.ChoiceFilter(
        label="Source",
        choices=lambda: lists.choices(lists.REFERRAL_SOURCE, retired=True, mark_retired=True),
        empty_label="Any source",
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
        if ranked(str(self.data.get("q") or "")):  # what the search does unless sorted
            order = self.form.fields["order"]
            order.empty_label = "Best match first"
            order.choices = order.choices.choices  # the widget's choices, with the new label
        style_filter_widgets(self.form)

    def search(self, queryset, name, value):
        return search_cases(queryset, value)

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
