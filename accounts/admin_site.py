from contextvars import ContextVar
from functools import wraps

from django.contrib.admin import AdminSite

from .roles import ADMINISTRATOR, has_role

# The request of the admin page being served, for the signals that audit changes to accounts
# (accounts.signals): a user's save or a device's deletion carries no request of its own.
_admin_request: ContextVar = ContextVar("wkm_admin_request", default=None)


def admin_request():
    """The request of the admin page being served now, or None outside the admin."""
    return _admin_request.get()


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

    def admin_view(self, view, cacheable=False):
        """Every admin page (Django wraps each one with this) makes its request known to the
        audit of account changes while it runs (``admin_request``)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def with_request_known(request, *args, **kwargs):
            token = _admin_request.set(request)
            try:
                return inner(request, *args, **kwargs)
            finally:
                _admin_request.reset(token)

        return with_request_known
