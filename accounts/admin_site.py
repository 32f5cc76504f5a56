from django.contrib.admin import AdminSite
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404
from django.urls import path

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

    def get_urls(self):
        """Django's "view on site" (``r/<content type>/<id>/``) looks up a row of any model in
        the project, for anyone let into the admin: a plain administrator could learn a case's
        reference from its id, and a model without a table (django-pghistory's events) was a
        500. Here it answers only for models whose admin the user may view, else 404."""
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_permission(request):
            raise Http404
        return shortcut(request, content_type_id, object_id)
