"""The postcode district → local authority table in the admin: for administrators (who run the
service), not coordinators. Writes go through reports.services (audited)."""

from django.contrib import admin

from accounts.roles import ADMINISTRATOR, has_role
from wkm.admin import ServiceAdminMixin

from . import services
from .models import PostcodeDistrict


@admin.register(PostcodeDistrict)
class PostcodeDistrictAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("district", "local_authority")
    list_filter = ("local_authority",)
    search_fields = ("district", "local_authority")
    ordering = ("district",)

    def get_readonly_fields(self, request, obj=None):
        # The district is the key: to change it, add the new one and delete the old.
        return ("district",) if obj is not None else ()

    def _allowed(self, request) -> bool:
        return has_role(request.user, ADMINISTRATOR)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def save_through_service(self, request, form, change):
        data = form.cleaned_data
        return services.district_save(
            by=request.user,
            district=form.instance.district if change else data["district"],
            local_authority=data["local_authority"],
            existing=form.instance if change else None,
        )

    def delete_model(self, request, obj):
        services.district_delete(by=request.user, row=obj)
