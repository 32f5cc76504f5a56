"""/health/'s outbox and beat components: what they read, in how many queries, and how they are
judged against OUTBOX_LATE_SECONDS and BEAT_LATE_SECONDS.

The readings are tested in the test's own thread (``read_database`` and its queries); the view,
whose probe runs in a thread of its own, with committed rows (``transactional_db``) or with the
readings replaced.
"""

import datetime

import pytest
from celery import beat
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from notifications.models import OutboxMessage
from tests.factories import UserFactory
from wkm import health
from wkm.celery import app as celery_app

pytestmark = pytest.mark.usefixtures("fresh_result")

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
NOW = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


def ago(seconds: float, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(seconds=seconds)


def message(due_at, status=OutboxMessage.Status.PENDING, user=None) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.ASSIGNED,
        channel=OutboxMessage.Channel.EMAIL,
        user=user or UserFactory(),
        address="someone@example.org",
        due_at=due_at,
        status=status,
    )


def periodic_task(name: str, last_run_at, *, enabled: bool = True) -> PeriodicTask:
    every_minute, _ = IntervalSchedule.objects.get_or_create(
        every=60, period=IntervalSchedule.SECONDS
    )
    return PeriodicTask.objects.create(
        name=name,
        task=f"tests.{name}",
        interval=every_minute,
        last_run_at=last_run_at,
        enabled=enabled,
    )


RECENTLY = ago(10, NOW)


def results(*, oldest=None, due=0, beat=RECENTLY) -> dict:
    """What a probe found: everything answering, the outbox and beat as given."""
    return {
        "database": True,
        "redis": True,
        "celery": True,
        "outbox": health.Backlog(due=due, oldest_due_at=oldest),
        "beat": beat,
    }


# -- what is read, and at what cost -------------------------------------------------------------


@pytest.mark.django_db
def test_the_backlog_is_what_is_due_and_not_yet_sent():
    user = UserFactory()
    oldest = message(ago(600), user=user)
    message(ago(30), OutboxMessage.Status.SENDING, user=user)  # being sent, or its sender died
    message(ago(5000), OutboxMessage.Status.SENT, user=user)
    message(ago(5000), OutboxMessage.Status.FAILED, user=user)  # on the coordinators' page
    message(ago(5000), OutboxMessage.Status.CANCELLED, user=user)
    message(ago(-60), user=user)  # due in a minute

    backlog = health.outbox_backlog()

    assert backlog == health.Backlog(due=2, oldest_due_at=oldest.due_at)


@pytest.mark.django_db
def test_beats_last_run_is_the_newest_of_its_enabled_tasks():
    periodic_task("daily", ago(3600))
    newest = periodic_task("every-minute", ago(20))
    never = periodic_task("never-ran", None)
    PeriodicTask.objects.filter(pk=never.pk).update(date_changed=ago(7200))

    assert health.beat_last_run() == newest.last_run_at


@pytest.mark.django_db
def test_a_task_not_yet_sent_counts_from_when_beat_installed_it():
    """A beat just started (a fresh install, a restart after an upgrade) has not sent its first
    task yet: it is not late before BEAT_LATE_SECONDS have passed since it installed them."""
    never = periodic_task("never-ran", None)
    PeriodicTask.objects.filter(pk=never.pk).update(date_changed=ago(45))

    assert health.beat_last_run() == PeriodicTask.objects.get(pk=never.pk).date_changed


@pytest.mark.django_db
def test_no_schedule_at_all_is_never():
    assert health.beat_last_run() is None


@pytest.mark.django_db
@pytest.mark.parametrize("due", [0, 40])
def test_the_database_part_is_three_queries_however_long_the_backlog(
    due, django_assert_num_queries
):
    user = UserFactory()
    for minutes in range(due):
        message(ago(60 * minutes), user=user)
    periodic_task("every-minute", ago(20))
    found = {}

    with django_assert_num_queries(3):
        health.read_database(found)

    assert found["database"] is True
    assert found["outbox"].due == due
    assert found["beat"] is not None


@pytest.mark.django_db
def test_the_backlog_is_read_from_the_partial_index_of_due_messages():
    """reminder_due_idx holds only pending and sending rows: the query must match its
    condition, or a busy outbox's whole history would be read every few seconds."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Only this index, of the model's own, is left to choose (rolled back with the test): on
        # a nearly empty table PostgreSQL 18 may as well skip-scan another one, so a plan that
        # names it proves only that the query matches its condition.
        for index in OutboxMessage._meta.indexes:
            if index.name != "reminder_due_idx":
                cursor.execute(f'DROP INDEX "{index.name}"')
    queryset = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
        due_at__lte=timezone.now(),
    )
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        health.outbox_backlog()
    ((sql, params),) = captured
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "reminder_due_idx" in plan, plan
    assert queryset.count() == 0


@pytest.mark.django_db
def test_a_failing_reading_leaves_its_component_down_and_the_rest_read(monkeypatch):
    def broken():
        raise RuntimeError("relation does not exist")

    monkeypatch.setattr(health, "outbox_backlog", broken)
    found = {}

    health.read_database(found)

    assert found["database"] is True
    assert "outbox" not in found
    assert "beat" in found


# -- how it is judged ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waited", "state"),
    [(None, "ok"), (0, "ok"), (900, "ok"), (901, "late"), (86_400, "late")],
)
def test_the_outbox_is_late_once_a_message_waited_past_the_threshold(waited, state):
    oldest = None if waited is None else ago(waited, NOW)

    assessed = health.assess(results(oldest=oldest, due=0 if waited is None else 3), NOW)

    assert assessed.components["outbox"] == state
    assert assessed.ok is (state == "ok")
    assert assessed.details["outbox"] == {
        "due": 0 if waited is None else 3,
        "oldest_due_seconds": waited,
        "late_after_seconds": 900,
    }


@pytest.mark.parametrize(("age", "state"), [(0, "ok"), (300, "ok"), (301, "late"), (None, "late")])
def test_beat_is_late_once_it_sent_nothing_past_the_threshold_or_never_did(age, state):
    last_run = None if age is None else ago(age, NOW)

    assessed = health.assess(results(beat=last_run), NOW)

    assert assessed.components["beat"] == state
    assert assessed.ok is (state == "ok")
    assert assessed.details["beat"] == {"last_run_seconds": age, "late_after_seconds": 300}


def test_the_thresholds_come_from_the_settings(settings):
    settings.OUTBOX_LATE_SECONDS = 60
    settings.BEAT_LATE_SECONDS = 120

    assessed = health.assess(results(oldest=ago(61, NOW), due=1, beat=ago(121, NOW)), NOW)

    assert assessed.components["outbox"] == assessed.components["beat"] == "late"
    assert assessed.details["outbox"]["late_after_seconds"] == 60
    assert assessed.details["beat"]["late_after_seconds"] == 120


def test_the_outbox_and_beat_are_down_when_the_database_could_not_tell():
    assessed = health.assess({"database": False, "redis": True, "celery": True}, NOW)

    assert assessed.components == {
        "database": "down",
        "redis": "ok",
        "celery": "ok",
        "outbox": "down",
        "beat": "down",
    }
    assert assessed.details == {
        "outbox": {"due": None, "oldest_due_seconds": None, "late_after_seconds": 900},
        "beat": {"last_run_seconds": None, "late_after_seconds": 300},
    }


def test_a_beat_clock_a_little_ahead_is_not_a_negative_age():
    assessed = health.assess(results(beat=NOW + datetime.timedelta(seconds=3)), NOW)

    assert assessed.components["beat"] == "ok"
    assert assessed.details["beat"]["last_run_seconds"] == 0


# -- what the view answers ----------------------------------------------------------------------


@pytest.fixture
def late_outbox(monkeypatch):
    """A probe that finds everything answering and a message due 20 minutes ago."""
    found = results(oldest=ago(1200), due=4, beat=ago(30))
    monkeypatch.setattr(health, "read_database", lambda into: into.update(found))
    monkeypatch.setattr(health, "redis_ok", lambda: True)
    monkeypatch.setattr(health, "celery_ok", lambda: True)


def test_a_late_outbox_makes_the_whole_answer_down_with_the_figures_for_loopback(
    client, late_outbox
):
    response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["outbox"] == "late"
    assert body["beat"] == "ok"
    assert body["details"]["outbox"]["due"] == 4
    assert 1200 <= body["details"]["outbox"]["oldest_due_seconds"] <= 1205
    assert body["details"]["outbox"]["late_after_seconds"] == 900
    assert 30 <= body["details"]["beat"]["last_run_seconds"] <= 35
    assert body["details"]["beat"]["late_after_seconds"] == 300


def test_a_caller_elsewhere_gets_down_and_nothing_more(client, late_outbox):
    response = client.get("/health/", **ELSEWHERE)

    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_a_caller_with_the_token_gets_the_figures(client, settings, late_outbox):
    settings.HEALTH_TOKEN = "a-long-random-monitor-token"

    response = client.get(
        "/health/", headers={"Authorization": "Bearer a-long-random-monitor-token"}, **ELSEWHERE
    )

    assert response.json()["details"]["outbox"]["due"] == 4


def test_the_judgement_of_a_remembered_result_follows_the_clock(client, settings, monkeypatch):
    """Within HEALTH_CACHE_SECONDS no check runs again, but a message that has meanwhile
    waited past the threshold is late: ages are counted when answering."""
    settings.OUTBOX_LATE_SECONDS = 1
    found = results(oldest=timezone.now(), due=1, beat=timezone.now())
    monkeypatch.setattr(health, "read_database", lambda into: into.update(found))
    monkeypatch.setattr(health, "redis_ok", lambda: True)
    monkeypatch.setattr(health, "celery_ok", lambda: True)
    first = client.get("/health/")
    monkeypatch.setattr(health, "read_database", lambda into: pytest.fail("ran again"))
    later = timezone.now() + datetime.timedelta(seconds=2)
    monkeypatch.setattr(health.timezone, "now", lambda: later)

    second = client.get("/health/")

    assert (first.status_code, second.status_code) == (200, 503)
    assert second.json()["outbox"] == "late"


def test_the_view_reads_committed_rows_through_its_own_thread(client, transactional_db):
    """End to end: the probe's thread queries the database the app uses."""
    message(ago(1200))
    periodic_task("every-minute", ago(10))

    body = client.get("/health/").json()

    assert (body["outbox"], body["beat"]) == ("late", "ok")
    assert body["details"]["outbox"]["due"] == 1


def test_beat_writes_each_tasks_last_run_as_it_sends_it():
    """Celery's default writes them every 3 minutes: a healthy beat would look 3 to 4 minutes
    old, too near BEAT_LATE_SECONDS to tell it from a dead one. (django-celery-beat's
    DatabaseScheduler, which writes them on every sync, takes this policy from Celery's.)"""
    assert issubclass(DatabaseScheduler, beat.Scheduler)

    scheduler = beat.Scheduler(app=celery_app, lazy=True)

    assert scheduler.sync_every_tasks == 1
