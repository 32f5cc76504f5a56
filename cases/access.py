"""What a user may do with a case they can see (seeing at all is Case.objects.visible_to).

The one choke point for pages: ``case_for(request, reference)`` answers 404 for a case out of
scope, and returns the case with the user's ``CaseAccess``.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.roles import COORDINATOR, has_role
from parties.models import Party

from .models import Case, CaseAssignment


@dataclass(frozen=True)
class CaseAccess:
    """- coordinators run the case: edit it, move it along, close and reopen it, see its audit;
    - the mediators currently assigned record contact, notes and consent, and add parties' details;
    - a supervisor of a trainee on the case reads it (is_assigned False: nothing to record);
    - nobody else reaches this point (they got 404)."""

    is_coordinator: bool
    is_assigned: bool

    @property
    def can_manage(self) -> bool:
        return self.is_coordinator

    @property
    def can_record(self) -> bool:
        return self.is_coordinator or self.is_assigned

    @property
    def can_see_audit(self) -> bool:
        return self.is_coordinator


def access_for(user, case: Case) -> CaseAccess:
    is_assigned = any(a.volunteer.user_id == user.pk for a in case.current_assignments())
    return CaseAccess(is_coordinator=has_role(user, COORDINATOR), is_assigned=is_assigned)


def case_queryset_for(user):
    """Visible cases with what every case page shows, fetched in a fixed number of queries."""
    return (
        Case.objects.visible_to(user)
        .select_related("coordinator")
        .prefetch_related(
            Prefetch("parties", queryset=Party.objects.prefetch_related("consents")),
            Prefetch("assignments", queryset=CaseAssignment.objects.select_related("volunteer")),
        )
    )


def case_for(request, reference: str) -> tuple[Case, CaseAccess]:
    case = get_object_or_404(case_queryset_for(request.user), reference=reference)
    return case, access_for(request.user, case)
