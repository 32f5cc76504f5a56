import pytest

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_it_records_a_login(client, coordinator):
    client.post("/accounts/login/", {"username": "coordinator", "password": TEST_PASSWORD})

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert event.actor == coordinator
    assert event.actor_username == "coordinator"
    assert event.ip == "127.0.0.1"


def test_it_records_a_failed_login_without_the_password(client, coordinator):
    client.post("/accounts/login/", {"username": "coordinator", "password": "not-the-Secret-9"})

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert event.actor is None
    assert event.detail == {"username": "coordinator"}
    assert event.ip == "127.0.0.1"
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert "not-the-Secret-9" not in repr(row)
    assert "*****" not in repr(row)


def test_it_truncates_a_very_long_username_tried(client, db):
    client.post("/accounts/login/", {"username": "x" * 500, "password": "whatever"})

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert len(event.detail["username"]) <= 150


def test_it_records_a_logout(login, mediator):
    client = login(mediator)

    client.post("/accounts/logout/")

    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGOUT)
    assert event.actor == mediator
    assert event.actor_username == "mediator"
