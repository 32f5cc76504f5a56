"""Celery tasks: thin wrappers over imports.services (beat's schedule in
settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_import(batch_id: int):
    """Check or import one uploaded sheet. Idempotent: a second delivery of the same message
    finds the batch claimed or finished and does nothing."""
    services.run_batch(batch_id)


@shared_task(ignore_result=True)
def delete_expired_imports() -> dict:
    return services.delete_expired()


@shared_task(ignore_result=True)
def resend_waiting_imports() -> int:
    return services.resend_waiting()
