import django_filters
from django import forms

from .models import AuditEvent

DATE_HELP = "For example, 23/11/2026."


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        choices=AuditEvent.Action.choices, empty_label="Any action", label="Action"
    )
    actor = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="icontains", label="Username"
    )
    case_reference = django_filters.CharFilter(lookup_expr="iexact", label="Case reference")
    date_from = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label="From date",
        help_text=DATE_HELP,
        widget=forms.DateInput(format="%d/%m/%Y"),
    )
    date_to = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label="To date",
        help_text=DATE_HELP,
        widget=forms.DateInput(format="%d/%m/%Y"),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "case_reference", "date_from", "date_to"]
