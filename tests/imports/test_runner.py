"""The check, the two ways to import, and importing twice, through the worker's task."""

import csv
import io

import pytest
from openpyxl import load_workbook

from audit.models import AuditEvent
from imports.models import ImportBatch
from tests.imports.sheets import as_csv, as_xlsx, volunteer_row
from volunteers.models import DBSCheck, TrainingRecord, Volunteer

pytestmark = pytest.mark.django_db

BAD = {
    4: {"email": "not-an-email"},
    7: {"dbs_certificate_number": "12345"},
    9: {"training_completed": "31/02/2025"},
}


def sheet_with_three_bad_rows(n=10):
    """Volunteers 1..n on rows 2..n+1; rows 4, 7 and 9 each wrong in one column."""
    return [volunteer_row(i, **BAD.get(i + 1, {})) for i in range(1, n + 1)]


def problems_of(batch):
    return {(p["row"], p["column"]) for p in batch.problems}


@pytest.mark.parametrize("writer", [as_csv, as_xlsx], ids=["csv", "xlsx"])
def test_it_shows_exactly_the_three_bad_rows_and_saves_nothing(check, do_import, writer):
    batch = check(writer(sheet_with_three_bad_rows()), name=f"v.{writer.__name__[3:]}")

    assert batch.status == "checked", batch.error
    assert problems_of(batch) == {
        (4, "email"),
        (7, "dbs_certificate_number"),
        (9, "training_completed"),
    }
    assert (batch.rows, batch.records, batch.valid, batch.already_imported) == (10, 10, 7, 0)
    assert not batch.may_import_all and batch.may_import_valid
    assert Volunteer.objects.count() == 0  # the check rolled everything back
    assert [row["number"] for row in batch.sample] == list(range(2, 12))


def test_the_check_runs_the_real_services(check):
    batch = check(
        as_csv(
            [
                volunteer_row(1, dbs_issue_date="01/01/2099", training_hours="600"),
                volunteer_row(2, postcode="nowhere"),
                volunteer_row(3, status="mediator"),
            ]
        )
    )

    messages = {(p["row"], p["column"]): p["message"] for p in batch.problems}
    assert messages[(2, "dbs_issue_date")] == "The issue date cannot be in the future."
    assert messages[(2, "training_hours")] == "Enter the hours, between 0.5 and 500."
    assert (3, "postcode") in messages
    assert messages[(4, "status")].startswith("A volunteer becomes a mediator by being granted")


def test_it_imports_every_row_and_the_same_sheet_again_adds_nothing(check, do_import):
    content = as_csv([volunteer_row(i) for i in range(1, 6)])
    batch = do_import(check(content))

    assert batch.status == "imported" and batch.imported == 5
    assert batch.content is None  # the uploaded bytes go once imported
    assert Volunteer.objects.count() == 5
    assert DBSCheck.objects.filter(current_until__isnull=False).count() == 5
    assert TrainingRecord.objects.filter(course="community", hours=40).count() == 5
    assert set(Volunteer.objects.values_list("external_id", flat=True)) == {
        f"V-{i:05d}" for i in range(1, 6)
    }

    again = check(content)
    assert (again.already_imported, again.valid, again.problems) == (5, 0, [])
    assert not again.may_import_all and not again.may_import_valid
    assert Volunteer.objects.count() == 5


def test_a_record_added_since_the_check_is_skipped_not_doubled(check, do_import):
    batch = check(as_csv([volunteer_row(1), volunteer_row(2)]))
    Volunteer.objects.create(first_name="Typed", last_name="In", external_id="V-00002")

    batch = do_import(batch)

    assert batch.status == "imported" and batch.imported == 1 and batch.already_imported == 1
    assert Volunteer.objects.count() == 2


def test_all_or_nothing_saves_nothing_when_a_problem_appears_at_import(
    check, do_import, monkeypatch
):
    from imports.sheets import Problem, RowProblems
    from imports.volunteers_sheet import VolunteersSheet

    batch = check(as_csv([volunteer_row(1), volunteer_row(2)]))
    real = VolunteersSheet.import_group

    def second_fails(self, rows, *, by):
        if rows[0].number == 3:
            raise RowProblems([Problem(3, "email", "Changed since the check.")])
        return real(self, rows, by=by)

    monkeypatch.setattr(VolunteersSheet, "import_group", second_fails)
    batch = do_import(batch)

    assert batch.status == "checked" and batch.imported == 0
    assert batch.error == "Nothing was imported: the rows below have problems now."
    assert problems_of(batch) == {(3, "email")}
    assert Volunteer.objects.count() == 0


def test_valid_rows_only_gives_back_exactly_the_bad_rows(check, do_import):
    rows = sheet_with_three_bad_rows()
    rows[0]["notes"] = '=HYPERLINK("http://evil.example")'
    rows[2]["first_name"] = "=1+1"  # row 4, also bad: comes back defused
    batch = do_import(check(as_csv(rows)), mode="valid")

    assert batch.status == "imported" and batch.imported == 7
    assert Volunteer.objects.count() == 7
    assert Volunteer.objects.get(external_id="V-00001").notes.startswith("=HYPERLINK")
    back = list(csv.DictReader(io.StringIO(bytes(batch.rest_content).decode("utf-8-sig"))))
    assert [r["volunteer_id"] for r in back] == ["V-00003", "V-00006", "V-00008"]
    assert back[0]["first_name"] == "'=1+1"
    assert back[0]["problems"].startswith("email: ")
    assert back[1]["problems"].startswith("dbs_certificate_number: ")
    assert list(back[0])[-1] == "problems"


HOSTILE = "=cmd|' /C calc'!A0"


def with_text_formula(content: bytes) -> bytes:
    """Row 4's notes as a text cell that reads like a formula, as an old system may export."""
    from openpyxl.cell.cell import TYPE_STRING

    book = load_workbook(io.BytesIO(content))
    header = [cell.value for cell in book.active[1]]
    cell = book.active.cell(row=4, column=header.index("notes") + 1)
    cell.value, cell.data_type = HOSTILE, TYPE_STRING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_rows_given_back_corrected_go_in_on_their_own(check, do_import):
    rows = sheet_with_three_bad_rows()
    first = do_import(check(with_text_formula(as_xlsx(rows)), name="v.xlsx"), mode="valid")
    book = load_workbook(io.BytesIO(bytes(first.rest_content)))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "problems"
    notes = sheet.cell(row=2, column=header.index("notes") + 1)
    assert (notes.value, notes.data_type) == (f"'{HOSTILE}", "s")  # defused
    fixed = []
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, ["" if v is None else str(v) for v in values], strict=True))
        row.update(email="ok@example.org", dbs_certificate_number="000000000999",
                   training_completed="01/02/2025")  # fmt: skip
        fixed.append(row)

    second = do_import(check(as_xlsx(fixed, columns=header), name="v2.xlsx"))

    assert second.imported == 3
    assert Volunteer.objects.count() == 10
    # Read back as first written, without the apostrophe.
    assert Volunteer.objects.get(external_id="V-00003").notes == HOSTILE


def test_it_reads_typed_xlsx_cells(check):
    batch = check(as_xlsx([volunteer_row(1)], typed=True), name="typed.xlsx")

    assert batch.problems == []
    values = batch.sample[0]["values"]
    assert values["training_hours"] == "40"
    assert values["dbs_issue_date"].count("-") == 2  # a date cell, read as ISO


def test_excel_windows_csv_is_read_and_said(check):
    content = as_csv([volunteer_row(1, first_name="Zoë", notes="£5 expenses")], encoding="cp1252")
    batch = check(content)

    assert batch.encoding == "windows-1252"
    assert batch.sample[0]["values"]["first_name"] == "Zoë"


def test_the_check_and_the_import_are_audited_with_the_sha256(check, do_import, administrator):
    batch = do_import(check(as_csv([volunteer_row(1)])))

    events = AuditEvent.objects.filter(object_type="imports.importbatch", object_id=str(batch.pk))
    steps = {e.detail["step"]: e for e in events}
    assert set(steps) == {"uploaded", "checked", "imported"}
    for event in steps.values():
        assert event.detail["sha256"] == batch.sha256
        assert event.actor == administrator
    assert steps["imported"].detail["mode"] == "all"
    assert steps["imported"].detail["imported"] == 1
    assert steps["checked"].detail["valid"] == 1


def test_a_row_without_an_id_is_a_problem_and_a_repeated_id_too(check):
    batch = check(as_csv([volunteer_row(1, volunteer_id=""), volunteer_row(2), volunteer_row(2)]))

    assert problems_of(batch) == {(2, "volunteer_id"), (4, "volunteer_id")}


def test_discarding_keeps_nothing(check, administrator):
    from imports import services

    batch = services.discard(batch=check(as_csv([volunteer_row(1)])), by=administrator)

    batch = ImportBatch.objects.get(pk=batch.pk)
    assert batch.status == "discarded" and batch.content is None
    assert Volunteer.objects.count() == 0


def test_a_batch_is_claimed_once(check, administrator):
    from imports import services, tasks

    batch = services.upload(kind="volunteers", name="v.csv", content=as_csv([volunteer_row(1)]),
                            by=administrator)  # fmt: skip
    tasks.run_import(batch.pk)
    assert services.run_batch(batch.pk) is None  # a second delivery: nothing to do
    batch = ImportBatch.objects.get(pk=batch.pk)
    assert (batch.status, batch.attempts) == ("checked", 1)


def test_progress_is_read_from_redis_while_a_run_is_open(check):
    from imports import services

    batch = check(as_csv([volunteer_row(1)]))
    ImportBatch.objects.filter(pk=batch.pk).update(status="importing", progress=0)
    batch.refresh_from_db()
    services._set_progress(batch.pk, 40)
    assert services.progress_of(batch) == 40
    batch.status = "checked"
    assert services.progress_of(batch) == batch.progress  # finished: the row says


def test_the_daily_clean_up(check, do_import, administrator):
    import datetime

    from django.utils import timezone

    from imports import services

    old = timezone.now() - datetime.timedelta(days=2)
    imported = do_import(check(as_csv([volunteer_row(1), volunteer_row(2, email="x")])), "valid")
    waiting = check(as_csv([volunteer_row(3)]))
    stuck = check(as_csv([volunteer_row(4)]))
    fresh = check(as_csv([volunteer_row(5)]))
    ImportBatch.objects.filter(pk__in=[imported.pk, waiting.pk]).update(expires_at=old)
    ImportBatch.objects.filter(pk=stuck.pk).update(status="checking", started_at=old)

    assert services.delete_expired() == {"failed": 2, "emptied": 2}

    imported, waiting, stuck, fresh = (
        ImportBatch.objects.get(pk=b.pk) for b in (imported, waiting, stuck, fresh)
    )
    assert imported.status == "imported" and imported.rest_content is None
    assert waiting.status == "failed" and waiting.content is None
    assert "within a day" in waiting.error
    assert stuck.status == "failed" and "nothing was saved" in stuck.error
    assert fresh.status == "checked" and fresh.content is not None


def test_an_unreadable_sheet_fails_in_words_and_is_audited(check):
    batch = check(b"PK\x03\x04 broken", name="v.xlsx")
    assert batch.status == "failed" and batch.content is None
    assert batch.error == "This file is damaged or is not an Excel workbook (.xlsx)."
    assert AuditEvent.objects.filter(object_id=str(batch.pk), detail__step="unreadable").exists()


def test_a_validation_error_the_sheet_let_through_is_a_problem_of_its_row(check, monkeypatch):
    from django.core.exceptions import ValidationError

    from imports.volunteers_sheet import VolunteersSheet

    def refuses(self, rows, *, by):
        raise ValidationError({"email": "Taken.", "internal_field": "Odd.", "__all__": "No."})

    monkeypatch.setattr(VolunteersSheet, "import_group", refuses)
    batch = check(as_csv([volunteer_row(1)]))
    assert sorted((p["row"], p["column"], p["message"]) for p in batch.problems) == [
        (2, "", "No."),
        (2, "", "Odd."),
        (2, "email", "Taken."),
    ]


def test_a_sheet_the_worker_never_got_is_handed_over_again_after_a_minute(
    administrator, no_broker, check, time_machine
):
    """The broker was down at upload (enqueue logged and went on): beat's minute job sends it
    again, and again for an import chosen then; nothing finished or too recent is sent."""
    from django.utils import timezone

    from imports import services

    time_machine.move_to(timezone.now(), tick=False)
    done = check(as_csv([volunteer_row(2)]))  # checked: nothing to send for it now
    waiting = services.upload(
        kind="volunteers", name="v.csv", content=as_csv([volunteer_row(1)]), by=administrator
    )
    no_broker.clear()
    assert services.resend_waiting() == 0  # uploaded a moment ago: its message may be on its way

    time_machine.shift(61)
    assert services.resend_waiting() == 1
    assert no_broker == [waiting.pk]
    services.start_import(batch=done, mode="all", by=administrator)
    no_broker.clear()
    assert services.resend_waiting() == 2
    assert sorted(no_broker) == sorted([waiting.pk, done.pk])


def test_beat_hands_waiting_sheets_over_every_minute(settings):
    schedule = {e["task"]: e["schedule"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["imports.tasks.resend_waiting_imports"] == 60.0


def test_each_reference_is_checked_as_it_is_written_not_at_commit(check, monkeypatch):
    """The run's transaction checks a foreign key as its row is written (SET CONSTRAINTS ALL
    IMMEDIATE: with thousands of rows queued, PostgreSQL's deferred checks slowed every write).
    A check is rolled back at the end, so a deferred check would never have run at all."""
    from django.utils import timezone

    from cases.models import ContactLogEntry
    from imports.volunteers_sheet import VolunteersSheet

    def dangling(self, rows, *, by):
        ContactLogEntry.objects.create(
            case_id=2**40, kind="event", text="No such case.", occurred_at=timezone.now()
        )

    monkeypatch.setattr(VolunteersSheet, "import_group", dangling)
    batch = check(as_csv([volunteer_row(1)]))
    assert batch.status == "failed"


def test_a_run_inside_a_transaction_defers_the_references_again_when_it_ends(check, do_import):
    """Outside the run (a test's transaction around it) Django's foreign keys are deferred to
    commit again, as everywhere else."""
    from django.utils import timezone

    from cases.models import ContactLogEntry

    batch = check(as_csv([volunteer_row(1)]))
    do_import(batch)
    assert Volunteer.objects.count() == 1  # the import ran and its savepoint was released
    # Not refused now: it would be checked (and refused) at commit; gone before the test's end.
    ContactLogEntry.objects.create(
        case_id=2**40, kind="event", text="No such case yet.", occurred_at=timezone.now()
    ).delete()
