"""Django admin for referring organisations and their people: for administrators, who keep the
service's lists, writing through the same services as the pages (referrers.services), audited.

The Administrator role is asked in code, as cases.admin asks for the Coordinator role: the
role's Django permissions are frozen in accounts' migration 0004, and these lists are part of
its job (issue 19). Nothing is deleted: "retire" and "bring back" are actions that call the
services, so a contact retired here gets no more updates, as from the pages."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from accounts.roles import ADMINISTRATOR, has_role
from wkm.admin import AuditedAdminMixin, ServiceAdminMixin

from . import services
from .forms import ReferrerForm
from .models import Referrer, ReferrerContact


class AdministratorsAdmin(ServiceAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    def has_module_permission(self, request):
        return has_role(request.user, ADMINISTRATOR)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, ADMINISTRATOR)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, ADMINISTRATOR)

    def has_add_permission(self, request):
        return has_role(request.user, ADMINISTRATOR)

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, service, arg, done):
        count = 0
        for obj in queryset:
            try:
                service(by=request.user, **{arg: obj})
            except ValidationError as error:
                messages.warning(request, f"{obj}: {' '.join(error.messages)}")
            else:
                count += 1
        if count:
            messages.success(request, f"{done}: {count}.")


@admin.register(Referrer)
class ReferrerAdmin(AdministratorsAdmin):
    list_display = ("name", "kind", "email", "retired_at")
    list_filter = (("retired_at", admin.EmptyFieldListFilter), "kind")
    search_fields = ("name",)
    form = ReferrerForm
    fields = services.REFERRER_FIELDS
    actions = ("retire", "unretire")

    def save_through_service(self, request, form, change):
        if change:
            fields = {n: form.cleaned_data[n] for n in form.changed_data if n in self.fields}
            return services.referrer_update(referrer=form.instance, by=request.user, fields=fields)
        fields = {n: form.cleaned_data[n] for n in self.fields}
        return services.referrer_create(by=request.user, fields=fields)

    @admin.action(description="Retire the selected organisations")
    def retire(self, request, queryset):
        self._each(request, queryset, services.referrer_retire, "referrer", "Retired")

    @admin.action(description="Bring back the selected organisations")
    def unretire(self, request, queryset):
        self._each(request, queryset, services.referrer_unretire, "referrer", "Brought back")


@admin.register(ReferrerContact)
class ReferrerContactAdmin(AdministratorsAdmin):
    list_display = ("name", "referrer", "job_title", "receives_updates", "retired_at")
    list_filter = (("retired_at", admin.EmptyFieldListFilter), "receives_updates")
    search_fields = ("name", "referrer__name")
    list_select_related = ("referrer",)
    actions = ("retire", "unretire")

    def get_fields(self, request, obj=None):
        return services.CONTACT_FIELDS if obj else ("referrer", *services.CONTACT_FIELDS)

    def save_through_service(self, request, form, change):
        if change:
            fields = {n: form.cleaned_data[n] for n in form.changed_data if n != "referrer"}
            return services.contact_update(contact=form.instance, by=request.user, fields=fields)
        fields = {n: form.cleaned_data[n] for n in services.CONTACT_FIELDS}
        return services.contact_create(
            referrer=form.cleaned_data["referrer"], by=request.user, fields=fields
        )

    @admin.action(description="Retire the selected people")
    def retire(self, request, queryset):
        self._each(request, queryset, services.contact_retire, "contact", "Retired")

    @admin.action(description="Bring back the selected people")
    def unretire(self, request, queryset):
        self._each(request, queryset, services.contact_unretire, "contact", "Brought back")
