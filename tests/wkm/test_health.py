"""GET /health/: the answer, who sees the components, and what a burst of calls may cost.

The Django test client calls from 127.0.0.1 (loopback: the components are shown); a caller
elsewhere is given ``REMOTE_ADDR`` of a documentation address.
"""

import threading
import time

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wkm import health
from wkm.celery import app as celery_app

pytestmark = pytest.mark.usefixtures("fresh_result")

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
ALL_OK = {
    "status": "ok",
    "database": "ok",
    "redis": "ok",
    "celery": "ok",
    "outbox": "ok",
    "beat": "ok",
}


def components(response) -> dict:
    """The body without its details (tests/wkm/test_health_outbox_beat.py checks those)."""
    body = response.json()
    body.pop("details", None)
    return body


@pytest.fixture
def counted_checks(monkeypatch):
    """The checks replaced by ones that answer ok and count how often they run."""
    calls = {"database": 0, "redis": 0, "celery": 0, "outbox": 0, "beat": 0}
    answers = {
        "database": True,
        "redis": True,
        "celery": True,
        "outbox": health.Backlog(due=0, oldest_due_at=None),
        "beat": None,
    }

    def check(name):
        def run():
            calls[name] += 1
            return timezone.now() if name == "beat" else answers[name]

        return run

    monkeypatch.setattr(health, "database_ok", check("database"))
    monkeypatch.setattr(health, "outbox_backlog", check("outbox"))
    monkeypatch.setattr(health, "beat_last_run", check("beat"))
    monkeypatch.setattr(health, "redis_ok", check("redis"))
    monkeypatch.setattr(health, "celery_ok", check("celery"))
    return calls


# -- the answer ------------------------------------------------------------------------------


def test_it_reports_all_ok_with_a_live_worker_and_beat(client, celery_worker, beat_ran):
    response = client.get("/health/")

    assert response.status_code == 200
    assert components(response) == ALL_OK
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_naming_redis_and_celery_when_redis_is_unreachable(
    client, settings, beat_ran
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/health/")

    assert response.status_code == 503
    assert components(response) == {
        **ALL_OK,
        "status": "down",
        "redis": "down",
        "celery": "down",
    }


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_fails(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

        def close(self):
            pass

    monkeypatch.setattr(health, "connection", BrokenConnection())
    monkeypatch.setattr(celery_app.control, "ping", lambda **kwargs: [{"w@h": {"ok": "pong"}}])

    response = client.get("/health/")

    assert response.status_code == 503
    # Nor can the outbox and beat be read.
    assert {name: response.json()[name] for name in ("database", "outbox", "beat")} == {
        "database": "down",
        "outbox": "down",
        "beat": "down",
    }


def test_it_answers_503_when_no_worker_answers(client, monkeypatch, beat_ran):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kwargs: [])

    response = client.get("/health/")

    assert response.status_code == 503
    assert components(response) == {**ALL_OK, "status": "down", "celery": "down"}


@pytest.mark.django_db
def test_it_leaks_nothing_but_the_words_ok_and_down(client, settings):
    settings.REDIS_URL = "redis://secret-host.invalid:1/0"

    body = client.get("/health/").content.decode()

    assert "secret-host" not in body
    assert set(components(client.get("/health/")).values()) <= {"ok", "late", "down"}


def test_it_refuses_methods_other_than_get(client):
    assert client.post("/health/").status_code == 405


# -- who sees the components -------------------------------------------------------------------


def test_it_tells_a_caller_elsewhere_only_the_overall_status(client, counted_checks):
    response = client.get("/health/", **ELSEWHERE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_tells_a_caller_elsewhere_only_down_when_a_component_is(
    client, counted_checks, monkeypatch
):
    monkeypatch.setattr(health, "redis_ok", lambda: False)

    response = client.get("/health/", **ELSEWHERE)

    assert response.status_code == 503
    assert response.json() == {"status": "down"}


def test_it_shows_the_components_to_a_caller_with_the_token(client, settings, counted_checks):
    settings.HEALTH_TOKEN = "a-long-random-monitor-token"

    response = client.get(
        "/health/", headers={"Authorization": "Bearer a-long-random-monitor-token"}, **ELSEWHERE
    )

    assert components(response) == ALL_OK


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer wrong-token",
        "Bearer a-long-random-monitor-toke",  # a prefix of the token
        "Bearer a-long-random-monitor-token-and-more",
        "a-long-random-monitor-token",  # not a bearer token
        "Bearer ",
    ],
)
def test_it_hides_the_components_from_a_wrong_token(
    client, settings, counted_checks, authorization
):
    settings.HEALTH_TOKEN = "a-long-random-monitor-token"

    response = client.get("/health/", headers={"Authorization": authorization}, **ELSEWHERE)

    assert response.json() == {"status": "ok"}


def test_it_accepts_no_token_at_all_when_none_is_set(client, settings, counted_checks):
    settings.HEALTH_TOKEN = ""

    response = client.get("/health/", headers={"Authorization": "Bearer "}, **ELSEWHERE)

    assert response.json() == {"status": "ok"}


def test_it_compares_the_token_in_constant_time(client, settings, counted_checks, monkeypatch):
    settings.HEALTH_TOKEN = "a-long-random-monitor-token"
    compared = []

    def compare_digest(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(health.hmac, "compare_digest", compare_digest)

    client.get("/health/", headers={"Authorization": "Bearer guess"}, **ELSEWHERE)

    assert compared == [(b"guess", b"a-long-random-monitor-token")]


def test_it_takes_the_proxys_word_for_who_is_calling(client, settings, counted_checks):
    """Behind our proxy on the same machine every request comes from loopback: not a pass."""
    settings.TRUSTED_PROXIES = 1

    response = client.get("/health/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.json() == {"status": "ok"}


# -- what a burst costs ------------------------------------------------------------------------


def test_it_runs_the_checks_once_for_calls_within_the_cache_time(client, counted_checks):
    client.get("/health/", **ELSEWHERE)
    client.get("/health/", **ELSEWHERE)
    client.get("/health/")

    assert counted_checks == {"database": 1, "redis": 1, "celery": 1, "outbox": 1, "beat": 1}


@pytest.mark.django_db
def test_it_runs_no_query_for_a_remembered_result(client, django_assert_num_queries):
    client.get("/health/", **ELSEWHERE)

    with django_assert_num_queries(0):
        client.get("/health/", **ELSEWHERE)


def test_it_runs_the_checks_again_once_the_cache_time_has_passed(client, settings, counted_checks):
    settings.HEALTH_CACHE_SECONDS = 0.05
    client.get("/health/", **ELSEWHERE)
    time.sleep(0.1)
    client.get("/health/", **ELSEWHERE)

    assert counted_checks["database"] == 2


def test_it_runs_the_checks_once_for_sixty_calls_at_the_same_moment(rf, monkeypatch):
    """Single flight: the calls that miss together wait for one run instead of each doing it."""
    runs = []
    release = threading.Event()

    def slow_database_check():
        runs.append(1)
        release.wait(5)
        return True

    monkeypatch.setattr(health, "database_ok", slow_database_check)
    monkeypatch.setattr(health, "outbox_backlog", lambda: health.Backlog(0, None))
    monkeypatch.setattr(health, "beat_last_run", timezone.now)
    monkeypatch.setattr(health, "redis_ok", lambda: True)
    monkeypatch.setattr(health, "celery_ok", lambda: True)
    statuses = []

    def call():
        statuses.append(health.health(rf.get("/health/", **ELSEWHERE)).status_code)

    threads = [threading.Thread(target=call) for _ in range(60)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    release.set()
    for thread in threads:
        thread.join(10)

    assert runs == [1]
    assert statuses == [200] * 60


@pytest.mark.django_db
def test_it_runs_the_database_check_outside_the_request_thread(client):
    """The request's own thread opens no connection: none is kept by the server's thread pool."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/health/", **ELSEWHERE)

    assert response.status_code in (200, 503)
    assert len(queries) == 0


def test_it_pings_celery_with_no_database_connection_open(client, monkeypatch, beat_ran):
    seen = {}

    def ping(**kwargs):
        seen["connection_open"] = connection.connection is not None
        return [{"w@h": {"ok": "pong"}}]

    monkeypatch.setattr(celery_app.control, "ping", ping)

    response = client.get("/health/", **ELSEWHERE)

    assert response.json() == {"status": "ok"}
    assert seen == {"connection_open": False}


def test_it_gives_up_on_a_hanging_ping_and_starts_no_second_one(client, settings, monkeypatch):
    settings.HEALTH_TIMEOUT_SECONDS = 0.2
    settings.HEALTH_CACHE_SECONDS = 0
    pings = []
    release = threading.Event()

    def hanging_ping(**kwargs):
        pings.append(1)
        release.wait(10)
        return [{"w@h": {"ok": "pong"}}]

    monkeypatch.setattr(health, "read_database", lambda results: results.update(database=True))
    monkeypatch.setattr(health, "redis_ok", lambda: True)
    monkeypatch.setattr(celery_app.control, "ping", hanging_ping)
    try:
        started = time.monotonic()
        first = client.get("/health/")
        second = client.get("/health/")
        elapsed = time.monotonic() - started
    finally:
        release.set()

    assert first.status_code == second.status_code == 503
    assert {name: first.json()[name] for name in ("database", "redis", "celery")} == {
        "database": "ok",
        "redis": "ok",
        "celery": "down",
    }
    assert elapsed < 1.0
    assert pings == [1]
