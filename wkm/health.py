"""GET /health/: is the database, Redis and a Celery worker answering? For monitors, no login.

Anyone gets the overall answer: ``{"status": "ok"}`` with 200, or ``{"status": "down"}`` with
503. The components (``"database"``, ``"redis"``, ``"celery"``, each "ok" or "down") are shown
only to a caller on this machine (loopback, as ``audit.services.client_ip`` sees it behind our
proxies) or one sending ``Authorization: Bearer <HEALTH_TOKEN>``. Never versions, hosts or errors.

It must stay cheap whoever calls it and however often: 200 anonymous requests, 60 at once,
used to exhaust PostgreSQL's connections and hang the Celery worker (issue 17). So:

- the checks run at most once per ``HEALTH_CACHE_SECONDS`` in each web process, by one thread
  at a time (single flight); requests meanwhile get the last result;
- they run in a thread of their own, waited on for at most ``HEALTH_TIMEOUT_SECONDS``; a check
  still running then counts as down, and no new run starts while it hangs, so a stuck database
  or broker costs one thread per process, not one per request;
- that thread closes its database connection before pinging Redis and Celery, and the request
  thread never opens one: a burst of health checks holds no connection open.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.services import client_ip

from .celery import app as celery_app

logger = logging.getLogger(__name__)

COMPONENTS = ("database", "redis", "celery")


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


class _Probe:
    """One run of the checks, in its own thread, filling ``results`` as each one answers."""

    def __init__(self) -> None:
        self.results: dict[str, bool] = {}
        self.thread = threading.Thread(target=self._run, name="health-probe", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.results["database"] = database_ok()
        finally:
            # This thread's own connection, closed before the slow part: it is never kept.
            connection.close()
        self.results["redis"] = redis_ok()
        # Without Redis no worker can be reached; do not wait a second to learn that.
        self.results["celery"] = self.results["redis"] and celery_ok()

    def wait(self, timeout: float) -> dict[str, bool]:
        self.thread.join(timeout)
        return {name: self.results.get(name, False) for name in COMPONENTS}


_refresh = threading.Lock()
_last: tuple[float, dict[str, bool]] | None = None  # (time.monotonic(), results)
_probe: _Probe | None = None


def reset() -> None:
    """Forget the last result (tests; the next request runs the checks)."""
    global _last
    _last = None


def _run_checks() -> dict[str, bool]:
    global _probe
    if _probe is not None and _probe.thread.is_alive():
        # The previous run is still stuck past its timeout: something is down, and starting
        # another thread would only pile them up.
        return _probe.wait(0)
    _probe = _Probe()
    return _probe.wait(settings.HEALTH_TIMEOUT_SECONDS)


def current_checks() -> dict[str, bool]:
    """The checks' results, at most HEALTH_CACHE_SECONDS old, run by one thread at a time."""
    global _last
    last = _last
    if last is not None and time.monotonic() - last[0] < settings.HEALTH_CACHE_SECONDS:
        return last[1]
    # Single flight: while one thread runs the checks the others answer with the last result
    # at once; only before any result exists do they wait for it (bounded by the timeout).
    if last is not None:
        acquired = _refresh.acquire(blocking=False)
    else:
        acquired = _refresh.acquire(timeout=settings.HEALTH_TIMEOUT_SECONDS + 0.25)
    if not acquired:
        return last[1] if last is not None else dict.fromkeys(COMPONENTS, False)
    try:
        last = _last
        if last is not None and time.monotonic() - last[0] < settings.HEALTH_CACHE_SECONDS:
            return last[1]
        results = _run_checks()
        _last = (time.monotonic(), results)
        return results
    finally:
        _refresh.release()


def may_see_details(request) -> bool:
    """A caller on this machine, or one sending the HEALTH_TOKEN (compared in constant time)."""
    token = settings.HEALTH_TOKEN
    header = request.headers.get("Authorization", "")
    sent = header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
    if token and sent is not None and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    address = client_ip(request)
    return address is not None and ipaddress.ip_address(address).is_loopback


@login_not_required
@never_cache
@require_GET
def health(request):
    checks = current_checks()
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "down"}
    if may_see_details(request):
        body.update({name: "ok" if ok else "down" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
