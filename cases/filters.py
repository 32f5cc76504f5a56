import django_filters
from django.db.models import Exists, OuterRef, Q

from parties.models import Party
from parties.validators import OUTWARD_CODE, POSTCODE
from volunteers.models import Volunteer
from wkm.widgets import DateInput

from .forms import coordinators
from .models import Case, CaseAssignment, DisputeType, ReferralSource, Status


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
    mediator = django_filters.ModelChoiceFilter(
        label="Mediator",
        queryset=Volunteer.objects.filter(
            status__in=[Volunteer.Status.TRAINEE, Volunteer.Status.MEDIATOR]
        ),
        method="assigned_to",
        empty_label="Any mediator",
    )
    received_from = django_filters.DateFilter(
        field_name="received_on", lookup_expr="gte", label="Received from", widget=DateInput()
    )
    received_to = django_filters.DateFilter(
        field_name="received_on", lookup_expr="lte", label="Received to", widget=DateInput()
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
            del self.filters["coordinator"]
            del self.filters["mediator"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(reference__iexact=value) | Q(reference__icontains=value)
        parties = Party.objects.filter(case=OuterRef("pk"))
        compact = value.replace(" ", "").upper()
        if POSTCODE.match(compact):
            postcode = f"{compact[:-3]} {compact[-3:]}"
            condition |= Exists(parties.filter(postcode=postcode))
        elif OUTWARD_CODE.match(compact):
            condition |= Exists(parties.filter(postcode__startswith=f"{compact} "))
        condition |= Exists(parties.filter(full_name__icontains=value))
        return queryset.filter(condition)

    def assigned_to(self, queryset, name, volunteer):
        return queryset.filter(
            Exists(
                CaseAssignment.objects.filter(
                    case=OuterRef("pk"), volunteer=volunteer, ended_on__isnull=True
                )
            )
        )
