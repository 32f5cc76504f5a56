"""Django admin for parties and consents: case data, for coordinators only and audited
(cases.admin.ScopedAdmin); a party's details change through parties.services.party_update."""

from django.contrib import admin

from cases.admin import ScopedAdmin
from wkm.admin import ServiceAdminMixin

from . import services
from .models import Consent, Party


@admin.register(Party)
class PartyAdmin(ServiceAdminMixin, ScopedAdmin):
    list_display = ("__str__", "case", "role", "postcode")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    fields = services.PARTY_EDITABLE_FIELDS

    def save_through_service(self, request, form, change):
        # Read from the instance, which the model's clean() has normalised (postcodes, phones).
        fields = {name: getattr(form.instance, name) for name in form.changed_data}
        return services.party_update(party=form.instance, by=request.user, fields=fields)


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    case_path = "party__case"
    list_display = ("party", "kind", "method", "given_at", "withdrawn_at")
    list_select_related = ("party",)

    def has_change_permission(self, request, obj=None):
        return False
