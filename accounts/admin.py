"""What administrators need in the admin to help someone locked out: lifting a login lockout
(django-axes' access attempts) and resetting two-factor (deleting a lost phone's devices).

The Administrator role holds no Django model permissions (roles are checked in code), so the
third-party admins are registered again here letting administrators view and delete, nothing
more. Deleting a device unverifies its sessions at once (accounts.signals)."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import ADMINISTRATOR, has_role


class AdministratorsViewAndDelete:
    def has_module_permission(self, request):
        return has_role(request.user, ADMINISTRATOR) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, ADMINISTRATOR) or super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, ADMINISTRATOR) or super().has_delete_permission(request, obj)


for model, model_admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(
        model, type(model_admin.__name__, (AdministratorsViewAndDelete, model_admin), {})
    )
