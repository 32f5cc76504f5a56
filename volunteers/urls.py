from django.urls import path

from cases import converters  # noqa: F401 - registers <ref:…>

from .views import hours, pairing, records, trainees

app_name = "volunteers"

urlpatterns = [
    # Pairing: a case's pair is chosen here, where the rules that judge it live.
    path("cases/<ref:reference>/assign/", pairing.assign, name="assign"),
    path("volunteers/", records.volunteer_list, name="list"),
    path("volunteers/new/", records.volunteer_new, name="new"),
    path("volunteers/<int:pk>/", records.volunteer_detail, name="detail"),
    path("volunteers/<int:pk>/edit/", records.volunteer_edit, name="edit"),
    path("volunteers/<int:pk>/dbs/new/", records.dbs_new, name="dbs_new"),
    path(
        "volunteers/<int:pk>/dbs/<int:check_pk>/status-check/",
        records.dbs_status_check,
        name="dbs_status_check",
    ),
    path("volunteers/<int:pk>/training/new/", records.training_new, name="training_new"),
    path(
        "volunteers/<int:pk>/accreditations/new/",
        records.accreditation_new,
        name="accreditation_new",
    ),
    path(
        "volunteers/<int:pk>/accreditations/<int:accreditation_pk>/revoke/",
        records.accreditation_revoke,
        name="accreditation_revoke",
    ),
    path("volunteers/<int:pk>/connections/new/", records.connection_new, name="connection_new"),
    path("volunteers/<int:pk>/availability/", records.availability_edit, name="availability"),
    path("supervision/", trainees.supervision, name="supervision"),
    path("supervision/<int:pk>/", trainees.trainee_case, name="trainee_case"),
    path("supervision/<int:pk>/reflection/", trainees.reflection, name="reflection"),
    path("supervision/<int:pk>/feedback/", trainees.feedback, name="feedback"),
    path("supervision/<int:pk>/review/", trainees.review, name="review"),
    path("hours/", hours.hours, name="hours"),
]
