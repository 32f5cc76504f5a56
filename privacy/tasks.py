"""Celery tasks: thin, idempotent wrappers run by beat (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def apply_retention() -> dict:
    """Anonymise what is past retention (daily). Running it twice does nothing more."""
    result = services.apply_retention()
    return {
        "cases": len(result.cases),
        "volunteers": len(result.volunteers),
        "outbox_messages": sum(result.outbox_messages.values()),
        "failed": len(result.failed),
    }
