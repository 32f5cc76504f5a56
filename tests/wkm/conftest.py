import pytest
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from wkm import health


@pytest.fixture
def fresh_result():
    """Each test starts with no remembered result, and leaves no probe thread behind."""
    health.reset()
    yield
    if health._probe is not None:
        health._probe.thread.join(timeout=10)
    health.reset()


@pytest.fixture
def beat_ran(transactional_db):
    """Beat sent its every-minute task a moment ago, committed: /health/'s probe thread, and a
    server or worker process, see it."""
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="dispatch-reminders",
        task="notifications.tasks.dispatch_reminders",
        interval=every_minute,
        last_run_at=timezone.now(),
    )
