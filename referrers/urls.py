from django.urls import path

from . import views

app_name = "referrers"

urlpatterns = [
    path("", views.referrer_list, name="list"),
    path("new/", views.referrer_new, name="new"),
    path("<int:pk>/", views.referrer_detail, name="detail"),
    path("<int:pk>/edit/", views.referrer_edit, name="edit"),
    path("<int:pk>/retire/", views.referrer_retire, name="retire"),
    path("<int:pk>/unretire/", views.referrer_unretire, name="unretire"),
    path("<int:pk>/people/new/", views.contact_new, name="contact_new"),
    path("<int:pk>/people/<int:contact_pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/people/<int:contact_pk>/retire/", views.contact_retire, name="contact_retire"),
    path(
        "<int:pk>/people/<int:contact_pk>/unretire/",
        views.contact_unretire,
        name="contact_unretire",
    ),
]
