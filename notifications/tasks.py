"""Celery tasks: thin, idempotent wrappers run by beat (schedule in settings.CELERY_BEAT_SCHEDULE,
editable in the admin through django-celery-beat)."""

from celery import shared_task

from . import dispatch, jobs


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def dispatch_reminders() -> int:
    return dispatch.dispatch_due()


@shared_task(ignore_result=True)
def queue_dbs_warnings() -> int:
    return jobs.queue_dbs_warnings()


@shared_task(ignore_result=True)
def queue_follow_ups() -> int:
    return jobs.queue_follow_ups()


@shared_task(ignore_result=True)
def queue_unassigned_digest() -> int:
    return jobs.queue_unassigned_digest()
