"""Django admin for sessions: service settings through the same services as the pages
(administrators, by the Django permissions accounts/migrations/0004 gives them), and read-only,
audited views of sessions, for coordinators only (cases.admin). The outbox is in
notifications.admin."""

from django.contrib import admin
from django.shortcuts import redirect

from cases.admin import ScopedAdmin
from wkm.admin import ServiceAdminMixin

from . import services
from .models import MediationSession, ServiceSettings


@admin.register(ServiceSettings)
class ServiceSettingsAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """One row; switching home visits on and off goes through the services (and is audited),
    whose checks (a reason, an end after the start and not already past) are the only ones."""

    fields = (
        "home_visits_suspended",
        "home_visits_reason",
        "home_visits_suspended_from",
        "home_visits_suspended_until",
    )

    def changelist_view(self, request, extra_context=None):
        service = ServiceSettings.objects.get_or_create(pk=1)[0]
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", service.pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        if data["home_visits_suspended"]:
            return services.home_visits_suspend(
                by=request.user,
                reason=data["home_visits_reason"],
                suspended_from=data["home_visits_suspended_from"],
                suspended_until=data["home_visits_suspended_until"],
            )
        return services.home_visits_resume(by=request.user)


class ReadOnlyMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MediationSession)
class MediationSessionAdmin(ReadOnlyMixin, ScopedAdmin):
    list_display = ("case", "kind", "mode", "starts_at", "status")
    list_filter = ("status", "mode", "kind")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    exclude = ("notes",)
    show_full_result_count = False
