"""Celery tasks: thin, idempotent wrappers run by beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def queue_follow_up_surveys() -> int:
    return services.queue_follow_up_surveys()
