from django.contrib import admin
from django.urls import include, path, re_path

from accounts.views import home
from sessions import views as session_views

from .health import health

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("cases/", include("cases.urls")),
    path("attention/", include("rules.urls")),
    path("reports/", include("reports.urls")),
    path("help/", include("public.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("volunteers.urls")),
    # A party's answer to a reminder (its personal link) and texts sent back: no login.
    path("", include("notifications.urls")),
    # A mediator's private calendar: no login, the token in the address is the secret.
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]+)\.ics$",
        session_views.calendar_feed,
        name="calendar_feed",
    ),
    path("calendar/", session_views.calendar_settings, name="calendar_settings"),
    path("settings/home-visits/", session_views.home_visits, name="home_visits"),
    path("admin/", admin.site.urls),
]
