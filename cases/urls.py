from django.urls import path

from documents import views as file_views
from parties import views as party_views

from . import agreement_views, converters, views  # noqa: F401 - converters: <ref:…>

app_name = "cases"

# Every page needs a login; the case itself is then found within the user's scope (or 404).
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("export.csv", views.case_export, name="export"),
    path("<ref:reference>/", views.case_detail, name="detail"),
    path("<ref:reference>/edit/", views.case_edit, name="edit"),
    path("<ref:reference>/status/", views.case_transition, name="transition"),
    path("<ref:reference>/close/", views.case_close, name="close"),
    path("<ref:reference>/reopen/", views.case_reopen, name="reopen"),
    path("<ref:reference>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path(
        "<ref:reference>/contacts/<int:pk>/done/",
        views.manual_contact_done,
        name="manual_contact_done",
    ),
    path("<ref:reference>/log/", views.log_add, name="log_add"),
    path("<ref:reference>/log/<int:pk>/edit/", views.log_edit, name="log_edit"),
    path("<ref:reference>/audit/", views.case_audit, name="audit"),
    path("<ref:reference>/agreements/", agreement_views.agreement_list, name="agreements"),
    path(
        "<ref:reference>/agreements/new/", agreement_views.agreement_start, name="agreement_start"
    ),
    path(
        "<ref:reference>/agreements/<int:pk>/",
        agreement_views.agreement_detail,
        name="agreement_detail",
    ),
    path(
        "<ref:reference>/agreements/<int:pk>/agree/",
        agreement_views.agreement_agree,
        name="agreement_agree",
    ),
    path(
        "<ref:reference>/agreements/<int:pk>/signatures/",
        agreement_views.signature_add,
        name="agreement_signature",
    ),
    path(
        "<ref:reference>/agreements/<int:pk>/scan/",
        agreement_views.signed_scan_add,
        name="agreement_scan",
    ),
    path(
        "<ref:reference>/agreements/<int:pk>/pdf/",
        agreement_views.agreement_pdf,
        name="agreement_pdf",
    ),
    path(
        "<ref:reference>/agreement-terms/<int:pk>/",
        agreement_views.term_change,
        name="agreement_term",
    ),
    path(
        "<ref:reference>/parties/<int:pk>/letters/<slug:kind>.pdf",
        agreement_views.letter_pdf,
        name="letter_pdf",
    ),
    path("<ref:reference>/files/", file_views.files_upload, name="files_upload"),
    path("<ref:reference>/files/<int:pk>/", file_views.file_download, name="file_download"),
    path("<ref:reference>/files/<int:pk>/delete/", file_views.file_delete, name="file_delete"),
    path("<ref:reference>/parties/new/", party_views.party_add, name="party_add"),
    path("<ref:reference>/parties/<int:pk>/", party_views.party_detail, name="party_detail"),
    path("<ref:reference>/parties/<int:pk>/edit/", party_views.party_edit, name="party_edit"),
    path(
        "<ref:reference>/parties/<int:pk>/consent/",
        party_views.consent_add,
        name="consent_add",
    ),
    path(
        "<ref:reference>/consents/<int:pk>/withdraw/",
        party_views.consent_withdraw,
        name="consent_withdraw",
    ),
]
