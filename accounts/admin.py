"""The accounts side of the admin: users and their roles (Django's user admin, made safe for a
non-superuser Administrator and audited), lifting a login lockout (django-axes' access
attempts) and resetting two-factor (deleting a lost phone's devices).

What an Administrator may do here comes from the Django permissions
accounts/migrations/0004_administrator_permissions gives their group. Every change of a user's
roles, active or staff flags, password or second factor is audited by accounts.signals, whatever
page (or command) made it; deleting a device also unverifies its sessions at once.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from wkm.admin import AuditedAdminMixin

# Only a superuser may change these: anyone else who could would make themselves one.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")

User = get_user_model()


class AccountAdmin(AuditedAdminMixin, UserAdmin):
    """Django's user admin, audited like every admin of personal data, and with no way up for
    a non-superuser: they cannot make anyone a superuser or give permissions one by one (roles
    are how access is given), and they may only look at a superuser's account — not change
    its password, flags or roles — so the break-glass account stays out of their reach."""

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, *SUPERUSER_ONLY_FIELDS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
