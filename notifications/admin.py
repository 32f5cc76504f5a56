"""The outbox in the Django admin: read-only and audited, for coordinators only (ScopedAdmin)."""

from django.contrib import admin
from django.db.models import Q

from cases.admin import ScopedAdmin
from cases.models import Case
from sessions.admin import ReadOnlyMixin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, ScopedAdmin):
    """The outbox, for coordinators only (cases.admin.ScopedAdmin): reminders about a session
    follow its case's scoping; staff notices belong to no case, but are about casework too."""

    list_display = ("kind", "channel", "status", "due_at", "attempts", "sent_at", "last_error")
    list_filter = ("status", "channel", "kind")
    list_select_related = ("session__case",)
    show_full_result_count = False

    def audit_case_reference(self, obj) -> str:
        return obj.session.case.reference if obj.session_id else ""

    def get_queryset(self, request):
        visible = Case.objects.visible_to(request.user)
        return OutboxMessage.objects.filter(Q(session__isnull=True) | Q(session__case__in=visible))
