from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    # A party's survey: no login, the signed token in the address is the key.
    path("s/<str:token>/", views.answer, name="answer"),
    # A coordinator types in the answers a party gave by phone.
    path(
        "cases/<str:reference>/parties/<int:pk>/survey/<slug:kind>/",
        views.record,
        name="record",
    ),
    # The survey on paper, for a party who asked for letters (coordinators only).
    path("cases/<str:reference>/surveys/<int:pk>/letter/", views.letter, name="letter"),
]
