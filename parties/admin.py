from django.contrib import admin

from cases.admin import ScopedAdmin
from wkm.consequences import shown_to

from . import services
from .models import Consent, Party


@admin.register(Party)
class PartyAdmin(ScopedAdmin):
    list_display = ("__str__", "case", "role", "postcode")
    list_select_related = ("case",)
    search_fields = ("case__reference",)
    fields = services.PARTY_EDITABLE_FIELDS

    def save_model(self, request, obj, form, change):
        fields = {name: getattr(obj, name) for name in form.changed_data}
        with shown_to(request):
            services.party_update(party=obj, by=request.user, fields=fields)


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    case_path = "party__case"
    list_display = ("party", "kind", "method", "given_at", "withdrawn_at")
    list_select_related = ("party",)

    def has_change_permission(self, request, obj=None):
        return False
