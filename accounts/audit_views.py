"""The audit trail's search page, for administrators (/audit/). The trail itself is the
lowest layer (audit); the page asks who may read it, so it lives here with the roles."""

from django.core.paginator import Paginator
from django.shortcuts import render

from audit.filters import AuditEventFilter
from audit.models import AuditEvent

from .roles import ADMINISTRATOR, role_required

PAGE_SIZE = 50


@role_required(ADMINISTRATOR)
def search(request):
    """The whole audit trail, newest first, filtered by action, user, case and dates."""
    filterset = AuditEventFilter(
        request.GET or None, queryset=AuditEvent.objects.select_related("actor")
    )
    # Bad input shows its message next to the field and no results, not a silently wider search.
    events = filterset.qs if filterset.is_valid() or not filterset.is_bound else filterset.qs.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/search.html", {"filter": filterset, "page": page})
