from django.contrib.admin import AdminSite

from .roles import ADMINISTRATOR, has_role


class AdministratorsAdminSite(AdminSite):
    """The Django admin, open to active staff accounts holding the Administrator role only, in a
    session verified with a second factor (django-otp: ``user.is_verified()``)."""

    site_header = "WKM Case Manager administration"
    site_title = "WKM administration"
    index_title = "Administration"

    def has_permission(self, request):
        user = request.user
        is_verified = getattr(user, "is_verified", None)
        return (
            user.is_active
            and user.is_staff
            and has_role(user, ADMINISTRATOR)
            and is_verified is not None
            and is_verified()
        )
