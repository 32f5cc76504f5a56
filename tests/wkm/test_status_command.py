"""``manage.py status``: the same components as /health/, one line each, and an exit status a
cron job or a monitor's script can act on."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from wkm import health


def ago(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.fixture
def probe_finds(monkeypatch):
    """Make the probe find what the test says: everything answering unless told otherwise."""

    def find(*, database=True, redis=True, celery=True, due=0, oldest=None, beat=0):
        def read_database(into):
            into["database"] = database
            if database:
                into["outbox"] = health.Backlog(due=due, oldest_due_at=oldest)
                into["beat"] = None if beat is None else ago(beat)

        monkeypatch.setattr(health, "read_database", read_database)
        monkeypatch.setattr(health, "redis_ok", lambda: redis)
        monkeypatch.setattr(health, "celery_ok", lambda: celery)

    return find


def status(*args) -> tuple[list[str], int]:
    """The command's lines and exit status."""
    out = StringIO()
    try:
        call_command("status", *args, stdout=out)
        code = 0
    except SystemExit as exited:
        code = exited.code
    return out.getvalue().splitlines(), code


def test_it_prints_each_component_and_exits_0_when_all_are_ok(probe_finds):
    probe_finds(due=2, oldest=ago(40), beat=12)

    lines, code = status()

    assert code == 0
    assert lines == [
        "database  ok",
        "redis     ok",
        "celery    ok",
        "outbox    ok    2 due, the oldest waiting 40 s (late after 900 s)",
        "beat      ok    last sent a task 12 s ago (late after 300 s)",
        "status    ok",
    ]


def test_it_says_when_nothing_is_due(probe_finds):
    probe_finds()

    lines, code = status()

    assert code == 0
    assert "outbox    ok    nothing due (late after 900 s)" in lines


def test_it_exits_1_when_the_outbox_is_late(probe_finds, settings):
    settings.OUTBOX_LATE_SECONDS = 600
    probe_finds(due=7, oldest=ago(1200))

    lines, code = status()

    assert code == 1
    assert "outbox    late  7 due, the oldest waiting 1200 s (late after 600 s)" in lines
    assert lines[-1] == "status    down"


def test_it_exits_1_when_beat_has_never_started(probe_finds):
    probe_finds(beat=None)

    lines, code = status()

    assert code == 1
    assert "beat      late  has no schedule: beat has never started (late after 300 s)" in lines


def test_it_exits_1_when_beat_is_late(probe_finds, settings):
    settings.BEAT_LATE_SECONDS = 120
    probe_finds(beat=400)

    lines, code = status()

    assert code == 1
    assert "beat      late  last sent a task 400 s ago (late after 120 s)" in lines


def test_it_exits_1_naming_what_is_down_when_the_database_is(probe_finds):
    probe_finds(database=False)

    lines, code = status()

    assert code == 1
    assert lines == [
        "database  down",
        "redis     ok",
        "celery    ok",
        "outbox    down  the database did not answer (late after 900 s)",
        "beat      down  the database did not answer (late after 300 s)",
        "status    down",
    ]


def test_it_exits_1_when_no_worker_answers(probe_finds):
    probe_finds(celery=False)

    lines, code = status()

    assert code == 1
    assert "celery    down" in lines


def test_it_prints_the_health_body_as_json(probe_finds):
    probe_finds(due=1, oldest=ago(5), beat=20)

    lines, code = status("--json")

    assert code == 0
    body = json.loads("\n".join(lines))
    assert body["status"] == "ok"
    assert {name: body[name] for name in ("database", "redis", "celery", "outbox", "beat")} == {
        "database": "ok",
        "redis": "ok",
        "celery": "ok",
        "outbox": "ok",
        "beat": "ok",
    }
    assert body["details"]["outbox"]["due"] == 1
    assert body["details"]["beat"]["late_after_seconds"] == 300


def test_the_json_exits_1_too_when_something_is_down(probe_finds):
    probe_finds(redis=False, celery=False)

    lines, code = status("--json")

    assert code == 1
    assert json.loads(lines[0])["status"] == "down"


def test_it_checks_afresh_each_time(probe_finds):
    """Not /health/'s remembered result: a cron job must see what is true now."""
    probe_finds()
    health.reset()
    health.current_checks()
    probe_finds(celery=False)

    try:
        _, code = status()
    finally:
        health.reset()

    assert code == 1


def test_it_checks_the_real_stack(celery_worker, beat_ran):
    """End to end: the test database, Redis, a live worker and a beat task sent just now."""
    lines, code = status()

    assert code == 0, lines
    assert lines[-1] == "status    ok"
