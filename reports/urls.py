from django.urls import path

from . import evidence_views, views

app_name = "reports"

# Each view checks the role itself (accounts.roles.role_required): coordinators and
# administrators; anonymous users are sent to log in, anybody else gets 403.
urlpatterns = [
    path("", views.index, name="index"),
    path("referrals/", views.referrals, name="referrals"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("timeliness/", views.timeliness, name="timeliness"),
    path("sessions/", views.sessions, name="sessions"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("equality/", views.equality, name="equality"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("sustained/", views.sustained, name="sustained"),
    path("referrer/", evidence_views.referrer, name="referrer"),
    path("area/", views.area, name="area"),
    path("summary.pdf", views.summary_pdf, name="summary_pdf"),
]
