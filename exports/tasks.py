"""Celery tasks: thin wrappers over exports.services (beat's schedule in
settings.CELERY_BEAT_SCHEDULE, editable in the admin through django-celery-beat)."""

from celery import shared_task

from . import services


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True, max_retries=None
)
def build_export(self, export_id: int):
    """Build one export (asked for by exports.services.enqueue). Idempotent: a second
    delivery of the same message finds the export claimed or finished and does nothing."""
    if services.build(export_id) == services.RETRY:
        # The export is queued again; the number of attempts is counted on its row.
        raise self.retry(countdown=30)


@shared_task(ignore_result=True)
def resume_exports() -> dict:
    return services.resume_unfinished()


@shared_task(ignore_result=True)
def delete_expired_exports() -> int:
    return services.delete_expired()
