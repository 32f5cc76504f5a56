"""Django admin for volunteers: the same scoping (volunteers_visible_to) and the same services as
the pages. Volunteers are never deleted here; DBS checks, training, accreditations, trainee cases
and hours are recorded on the volunteer pages (through their rules) and only listed here."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from wkm.consequences import shown_to
from wkm.forms import add_service_errors

from . import services
from .forms import VolunteerForm, values_for
from .models import Accreditation, DBSCheck, TraineeCase, TrainingRecord, Volunteer, VolunteerHours
from .selectors import trainee_cases_visible_to, volunteers_visible_to


class _DryRun(Exception):
    pass


class VolunteerAdminForm(VolunteerForm):
    """Runs the service in a savepoint that is rolled back, so a rule it enforces is shown next
    to the field like any other error, instead of failing in save_model."""

    request = None  # set by VolunteerAdmin.get_form

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.request is None:
            return
        try:
            with transaction.atomic():
                _save_through_service(self, self.request)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            add_service_errors(self, error)


def _save_through_service(form, request):
    fields = values_for(form, services.VOLUNTEER_EDITABLE_FIELDS)
    if form.instance.pk:
        return services.volunteer_update(
            volunteer=Volunteer.objects.get(pk=form.instance.pk),
            by=request.user,
            fields=fields,
        )
    return services.volunteer_create(by=request.user, fields=fields)


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    form = VolunteerAdminForm
    fields = services.VOLUNTEER_EDITABLE_FIELDS
    list_display = ("last_name", "first_name", "status", "postcode", "email", "supervisor")
    list_filter = ("status",)
    search_fields = ("first_name", "last_name", "email")
    list_select_related = ("supervisor",)
    show_full_result_count = False

    def get_queryset(self, request):
        return volunteers_visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def save_model(self, request, obj, form, change):
        with shown_to(request):
            saved = _save_through_service(form, request)
        obj.pk = saved.pk  # the admin's "added" message and redirect use obj

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Listed only, for volunteers the admin user may see: written on the pages, by the rules."""

    volunteer_path = "volunteer"

    def get_queryset(self, request):
        visible = volunteers_visible_to(request.user)
        return super().get_queryset(request).filter(**{f"{self.volunteer_path}__in": visible})

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


@admin.register(TraineeCase)
class TraineeCaseAdmin(ReadOnlyAdmin):
    list_display = ("case", "trainee", "co_mediator", "supervisor", "status", "signed_at")
    list_filter = ("status",)

    def get_queryset(self, request):
        return trainee_cases_visible_to(request.user)


@admin.register(VolunteerHours)
class VolunteerHoursAdmin(ReadOnlyAdmin):
    list_display = ("volunteer", "date", "activity", "hours", "miles", "case")
    list_filter = ("activity",)
    list_select_related = ("volunteer", "case")
