"""Asking for an export, building it in the worker, downloading it, and deleting it.

The rules, whatever the entry point (a page, a command, a task):

- only a user whose roles allow the kind may ask for it (and download it, ``selectors``);
- a user has at most ``EXPORTS_MAX_UNFINISHED`` exports waiting or being prepared at once: a
  summary takes a worker for a second or more, and the workers are shared with the reminders;
- a worker builds an export once: it claims the row (queued → running, one UPDATE), and only
  the attempt that claimed it may finish it; one that died mid-way is taken over after
  ``EXPORT_LEASE_SECONDS`` or its kind's own lease (``resume_unfinished``), at most
  ``EXPORT_MAX_ATTEMPTS`` times;
- asking and downloading are audited (rule 12), with the kind's non-confidential parameters;
- a file is kept ``EXPORT_KEEP_SECONDS`` (a day), then it is gone for everyone, and
  ``delete_expired`` deletes the row and its bytes.
"""

from __future__ import annotations

import contextlib
import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event

from . import kinds
from .models import Export

logger = logging.getLogger(__name__)

FAILED_UNEXPECTEDLY = (
    "Something went wrong while preparing this file. Try again; if it fails again, tell the "
    "person who looks after the system."
)
WORKER_LOST = (
    "The file could not be prepared: the server stopped part-way through each time. Try "
    "again later; if it fails again, tell the person who looks after the system."
)
NEVER_STARTED = (
    "The file could not be prepared: nothing was free to start it. Try again later; if it "
    "happens again, tell the person who looks after the system."
)


def request_export(*, kind: str, parameters: dict, by) -> Export:
    """Queue an export of ``kind`` for ``by``; the worker starts on it once this commits.

    ``parameters`` are as the kind's ``parse`` returned them. Raises PermissionDenied if
    ``by`` may not have this kind, ValidationError if they already have as many exports on
    the way as they may.
    """
    export_kind = kinds.get(kind)
    if not export_kind.allowed(by):
        raise PermissionDenied
    limit = settings.EXPORTS_MAX_UNFINISHED
    with transaction.atomic():
        # One request at a time per user (two tabs, a double click): the count below and the
        # insert are then one step, and the limit holds.
        get_user_model().objects.select_for_update(no_key=True).filter(pk=by.pk).first()
        waiting = Export.objects.filter(requester=by).unfinished().current().count()
        if waiting >= limit:
            raise ValidationError(
                f"You already have {waiting} files being prepared, and {limit} at once is "
                "the most. Wait for one of them to be ready, then ask again.",
                code="too_many",
            )
        now = timezone.now()
        export = Export.objects.create(
            requester=by,
            kind=kind,
            parameters=parameters,
            created_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.EXPORT_KEEP_SECONDS),
        )
        record_event(
            action=AuditEvent.Action.EXPORT,
            actor=by,
            obj=export,
            detail={"export": kind, **export_kind.audit(parameters)},
        )
        transaction.on_commit(lambda: enqueue(export.pk))
    return export


def retry_export(*, export: Export, by) -> Export:
    """Ask again for what a failed export was (a new export, under the same rules)."""
    if export.status != Export.Status.FAILED:
        raise ValidationError("Only a file that failed can be asked for again.", code="not_failed")
    return request_export(kind=export.kind, parameters=export.parameters, by=by)


def enqueue(export_id: int) -> None:
    """Hand the export to the worker. If the broker is down the page must not fail or hang:
    the export stays queued and ``resume_unfinished`` (every minute) hands it over again."""
    from .tasks import build_export

    options = {"queue": settings.EXPORT_QUEUE} if settings.EXPORT_QUEUE else {}
    try:
        build_export.apply_async(args=[export_id], **options)
    except Exception:  # the broker's errors are many (kombu, redis, socket): log, go on
        logger.warning("export %s not handed to the worker yet", export_id, exc_info=True)


# --- In the worker -----------------------------------------------------------------------------


def _claim(export_id: int) -> int | None:
    """Queued → running; the attempt number, or None if it is not ours to build (another
    worker has it, it is finished, or it has expired)."""
    now = timezone.now()
    claimed = Export.objects.filter(
        pk=export_id, status=Export.Status.QUEUED, expires_at__gt=now
    ).update(
        status=Export.Status.RUNNING,
        started_at=now,
        attempts=F("attempts") + 1,
        progress=0,
        progress_text="Starting",
    )
    if not claimed:
        return None
    return Export.objects.values_list("attempts", flat=True).get(pk=export_id)


def _mine(export_id: int, attempt: int):
    return Export.objects.filter(pk=export_id, status=Export.Status.RUNNING, attempts=attempt)


def _fail(export_id: int, attempt: int, message: str) -> None:
    _mine(export_id, attempt).update(
        status=Export.Status.FAILED, error=message, finished_at=timezone.now(), content=None
    )


RETRY = "retry"


def build(export_id: int) -> str | None:
    """Build the export if it is waiting: the worker's side (exports.tasks.build_export).

    Returns the new status, None if there was nothing to do, or RETRY when the database
    failed part-way and the export is queued again for the task to retry. Runs outside any
    transaction, so that each progress update is seen by the page at once.
    """
    attempt = _claim(export_id)
    if attempt is None:
        return None
    export = Export.objects.without_content().select_related("requester").get(pk=export_id)
    kind = kinds.KINDS.get(export.kind)
    if kind is None:
        _fail(export_id, attempt, "This kind of file can no longer be made.")
        return Export.Status.FAILED
    # The requester's roles now, not when they asked: one who lost the role gets nothing.
    if not kind.allowed(export.requester):
        _fail(export_id, attempt, "You no longer have access to this kind of file.")
        return Export.Status.FAILED

    def progress(percent: int, text: str) -> None:
        _mine(export_id, attempt).update(
            progress=max(0, min(99, int(percent))), progress_text=text[:200]
        )

    try:
        built = kind.build(export.parameters, progress, export.requester)
    except ValidationError as error:
        # A rule of the file itself (too many pages, say): the requester can act on it.
        _fail(export_id, attempt, " ".join(error.messages))
        return Export.Status.FAILED
    except (OperationalError, InterfaceError):
        # The database went away (a restart, a failover): worth another go, a little later.
        logger.warning("export %s: database error, attempt %s", export_id, attempt, exc_info=True)
        if attempt < settings.EXPORT_MAX_ATTEMPTS:
            # If even this fails, resume_unfinished takes it over when the lease ends.
            with contextlib.suppress(DatabaseError):
                _mine(export_id, attempt).update(
                    status=Export.Status.QUEUED, progress_text="Waiting to try again"
                )
            return RETRY
        _fail(export_id, attempt, FAILED_UNEXPECTEDLY)
        return Export.Status.FAILED
    except Exception:
        logger.exception("export %s (%s) failed", export_id, export.kind)
        _fail(export_id, attempt, FAILED_UNEXPECTEDLY)
        return Export.Status.FAILED
    limit = kind.max_bytes()
    if len(built.content) > limit:
        _fail(
            export_id,
            attempt,
            f"The file would be {len(built.content) // 1_000_000} MB, more than the "
            f"{limit // 1_000_000} MB that can be kept. {kind.too_big_advice}",
        )
        return Export.Status.FAILED
    finished = _mine(export_id, attempt).update(
        status=Export.Status.READY,
        content=built.content,
        size=len(built.content),
        file_name=built.file_name[:200],
        content_type=built.content_type,
        progress=100,
        progress_text="Ready",
        finished_at=timezone.now(),
    )
    if finished and built.audit:
        record_event(
            action=AuditEvent.Action.EXPORT,
            actor=export.requester,
            obj=export,
            detail={"export": export.kind, "made": True, **built.audit},
        )
    # 0: another worker took it over (our lease ran out); theirs is the one that counts.
    return Export.Status.READY if finished else None


def _lease_over(now) -> Q:
    """Running for longer than its kind's lease (EXPORT_LEASE_SECONDS, unless the kind takes
    longer by nature: everything the service holds)."""
    default = settings.EXPORT_LEASE_SECONDS
    own = {key: kind.lease_seconds() for key, kind in kinds.KINDS.items()}
    own = {key: seconds for key, seconds in own.items() if seconds != default}
    condition = Q(started_at__lt=now - datetime.timedelta(seconds=default)) & ~Q(kind__in=own)
    for key, seconds in own.items():
        condition |= Q(kind=key, started_at__lt=now - datetime.timedelta(seconds=seconds))
    return condition


def resume_unfinished() -> dict:
    """Every minute (beat): hand over again what the worker never got (the broker was down
    when it was asked for), take over what a worker left half-done (it was killed), and give
    up, in words, on what waited or failed too long."""
    now = timezone.now()
    failed = 0
    # Left running by a worker that died: queued again, or failed after too many attempts.
    stale = Export.objects.filter(_lease_over(now), status=Export.Status.RUNNING)
    failed += stale.filter(attempts__gte=settings.EXPORT_MAX_ATTEMPTS).update(
        status=Export.Status.FAILED, error=WORKER_LOST, finished_at=now
    )
    taken_over = list(stale.values_list("pk", flat=True))
    requeued = stale.filter(pk__in=taken_over).update(
        status=Export.Status.QUEUED, progress_text="Waiting to try again"
    )
    # Waiting too long: the worker is not running at all.
    failed += Export.objects.filter(
        status=Export.Status.QUEUED,
        started_at__isnull=True,
        created_at__lt=now - datetime.timedelta(seconds=settings.EXPORT_QUEUE_TIMEOUT_SECONDS),
    ).update(status=Export.Status.FAILED, error=NEVER_STARTED, finished_at=now)
    # Queued a minute ago or more and still not started: the message may never have reached
    # the broker. A second message is harmless (the worker claims an export once).
    waiting = set(
        Export.objects.filter(
            status=Export.Status.QUEUED,
            expires_at__gt=now,
        )
        .filter(Q(pk__in=taken_over) | Q(created_at__lt=now - datetime.timedelta(seconds=60)))
        .values_list("pk", flat=True)
    )
    for export_id in sorted(waiting):
        enqueue(export_id)
    return {"requeued": requeued, "resent": len(waiting), "failed": failed}


# --- The requester's side -------------------------------------------------------------------


def record_download(*, export: Export, by) -> None:
    kind = kinds.KINDS.get(export.kind)
    record_event(
        action=AuditEvent.Action.DOWNLOAD,
        actor=by,
        obj=export,
        detail={"export": export.kind, **(kind.audit(export.parameters) if kind else {})},
    )


def delete_expired() -> int:
    """Delete every export past its time (daily, beat): the row and the file's bytes go
    together. Returns how many."""
    deleted, _ = Export.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
