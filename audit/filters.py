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

    # Pages of the Django admin record {"admin": <which page>} in their events (wkm.admin).
    through_admin = django_filters.BooleanFilter(
        field_name="detail",
        method="filter_through_admin",
        label="Only what was seen through the admin",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "case_reference", "date_from", "date_to", "through_admin"]

    def filter_through_admin(self, queryset, name, value):
        return queryset.filter(detail__has_key="admin") if value else queryset
