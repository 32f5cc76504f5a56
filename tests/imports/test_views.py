"""The import pages: administrators only (403 for every other role, as the audit log), the
upload form's messages, the preview, the choices, the downloads, and their query counts."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from audit.models import AuditEvent
from imports.models import ImportBatch
from imports.volunteers_sheet import VolunteersSheet
from tests.imports.conftest import run_waiting
from tests.imports.sheets import as_csv, volunteer_row
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "mediator", "supervisor", "no_role_user"]


def upload(client, content, name="volunteers.csv", kind="volunteers"):
    return client.post(
        "/imports/upload/", {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


@pytest.fixture
def checked(check):
    return check(as_csv([volunteer_row(1), volunteer_row(2, email="bad")]))


def urls_of(batch):
    return [
        ("get", "/imports/"),
        ("post", "/imports/upload/"),
        ("get", "/imports/template/volunteers.csv"),
        ("get", "/imports/template/volunteers.xlsx"),
        ("get", f"/imports/{batch.pk}/"),
        ("get", f"/imports/{batch.pk}/progress/"),
        ("post", f"/imports/{batch.pk}/import/"),
        ("post", f"/imports/{batch.pk}/discard/"),
        ("get", f"/imports/{batch.pk}/rest/"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_refused_to_everyone_but_administrators(request, login, checked, role):
    client = login(request.getfixturevalue(role))
    for method, url in urls_of(checked):
        assert getattr(client, method)(url).status_code == 403, url
    assert ImportBatch.objects.get(pk=checked.pk).status == "checked"


def test_anonymous_visitors_go_to_the_login_page(client, checked):
    for method, url in urls_of(checked):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_administrators_find_the_import_page_in_the_menu(login, administrator, coordinator):
    assert 'href="/imports/"' in login(administrator).get("/").content.decode()
    assert 'href="/imports/"' not in login(coordinator).get("/").content.decode()


def test_an_unknown_import_is_404(login, administrator):
    client = login(administrator)
    assert client.get("/imports/999999/").status_code == 404
    assert client.get("/imports/template/nothing.csv").status_code == 404
    assert client.get("/imports/template/volunteers.pdf").status_code == 404


def test_uploading_checks_then_shows_the_problems_and_the_choice(login, administrator):
    client = login(administrator)
    response = upload(client, as_csv([volunteer_row(1), volunteer_row(2, email="bad")]))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{batch.pk}/"
    waiting = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Waiting to be checked" in waiting and "data-unfinished" in waiting

    run_waiting()
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Enter a valid email address." in page
    assert "Import the 1 valid record and give me the rest back" in page
    assert "new record</button>" not in page
    assert "Discard this sheet" in page
    assert "Sam1" in page  # the first rows as read
    fragment = client.get(f"/imports/{batch.pk}/progress/").content.decode()
    assert "data-unfinished" not in fragment and "Enter a valid email address." in fragment


def test_import_all_is_offered_only_without_problems_and_imports(login, administrator):
    client = login(administrator)
    upload(client, as_csv([volunteer_row(1), volunteer_row(2)]))
    run_waiting()
    batch = ImportBatch.objects.get()
    assert (
        "Import the 2 new records</button>" in client.get(f"/imports/{batch.pk}/").content.decode()
    )

    response = client.post(f"/imports/{batch.pk}/import/", {"mode": "all"})
    assert response.status_code == 302
    assert ImportBatch.objects.get().status == "import_waiting"
    run_waiting()
    page = client.get(f"/imports/{batch.pk}/").content.decode()
    assert "Imported" in page and Volunteer.objects.count() == 2


def test_all_or_nothing_is_refused_for_a_sheet_with_problems(login, administrator, checked):
    client = login(administrator)
    response = client.post(f"/imports/{checked.pk}/import/", {"mode": "all"}, follow=True)
    assert "This sheet cannot be imported that way now." in response.content.decode()
    assert ImportBatch.objects.get().status == "checked"


def test_the_rest_is_downloaded_audited_and_safe(login, administrator, checked):
    client = login(administrator)
    client.post(f"/imports/{checked.pk}/import/", {"mode": "valid"})
    run_waiting()
    assert (
        "Download the 1 row not imported" in client.get(f"/imports/{checked.pk}/").content.decode()
    )

    response = client.get(f"/imports/{checked.pk}/rest/")

    assert response["Content-Disposition"] == 'attachment; filename="volunteers-not-imported.csv"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    back = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["volunteer_id"] for r in back] == ["V-00002"]
    event = AuditEvent.objects.get(action="download", object_id=str(checked.pk))
    assert event.detail["sha256"] == checked.sha256


def test_discarding_from_the_page(login, administrator, checked):
    client = login(administrator)
    response = client.post(f"/imports/{checked.pk}/discard/", follow=True)
    assert "nothing was imported from it" in response.content.decode()
    batch = ImportBatch.objects.get()
    assert batch.status == "discarded" and batch.content is None
    again = client.post(f"/imports/{checked.pk}/import/", {"mode": "valid"}, follow=True)
    assert "This sheet cannot be imported that way now." in again.content.decode()


def test_the_templates(login, administrator):
    client = login(administrator)
    header = client.get("/imports/template/volunteers.csv")
    assert header.content.decode("utf-8-sig").strip().split(",") == [
        c.name for c in VolunteersSheet.columns
    ]
    assert header["Content-Disposition"] == 'attachment; filename="wkm-volunteers-template.csv"'
    book = load_workbook(io.BytesIO(client.get("/imports/template/volunteers.xlsx").content))
    assert book.sheetnames == ["Volunteers", "About"]
    about = {row[0]: row[2] for row in book["About"].iter_rows(min_row=3, values_only=True)}
    assert about["dbs_issue_date"] == VolunteersSheet.columns[11].help
    assert AuditEvent.objects.filter(action="download").count() == 2
    page = client.get("/imports/").content.decode()
    assert "<code>dbs_certificate_number</code>" in page  # the columns documented on the page


def test_the_template_goes_back_in_as_an_empty_sheet_with_a_clear_message(login, administrator):
    client = login(administrator)
    content = client.get("/imports/template/volunteers.xlsx").content
    upload(client, content, name="template.xlsx")
    run_waiting()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.problems) == ("checked", 0, [])


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.csv", "The submitted file is empty."),
        (b"%PDF-1.7\x00\x00binary", "sheet.csv", "This is a PDF, not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls", "This is an old Excel file (.xls)"),
    ],
    ids=["empty", "binary", "xls"],
)
def test_a_file_that_is_no_sheet_is_refused_next_to_the_field(
    login, administrator, content, name, message
):
    response = upload(login(administrator), content, name=name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert ImportBatch.objects.count() == 0


def test_a_file_over_the_limit_is_refused_unread(login, administrator, settings):
    settings.IMPORT_MAX_BYTES = 1000
    response = upload(login(administrator), b"volunteer_id\n" + b"V-1\n" * 500)
    assert response.status_code == 400
    assert "The file is larger than 0.001 MB" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_sheet_over_the_text_forms_limit_goes_through(login, administrator):
    """Other forms stop at 1 MB (wkm.request_limits); the import form takes a sheet that size."""
    rows = [volunteer_row(n) for n in range(1, 7000)]
    content = as_csv(rows)
    assert len(content) > 1024 * 1024
    response = upload(login(administrator), content)
    assert response.status_code == 302
    assert ImportBatch.objects.get().size == len(content)


def test_a_file_past_the_upload_limit_is_skipped_as_it_arrives(login, administrator, settings):
    """At the import's own limit, not a case file's (20 MB)."""
    settings.IMPORT_MAX_BYTES = 100_000
    settings.CASE_FILE_MAX_MB = 20
    response = upload(login(administrator), b"volunteer_id\n" + b"V-1\n" * 400_000)
    assert response.status_code == 400
    assert "Split it into smaller sheets" in response.content.decode()
    assert response.wsgi_request._case_file_limit.too_large == ["volunteers.csv"]
    assert ImportBatch.objects.count() == 0


def test_choosing_no_kind_says_so(login, administrator):
    response = login(administrator).post(
        "/imports/upload/", {"file": SimpleUploadedFile("v.csv", as_csv([]))}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_query_counts_do_not_grow_with_the_sheet(
    login, administrator, check, django_assert_max_num_queries
):
    small = check(as_csv([volunteer_row(1, email="bad")]))
    big = check(as_csv([volunteer_row(i, email="bad") for i in range(1, 301)]))
    client = login(administrator)
    for batch in (small, big):
        for url in (f"/imports/{batch.pk}/", f"/imports/{batch.pk}/progress/", "/imports/"):
            with django_assert_max_num_queries(8):
                assert client.get(url).status_code == 200
    page = client.get(f"/imports/{big.pk}/").content.decode()
    assert "Page 1 of 6" in page
