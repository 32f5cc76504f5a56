"""Django admin for cases: the same scoping (visible_to) and the same services as the pages.

Case data (cases, parties, consents, notes, sessions, reminders) is for coordinators: an
administrator who is not also a coordinator does not see it in the admin at all (403), whatever
Django permissions their account holds — the Administrator role runs the service, it does no
casework (DESIGN.md §2). Every list and row shown is audited (wkm.admin.AuditedAdminMixin).

Cases are created at /cases/new/ (intake needs its parties) and never deleted here: retention
and erasure have their own rules. The editable lists (referral sources, dispute types, outcomes)
are the administrators' (cases.lists_admin).
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from accounts.roles import COORDINATOR, has_role
from wkm.admin import AuditedAdminMixin, ServiceAdminMixin

from . import lists, lists_admin, services  # noqa: F401 (lists_admin registers its admin)
from .models import Case, CaseAssignment, ContactLogEntry


class ScopedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Case data: for coordinators only, rows of cases they may see, audited, no adding or
    deleting. The Coordinator role is asked, not a Django permission, so that no permission
    given to a group (or a superuser's all-permissions) opens case notes to a non-coordinator."""

    case_path = "case"

    def get_queryset(self, request):
        visible = Case.objects.visible_to(request.user)
        queryset = super().get_queryset(request)
        if self.case_path == "":
            return queryset.filter(pk__in=visible.values("pk"))
        return queryset.filter(**{f"{self.case_path}__in": visible})

    def has_module_permission(self, request):
        return has_role(request.user, COORDINATOR)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, COORDINATOR)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, COORDINATOR)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def history_view(self, request, object_id, extra_context=None):
        # Django looks for the row first, which a non-coordinator's queryset does not hold:
        # refuse as the list and the change page do, rather than "does not exist".
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class CaseAdminForm(lists.ListChoicesMixin, forms.ModelForm):
    list_fields = {"dispute_type": lists.DISPUTE_TYPE, "referral_source": lists.REFERRAL_SOURCE}


@admin.register(Case)
class CaseAdmin(ServiceAdminMixin, ScopedAdmin):
    case_path = ""
    form = CaseAdminForm
    list_display = ("reference", "received_on", "dispute_type_label", "status", "coordinator")
    list_filter = (
        "status",
        lists.list_filter(lists.DISPUTE_TYPE, "dispute_type", "dispute type"),
        lists.list_filter(lists.REFERRAL_SOURCE, "referral_source", "referral source"),
    )
    search_fields = ("reference",)
    list_select_related = ("coordinator",)
    fields = services.CASE_EDITABLE_FIELDS
    show_full_result_count = False

    @admin.display(description="dispute type", ordering="dispute_type")
    def dispute_type_label(self, obj):
        return obj.get_dispute_type_display()

    def save_through_service(self, request, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.case_update(
            case=Case.objects.get(pk=form.instance.pk), by=request.user, fields=fields,
        )  # fmt: skip


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
