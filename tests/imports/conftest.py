"""Imports for the tests: uploaded through the service or the page, run by the worker's task
in-process (as tests/exports do), by an administrator who is also a coordinator when the sheet
records accreditations."""

import pytest

from imports import services, tasks
from imports.models import ImportBatch


@pytest.fixture(autouse=True)
def _nothing_to_redis(no_broker):
    """Every test here hands work to the root conftest's stand-in broker (``no_broker``), unless
    its module overrides that fixture."""


def run_waiting() -> list[ImportBatch]:
    """The worker's task on every batch waiting to be checked or imported; refreshed."""
    done = []
    waiting = (ImportBatch.Status.WAITING, ImportBatch.Status.IMPORT_WAITING)
    for pk in ImportBatch.objects.filter(status__in=waiting).values_list("pk", flat=True):
        tasks.run_import(pk)
        done.append(ImportBatch.objects.get(pk=pk))
    return done


@pytest.fixture
def check(administrator):
    """check(content, name="volunteers.csv", by=administrator) -> the checked batch."""

    def _check(content, name="volunteers.csv", by=None, kind="volunteers"):
        batch = services.upload(kind=kind, name=name, content=content, by=by or administrator)
        run_waiting()
        return ImportBatch.objects.get(pk=batch.pk)

    return _check


@pytest.fixture
def do_import():
    def _import(batch, mode="all", by=None):
        services.start_import(batch=batch, mode=mode, by=by or batch.uploaded_by)
        run_waiting()
        return ImportBatch.objects.get(pk=batch.pk)

    return _import
