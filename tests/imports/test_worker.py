"""A sheet through a real Celery worker process and the real Redis broker: uploaded on the
page, handed over when the request commits, checked by the worker, imported, audited."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportBatch
from tests.imports.sheets import as_csv, volunteer_row
from volunteers.models import Volunteer

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def no_broker():
    """Here the broker is real (overrides the conftest's stand-in)."""
    return None


def wait_for(batch_id, *statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.without_content().get(pk=batch_id)
        if batch.status in statuses:
            return batch
        time.sleep(0.1)
    raise AssertionError(f"still {batch.status} after {timeout} s")


def test_a_real_worker_checks_and_imports(worker_factory, settings, login, administrator):
    worker = worker_factory()
    settings.IMPORT_QUEUE = worker.queue
    client = login(administrator)
    content = as_csv([volunteer_row(1), volunteer_row(2)])

    client.post(
        "/imports/upload/",
        {"kind": "volunteers", "file": SimpleUploadedFile("v.csv", content)},
    )

    batch = wait_for(ImportBatch.objects.get().pk, "checked", "failed")
    assert (batch.status, batch.valid, batch.attempts) == ("checked", 2, 1), batch.error
    assert Volunteer.objects.count() == 0
    client.post(f"/imports/{batch.pk}/import/", {"mode": "all"})
    batch = wait_for(batch.pk, "imported", "failed", "checked")
    assert (batch.status, batch.imported) == ("imported", 2), batch.error
    assert Volunteer.objects.count() == 2
