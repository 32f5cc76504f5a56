"""Django admin for cases: the same scoping (visible_to) and the same services as the pages.

Cases are created at /cases/new/ (intake needs its parties) and never deleted here: retention
and erasure have their own rules.
"""

from django.contrib import admin

from . import services
from .models import Case, CaseAssignment, ContactLogEntry


class ScopedAdmin(admin.ModelAdmin):
    """Shows only rows of cases the admin user may see, and allows no adding or deleting."""

    case_path = "case"

    def get_queryset(self, request):
        visible = Case.objects.visible_to(request.user)
        queryset = super().get_queryset(request)
        if self.case_path == "":
            return queryset.filter(pk__in=visible.values("pk"))
        return queryset.filter(**{f"{self.case_path}__in": visible})

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ScopedAdmin):
    case_path = ""
    list_display = ("reference", "received_on", "dispute_type", "status", "coordinator")
    list_filter = ("status", "dispute_type", "referral_source")
    search_fields = ("reference",)
    list_select_related = ("coordinator",)
    fields = services.CASE_EDITABLE_FIELDS
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        services.case_update(case=Case.objects.get(pk=obj.pk), by=request.user, fields=fields)


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ScopedAdmin):
    list_display = ("case", "volunteer", "role", "started_on", "ended_on")
    list_select_related = ("case", "volunteer")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ContactLogEntry)
class ContactLogEntryAdmin(ScopedAdmin):
    list_display = ("case", "kind", "occurred_at", "is_draft")
    list_select_related = ("case",)

    def has_change_permission(self, request, obj=None):
        return False
