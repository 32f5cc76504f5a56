"""The sessions' addresses.

``case_patterns`` sit under a case's address (wkm/urls.py puts them in the cases namespace,
so they are named ``cases:session_*`` and find the case within the user's scope first);
``urlpatterns`` are the top-level ones (wkm/urls.py): a mediator's calendar and the home-visits
switch.
"""

from django.urls import path, re_path

from . import views

case_patterns = [
    path("new/", views.session_new, name="session_new"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("<int:pk>/outcome/", views.session_outcome, name="session_outcome"),
    path("<int:pk>/ics/", views.session_ics, name="session_ics"),
]

urlpatterns = [
    # A mediator's private calendar: no login, the token in the address is the secret.
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]+)\.ics$", views.calendar_feed, name="calendar_feed"
    ),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("settings/home-visits/", views.home_visits, name="home_visits"),
]
