"""GET /health/: are the database, Redis and a Celery worker answering, are the outbox's messages
going out, and is beat sending its tasks? For monitors, no login.

Anyone gets the overall answer: ``{"status": "ok"}`` with 200, or ``{"status": "down"}`` with
503 when any component is not "ok", so that a monitor can page someone. The components are shown
only to a caller on this machine (loopback, as ``audit.services.client_ip`` sees it behind our
proxies) or one sending ``Authorization: Bearer <HEALTH_TOKEN>``: ``"database"``, ``"redis"``
and ``"celery"``, each "ok" or "down"; ``"outbox"`` and ``"beat"``, "ok", "late" (over their
threshold) or "down" (the database could not tell); and ``"details"``: the outbox's messages due
and the age of the oldest, beat's last run, in seconds, with the thresholds. Never versions,
hosts or errors. ``manage.py status`` prints the same (wkm/management/commands/status.py).

- **outbox**: messages due and not yet sent (pending, or being sent); "late" once the oldest
  has waited more than OUTBOX_LATE_SECONDS. The dispatcher runs every minute and a failed send
  is retried within minutes (then "failed", on the coordinators' home page), so a message
  waiting longer means reminders have stopped going, whatever the cause: no worker, no beat, a
  stuck dispatcher.
- **beat**: the newest ``last_run_at`` of django-celery-beat's tasks, which beat writes as it
  sends each one (CELERY_BEAT_SYNC_EVERY = 1), or when a task not yet sent was installed;
  "late" when older than BEAT_LATE_SECONDS, or when there is no schedule at all. It is beat's
  own record: whether a worker ran the task is for "celery" and "outbox" to say.

It must stay cheap whoever calls it and however often: 200 anonymous requests, 60 at once,
used to exhaust PostgreSQL's connections and hang the Celery worker (issue 17). So:

- the checks run at most once per ``HEALTH_CACHE_SECONDS`` in each web process, by one thread
  at a time (single flight); requests meanwhile get the last result;
- they run in a thread of their own, waited on for at most ``HEALTH_TIMEOUT_SECONDS``; a check
  still running then counts as down, and no new run starts while it hangs, so a stuck database
  or broker costs one thread per process, not one per request;
- the database part is three small queries (``SELECT 1``; the outbox's backlog from the
  partial index ``reminder_due_idx``; beat's last run from a table of a dozen rows), after
  which that thread closes its connection, before pinging Redis and Celery; the request thread
  never opens one: a burst of health checks holds no connection open.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, Max, Min
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_celery_beat.models import PeriodicTask

from audit.services import client_ip
from notifications.models import OutboxMessage

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


@dataclass(frozen=True)
class Backlog:
    """The outbox's messages due and not yet sent, when the checks ran."""

    due: int
    oldest_due_at: datetime.datetime | None


def outbox_backlog() -> Backlog:
    """One query, answered from the partial index reminder_due_idx (pending and sending rows,
    by due_at): a backlog after an outage makes it count more index entries, not read the
    outbox's history."""
    found = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
        due_at__lte=timezone.now(),
    ).aggregate(due=Count("*"), oldest_due_at=Min("due_at"))
    return Backlog(**found)


def beat_last_run() -> datetime.datetime | None:
    """When beat last sent a scheduled task; for a task not yet sent, when it was installed
    (beat installs the schedule as it starts), so a beat just started has BEAT_LATE_SECONDS to
    send its first before it counts as late. None: no schedule at all (beat never started). One
    query on django-celery-beat's table of a dozen rows, which needs no index."""
    return PeriodicTask.objects.filter(enabled=True).aggregate(
        last=Max(Coalesce("last_run_at", "date_changed"))
    )["last"]


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


def read_database(results: dict[str, Any]) -> None:
    """The database's part of the checks, three queries on one connection, into ``results``;
    the outbox and beat are left out of them (down) when their query fails."""
    results["database"] = database_ok()
    if not results["database"]:
        return
    for name, read in (("outbox", outbox_backlog), ("beat", beat_last_run)):
        try:
            results[name] = read()
        except Exception:
            logger.exception("health: %s check failed", name)


class _Probe:
    """One run of the checks, in its own thread, filling ``results`` as each one answers: a
    component missing from them (not answered yet, or its check failed) is down."""

    def __init__(self) -> None:
        self.results: dict[str, Any] = {}
        self.thread = threading.Thread(target=self._run, name="health-probe", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            read_database(self.results)
        finally:
            # This thread's own connection, closed before the slow part: it is never kept.
            connection.close()
        self.results["redis"] = redis_ok()
        # Without Redis no worker can be reached; do not wait a second to learn that.
        self.results["celery"] = self.results["redis"] and celery_ok()

    def wait(self, timeout: float) -> dict[str, Any]:
        self.thread.join(timeout)
        return dict(self.results)


@dataclass(frozen=True)
class Health:
    """The components' states ("ok", "late", "down") and, for those who may see them, the
    figures behind the outbox's and beat's."""

    components: dict[str, str]
    details: dict[str, dict[str, int | None]]

    @property
    def ok(self) -> bool:
        return all(state == "ok" for state in self.components.values())

    def as_json(self, *, with_components: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"status": "ok" if self.ok else "down"}
        if with_components:
            body.update(self.components)
            body["details"] = self.details
        return body


def _seconds_since(moment: datetime.datetime | None, now: datetime.datetime) -> int | None:
    # Beat may run on another host whose clock is a little ahead: never a negative age.
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def assess(results: dict[str, Any], now: datetime.datetime | None = None) -> Health:
    """Judge the checks' results against the thresholds as they are now (settings
    OUTBOX_LATE_SECONDS, BEAT_LATE_SECONDS): a remembered result ages between runs."""
    now = now or timezone.now()
    outbox_late, beat_late = settings.OUTBOX_LATE_SECONDS, settings.BEAT_LATE_SECONDS
    components = {
        name: "ok" if results.get(name) else "down" for name in ("database", "redis", "celery")
    }
    backlog = results.get("outbox")
    waited = _seconds_since(backlog.oldest_due_at, now) if backlog else None
    if backlog is None:
        components["outbox"] = "down"
    else:
        components["outbox"] = "late" if waited is not None and waited > outbox_late else "ok"
    beat_age = _seconds_since(results.get("beat"), now)
    if "beat" not in results:
        components["beat"] = "down"
    else:
        components["beat"] = "ok" if beat_age is not None and beat_age <= beat_late else "late"
    details = {
        "outbox": {
            "due": backlog.due if backlog else None,
            "oldest_due_seconds": waited,
            "late_after_seconds": outbox_late,
        },
        "beat": {"last_run_seconds": beat_age, "late_after_seconds": beat_late},
    }
    return Health(components, details)


_refresh = threading.Lock()
_last: tuple[float, dict[str, Any]] | None = None  # (time.monotonic(), results)
_probe: _Probe | None = None


def reset() -> None:
    """Forget the last result (tests; the next request runs the checks)."""
    global _last
    _last = None


def _run_checks() -> dict[str, Any]:
    global _probe
    if _probe is not None and _probe.thread.is_alive():
        # The previous run is still stuck past its timeout: something is down, and starting
        # another thread would only pile them up.
        return _probe.wait(0)
    _probe = _Probe()
    return _probe.wait(settings.HEALTH_TIMEOUT_SECONDS)


def current_checks() -> dict[str, Any]:
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
        return last[1] if last is not None else {}
    try:
        last = _last
        if last is not None and time.monotonic() - last[0] < settings.HEALTH_CACHE_SECONDS:
            return last[1]
        results = _run_checks()
        _last = (time.monotonic(), results)
        return results
    finally:
        _refresh.release()


def check_now() -> Health:
    """The checks run afresh (``manage.py status``), in their own thread as for /health/ and
    within the same time limit."""
    return assess(_Probe().wait(settings.HEALTH_TIMEOUT_SECONDS))


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
    state = assess(current_checks())
    body = state.as_json(with_components=may_see_details(request))
    return JsonResponse(body, status=200 if state.ok else 503)
