"""Case files through the pages: upload (several at once), download, delete; who may do what;
hostile files refused with nothing stored; every download audited and never cached, sniffed or
shown inline."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import CaseAssignment
from documents import case_files
from documents.models import CaseFile
from privacy.models import Anonymisation
from tests.documents.samples import GOOD, HOSTILE, pdf_bytes, upload, zip_bomb
from tests.factories import CaseFactory, PartyFactory

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload_url(case):
    return reverse("cases:files_upload", args=[case.reference])


def post_files(client, case, files, **fields):
    data = {"kind": "correspondence", "description": "Letters from the parties", **fields}
    data["files"] = files
    return client.post(upload_url(case), {f"file-{name}": value for name, value in data.items()})


def a_file(case, by, **fields):
    content = pdf_bytes()
    response_files = [upload("letter.pdf", content)]
    from documents.case_files import files_add

    return files_add(
        case=case, by=by, uploads=response_files, kind=fields.pop("kind", "correspondence"),
        description=fields.pop("description", "A letter"), **fields,
    )[0]  # fmt: skip


def test_a_coordinator_uploads_several_files_at_once(login, coordinator, case, settings):
    client = login(coordinator)
    files = [upload(name, make()) for name, (make, _t, _e) in GOOD.items()]

    response = post_files(client, case, files)

    assert response.status_code == 302
    assert response.headers["Location"] == case.get_absolute_url() + "#files"
    kept = CaseFile.objects.filter(case=case)
    assert kept.count() == len(GOOD)
    assert set(kept.values_list("kind", flat=True)) == {"correspondence"}
    assert {f.content_type for f in kept} == {t for _m, t, _e in GOOD.values()}
    assert len(stored_files(settings)) == len(GOOD)
    # Stored under random names, with no extension and nothing of the uploader's name.
    # Readable by the app's own user only.
    for path in stored_files(settings):
        assert path.parent.name == "case-files" and "." not in path.name
        assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    events = AuditEvent.objects.filter(action="create", object_type="documents.casefile")
    assert events.count() == len(GOOD)
    assert {e.detail["sha256"] for e in events} == {f.sha256 for f in kept}
    assert all(e.case_reference == case.reference for e in events)
    page = client.get(case.get_absolute_url()).content.decode()
    for f in kept:
        assert f.name in page


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_hostile_file_is_refused_with_a_message_and_nothing_stored(
    login, coordinator, case, settings, name
):
    content, words = HOSTILE[name]
    client = login(coordinator)

    response = post_files(client, case, [upload(name, content, "application/pdf")])

    assert response.status_code == 200
    html = response.content.decode()
    assert "was not accepted" in html and words.replace("'", "&#x27;") in html
    assert not CaseFile.objects.exists()
    assert not stored_files(settings)


def test_a_zip_bomb_is_refused_and_nothing_stored(login, coordinator, case, settings):
    response = post_files(login(coordinator), case, [upload("bomb.docx", zip_bomb())])
    assert "zip bomb" in response.content.decode()
    assert not CaseFile.objects.exists() and not stored_files(settings)


def test_one_bad_file_among_good_ones_keeps_none_and_names_the_bad_one(
    login, coordinator, case, settings
):
    good = upload("referral.pdf", pdf_bytes())
    bad = upload("drawing.svg", HOSTILE["drawing.svg"][0])
    response = post_files(login(coordinator), case, [good, bad])
    html = response.content.decode()
    assert "“drawing.svg” was not accepted: SVG images are not accepted" in html
    assert "Nothing was uploaded" in html
    assert "referral.pdf" not in html.split("was not accepted")[0].rsplit("<", 50)[-1]
    assert not CaseFile.objects.exists() and not stored_files(settings)


def test_a_25_mb_file_stops_at_the_limit_and_nothing_is_stored(login, coordinator, case, settings):
    assert settings.CASE_FILE_MAX_MB == 20
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * (25 * 1024 * 1024))
    response = post_files(login(coordinator), case, [big])
    assert response.status_code == 200
    assert "“scan.pdf” was not accepted: it is larger than the limit of 20 MB." in (
        response.content.decode()
    )
    assert not CaseFile.objects.exists() and not stored_files(settings)


def test_an_upload_bigger_than_a_full_set_of_files_is_refused_unread(login, coordinator, case):
    from django.conf import settings as live

    live_limit = live.CASE_FILE_MAX_MB
    live.CASE_FILE_MAX_MB = 1  # a full upload: 10 files of 1 MB, and the form
    try:
        response = post_files(
            login(coordinator), case, [SimpleUploadedFile("a.pdf", b"0" * (12 * 1024 * 1024))]
        )
    finally:
        live.CASE_FILE_MAX_MB = live_limit
    assert response.status_code == 413
    assert "MB of files" in response.content.decode()
    assert not CaseFile.objects.exists()


def test_no_file_chosen_is_said_next_to_the_field(login, coordinator, case):
    response = post_files(login(coordinator), case, [])
    assert "Choose at least one file." in response.content.decode()


def test_a_file_about_one_party_is_badged_on_the_case_page(login, coordinator, case):
    alice = case.parties.get(full_name="Alice Carter")
    client = login(coordinator)
    response = post_files(client, case, [upload("note.txt", b"Her side.\n")], party=alice.pk)
    assert response.status_code == 302
    assert CaseFile.objects.get().party == alice
    html = client.get(case.get_absolute_url()).content.decode()
    assert "About Alice Carter only" in html


def test_a_party_of_another_case_cannot_be_chosen(login, coordinator, case):
    stranger = PartyFactory(case=CaseFactory())
    response = post_files(login(coordinator), case, [upload("n.txt", b"x\n")], party=stranger.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not CaseFile.objects.exists()


def test_an_erased_party_is_neither_offered_nor_accepted(login, coordinator, case):
    from django.core.exceptions import ValidationError

    from documents.case_files import files_add

    alice = case.parties.get(full_name="Alice Carter")
    Anonymisation.objects.create(case=case, party=alice, reason="erasure")
    client = login(coordinator)
    response = post_files(client, case, [upload("n.txt", b"x\n")], party=alice.pk)
    assert "Select a valid choice" in response.content.decode()
    with pytest.raises(ValidationError, match="erased"):
        files_add(
            case=case, by=coordinator, uploads=[upload("n.txt", b"x\n")], kind="other",
            description="x", party=alice,
        )  # fmt: skip
    assert not CaseFile.objects.exists()


def test_a_signed_agreement_is_not_a_loose_file(login, coordinator, case):
    response = post_files(
        login(coordinator), case, [upload("s.pdf", pdf_bytes())], kind="signed_agreement"
    )
    assert "Select a valid choice" in response.content.decode()
    assert not CaseFile.objects.exists()


def test_the_upload_form_takes_several_files(login, coordinator, case):
    html = login(coordinator).get(case.get_absolute_url()).content.decode()
    assert 'type="file"' in html and " multiple" in html
    assert 'enctype="multipart/form-data"' in html
    assert "each up to 20 MB" in html


# --- downloads -------------------------------------------------------------------------------


def test_a_download_is_an_audited_attachment_never_cached_or_sniffed(login, coordinator, case):
    case_file = a_file(case, coordinator)
    Path_name = "Réunion notes.pdf"
    CaseFile.objects.filter(pk=case_file.pk).update(name=Path_name)
    client = login(coordinator)

    response = client.get(reverse("cases:file_download", args=[case.reference, case_file.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''R%C3%A9union%20notes.pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()
    event = AuditEvent.objects.get(action="download", object_id=str(case_file.pk))
    assert event.actor == coordinator and event.detail["sha256"] == case_file.sha256
    assert event.case_reference == case.reference


def test_a_deleted_or_removed_file_is_not_found(login, coordinator, case):
    from django.utils import timezone

    deleted, removed = a_file(case, coordinator), a_file(case, coordinator)
    CaseFile.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    CaseFile.objects.filter(pk=removed.pk).update(removed_at=timezone.now())
    client = login(coordinator)
    for f in (deleted, removed):
        url = reverse("cases:file_download", args=[case.reference, f.pk])
        assert client.get(url).status_code == 404
        url = reverse("cases:file_delete", args=[case.reference, f.pk])
        assert client.get(url).status_code == 404


def test_a_file_of_another_case_is_not_found_through_this_one(login, coordinator, case):
    other = CaseFactory()
    theirs = a_file(other, coordinator)
    url = reverse("cases:file_download", args=[case.reference, theirs.pk])
    assert login(coordinator).get(url).status_code == 404


# --- who may do what -------------------------------------------------------------------------


def file_urls(case, case_file):
    return {
        "upload": ("GET", upload_url(case)),
        "upload_post": ("POST", upload_url(case)),
        "download": ("GET", reverse("cases:file_download", args=[case.reference, case_file.pk])),
        "delete": ("GET", reverse("cases:file_delete", args=[case.reference, case_file.pk])),
        "delete_post": (
            "POST",
            reverse("cases:file_delete", args=[case.reference, case_file.pk]),
        ),
    }


def ask(client, method, url):
    if method == "GET":
        response = client.get(url)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # which closes the file
        return response
    return client.post(url, {"reason": "Wrong case", "file-kind": "other", "file-description": "x",
                             "file-files": [upload("n.txt", b"x\n")]})  # fmt: skip


@pytest.mark.parametrize("who", ["other_mediator", "no_role_user", "administrator"])
def test_everyone_out_of_the_cases_scope_gets_404_on_every_file_url(
    request, login, coordinator, case, who, settings
):
    case_file = a_file(case, coordinator)
    client = login(request.getfixturevalue(who))
    for name, (method, url) in file_urls(case, case_file).items():
        assert ask(client, method, url).status_code == 404, name
    assert CaseFile.objects.count() == 1 and CaseFile.objects.get().deleted_at is None
    assert not AuditEvent.objects.filter(action="download").exists()


def test_nobody_logged_out_reaches_a_file(client, coordinator, case):
    case_file = a_file(case, coordinator)
    for name, (method, url) in file_urls(case, case_file).items():
        response = ask(client, method, url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_the_cases_mediator_uploads_downloads_and_deletes_their_own(
    login, mediator, my_case, coordinator
):
    client = login(mediator)
    response = post_files(client, my_case, [upload("visit.txt", b"Home visit notes.\n")])
    assert response.status_code == 302
    own = CaseFile.objects.get()
    assert own.uploaded_by == mediator
    url = reverse("cases:file_download", args=[my_case.reference, own.pk])
    assert ask(client, "GET", url).status_code == 200

    coordinators = a_file(my_case, coordinator)
    html = client.get(my_case.get_absolute_url()).content.decode()
    assert reverse("cases:file_delete", args=[my_case.reference, own.pk]) in html
    assert reverse("cases:file_delete", args=[my_case.reference, coordinators.pk]) not in html
    # Refused before a reason is typed, not after (the project's refusal page).
    not_hers = reverse("cases:file_delete", args=[my_case.reference, coordinators.pk])
    for method in ("GET", "POST"):
        refused = ask(client, method, not_hers)
        assert refused.status_code == 403
        assert "This page is not available to you" in refused.content.decode()
    with pytest.raises(ValidationError, match="deleted by a coordinator, or by whoever"):
        case_files.file_delete(case_file=coordinators, by=mediator, reason="Not needed")
    response = client.post(
        reverse("cases:file_delete", args=[my_case.reference, own.pk]), {"reason": "Duplicate"}
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.deleted_by, own.deletion_reason) == (mediator, "Duplicate")
    assert own.deleted_at is not None
    coordinators.refresh_from_db()
    assert coordinators.deleted_at is None


def test_a_mediator_taken_off_the_case_can_no_longer_delete_their_upload(login, mediator, my_case):
    """The service's rule, not only the page's 404: any caller of file_delete."""
    own = a_file(my_case, mediator)
    assert case_files.may_delete(own, mediator)
    CaseAssignment.objects.filter(case=my_case, volunteer__user=mediator).update(
        ended_on=timezone.localdate()
    )

    assert not case_files.may_delete(own, mediator)
    with pytest.raises(ValidationError, match="deleted by a coordinator, or by whoever"):
        case_files.file_delete(case_file=own, by=mediator, reason="Duplicate")
    own.refresh_from_db()
    assert own.deleted_at is None


def test_a_mediator_uploads_to_their_closed_case_as_they_add_notes(login, mediator, my_case):
    from django.utils import timezone

    type(my_case).objects.filter(pk=my_case.pk).update(
        status="closed", outcome="withdrawn", closed_on=timezone.localdate()
    )
    response = post_files(login(mediator), my_case, [upload("late.txt", b"A letter came.\n")])
    assert response.status_code == 302
    assert CaseFile.objects.filter(case=my_case).count() == 1


def test_deleting_needs_a_reason_and_is_audited(login, coordinator, case, settings):
    case_file = a_file(case, coordinator)
    client = login(coordinator)
    url = reverse("cases:file_delete", args=[case.reference, case_file.pk])
    assert "Why is it being deleted?" in client.get(url).content.decode()

    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say why the file is being deleted." in response.content.decode()
    assert "This field is required." not in response.content.decode()
    assert CaseFile.objects.present().count() == 1

    response = client.post(url, {"reason": "Uploaded to the wrong case"})
    assert response.status_code == 302
    case_file.refresh_from_db()
    assert case_file.deletion_reason == "Uploaded to the wrong case"
    assert case_file.deleted_by == coordinator
    event = AuditEvent.objects.get(action="delete", object_id=str(case_file.pk))
    assert event.detail == {"sha256": case_file.sha256, "kind": "correspondence",
                            "reason_given": True}  # fmt: skip
    assert "wrong case" not in str(event.detail)
    # The bytes stay until the case's retention.
    assert len(stored_files(settings)) == 1
    assert url not in client.get(case.get_absolute_url()).content.decode()
    assert client.post(url, {"reason": "again"}).status_code == 404


# --- the case page's queries -----------------------------------------------------------------


def test_the_case_page_runs_the_same_queries_for_1_or_12_files(
    login, coordinator, case, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a_file(case, coordinator, party=case.parties.first())
    client = login(coordinator)
    client.get(case.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(case.get_absolute_url())
    for _ in range(11):
        a_file(case, coordinator, party=case.parties.last())
    with django_assert_num_queries(len(few.captured_queries)):
        html = client.get(case.get_absolute_url()).content.decode()
    assert html.count("About Bob Dunn only") == 11


def test_an_upload_without_its_csrf_token_is_refused(coordinator, case, settings):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = post_files(client, case, [upload("n.txt", b"x\n")])
    assert response.status_code == 403
    assert not CaseFile.objects.exists() and not stored_files(settings)


def test_a_file_over_the_limit_is_never_written_out_whole(
    login, coordinator, case, settings, monkeypatch
):
    """What the limit handler passes on to Django's own handlers (memory, then a temporary
    file) stops at the limit: the rest of a huge file is skipped as it arrives."""
    from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

    settings.CASE_FILE_MAX_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100_000  # to a temporary file, as a big upload goes
    passed_on = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, original=original):
            passed_on.append(len(raw_data))
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n" + b"0" * (5 * 1024 * 1024))

    response = post_files(login(coordinator), case, [big])

    assert "larger than the limit of 1 MB" in response.content.decode()
    assert 0 < sum(passed_on) <= 2 * 1024 * 1024  # at most the limit and a chunk per handler
    assert not CaseFile.objects.exists() and not stored_files(settings)


def test_the_service_refuses_a_party_of_another_case(coordinator, case):
    from django.core.exceptions import ValidationError

    from documents.case_files import files_add

    stranger = PartyFactory(case=CaseFactory())
    with pytest.raises(ValidationError, match="Choose a party of this case."):
        files_add(
            case=case, by=coordinator, uploads=[upload("n.txt", b"x\n")], kind="other",
            description="x", party=stranger,
        )  # fmt: skip
    assert not CaseFile.objects.exists()


def test_the_case_page_with_its_upload_form_has_no_duplicate_ids(login, coordinator, case):
    import re
    from collections import Counter

    html = login(coordinator).get(case.get_absolute_url()).content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert {name for name, count in ids.items() if count > 1} == set()
    assert 'id="id_file-files"' in html
