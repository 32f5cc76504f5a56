"""Celery tasks: thin wrappers run by beat (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import jobs


@shared_task(ignore_result=True)
def queue_rule_digest() -> int:
    return jobs.queue_rule_digest()
