"""Two beats started at once: only the one holding the lock sends (wkm.beat). When it dies the
other takes over once the lock runs out, and does not send again what the first had sent."""

import datetime
import time

import pytest
import redis
from django.conf import settings
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from wkm import beat
from wkm.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lock(settings):
    settings.BEAT_LOCK_SECONDS = 1
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(beat.LOCK_KEY)
    yield client
    client.delete(beat.LOCK_KEY)


class Recording(beat.SingleBeatScheduler):
    """Records what it would hand to the broker."""

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        self.sent.append(entry.name)
        self._tasks_since_sync += 1
        if self.should_sync():
            self._do_sync()


def start():
    scheduler = Recording(app=app, lazy=True)
    scheduler.sent = []
    scheduler.setup_schedule()
    return scheduler


def run(*schedulers, seconds=1.5):
    """Tick each in turn, as beats running side by side do, for a while."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for scheduler in schedulers:
            scheduler.tick()


def test_only_the_beat_holding_the_lock_sends_and_the_other_takes_over(lock):
    start()  # installs the schedule in the database
    # Every interval task is due now: last run long ago; both beats read that as they start.
    PeriodicTask.objects.filter(interval__isnull=False).update(
        last_run_at=timezone.now() - datetime.timedelta(days=1)
    )
    first, second = start(), start()
    due = sorted(PeriodicTask.objects.filter(interval__isnull=False).values_list("name", flat=True))
    assert "dispatch-reminders" in due

    run(first, second)

    assert first.holding and not second.holding
    assert sorted(first.sent) == due  # each once
    assert second.sent == []
    assert lock.get(beat.LOCK_KEY).decode() == first.holder

    # The first dies (no more renewals); the lock runs out and the second takes over, reading
    # what the first sent from the database rather than its own stale memory: nothing is sent
    # twice.
    run(second, seconds=settings.BEAT_LOCK_SECONDS + 0.5)

    assert second.holding
    assert second.sent == []
    assert lock.get(beat.LOCK_KEY).decode() == second.holder

    # The first, back, stands by.
    run(first, second, seconds=0.5)
    assert not first.holding and sorted(first.sent) == due and second.sent == []


def test_a_beat_that_stops_hands_the_lock_over_at_once(lock, settings):
    settings.BEAT_LOCK_SECONDS = 30
    first, second = start(), start()
    assert first.hold() and not second.hold()

    first.close()

    assert second.hold()


def test_a_moment_without_redis_sends_nothing_and_keeps_the_lock(lock, settings, monkeypatch):
    settings.BEAT_LOCK_SECONDS = 30
    first, second = start(), start()
    assert first.hold()

    def down(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(first.redis, "eval", down)
        assert not first.hold()
        assert first.tick() > 0 and first.sent == []

    assert first.hold() and not second.hold()


def test_a_holder_whose_lock_ran_out_mid_tick_sends_nothing(lock):
    """A tick slower than the lock lasts (a hung database or broker): a standby may hold it by
    the time the tick reaches a due task; the first must not send it too."""
    first = start()
    assert first.hold()
    entry = next(iter(first.schedule.values()))
    lock.set(beat.LOCK_KEY, "the standby")  # the first's ran out; the standby took it

    first.apply_entry(entry, producer=None)

    assert first.sent == []
    assert lock.get(beat.LOCK_KEY) == b"the standby"
    lock.set(beat.LOCK_KEY, first.holder)
    first.apply_entry(entry, producer=None)
    assert first.sent == [entry.name]
