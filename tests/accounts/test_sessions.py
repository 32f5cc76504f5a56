"""Sessions: 30 idle minutes and the browser closing end them; "log out everywhere" ends every
session of the user; disabling an account ends all of its sessions at once (accounts.signals)."""

import datetime
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.models import UserSession
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@contextmanager
def freeze_seconds(seconds: float):
    """Clocks ``seconds`` ahead: the middleware's and the session store's."""
    now = time.time() + seconds
    later = timezone.now() + datetime.timedelta(seconds=seconds)
    with (
        mock.patch("accounts.middleware.time.time", return_value=now),
        mock.patch("django.utils.timezone.now", return_value=later),
    ):
        yield


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def still_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_sessions_end_after_thirty_idle_minutes_and_when_the_browser_closes(client, mediator):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY

    client.post("/accounts/login/", {"username": "mediator", "password": TEST_PASSWORD})

    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    session = Session.objects.get(session_key=cookie.value)
    remaining = session.expire_date - session.expire_date.now(session.expire_date.tzinfo)
    assert 29 * 60 < remaining.total_seconds() <= 30 * 60


def test_the_idle_clock_restarts_at_most_once_a_minute(client, mediator):
    client.force_login(mediator)
    client.get("/")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date

    with freeze_seconds(30):  # within the minute: the session is not written again
        client.get("/")
    assert Session.objects.get(session_key=key).expire_date == first

    with freeze_seconds(5 * 60):  # five idle minutes later: 30 minutes from now again
        client.get("/")
    later = Session.objects.get(session_key=key).expire_date
    assert (later - first).total_seconds() >= 5 * 60 - 1


def test_an_anonymous_visit_makes_no_session(client):
    client.get("/help/")
    client.get("/accounts/login/")

    assert not Session.objects.exists()


def test_a_login_is_indexed_under_its_user(client, mediator):
    client.post("/accounts/login/", {"username": "mediator", "password": TEST_PASSWORD})

    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert UserSession.objects.get(session_key=key).user == mediator


def test_log_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(
    mediator, other_mediator
):
    laptop, phone, office = (logged_in_client(mediator) for _ in range(3))
    colleague = logged_in_client(other_mediator)
    assert all(still_logged_in(c) for c in (laptop, phone, office, colleague))

    response = laptop.post("/accounts/logout-everywhere/")

    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not any(still_logged_in(c) for c in (laptop, phone, office))
    assert still_logged_in(colleague)
    assert not UserSession.objects.filter(user=mediator).exists()
    event = AuditEvent.objects.get(detail__everywhere=True)
    assert event.action == AuditEvent.Action.LOGOUT
    assert event.actor == mediator
    assert event.detail["other_sessions_ended"] == 2


def test_the_account_page_has_the_log_out_everywhere_button(login, coordinator):
    logged_in_client(coordinator)

    html = login(coordinator).get("/accounts/password/").content.decode()

    assert 'action="/accounts/logout-everywhere/"' in html
    assert "Log out everywhere</button>" in html
    assert "logged in 1 other place" in html


def test_log_out_everywhere_needs_a_post(login, mediator):
    client = login(mediator)

    assert client.get("/accounts/logout-everywhere/").status_code == 405
    assert still_logged_in(client)


def test_a_session_whose_key_changed_with_the_password_is_still_ended(mediator):
    laptop, phone = logged_in_client(mediator), logged_in_client(mediator)
    new = "a brand new long passphrase"
    laptop.post(
        "/accounts/password/",
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert still_logged_in(laptop)  # the password page keeps its own session, on a new key
    assert not still_logged_in(phone)  # Django ends the others on a password change

    phone.post("/accounts/login/", {"username": "mediator", "password": new})
    phone.post("/accounts/logout-everywhere/")

    assert not still_logged_in(laptop)


def test_disabling_an_account_ends_all_its_sessions_at_once(mediator, other_mediator):
    sessions = [logged_in_client(mediator) for _ in range(2)]
    colleague = logged_in_client(other_mediator)

    mediator.is_active = False
    mediator.save()

    assert not Session.objects.filter(
        session_key__in=[c.cookies[settings.SESSION_COOKIE_NAME].value for c in sessions]
    ).exists()
    assert still_logged_in(colleague)
    event = AuditEvent.objects.get(detail__reason="account disabled")
    assert event.action == AuditEvent.Action.LOGOUT
    assert event.object_id == str(mediator.pk)
    assert event.detail["sessions_ended"] == 2


def test_disabling_an_account_in_the_admin_ends_its_sessions(login, administrator, mediator):
    session = logged_in_client(mediator)
    administrator.is_superuser = True  # as the demo administrator: may change users
    administrator.save()
    admin = login(administrator)
    page = admin.get(f"/admin/auth/user/{mediator.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "is_active", "last_login")
    }
    data["groups"] = [g.pk for g in mediator.groups.all()]
    data["user_permissions"] = []
    data["date_joined_0"], data["date_joined_1"] = (
        mediator.date_joined.strftime("%d/%m/%Y"),
        mediator.date_joined.strftime("%H:%M:%S"),
    )

    response = admin.post(f"/admin/auth/user/{mediator.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    mediator.refresh_from_db()
    assert not mediator.is_active
    assert not still_logged_in(session)
