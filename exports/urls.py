from django.urls import path

from . import views

app_name = "exports"

# Any logged-in user may list their own exports; each export is its requester's alone
# (exports.selectors: anyone else gets 404), and each kind says which roles may ask for it.
urlpatterns = [
    path("", views.export_list, name="list"),
    path("new/", views.start, name="start"),
    path("everything/", views.everything, name="everything"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
