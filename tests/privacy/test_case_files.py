"""Uploaded case files in data protection: a person's copy holds the files about them (and
only those), and erasure and retention remove the bytes from storage, audited."""

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case
from documents import case_files
from documents.models import CaseFile
from privacy import services
from privacy.export import CASE_WIDE_FILES, FILES_IN_THE_ZIP, TAKEN_OFF_FILES
from privacy.status import case_anonymised
from tests.documents.samples import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def sar(world, coordinator):
    """Carol asks for her data (this module's request: others word theirs differently)."""
    return services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol herself, by email",
                "requested_on": timezone.localdate()},
        parties=[world.old.carol, world.recent.carol],
    )  # fmt: skip


def carols_files(world):
    return [
        world.old.files.carol, world.old.files.carol_deleted,
        world.recent.files.carol, world.recent.files.carol_deleted,
    ]  # fmt: skip


def on_disk(case_file) -> Path:
    return Path(case_file.file.path)


def test_the_zip_holds_the_copy_and_the_files_about_her_and_no_others(
    sar, world, login, coordinator, monkeypatch
):
    monkeypatch.setattr(
        "documents.rendering.render_pdf", lambda name, context: (b"%PDF-1.7 copy", "")
    )
    response = login(coordinator).get(f"/privacy/requests/{sar.pk}/export.zip")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-request-{sar.pk}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    # Those still on their case: one taken off is listed, never held (it may be someone else's).
    expected = {
        f"files/{f.case.reference}/{f.pk}-{f.name}": f
        for f in carols_files(world)
        if f.deleted_at is None
    }
    assert len(expected) == 2
    assert names == {
        f"subject-access-request-{sar.pk}.pdf", f"subject-access-request-{sar.pk}.json",
        *expected,
    }  # fmt: skip
    for path, case_file in expected.items():
        assert hashlib.sha256(archive.read(path)).hexdigest() == case_file.sha256
    everything = b"".join(archive.read(name) for name in names)
    # Never the other party's file (their secret is in it), nor the case-wide referral form.
    for secret in (b"in debt and drinks", b"expecting a baby", b"referral naming"):
        assert secret not in everything

    data = json.loads(archive.read(f"subject-access-request-{sar.pk}.json"))
    old_files = data["cases"][0]["files"]
    assert [f["name"] for f in old_files] == ["carol-letter.pdf", "carol-photo.pdf"]
    letter, photo = old_files
    assert letter["kind"] == "Correspondence"
    assert letter["description"] == "Carol's letter about the fence"
    assert letter["sha256"] == world.old.files.carol.sha256 and letter["uploaded_at"]
    assert letter["in_the_zip_at"] in expected and letter["taken_off_the_case_at"] is None
    # Taken off the case but still held: listed in her copy, saying so, without its bytes.
    assert photo["taken_off_the_case_at"] and photo["why_taken_off"] == "Uploaded twice"
    assert photo["in_the_zip_at"] == ""
    assert data["files_note"] == ""
    assert CASE_WIDE_FILES in data["not_included"] and TAKEN_OFF_FILES in data["not_included"]

    event = AuditEvent.objects.get(action="export", object_id=str(sar.pk))
    assert event.detail == {"format": "zip", "cases": 2, "volunteer_records": 0,
                            "safeguarding_notes": False, "files": 2,
                            "files_unreadable": 0}  # fmt: skip


def test_the_pdf_lists_her_files(sar, world, login, coordinator):
    from tests.privacy.test_subject_access import pdf_text

    text = pdf_text(login(coordinator).get(f"/privacy/requests/{sar.pk}/export.pdf").content)

    assert "Files we hold about you" in text and "Carol's letter about the fence" in text
    assert world.old.files.carol.sha256 in text.replace(" ", "")
    assert "Uploaded twice" in text and FILES_IN_THE_ZIP in text
    assert "Letter from Dan Fowler" not in text and "Referral form from the housing" not in text


def test_the_json_alone_lists_the_files_and_says_where_they_are(sar, login, coordinator):
    data = json.loads(login(coordinator).get(f"/privacy/requests/{sar.pk}/export.json").content)

    assert [len(c["files"]) for c in data["cases"]] == [2, 2]
    assert {f["in_the_zip_at"] for c in data["cases"] for f in c["files"]} == {""}
    assert data["files_note"] == FILES_IN_THE_ZIP


def test_a_file_missing_from_storage_is_listed_without_its_bytes(
    sar, world, coordinator, monkeypatch
):
    monkeypatch.setattr(
        "documents.rendering.render_pdf", lambda name, context: (b"%PDF-1.7 copy", "")
    )
    on_disk(world.old.files.carol).unlink()
    # And one whose bytes no longer match what was uploaded.
    on_disk(world.recent.files.carol).write_bytes(b"changed on disk")

    content = services.request_export(sar=sar, by=coordinator, fmt="zip")

    archive = zipfile.ZipFile(io.BytesIO(content))
    # Her two files still on their cases were both unreadable; the two taken off are not held.
    assert [n for n in archive.namelist() if n.startswith("files/")] == []
    data = json.loads(archive.read(f"subject-access-request-{sar.pk}.json"))
    letter = data["cases"][0]["files"][0]
    assert letter["name"] == "carol-letter.pdf" and letter["in_the_zip_at"] == ""
    event = AuditEvent.objects.get(action="export", object_id=str(sar.pk))
    assert (event.detail["files"], event.detail["files_unreadable"]) == (0, 2)


def test_the_request_page_counts_her_files_and_the_case_wide_ones_to_review(
    sar, login, coordinator
):
    page = login(coordinator).get(f"/privacy/requests/{sar.pk}/").content.decode()

    assert "4 files uploaded about them" in page
    assert "2 files on their cases are about the case as a whole" in page
    assert "Download the ZIP" in page


def test_erasure_removes_the_bytes_of_the_closed_cases_files(
    world, coordinator, django_capture_on_commit_callbacks
):
    """Every file of the closed case goes, as its notes and generated letters do: a letter
    from one party or a referral form names the others too (privacy.services)."""
    Case.objects.filter(pk=world.recent.case.pk).update(
        status="contacting", closed_on=None, outcome=""
    )
    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol, by letter",
                "requested_on": timezone.localdate()},
        parties=[world.old.carol, world.recent.carol],
    )  # fmt: skip
    old = vars(world.old.files).values()
    recent = vars(world.recent.files).values()
    old_paths = [on_disk(f) for f in old]
    # One file's bytes were lost already: that must not stop the erasure.
    old_paths[0].unlink()

    with django_capture_on_commit_callbacks(execute=True):
        services.erase_subject(sar=sar, by=coordinator)

    assert not any(path.exists() for path in old_paths)
    for row in CaseFile.objects.filter(case=world.old.case):
        assert row.removed_at and row.file.name == ""
        assert (row.name, row.description, row.deletion_reason) == (services.REMOVED, "", "")
        # Kept: that there was a file, of what kind, when, its size and checksum.
        assert row.kind and row.uploaded_at and row.size and row.sha256
    # The open case's files are untouched.
    assert all(on_disk(f).exists() for f in recent)
    assert not CaseFile.objects.filter(case=world.recent.case, removed_at__isnull=False).exists()
    event = AuditEvent.objects.get(action="delete", case_reference=world.old.case.reference)
    assert event.detail["case_files"] == 4 and event.detail["anonymised"] == "erasure"


def test_retention_removes_the_bytes_of_every_file_of_the_case(
    world, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_RETENTION_DAYS = 100 * 365
    old_paths = [on_disk(f) for f in vars(world.old.files).values()]
    recent_paths = [on_disk(f) for f in vars(world.recent.files).values()]
    old_paths[1].unlink()  # the soft-deleted one's bytes already gone

    with django_capture_on_commit_callbacks(execute=True):
        result = services.apply_retention()

    assert result.cases == [world.old.case.reference] and result.failed == []
    assert not any(path.exists() for path in old_paths)
    assert all(path.exists() for path in recent_paths)
    assert CaseFile.objects.filter(case=world.old.case, removed_at__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="delete", case_reference=world.old.case.reference)
    assert event.detail["case_files"] == 4 and event.detail["anonymised"] == "retention"
    # What a retention dry run counts.
    assert services.preview_case(world.recent.case)["case_files"] == 4


def test_bytes_stay_when_the_anonymisation_rolls_back(
    world, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    """The bytes go only after the transaction commits: a failure part-way leaves the rows
    and their files as they were."""
    monkeypatch.setattr(
        services, "_delete_history", lambda specs: (_ for _ in ()).throw(RuntimeError("boom"))
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        services.anonymise_case(case=world.old.case, by=coordinator)

    assert all(on_disk(f).exists() for f in vars(world.old.files).values())
    assert not CaseFile.objects.filter(removed_at__isnull=False).exists()


def test_a_name_with_nothing_safe_in_it_still_has_a_place_in_the_zip(world):
    from privacy.export import path_in_zip

    letter = world.old.files.carol
    letter.name = "../??"
    assert path_in_zip(letter) == f"files/{world.old.case.reference}/{letter.pk}-file"
    letter.name = "../../etc/passwd"
    assert path_in_zip(letter) == f"files/{world.old.case.reference}/{letter.pk}-....etcpasswd"


def test_nothing_is_filed_on_a_case_already_anonymised_at_retention(world, coordinator, login):
    """Retention never comes back to a case it anonymised (cases_due leaves it out), so a file
    added afterwards would be kept for ever: the upload, a signed scan and the upload page
    refuse."""

    from cases import agreements

    case = world.old.case
    services.anonymise_case(case=case, by=coordinator)
    with pytest.raises(ValidationError, match="retention policy"):
        case_files.files_add(
            case=case, by=coordinator, uploads=[SimpleUploadedFile("letter.pdf", pdf_bytes())],
            kind="correspondence", description="A letter that came after",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="retention policy"):
        agreements.signed_scan_add(
            agreement=world.old.agreement, by=coordinator,
            upload=SimpleUploadedFile("signed.pdf", pdf_bytes()), signed_on=timezone.localdate(),
        )  # fmt: skip
    assert not CaseFile.objects.filter(case=case, removed_at__isnull=True).exists()
    assert not services.cases_due().filter(pk=case.pk).exists()

    response = login(coordinator).get(f"/cases/{case.reference}/files/", follow=True)
    assert "removed under the retention policy" in response.content.decode()
    assert response.redirect_chain


def test_a_party_erased_only_still_takes_files_about_the_others(world, coordinator):
    """An erasure (party set) is not the case's retention: the case still takes files."""

    sar = services.request_open(
        by=coordinator,
        fields={"subject_name": "Carol Evans", "requester": "Carol herself",
                "requested_on": timezone.localdate()},
        parties=[world.old.carol],
    )  # fmt: skip
    services.erase_subject(sar=sar, by=coordinator)
    assert not case_anonymised(world.old.case)
    (kept,) = case_files.files_add(
        case=world.old.case, by=coordinator, kind="correspondence",
        uploads=[SimpleUploadedFile("later.pdf", pdf_bytes())], description="A later letter",
    )  # fmt: skip
    assert kept.case_id == world.old.case.pk and kept.file
    with pytest.raises(ValidationError, match="records have been erased"):
        case_files.files_add(
            case=world.old.case, by=coordinator, kind="correspondence", party=world.old.carol,
            uploads=[SimpleUploadedFile("about-her.pdf", pdf_bytes())],
        )  # fmt: skip
