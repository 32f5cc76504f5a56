from django.contrib import admin
from django.urls import include, path

from cases import urls as case_urls
from home.views import home
from sessions import urls as session_urls

from .health import health

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("accounts.audit_urls")),
    # A case's pages: the cases app's, and the sessions' under each case, in one namespace.
    path(
        "cases/",
        include(
            (
                [
                    *case_urls.urlpatterns,
                    path("<ref:reference>/sessions/", include(session_urls.case_patterns)),
                ],
                case_urls.app_name,
            )
        ),
    ),
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
