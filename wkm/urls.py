from django.contrib import admin
from django.urls import include, path

from home.views import home

from .health import health

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("cases/", include("cases.urls")),
    path("attention/", include("rules.urls")),
    path("reports/", include("reports.urls")),
    path("exports/", include("exports.urls")),
    path("imports/", include("imports.urls")),
    path("help/", include("public.urls")),
    path("privacy/", include("privacy.urls")),
    path("referrers/", include("referrers.urls")),
    path("", include("volunteers.urls")),
    path("", include("sessions.urls")),
    # A party's answer to a reminder (its personal link) and texts sent back: no login.
    path("", include("notifications.urls")),
    # A party's survey (its personal link, no login), and the coordinator's answers by phone.
    path("", include("surveys.urls")),
    path("admin/", admin.site.urls),
]
