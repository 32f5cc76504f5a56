from django.urls import path

from . import views

app_name = "public"

# No login anywhere here: these are the pages for the public.
urlpatterns = [
    path("", views.index, name="index"),
    path("status/", views.status, name="status"),
    path("refer/", views.refer, name="refer"),
    path("volunteer/", views.volunteer, name="volunteer"),
    path("thanks/referral/", views.thanks_referral, name="thanks_referral"),
    path("thanks/volunteer/", views.thanks_volunteer, name="thanks_volunteer"),
]
