from django.urls import path

from . import views

app_name = "imports"

# Administrators only (each view: role_required): anyone else gets 403, as on the audit log.
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("template/<str:kind>.<str:fmt>", views.template, name="template"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/import/", views.start_import, name="import"),
    path("<int:pk>/discard/", views.discard, name="discard"),
    path("<int:pk>/rest/", views.rest, name="rest"),
]
