"""GET /health/: is the database, Redis and a Celery worker answering? For monitors, no login.

It names components and says "ok" or "down", nothing else: no versions, hosts or errors.
"""

import logging

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health: database check failed")
        return False


def redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except Exception:
        logger.exception("health: Redis check failed")
        return False


def celery_ok() -> bool:
    """A worker answered a ping through the broker (returns at the first answer)."""
    try:
        return bool(celery_app.control.ping(timeout=1.0, limit=1))
    except Exception:
        logger.exception("health: Celery check failed")
        return False


@login_not_required
@never_cache
@require_GET
def health(request):
    checks = {"database": database_ok(), "redis": redis_ok()}
    # Without Redis no worker can be reached; do not wait a second to learn that.
    checks["celery"] = checks["redis"] and celery_ok()
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)
