import pytest
from django.db.utils import OperationalError

from wkm import health
from wkm.celery import app as celery_app


@pytest.mark.django_db
def test_it_reports_all_ok_with_a_live_worker(client, celery_worker):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "celery": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_answers_503_naming_redis_and_celery_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "down", "celery": "down"}


@pytest.mark.django_db
def test_it_answers_503_naming_the_database_when_it_fails(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", BrokenConnection())
    monkeypatch.setattr(celery_app.control, "ping", lambda **kwargs: [{"w@h": {"ok": "pong"}}])

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_it_answers_503_when_no_worker_answers(client, monkeypatch):
    monkeypatch.setattr(celery_app.control, "ping", lambda **kwargs: [])

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "ok", "celery": "down"}


@pytest.mark.django_db
def test_it_leaks_nothing_but_the_three_words(client, settings):
    settings.REDIS_URL = "redis://secret-host.invalid:1/0"

    body = client.get("/health/").content.decode()

    assert "secret-host" not in body
    assert set(client.get("/health/").json().values()) <= {"ok", "down"}


def test_it_refuses_methods_other_than_get(client):
    assert client.post("/health/").status_code == 405
