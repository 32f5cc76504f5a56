"""Two-factor authentication (django-otp, accounts.two_factor): required for coordinators,
supervisors and administrators before any page, optional for mediators; an authenticator app
set up from a QR code and confirmed with a code, and ten single-use backup codes.

These tests log in through the real pages (password, then code), not the ``login`` fixture.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import new_backup_codes
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.two_factor import code_for, needs_second_factor, open_set_up_link, unverify_session

pytestmark = pytest.mark.django_db

ENROL, VERIFY = "/accounts/2fa/enrol/", "/accounts/2fa/verify/"


def password_login(client, user, next_url="/"):
    """Log in with the password only; return the page the app then shows (redirects followed:
    ``redirect_chain`` says where it went)."""
    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": TEST_PASSWORD, "next": next_url},
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def landed_on(response) -> str:
    return response.redirect_chain[-1][0] if response.redirect_chain else ""


def enrol(client, user):
    """Set up an authenticator app through the pages; return the device and the backup codes.
    Someone who needs two-factor opens a set-up link from an administrator first."""
    if needs_second_factor(user):
        open_set_up_link(client, user)
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": code_for(device), "next": "/"})
    assert response.status_code == 302
    codes_page = client.get(response["Location"])
    codes = re.findall(r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", codes_page.content.decode())
    device.refresh_from_db()
    return device, codes


def test_a_coordinator_is_sent_to_set_up_two_factor_after_the_password(client, coordinator):
    page = password_login(client, coordinator)

    assert [url for url, _status in page.redirect_chain] == [
        "/",
        "/accounts/2fa/?next=%2F",
        "/accounts/2fa/enrol/?next=%2F",
    ]
    # Without a set-up link from an administrator, the password alone sets nothing up.
    assert "Ask an administrator for a set-up link" in page.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


@pytest.mark.parametrize(
    "url",
    ["/", "/cases/", "/accounts/password/", "/admin/", "/audit/", "/volunteers/", "/nope/x"],
)
def test_no_other_page_opens_before_the_code(client, coordinator, url):
    password_login(client, coordinator)

    response = client.get(url)

    if url == "/nope/x":
        assert response.status_code == 404  # nothing there to protect, and nothing said
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/?next=")


def test_what_needs_no_login_stays_open_before_the_code(client, coordinator, mediator):
    from sessions.models import CalendarFeed
    from tests.factories import VolunteerFactory

    feed = CalendarFeed.objects.create(volunteer=VolunteerFactory(user=mediator))
    password_login(client, coordinator)

    static = client.get("/static/css/app.css")
    assert static.status_code == 200
    assert b"".join(static.streaming_content)  # read to the end, which closes the file
    assert client.get(f"/calendar/{feed.token}.ics").status_code == 200
    assert client.get("/help/").status_code == 200
    assert client.get("/health/").status_code in (200, 503)
    assert client.post("/accounts/logout/").status_code == 302


def test_enrolment_shows_a_qr_code_as_inline_svg_and_the_key_to_type(client, coordinator):
    password_login(client, coordinator)
    open_set_up_link(client, coordinator)

    response = client.get(ENROL)

    html = response.content.decode()
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    svg = re.search(r"<svg [^>]*class=\"qr-code\".*?</svg>", html, re.S).group(0)
    assert "<path" in svg and "style" not in svg
    assert 'role="img"' in svg and "aria-label" in svg
    from accounts.two_factor import manual_key

    assert manual_key(device) in html
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )
    assert re.search(r'<label[^>]*for="id_code"', html)


def test_a_coordinator_enrols_with_a_code_and_gets_ten_backup_codes_once(client, coordinator):
    password_login(client, coordinator)

    device, codes = enrol(client, coordinator)

    assert device.confirmed and device.name == "Authenticator app"
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10
    assert client.get("/").status_code == 200  # verified now
    again = client.get("/accounts/2fa/backup-codes/").content.decode()
    assert not any(code in again for code in codes)
    assert "10 unused backup codes" in again


def test_enrolment_refuses_a_wrong_code_and_keeps_the_same_key(client, coordinator):
    password_login(client, coordinator)
    open_set_up_link(client, coordinator)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(ENROL, {"code": wrong})

    assert response.status_code == 200
    assert "That code did not match" in response.content.decode()
    assert TOTPDevice.objects.get(user=coordinator, confirmed=False).key == device.key
    assert client.get("/")["Location"].startswith("/accounts/2fa/")


def test_the_next_login_asks_for_the_code(client, coordinator):
    password_login(client, coordinator)
    device, _codes = enrol(client, coordinator)
    client.post("/accounts/logout/")

    page = password_login(client, coordinator)

    assert landed_on(page).startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "000000", "next": "/"})
    assert wrong.status_code == 200
    assert "That code did not work" in wrong.content.decode()
    device.throttle_reset()  # a wrong code makes the next try wait a second
    right = client.post(VERIFY, {"code": code_for(device, steps_ahead=1), "next": "/cases/"})
    assert right.status_code == 302 and right["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200


def test_a_backup_code_works_once_and_not_twice(client, coordinator):
    password_login(client, coordinator)
    _device, codes = enrol(client, coordinator)
    client.post("/accounts/logout/")

    password_login(client, coordinator)
    first = client.post(VERIFY, {"code": codes[0].upper(), "next": "/"})
    assert first.status_code == 302 and first["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")

    password_login(client, coordinator)
    second = client.post(VERIFY, {"code": codes[0], "next": "/"})

    assert second.status_code == 200
    assert "That code did not work" in second.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/2fa/")
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9


def test_new_backup_codes_replace_the_old_ones(client, coordinator):
    password_login(client, coordinator)
    _device, old = enrol(client, coordinator)

    response = client.post("/accounts/2fa/backup-codes/new/")
    new = re.findall(
        r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", client.get(response["Location"]).content.decode()
    )

    assert len(new) == 10 and not set(new) & set(old)
    client.post("/accounts/logout/")
    password_login(client, coordinator)
    assert client.post(VERIFY, {"code": old[1]}).status_code == 200  # refused
    StaticDevice.objects.filter(user=coordinator).update(throttling_failure_count=0)
    assert client.post(VERIFY, {"code": new[1]}).status_code == 302


def test_a_mediator_is_not_forced_and_can_turn_it_on_from_their_account_page(client, mediator):
    page = password_login(client, mediator)
    assert landed_on(page) == "/"  # their home page, no code asked

    account = client.get("/accounts/password/").content.decode()
    assert "Turn on two-factor authentication" in account
    device, codes = enrol(client, mediator)
    assert len(codes) == 10
    client.post("/accounts/logout/")

    # Once on, it is asked of them too.
    page = password_login(client, mediator)
    assert landed_on(page).startswith(VERIFY)
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_mediator_may_turn_it_off_but_a_coordinator_may_not(client, mediator, coordinator):
    password_login(client, mediator)
    enrol(client, mediator)

    response = client.post("/accounts/2fa/turn-off/")

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=mediator).exists()
    assert not StaticDevice.objects.filter(user=mediator).exists()
    client.post("/accounts/logout/")
    assert landed_on(password_login(client, mediator)) == "/"

    client.post("/accounts/logout/")
    password_login(client, coordinator)
    enrol(client, coordinator)
    client.post("/accounts/2fa/turn-off/")
    assert TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_a_password_alone_cannot_add_a_device_to_an_account_that_has_one(client, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    password_login(client, coordinator)

    response = client.get(ENROL)

    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=coordinator).count() == 1


def test_a_wrong_code_is_audited_and_success_is_too_without_the_code(client, coordinator):
    password_login(client, coordinator)
    device, _codes = enrol(client, coordinator)
    client.post("/accounts/logout/")
    password_login(client, coordinator)

    client.post(VERIFY, {"code": "999999"})
    device.throttle_reset()
    good = code_for(device, steps_ahead=1)
    client.post(VERIFY, {"code": good})

    failed = AuditEvent.objects.get(detail__reason="wrong two-factor code")
    assert failed.action == AuditEvent.Action.LOGIN_FAILED
    assert failed.actor == coordinator
    enrolled = AuditEvent.objects.get(detail__two_factor="enrolled")
    assert enrolled.action == AuditEvent.Action.CREATE
    verified = AuditEvent.objects.get(detail__two_factor="verified")
    assert verified.action == AuditEvent.Action.LOGIN
    assert verified.detail == {"two_factor": "verified", "with": "authenticator app"}
    rows = repr(list(AuditEvent.objects.values()))
    assert good not in rows and "999999" not in rows and device.key not in rows


def test_wrong_codes_make_the_next_try_wait(client, coordinator):
    TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    password_login(client, coordinator)

    for _ in range(3):
        response = client.post(VERIFY, {"code": "000000"})

    assert "Too many wrong codes" in response.content.decode()


def test_only_our_own_pages_are_followed_after_the_code(client, coordinator):
    device = TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    password_login(client, coordinator)

    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_the_admin_needs_a_verified_session(client, administrator):
    from django.contrib import admin
    from django.test import RequestFactory

    TOTPDevice.objects.create(user=administrator, name="Phone", confirmed=True)
    password_login(client, administrator, next_url="/admin/")
    assert client.get("/admin/")["Location"].startswith("/accounts/2fa/")

    request = RequestFactory().get("/admin/")
    request.user = administrator
    administrator.is_verified = lambda: False
    assert not admin.site.has_permission(request)
    administrator.is_verified = lambda: True
    assert admin.site.has_permission(request)


def test_a_deleted_device_stops_its_sessions_being_verified(login, coordinator):
    client = login(coordinator)
    assert client.get("/").status_code == 200

    TOTPDevice.objects.filter(user=coordinator).delete()  # an administrator resets it

    assert client.get("/")["Location"].startswith("/accounts/2fa/")


def test_the_login_fixture_gives_a_verified_session_and_can_take_it_back(login, supervisor):
    client = login(supervisor)
    assert client.get("/").status_code == 200

    unverify_session(client)

    assert client.get("/")["Location"] == "/accounts/2fa/?next=%2F"


def test_new_backup_codes_are_ten_different_single_use_codes(coordinator):
    codes = new_backup_codes(coordinator)
    again = new_backup_codes(coordinator)

    assert len(codes) == len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=coordinator).count() == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(again)
    assert get_user_model().objects.count() == 1


def test_an_administrator_resets_a_lost_phone_in_the_admin(client, login, administrator, mediator):
    """An administrator without any Django model permission may delete a user's devices."""
    device = TOTPDevice.objects.create(user=mediator, name="Phone", confirmed=True)
    admin = login(administrator)

    listing = admin.get("/admin/otp_totp/totpdevice/")
    response = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert admin.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").status_code == 302


def test_used_up_backup_codes_do_not_open_enrolment_to_a_password_alone(client, coordinator):
    device = StaticDevice.objects.create(user=coordinator, name="Backup codes", confirmed=True)
    password_login(client, coordinator)

    response = client.get(ENROL)

    assert not device.token_set.exists()
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
