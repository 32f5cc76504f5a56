"""Case files and generated PDFs go through Django's storage API alone, so that several web
nodes can share one store (README, "Running on several servers"). Here the default storage is
Django's InMemoryStorage and the local disk is refused outright: the upload, download, delete
and retention paths still work, which they could not if any of them used a file-system path."""

import datetime
import hashlib

import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from documents.models import CaseFile, GeneratedDocument
from documents.services import agreement_document
from privacy import services as privacy
from tests.documents.samples import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_memory(settings, monkeypatch):
    """The default storage in memory; any use of a path on the disk fails the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }

    def no_disk(*args, **kwargs):
        raise AssertionError("a file went to the local disk")

    monkeypatch.setattr(FileSystemStorage, "_save", no_disk)
    monkeypatch.setattr(FileSystemStorage, "_open", no_disk)
    monkeypatch.setattr(FileSystemStorage, "path", no_disk)
    store = storages["default"]
    assert type(store).__name__ == "InMemoryStorage"
    return store


def test_upload_download_delete_and_retention_through_the_storage(
    in_memory, login, coordinator, case, django_capture_on_commit_callbacks
):
    client = login(coordinator)
    content = pdf_bytes()

    response = client.post(
        reverse("cases:files_upload", args=[case.reference]),
        {"file-kind": "correspondence", "file-description": "A letter",
         "file-files": [upload("letter.pdf", content)]},
    )  # fmt: skip

    assert response.status_code == 302
    case_file = CaseFile.objects.get(case=case)
    assert in_memory.exists(case_file.file.name)
    with in_memory.open(case_file.file.name, "rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == case_file.sha256

    download = client.get(reverse("cases:file_download", args=[case.reference, case_file.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content

    response = client.post(
        reverse("cases:file_delete", args=[case.reference, case_file.pk]), {"reason": "Duplicate"}
    )
    assert response.status_code == 302
    # Soft: the bytes are kept until the case's retention.
    assert in_memory.exists(case_file.file.name)

    closed_on = timezone.localdate() - datetime.timedelta(days=30)
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=closed_on)
    with django_capture_on_commit_callbacks(execute=True):
        counts = privacy.anonymise_case(
            case=case, today=closed_on + datetime.timedelta(days=100 * 365)
        )

    assert counts["case_files"] == 1
    assert not in_memory.exists(case_file.file.name)
    assert CaseFile.objects.get(pk=case_file.pk).removed_at


def test_an_agreement_pdf_is_kept_in_the_storage_and_served_from_it(
    in_memory, login, coordinator, case, monkeypatch
):
    from cases.agreements import agreement_start

    monkeypatch.setattr(
        "documents.services.render_pdf", lambda name, context: (b"%PDF-1.7 agreed", "")
    )
    agreement = agreement_start(case=case, by=coordinator)
    document = agreement_document(agreement=agreement, by=coordinator)

    assert in_memory.exists(document.file.name)
    with in_memory.open(document.file.name, "rb") as stored:
        assert stored.read() == b"%PDF-1.7 agreed"
    assert GeneratedDocument.objects.get(pk=document.pk).size == len(b"%PDF-1.7 agreed")
