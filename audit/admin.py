from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only (and the database refuses changes anyway)."""

    list_display = ["at", "actor_username", "action", "object_repr", "case_reference", "ip"]
    list_filter = ["action"]
    search_fields = ["case_reference", "actor_username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
