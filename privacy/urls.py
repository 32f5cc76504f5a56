from django.urls import path

from . import views

app_name = "privacy"

# Each view checks the role itself (accounts.roles.role_required): coordinators only;
# anonymous users are sent to log in, anybody else gets 403.
urlpatterns = [
    path("", views.request_list, name="requests"),
    path("subject-access/", views.search, name="search"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/records/", views.request_records, name="request_records"),
    path("requests/<int:pk>/status/", views.request_status, name="request_status"),
    path("requests/<int:pk>/export.pdf", views.export_pdf, name="export_pdf"),
    path("requests/<int:pk>/export.json", views.export_json, name="export_json"),
    path("requests/<int:pk>/export.zip", views.export_zip, name="export_zip"),
    path("requests/<int:pk>/erase/", views.request_erase, name="request_erase"),
]
