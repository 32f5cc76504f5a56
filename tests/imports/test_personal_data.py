"""What an import batch keeps of the sheet's personal data once it is no longer awaiting a
decision (review of issue 20): the file's name, SHA-256, counts and where the problems were;
and reading its preview is audited (rule 12)."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from audit.models import AuditEvent
from imports import runner, services
from imports.models import ImportBatch
from tests.imports.sheets import as_csv, volunteer_row

pytestmark = pytest.mark.django_db

SECRET = "1 Secret Lane"


def test_an_imported_sheet_keeps_none_of_its_rows(check, do_import):
    """models.py and wkm/personal_data.py promise: once imported, the record left is the file's
    name, SHA-256 and counts. The first ten rows (names, addresses, DBS numbers; a cases sheet's
    safeguarding notes) stayed in ``sample`` for ever, out of reach of erasure and retention."""
    batch = do_import(check(as_csv([volunteer_row(1, address=SECRET)])), mode="all")
    assert batch.status == ImportBatch.Status.IMPORTED
    assert SECRET not in str(batch.sample)
    assert batch.sample == []


def test_an_import_of_the_valid_rows_keeps_where_the_problems_were_not_their_words(
    check, do_import
):
    checked = check(as_csv([volunteer_row(1), volunteer_row(2, dbs_issue_date="31/02/2025")]))
    assert "31/02/2025" in str(checked.problems)  # quoted while the administrator decides
    batch = do_import(checked, mode="valid")
    assert batch.problems == [{"row": 3, "column": "dbs_issue_date"}]
    assert batch.problem_rows == 1
    assert batch.sample == []


def test_an_expired_sheet_keeps_none_of_its_rows(check):
    batch = check(as_csv([volunteer_row(1, address=SECRET, dbs_issue_date="31/02/2025")]))
    ImportBatch.objects.filter(pk=batch.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    services.delete_expired()
    batch.refresh_from_db()
    assert batch.content is None
    assert SECRET not in str(batch.sample)
    assert batch.problems == [{"row": 2, "column": "dbs_issue_date"}]


def test_a_discarded_sheet_keeps_none_of_its_rows(check, administrator):
    batch = check(as_csv([volunteer_row(1, address=SECRET, dbs_issue_date="31/02/2025")]))
    batch = services.discard(batch=batch, by=administrator)
    assert batch.status == ImportBatch.Status.DISCARDED
    assert batch.sample == []
    assert batch.problems == [{"row": 2, "column": "dbs_issue_date"}]


def test_the_imported_page_shows_the_counts_and_no_rows(login, administrator, check, do_import):
    batch = check(as_csv([volunteer_row(1, address=SECRET), volunteer_row(2, email="bad")]))
    batch = do_import(batch, mode="valid")
    page = login(administrator).get(f"/imports/{batch.pk}/").content.decode()
    assert 'Rows with problems</dt><dd class="col-sm-7">1<' in page
    assert "Download the 1 row not imported" in page
    assert SECRET not in page
    assert "Problems found, by row and column" not in page


def test_reading_the_preview_is_audited(client, login, administrator, check):
    """Rule 12: the preview shows the sheet's rows (personal data) to an administrator."""
    batch = check(as_csv([volunteer_row(1)]))
    client = login(administrator)
    assert client.get(f"/imports/{batch.pk}/").status_code == 200
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_id=str(batch.pk))
    assert event.actor == administrator
    assert event.detail["sha256"] == batch.sha256


def test_a_progress_poll_is_audited_only_when_it_brings_the_preview(login, administrator, check):
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW)
    waiting = services.upload(
        kind="volunteers", name="v.csv", content=as_csv([volunteer_row(1)]), by=administrator
    )
    client = login(administrator)
    client.get(f"/imports/{waiting.pk}/progress/")
    assert not views.exists()
    finished = check(as_csv([volunteer_row(2)]))
    client.get(f"/imports/{finished.pk}/progress/")
    assert views.filter(object_id=str(finished.pk)).count() == 1


def test_a_record_imported_meanwhile_by_another_sheet_is_said_so(check, administrator, monkeypatch):
    batch = check(as_csv([volunteer_row(1)]))
    services.start_import(batch=batch, mode="all", by=administrator)

    def meets_the_other_sheets_row(*args, **kwargs):
        cause = type("UniqueViolation", (Exception,), {})()
        cause.diag = type("Diag", (), {"constraint_name": "volunteer_external_id_unique"})()
        raise IntegrityError("duplicate key") from cause

    monkeypatch.setattr(runner, "run", meets_the_other_sheets_row)
    assert services.run_batch(batch.pk) == ImportBatch.Status.FAILED
    batch.refresh_from_db()
    assert batch.error == services.IMPORTED_MEANWHILE
