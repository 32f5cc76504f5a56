"""One beat however many are started: django-celery-beat's DatabaseScheduler behind a lock.

On several servers a second beat is often started by mistake, or on purpose as a standby; two
beats would each send every periodic task. The scheduler holds a lock in Redis (a key with a
time to live, renewed at every tick, which comes at least every ``max_interval`` (5 s)); a beat
that does not hold it sends nothing and asks again a few seconds later, so it takes over within
``BEAT_LOCK_SECONDS`` of the holder dying, at once when the holder stops cleanly.

Taking over reads the schedule afresh from the database: what this beat remembered of each
task's last run dates from when it started, and the holder has run them since
(``CELERY_BEAT_SYNC_EVERY = 1`` writes each run down as it is sent). Without Redis nothing can
be sent anyway, so a beat that cannot reach it holds nothing.
"""

import contextlib
import logging
import os
import socket
import uuid

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "wkm:beat:lock"

# Renew only a lock that is still ours (another beat may hold it after ours ran out).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class SingleBeatScheduler(DatabaseScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_ms = int(settings.BEAT_LOCK_SECONDS * 1000)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.holding = False
        self.redis = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
        )
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self.hold():
            return min(self.max_interval, settings.BEAT_LOCK_SECONDS / 3)
        return super().tick(*args, **kwargs)

    def hold(self) -> bool:
        """Whether this beat holds the lock now, taking it if it is free."""
        try:
            # Renewed if still ours (after a moment without Redis too), else taken if free.
            held = bool(self.redis.eval(_RENEW, 1, LOCK_KEY, self.holder, self.lock_ms))
            if not held:
                held = bool(self.redis.set(LOCK_KEY, self.holder, nx=True, px=self.lock_ms))
                if held:
                    self.take_over()
        except redis.RedisError:
            logger.warning("beat: Redis cannot be reached; sending nothing until it can")
            held = False
        if self.holding and not held:
            logger.warning("beat: lost the lock; standing by")
        self.holding = held
        return held

    def apply_entry(self, entry, producer=None):
        """Sent only while the lock is still ours: a tick that took longer than the lock lasts
        (a database or broker that hung) may have let a standby take over meanwhile."""
        try:
            ours = bool(self.redis.eval(_RENEW, 1, LOCK_KEY, self.holder, self.lock_ms))
        except redis.RedisError:
            ours = False
        if not ours:
            logger.warning("beat: the lock is no longer ours; %s not sent", entry.name)
            return None
        return super().apply_entry(entry, producer=producer)

    def take_over(self) -> None:
        logger.info("beat: holding the lock (%s); reading the schedule afresh", self.holder)
        self._initial_read = True
        self._heap = None

    def reserve(self, entry):
        """As DatabaseScheduler, and keep the entry with its new last run in the schedule:
        django-celery-beat leaves the old one there, and a heap rebuilt from it (after any
        change to the schedule, as at a take-over) sends the task again at once."""
        new_entry = super().reserve(entry)
        self._schedule[new_entry.name] = new_entry
        return new_entry

    def close(self):
        super().close()
        if self.holding:
            # Released for a standby to take over at once; without Redis it runs out by itself.
            with contextlib.suppress(redis.RedisError):
                self.redis.eval(_RELEASE, 1, LOCK_KEY, self.holder)
            self.holding = False
