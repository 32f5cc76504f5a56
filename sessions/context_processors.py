"""The service's state on every page for logged-in users: the home-visits banner (rule 9)."""

from django.utils import timezone

from .models import ServiceSettings


def service_status(request):
    """``service_status`` (ServiceSettings, cached briefly) and ``home_visits_banner``: None,
    or {"service", "upcoming"} while home visits are suspended or about to be."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    service = ServiceSettings.cached()
    banner = None
    if service.home_visits_suspended:
        today = timezone.localdate()
        start, end = service.home_visits_suspended_from, service.home_visits_suspended_until
        if service.home_visits_suspended_on(today):
            banner = {"service": service, "upcoming": False}
        elif start and start > today and not (end and end < start):
            banner = {"service": service, "upcoming": True}
    return {"service_status": service, "home_visits_banner": banner}
