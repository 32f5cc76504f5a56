"""Reads of the audit trail."""

from django.db.models import QuerySet

from .models import AuditEvent


def events_for_case(reference: str) -> QuerySet[AuditEvent]:
    """The audit trail of one case, newest first (check the user may see the case first)."""
    return AuditEvent.objects.filter(case_reference=reference).select_related("actor")
