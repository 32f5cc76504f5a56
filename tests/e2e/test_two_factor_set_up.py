"""A coordinator's first second factor, in a browser: without a set-up link they are told to
ask for one; an administrator issues it from their page; the coordinator opens it, logs in,
confirms their authenticator app and is in. Each page passes axe-core."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import EnrolmentLink
from tests.e2e.conftest import scan
from tests.factories import TEST_PASSWORD
from tests.two_factor import code_for

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, username: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_coordinator_sets_up_two_factor_with_a_link_from_an_administrator(
    open_page, live_server, settings, coordinator, administrator
):
    settings.SITE_URL = live_server.url
    # Password alone: no set-up.
    person = open_page()
    person.goto("/accounts/login/")
    log_in(person, "coordinator")
    expect(
        person.get_by_role("heading", name="Ask an administrator for a set-up link")
    ).to_be_visible()
    scan(person, "two-factor: ask for a set-up link")
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    person.get_by_role("button", name="Log out for now").click()

    # The administrator issues a link.
    admin = open_page(administrator)
    admin.goto("/")
    admin.get_by_role("link", name="Two-factor set-up links").click()
    admin.get_by_role("button", name="Issue a set-up link for").click()
    link = admin.get_by_label("Give this link to them yourself").input_value()
    assert link.startswith(f"{live_server.url}/accounts/2fa/link/")
    scan(admin, "two-factor set-up links, one just issued")

    # The coordinator opens it, logs in, and sets up their app.
    person.goto(link)
    expect(person).to_have_url(f"{live_server.url}/accounts/login/?next=/accounts/2fa/enrol/")
    log_in(person, "coordinator")
    expect(person.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    scan(person, "two-factor: set up with a link")
    device = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    person.locator("#id_code").fill(code_for(device))
    person.get_by_role("button", name="Confirm and turn on").click()

    expect(person.get_by_role("heading", name="Backup codes")).to_be_visible()
    assert EnrolmentLink.objects.get(user=coordinator).used_at is not None
    person.goto("/")
    expect(person.get_by_role("heading", name="Coordinator home")).to_be_visible()
