"""Template helpers for sessions."""

from django import template
from django.utils import timezone

from ..models import MediationSession

register = template.Library()


@register.filter
def needs_rescheduling(session, service) -> bool:
    """Whether ``session`` is among sessions.services.home_visits_to_reschedule(), worked out
    from the ServiceSettings the page already has (``service_status``): no extra query per
    session, so a case page lists its sessions in one query."""
    if service is None or not service.home_visits_suspended:
        return False
    return (
        session.mode == MediationSession.Mode.HOME_VISIT
        and session.status == MediationSession.Status.SCHEDULED
        and session.starts_at >= timezone.now()
        and service.home_visits_suspended_on(timezone.localdate(session.starts_at))
    )
