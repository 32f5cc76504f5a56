"""Django admin for volunteers: the volunteer record through the same services as the pages
(wkm.admin.ServiceAdminMixin), and DBS checks, training, accreditations, trainee cases and hours
listed read-only (they are recorded on the volunteer pages, through their rules). Volunteers
are never deleted here.

Volunteers' records are part of the Administrator's job (issue 17): who sees them in the admin
is decided by the Django permissions accounts/migrations/0004 gives the Administrator group,
and every list and record shown is audited. What a trainee case says about the casework (the
reflection, the feedback, the supervisor's comments) stays for coordinators.
"""

from django.contrib import admin

from accounts.roles import COORDINATOR, has_role
from wkm.admin import AuditedAdminMixin, ServiceAdminMixin

from . import services
from .forms import VolunteerForm, values_for
from .models import Accreditation, DBSCheck, TraineeCase, TrainingRecord, Volunteer, VolunteerHours


@admin.register(Volunteer)
class VolunteerAdmin(ServiceAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    form = VolunteerForm
    fields = services.VOLUNTEER_EDITABLE_FIELDS
    list_display = ("last_name", "first_name", "status", "postcode", "email", "supervisor")
    list_filter = ("status",)
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("supervisor",)
    show_full_result_count = False

    def save_through_service(self, request, form, change):
        fields = values_for(form, services.VOLUNTEER_EDITABLE_FIELDS)
        if change:
            return services.volunteer_update(
                volunteer=Volunteer.objects.get(pk=form.instance.pk),
                by=request.user,
                fields=fields,
            )
        return services.volunteer_create(by=request.user, fields=fields)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Listed only: written on the pages, by the rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DBSCheck)
class DBSCheckAdmin(ReadOnlyAdmin):
    list_display = (
        "volunteer",
        "certificate_number",
        "enhanced",
        "issued_on",
        "update_service",
        "last_status_check_on",
        "current_until",
    )
    list_filter = ("enhanced", "update_service")
    list_select_related = ("volunteer",)


@admin.register(TrainingRecord)
class TrainingRecordAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "course", "hours", "completed_on")
    list_filter = ("course",)
    list_select_related = ("volunteer",)


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "kind", "granted_on", "granted_by", "revoked_on")
    list_filter = ("kind",)
    list_select_related = ("volunteer", "granted_by")


# What a trainee case says about the work on the case: case notes, for coordinators only.
CASEWORK_FIELDS = ("reflection", "feedback", "supervisor_comments", "ended_reason")


@admin.register(TraineeCase)
class TraineeCaseAdmin(ReadOnlyAdmin):
    list_display = ("case", "trainee", "co_mediator", "supervisor", "status", "signed_at")
    list_filter = ("status",)
    list_select_related = ("case", "trainee", "co_mediator", "supervisor")

    def get_exclude(self, request, obj=None):
        return () if has_role(request.user, COORDINATOR) else CASEWORK_FIELDS


@admin.register(VolunteerHours)
class VolunteerHoursAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "date", "activity", "hours", "miles", "case")
    list_filter = ("activity",)
    list_select_related = ("volunteer", "case")
