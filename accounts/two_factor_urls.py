from django.urls import path

from . import security_views as views

app_name = "two_factor"

# Open to someone who has given their password but not yet a code (accounts.middleware); each
# view checks what that person may do here.
urlpatterns = [
    path("", views.start, name="start"),
    path("verify/", views.verify, name="verify"),
    path("enrol/", views.enrol, name="enrol"),
    # A one-time set-up link an administrator issued (accounts.enrolment): no login needed to
    # open it; it keeps itself in the session for when its person has logged in.
    path("link/<str:token>/", views.enrolment_link, name="link"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("backup-codes/new/", views.backup_codes_new, name="backup_codes_new"),
    path("turn-off/", views.turn_off, name="turn_off"),
]
