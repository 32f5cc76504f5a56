"""Uploading a sheet, checking it in the worker, importing it, discarding it, and the clean-up.

The rules, whatever the entry point:

- only administrators import (``may_import``), and each step says who took it in the audit log
  with the file's SHA-256, the counts and the mode (rule 12);
- a sheet is read and run in the worker (``run_batch``, Celery: imports.tasks.run_import),
  never in a request: 5,000 rows take a while. The worker claims the batch once (waiting →
  checking, or waiting to import → importing, one UPDATE) and only the attempt that claimed
  it finishes it; one whose worker died is failed by the daily clean-up after
  ``IMPORT_LEASE_SECONDS``, and the administrator uploads it again (nothing was saved: each
  run is one transaction);
- the import runs the sheet again from its bytes, not from the preview: what changed since the
  check (a volunteer added by hand with the same id) is seen. "All or nothing" that now finds a
  problem saves nothing and shows the problems, as the check would have;
- the uploaded bytes go as soon as they are no longer needed (imported, discarded) and at the
  latest a day after the upload (``delete_expired``), with the rows given back; so do the
  preview's first rows (``sample``) and the problems' words, which quote cells (``_without_words``):
  what stays is the file's name, its SHA-256, the counts and where the problems were.

While a run is in its transaction the row cannot show its progress to the page (nothing of the
transaction is visible until it ends), so the worker writes the percentage to Redis, which the
web servers share with it (``progress_of``).
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.roles import ADMINISTRATOR, has_role
from audit.models import AuditEvent
from audit.services import record_event
from documents.uploads import display_name

from . import reading, runner, spreadsheets
from .models import ImportBatch
from .registry import SHEETS

logger = logging.getLogger(__name__)
Status = ImportBatch.Status

FAILED_UNEXPECTEDLY = (
    "Something went wrong while reading this sheet; nothing was saved. Try again; if it fails "
    "again, tell the person who looks after the system."
)
WORKER_LOST = (
    "The server stopped part-way through; nothing was saved. Upload the sheet again; if it "
    "happens again, tell the person who looks after the system."
)
EXPIRED = (
    "This sheet was not imported within a day of its upload, and has been deleted. Upload it "
    "again to import it."
)
IMPORTED_MEANWHILE = (
    "Nothing was imported: another sheet imported one of these records while this one ran. "
    "Upload this sheet again to check it: what is already here will be skipped."
)
SAMPLE_ROWS = 10
# The unique constraints an import meets when another sheet has imported the same record.
EXTERNAL_ID_CONSTRAINTS = ("case_external_id_unique", "volunteer_external_id_unique")


def too_large_message() -> str:
    return (
        f"The file is larger than {settings.IMPORT_MAX_BYTES / 1_000_000:g} MB, the largest "
        "imported at once. Split it into smaller sheets and import each."
    )


def may_import(user) -> bool:
    return has_role(user, ADMINISTRATOR)


def _check_allowed(by) -> None:
    if not may_import(by):
        raise PermissionDenied


def _audit(batch: ImportBatch, *, action: str, by, **detail) -> None:
    record_event(
        action=action,
        actor=by,
        obj=batch,
        detail={"import": batch.kind, "sha256": batch.sha256, "file_size": batch.size, **detail},
    )


@transaction.atomic
def upload(*, kind: str, name: str, content: bytes, by) -> ImportBatch:
    """Keep an uploaded sheet and hand it to the worker to check. Raises ValidationError with
    the field (``file``, ``kind``) for what is refused before anything is kept."""
    _check_allowed(by)
    if kind not in SHEETS:
        raise ValidationError({"kind": "Choose what the sheet holds."})
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": too_large_message()})
    try:
        fmt = reading.sniff_format(content)
    except reading.Unreadable as error:
        raise ValidationError({"file": str(error)}) from None
    batch = ImportBatch.objects.create(
        kind=kind,
        file_name=display_name(name),
        format=fmt,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        uploaded_by=by,
    )
    _audit(batch, action=AuditEvent.Action.CREATE, by=by, step="uploaded", format=fmt)
    transaction.on_commit(lambda: enqueue(batch.pk))
    return batch


@transaction.atomic
def start_import(*, batch: ImportBatch, mode: str, by) -> ImportBatch:
    """Import a checked sheet: every row or nothing (``ALL_OR_NOTHING``, offered only when
    the check found no problem), or the valid rows with the rest given back (``VALID_ONLY``)."""
    _check_allowed(by)
    if mode not in ImportBatch.Mode.values:
        raise ValidationError("Choose how to import the sheet.")
    if mode == ImportBatch.Mode.ALL_OR_NOTHING:
        allowed = batch.may_import_all
    else:
        allowed = batch.may_import_valid
    if not allowed:
        raise ValidationError("This sheet cannot be imported that way now.")
    started = ImportBatch.objects.filter(pk=batch.pk, status=Status.CHECKED).update(
        status=Status.IMPORT_WAITING, mode=mode, imported_by=by, progress=0, error=""
    )
    if not started:
        raise ValidationError("This sheet is already being imported, or was discarded.")
    transaction.on_commit(lambda: enqueue(batch.pk))
    batch.refresh_from_db()
    return batch


@transaction.atomic
def discard(*, batch: ImportBatch, by) -> ImportBatch:
    """Import nothing from this sheet, and delete its bytes now."""
    _check_allowed(by)
    found = (
        ImportBatch.objects.select_for_update()
        .filter(pk=batch.pk, status__in=(Status.CHECKED, Status.FAILED))
        .values_list("problems", flat=True)
        .first()
    )
    discarded = found is not None and ImportBatch.objects.filter(pk=batch.pk).update(
        status=Status.DISCARDED,
        content=None,
        rest_content=None,
        sample=[],
        problems=_without_words(found),
        finished_at=timezone.now(),
    )
    if not discarded:
        raise ValidationError("Only a sheet that has been checked, and not imported, is discarded.")
    batch.refresh_from_db()
    _audit(batch, action=AuditEvent.Action.DELETE, by=by, step="discarded")
    return batch


def record_view(*, batch: ImportBatch, by) -> None:
    """Reading the page shows the sheet's first rows and problems (personal data): rule 12."""
    _audit(batch, action=AuditEvent.Action.VIEW, by=by, step="viewed", status=batch.status)


def record_rest_download(*, batch: ImportBatch, by) -> None:
    _audit(batch, action=AuditEvent.Action.DOWNLOAD, by=by, step="given_back", rows=batch.rest_rows)


def record_template_download(*, kind: str, fmt: str, by) -> None:
    record_event(
        action=AuditEvent.Action.DOWNLOAD,
        actor=by,
        object_repr=f"Import template ({kind})",
        detail={"import_template": kind, "format": fmt},
    )


def enqueue(batch_id: int) -> None:
    """Hand the batch to the worker; a broker that is down must not fail the page: the batch
    waits, and the page says so, until resend_waiting hands it over again."""
    from .tasks import run_import

    options = {"queue": settings.IMPORT_QUEUE} if settings.IMPORT_QUEUE else {}
    try:
        run_import.apply_async(args=[batch_id], **options)
    except Exception:  # the broker's errors are many (kombu, redis, socket): log, go on
        logger.warning("import %s not handed to the worker yet", batch_id, exc_info=True)


# --- Progress, through Redis while a run's transaction is open -------------------------------


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def _progress_key(batch_id: int) -> str:
    return f"wkm:imports:{batch_id}:progress"


def _set_progress(batch_id: int, percent: int) -> None:
    try:
        _redis().set(_progress_key(batch_id), int(percent), ex=settings.IMPORT_LEASE_SECONDS)
    except Exception:  # the page shows no percentage: nothing else depends on it
        logger.info("import %s: progress not written", batch_id, exc_info=True)


def progress_of(batch: ImportBatch) -> int:
    """How far the run has got, 0-100: from Redis while it runs, else from the row."""
    if batch.status not in (Status.CHECKING, Status.IMPORTING):
        return batch.progress
    try:
        value = _redis().get(_progress_key(batch.pk))
    except Exception:
        return batch.progress
    return min(99, int(value)) if value else batch.progress


# --- In the worker ----------------------------------------------------------------------------

_CLAIMS = {Status.WAITING: Status.CHECKING, Status.IMPORT_WAITING: Status.IMPORTING}


def _claim(batch_id: int) -> tuple[str, int] | None:
    """Waiting → running; (the status it runs as, the attempt), or None if it is not ours."""
    for waiting, running in _CLAIMS.items():
        claimed = ImportBatch.objects.filter(pk=batch_id, status=waiting).update(
            status=running, attempts=F("attempts") + 1, started_at=timezone.now(), progress=0
        )
        if claimed:
            attempt = ImportBatch.objects.values_list("attempts", flat=True).get(pk=batch_id)
            return running, attempt
    return None


def _mine(batch_id: int, running: str, attempt: int):
    return ImportBatch.objects.filter(pk=batch_id, status=running, attempts=attempt)


def _problem_dicts(problems) -> list[dict]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in problems]


def _without_words(problems: list[dict]) -> list[dict]:
    """A problem's words may quote the cell (“01/13/2026” is not a date) or name a person, so
    once the sheet is no longer awaiting a decision only where the problem was is kept: the
    page still counts the rows with problems, and the rows given back carry the words."""
    return [{"row": p["row"], "column": p["column"]} for p in problems]


def run_batch(batch_id: int) -> str | None:
    """Check or import the batch, whichever it waits for; the new status, or None if there
    was nothing to do (another worker has it, or it is finished). Runs outside any
    transaction: each run is its own (imports.runner)."""
    claim = _claim(batch_id)
    if claim is None:
        return None
    running, attempt = claim
    batch = ImportBatch.objects.select_related("uploaded_by", "imported_by").get(pk=batch_id)
    sheet = SHEETS.get(batch.kind)
    by = batch.imported_by if running == Status.IMPORTING else batch.uploaded_by
    mine = _mine(batch_id, running, attempt)
    if sheet is None or by is None or not may_import(by) or batch.content is None:
        mine.update(
            status=Status.FAILED,
            error="This sheet can no longer be imported (its kind, its file or the "
            "administrator's role is gone).",
            content=None,
            finished_at=timezone.now(),
        )
        return Status.FAILED
    try:
        read_sheet = reading.read(bytes(batch.content), batch.format, sheet)
    except reading.Unreadable as error:
        mine.update(
            status=Status.FAILED, error=str(error), content=None, finished_at=timezone.now()
        )
        _audit(batch, action=AuditEvent.Action.CHANGE, by=by, step="unreadable")
        return Status.FAILED
    mode = runner.CHECK if running == Status.CHECKING else batch.mode
    try:
        outcome = runner.run(
            sheet,
            read_sheet,
            by=by,
            mode=mode,
            progress=lambda percent: _set_progress(batch_id, percent),
        )
    except IntegrityError as error:
        # Two sheets importing the same record at once: both checked it was new, the second to
        # commit meets the unique id. Nothing of this run was saved.
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if constraint not in EXTERNAL_ID_CONSTRAINTS:
            logger.exception("import %s (%s, %s) failed", batch_id, batch.kind, mode)
        mine.update(
            status=Status.FAILED,
            error=IMPORTED_MEANWHILE
            if constraint in EXTERNAL_ID_CONSTRAINTS
            else FAILED_UNEXPECTEDLY,
            finished_at=timezone.now(),
        )
        return Status.FAILED
    except Exception:
        logger.exception("import %s (%s, %s) failed", batch_id, batch.kind, mode)
        mine.update(status=Status.FAILED, error=FAILED_UNEXPECTEDLY, finished_at=timezone.now())
        return Status.FAILED
    counts = {
        "rows": len(read_sheet.rows),
        "records": outcome.records,
        "valid": outcome.valid,
        "already_imported": outcome.already_imported,
        "imported": outcome.imported,
    }
    fields = {
        **counts,
        "problems": _problem_dicts(outcome.problems),
        "progress": 100,
        "finished_at": timezone.now(),
        "error": "",
    }
    if mode == runner.CHECK:
        fields.update(
            status=Status.CHECKED,
            encoding=read_sheet.encoding,
            sample=[
                {"number": row.number, "values": row.values}
                for row in read_sheet.rows[:SAMPLE_ROWS]
            ],
        )
        step = "checked"
    elif mode == runner.ALL and outcome.problems:
        # Found since the check: nothing saved, the problems shown, the sheet still there.
        fields.update(
            status=Status.CHECKED,
            error="Nothing was imported: the rows below have problems now.",
        )
        step = "import_refused"
    else:
        fields.update(
            status=Status.IMPORTED,
            content=None,
            sample=[],
            problems=_without_words(fields["problems"]),
        )
        if outcome.rest:
            rest = spreadsheets.rest(
                sheet, batch.format, read_sheet.columns, outcome.rest, outcome.problems
            )
            fields.update(rest_content=rest, rest_rows=len(outcome.rest))
        step = "imported"
    if not mine.update(**fields):
        return None  # failed by the clean-up meanwhile: its message stands
    _audit(
        batch,
        action=AuditEvent.Action.CREATE if step == "imported" else AuditEvent.Action.CHANGE,
        by=by,
        step=step,
        mode=batch.mode,
        problems=len(outcome.problems),
        **counts,
    )
    return fields["status"]


def resend_waiting() -> int:
    """Every minute (beat): hand over again the sheets waiting a minute or more for a check or
    an import (the broker was down when they were uploaded or the import was chosen, or lost
    the message), as exports.services.resume_unfinished does. A second message is harmless:
    the worker claims a batch once."""
    waiting = ImportBatch.objects.filter(
        status__in=(ImportBatch.Status.WAITING, ImportBatch.Status.IMPORT_WAITING),
        uploaded_at__lt=timezone.now() - datetime.timedelta(seconds=60),
        expires_at__gt=timezone.now(),
    ).values_list("pk", flat=True)
    batches = sorted(waiting)
    for batch_id in batches:
        enqueue(batch_id)
    return len(batches)


def delete_expired() -> dict:
    """Daily (beat): a run still going after ``IMPORT_LEASE_SECONDS`` lost its worker and is
    failed; a sheet uploaded over ``IMPORT_KEEP_SECONDS`` ago and never imported is failed
    too; and the bytes of every such sheet go, with the rows given back, its first rows and
    its problems' words (the record of the import stays)."""
    now = timezone.now()
    lease = now - datetime.timedelta(seconds=settings.IMPORT_LEASE_SECONDS)
    lost = ImportBatch.objects.filter(
        status__in=(Status.CHECKING, Status.IMPORTING), started_at__lt=lease
    ).update(status=Status.FAILED, error=WORKER_LOST, finished_at=now)
    expired = ImportBatch.objects.filter(expires_at__lte=now)
    not_imported = expired.filter(
        status__in=(Status.WAITING, Status.CHECKED, Status.IMPORT_WAITING)
    ).update(status=Status.FAILED, error=EXPIRED, finished_at=now)
    emptied = expired.exclude(content__isnull=True, rest_content__isnull=True).update(
        content=None, rest_content=None
    )
    # Only those still holding a row or a problem's words: a day's few, not every old batch.
    worded = expired.filter(~Q(sample=[]) | Q(problems__0__has_key="message"))
    for pk, problems in worded.values_list("pk", "problems"):
        ImportBatch.objects.filter(pk=pk).update(sample=[], problems=_without_words(problems))
    return {"failed": lost + not_imported, "emptied": emptied}
