from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Installed instead of django.contrib.admin, so that admin.site only lets administrators in."""

    default_site = "accounts.admin_site.AdministratorsAdminSite"
