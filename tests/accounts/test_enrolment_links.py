"""One-time set-up links (accounts.enrolment): someone whose role needs two-factor and who has
no device yet sets up their first authenticator app only through a link an administrator issued
for them, which works once and expires; a password alone sets nothing up.

The people log in through the real pages (password, then the set-up link), not the ``login``
fixture; the administrator who issues links uses the fixture (a verified session).
"""

import datetime
import hashlib
import re
from urllib.parse import urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enrolment import issue_enrolment_link
from accounts.models import EnrolmentLink
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.two_factor import code_for, open_set_up_link

pytestmark = pytest.mark.django_db

ENROL, PAGE = "/accounts/2fa/enrol/", "/accounts/set-up-links/"
ASK = "Ask an administrator for a set-up link"


def password_login(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def link_path(user, by) -> str:
    return urlsplit(issue_enrolment_link(user=user, by=by).url).path


def confirm(client, user, *, steps_ahead=0):
    """Type the code of the app being set up; return the answer."""
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(ENROL, {"code": code_for(device, steps_ahead=steps_ahead), "next": "/"})


def test_it_sets_nothing_up_without_a_link(client, coordinator):
    password_login(client, coordinator)

    page = client.get(ENROL)
    posted = client.post(ENROL, {"code": "123456"})

    assert ASK in page.content.decode() and ASK in posted.content.decode()
    assert "manual-key" not in page.content.decode()  # no key shown…
    assert not TOTPDevice.objects.filter(user=coordinator).exists()  # …and none made
    assert client.get("/cases/")["Location"].startswith("/accounts/2fa/")


def test_it_asks_for_a_new_link_after_an_administrator_reset_the_devices(
    client, coordinator, administrator
):
    open_set_up_link(client, coordinator, by=administrator)
    password_login(client, coordinator)
    client.get(ENROL)
    assert confirm(client, coordinator).status_code == 302
    client.post("/accounts/logout/")
    TOTPDevice.objects.filter(user=coordinator).delete()  # lost phone: an administrator resets
    coordinator.staticdevice_set.all().delete()

    password_login(client, coordinator)

    assert ASK in client.get(ENROL).content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_the_whole_journey_from_the_administrators_page(
    settings, login, coordinator, administrator
):
    settings.SITE_URL = "https://cases.example.org"
    admin = login(administrator)
    listing = admin.get(PAGE).content.decode()
    assert "Not set up" in listing and "Issue a set-up link" in listing

    issued = admin.post(PAGE, {"user": coordinator.pk})

    html = issued.content.decode()
    url = re.search(r'id="issued-link" value="([^"]+)"', html).group(1)
    assert url.startswith("https://cases.example.org/accounts/2fa/link/")
    assert re.search(r'<label[^>]*for="issued-link"', html)
    # The coordinator opens it before logging in, logs in, and lands on the set-up page.
    person = Client()
    opened = person.get(urlsplit(url).path)
    assert opened.status_code == 302
    assert opened["Location"] == "/accounts/login/?next=/accounts/2fa/enrol/"
    logged_in = person.post(
        opened["Location"],
        {"username": "coordinator", "password": TEST_PASSWORD, "next": ENROL},
        follow=True,
    )
    assert "Set up two-factor authentication" in logged_in.content.decode()
    assert "Your set-up link works until" in logged_in.content.decode()
    done = confirm(person, coordinator)
    assert done.status_code == 302 and done["Location"].startswith("/accounts/2fa/backup-codes/")
    assert person.get("/").status_code == 200  # fully logged in
    link = EnrolmentLink.objects.get(user=coordinator)
    assert link.used_at is not None
    enrolled = AuditEvent.objects.get(detail__two_factor="enrolled")
    assert enrolled.detail == {"two_factor": "enrolled", "with_link": link.pk}
    row = re.search(r"\(coordinator\).*?</tr>", admin.get(PAGE).content.decode(), re.S).group(0)
    assert "Set up" in row and "Issue" not in row


def test_opening_the_link_while_logged_in_opens_the_set_up_page(client, supervisor, administrator):
    password_login(client, supervisor)
    assert ASK in client.get(ENROL).content.decode()

    response = client.get(link_path(supervisor, administrator))

    assert response["Location"] == ENROL
    assert "manual-key" in client.get(ENROL).content.decode()
    assert confirm(client, supervisor).status_code == 302


def test_an_expired_link_is_refused(client, coordinator, administrator):
    path = link_path(coordinator, administrator)
    EnrolmentLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    password_login(client, coordinator)

    opened = client.get(path)

    assert opened.status_code == 410
    assert "stopped working" in opened.content.decode()
    assert ASK in client.get(ENROL).content.decode()


def test_a_link_that_expires_while_the_app_is_being_set_up_is_refused(
    client, coordinator, administrator
):
    password_login(client, coordinator)
    client.get(link_path(coordinator, administrator))
    client.get(ENROL)
    EnrolmentLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    response = confirm(client, coordinator)

    assert response.status_code == 200 and ASK in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_a_used_link_is_refused(client, coordinator, administrator):
    path = link_path(coordinator, administrator)
    password_login(client, coordinator)
    client.get(path)
    client.get(ENROL)
    confirm(client, coordinator)
    client.post("/accounts/logout/")
    TOTPDevice.objects.filter(user=coordinator).delete()
    coordinator.staticdevice_set.all().delete()

    password_login(client, coordinator)
    opened = client.get(path)

    assert opened.status_code == 410 and "was used on" in opened.content.decode()
    assert ASK in client.get(ENROL).content.decode()


def test_a_link_opened_in_two_browsers_works_in_one_only(coordinator, administrator):
    """The session keeps only the link's id: it is checked again when used, so once the first
    browser has used it, the second cannot, even after the devices are reset."""
    path = link_path(coordinator, administrator)
    first, second = Client(), Client()
    for browser in (first, second):
        password_login(browser, coordinator)
        browser.get(path)
    first.get(ENROL)
    assert confirm(first, coordinator).status_code == 302
    TOTPDevice.objects.filter(user=coordinator).delete()
    coordinator.staticdevice_set.all().delete()

    page = second.get(ENROL)

    assert ASK in page.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()


def test_a_newer_link_replaces_the_older_one(client, coordinator, administrator):
    older = link_path(coordinator, administrator)
    newer = link_path(coordinator, administrator)

    assert "replaced by a newer one" in client.get(older).content.decode()
    assert client.get(newer)["Location"].startswith("/accounts/login/")


def test_another_persons_link_does_nothing(client, coordinator, supervisor, administrator):
    path = link_path(coordinator, administrator)
    password_login(client, supervisor)

    opened = client.get(path)

    assert opened.status_code == 403
    assert "for someone else" in opened.content.decode()
    assert ASK in client.get(ENROL).content.decode()
    assert not TOTPDevice.objects.filter(user__in=[coordinator, supervisor]).exists()
    assert EnrolmentLink.objects.get().used_at is None


def test_another_persons_link_opened_before_logging_in_does_nothing(
    client, coordinator, supervisor, administrator
):
    client.get(link_path(coordinator, administrator))  # kept in the session…
    password_login(client, supervisor)  # …but someone else logs in

    assert ASK in client.get(ENROL).content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()


def test_an_unknown_link_answers_404_with_a_message(client):
    response = client.get("/accounts/2fa/link/not-a-link/")

    assert response.status_code == 404
    assert "not one we know" in response.content.decode()


def test_only_an_administrator_may_issue_a_link(login, coordinator, supervisor):
    with pytest.raises(PermissionDenied):
        issue_enrolment_link(user=supervisor, by=coordinator)

    response = login(coordinator).post(PAGE, {"user": supervisor.pk})

    assert response.status_code == 403
    assert not EnrolmentLink.objects.exists()


def test_issuing_is_refused_for_someone_with_a_device_or_who_needs_none(
    login, coordinator, mediator, administrator
):
    TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    admin = login(administrator)

    has_one = admin.post(PAGE, {"user": coordinator.pk})
    needs_none = admin.post(PAGE, {"user": mediator.pk})

    assert has_one.status_code == 400
    assert "already has two-factor authentication set up" in has_one.content.decode()
    assert needs_none.status_code == 400
    assert "turn it on from their account page" in needs_none.content.decode()
    assert not EnrolmentLink.objects.exists()


def test_issuing_is_audited_without_the_token(login, coordinator, administrator):
    response = login(administrator).post(PAGE, {"user": coordinator.pk})
    token = re.search(r"/accounts/2fa/link/([^/]+)/", response.content.decode()).group(1)

    event = AuditEvent.objects.get(detail__two_factor="set-up link issued")

    link = EnrolmentLink.objects.get()
    assert event.actor == administrator and event.action == AuditEvent.Action.CREATE
    assert (event.object_type, event.object_id) == ("auth.user", str(coordinator.pk))
    assert event.detail["link"] == link.pk
    assert token not in repr(list(AuditEvent.objects.values()))


def test_the_token_is_stored_only_as_its_hash(login, coordinator, administrator):
    response = login(administrator).post(PAGE, {"user": coordinator.pk})
    token = re.search(r"/accounts/2fa/link/([^/]+)/", response.content.decode()).group(1)
    person = Client()
    person.get(f"/accounts/2fa/link/{token}/")  # opened: the session keeps the link, not this

    link = EnrolmentLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(list(EnrolmentLink.objects.values()))
    assert not any(token in repr(s.get_decoded()) for s in Session.objects.all())
    assert len(token) >= 43  # 256 random bits


def test_a_mediator_turns_it_on_without_a_link(login, mediator):
    client = login(mediator)

    page = client.get(ENROL)

    assert "manual-key" in page.content.decode()
    assert confirm(client, mediator).status_code == 302


def test_the_command_issues_a_link_for_the_first_administrator(capsys, administrator):
    call_command("enrolment_link", "admin")

    url = re.search(r"http\S+", capsys.readouterr().out).group(0)
    event = AuditEvent.objects.get(detail__two_factor="set-up link issued")
    assert event.actor is None and event.detail["by"] == "manage.py enrolment_link"
    client = Client()
    client.get(urlsplit(url).path)
    password_login(client, administrator)
    assert confirm_after_get(client, administrator).status_code == 302


def confirm_after_get(client, user):
    client.get(ENROL)
    return confirm(client, user)


def test_the_link_stops_after_the_configured_hours(settings, coordinator, administrator):
    settings.ENROLMENT_LINK_HOURS = 24
    before = timezone.now()

    issued = issue_enrolment_link(user=coordinator, by=administrator)

    after = timezone.now()
    hours = datetime.timedelta(hours=24)
    assert before + hours <= issued.link.expires_at <= after + hours
