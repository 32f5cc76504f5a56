"""Login throttling (django-axes, accounts.lockout): five wrong passwords lock a username out, and
an IP address, for 30 minutes; the page says when to try again and whom to call, and never
whether the username exists."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"


def attempt(client, username, password, ip=ATTACKER):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip=ATTACKER):
    return [attempt(client, username, f"wrong guess {n}", ip) for n in range(times)]


def logged_in(client):
    return "_auth_user_id" in client.session


def test_the_settings_lock_out_after_five_failures_for_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_six_wrong_passwords_lock_the_account_and_even_the_right_one_is_refused(client, mediator):
    responses = fail(client, "mediator", 6)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429, 429]
    assert "enter a correct username and password" in responses[0].content.decode()

    response = attempt(client, "mediator", TEST_PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not logged_in(client)


def test_the_username_stays_locked_from_another_address(client, mediator):
    fail(client, "mediator", 5)

    response = attempt(client, "mediator", TEST_PASSWORD, ip=OFFICE)

    assert response.status_code == 429
    assert not logged_in(client)


def test_the_address_is_locked_for_every_username(client, mediator, other_mediator):
    fail(client, "mediator", 5)

    response = attempt(client, "other_mediator", TEST_PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)


def test_another_user_from_another_address_still_logs_in(client, mediator, other_mediator):
    fail(client, "mediator", 6)

    response = attempt(client, "other_mediator", TEST_PASSWORD, ip=OFFICE)

    assert response.status_code == 302
    assert logged_in(client)


def test_guessing_at_many_usernames_from_one_address_is_locked_too(client, mediator):
    for name in ("alice", "bob", "carol", "dave", "erin"):
        attempt(client, name, "password1")

    assert attempt(client, "mediator", TEST_PASSWORD).status_code == 429


def test_the_right_password_works_once_the_thirty_minutes_have_passed(client, mediator):
    fail(client, "mediator", 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))

    response = attempt(client, "mediator", TEST_PASSWORD)

    assert response.status_code == 302
    assert logged_in(client)


def test_a_successful_login_does_not_wipe_the_count_of_the_address(
    client, mediator, other_mediator
):
    """Otherwise a volunteer could guess a coordinator's password four times, log in as
    themselves to reset the count, and go on guessing."""
    fail(client, "coordinator", 4)
    assert attempt(client, "other_mediator", TEST_PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    assert attempt(client, "coordinator", "one more guess").status_code == 429


def test_the_lockout_page_says_when_to_try_again_and_whom_to_call(client, mediator):
    response = fail(client, "mediator", 5)[-1]

    html = response.content.decode()
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=30))
    shown = re.search(r"try again after <strong><time[^>]*>(\d\d:\d\d)</time>", html).group(1)
    expected = {until.strftime("%H:%M"), (until - datetime.timedelta(minutes=1)).strftime("%H:%M")}
    assert shown in expected
    assert settings.SERVICE_PHONE in html
    assert "30 minutes" in html


def _lockout_text(html):
    """The page without what differs from one moment to the next (the time to try again)."""
    return re.sub(r"<time[^>]*>[^<]*</time>", "", html)


def test_the_lockout_page_does_not_say_whether_the_username_exists(client, mediator):
    existing = fail(client, "mediator", 5, ip="192.0.2.1")[-1]
    missing = fail(client, "nobody-by-that-name", 5, ip="192.0.2.2")[-1]

    assert existing.status_code == missing.status_code == 429
    existing_html, missing_html = existing.content.decode(), missing.content.decode()
    assert _lockout_text(existing_html) == _lockout_text(missing_html)
    assert "mediator" not in existing_html.lower().replace("mediation", "")


def test_a_lockout_is_in_the_audit_trail_without_any_password(client, mediator):
    fail(client, "mediator", 5)

    event = AuditEvent.objects.get(
        action=AuditEvent.Action.LOGIN_FAILED, detail__reason="locked out"
    )
    assert event.detail == {"username": "mediator", "reason": "locked out"}
    assert event.ip == ATTACKER
    rows = repr(list(AuditEvent.objects.values()))
    assert "wrong guess" not in rows


def test_the_django_admin_login_is_throttled_too(client, administrator):
    for n in range(5):
        client.post("/admin/login/", {"username": "admin", "password": f"guess {n}"})

    response = client.post("/admin/login/", {"username": "admin", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert not logged_in(client)


def test_a_nul_byte_or_a_huge_username_is_counted_without_an_error(client):
    for username in ("a\x00b", "x" * 5000):
        response = attempt(client, username, "whatever")
        assert response.status_code == 200

    assert AccessAttempt.objects.filter(username="x" * 150).exists()


def test_an_administrator_lifts_a_lockout_in_the_admin(client, login, administrator, mediator):
    fail(client, "mediator", 5)
    attempt_row = AccessAttempt.objects.get(username="mediator")
    admin = login(administrator)

    response = admin.post(f"/admin/axes/accessattempt/{attempt_row.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert attempt(client, "mediator", TEST_PASSWORD).status_code == 302
