"""The trustees' summary through a real Celery worker process and the real Redis broker:
asked for on the page, handed over when the request commits, built by the worker, downloaded."""

import time

import pytest

from exports.models import Export
from tests.exports.conftest import Q4

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def no_broker():
    """Here the broker is real (overrides the conftest's stand-in)."""
    return None


def wait_for(export_id, timeout=60):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        export = Export.objects.without_content().get(pk=export_id)
        seen.append((export.status, export.progress))
        if export.status in ("ready", "failed"):
            return export, seen
        time.sleep(0.1)
    raise AssertionError(f"the export was not built in {timeout} s: {seen[-5:]}")


def test_a_real_worker_builds_the_summary(worker_factory, settings, login, coordinator):
    worker = worker_factory()
    settings.EXPORT_QUEUE = worker.queue  # where this process hands exports over
    client = login(coordinator)

    response = client.post("/reports/summary.pdf", Q4)

    export_id = Export.objects.get().pk
    assert response["Location"] == f"/exports/{export_id}/"
    export, seen = wait_for(export_id)
    assert export.status == "ready", export.error
    assert export.attempts == 1
    download = client.get(f"/exports/{export_id}/download/")
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")
    assert download["Content-Disposition"] == (
        'attachment; filename="wkm-summary-2025-10-01-to-2025-12-31.pdf"'
    )
