"""The public information pages under /help/, and how they sit beside the staff pages."""

import datetime

import pytest
from django.utils import timezone

from sessions.models import ServiceSettings

pytestmark = pytest.mark.django_db

PAGES = [
    "/help/",
    "/help/status/",
    "/help/refer/",
    "/help/volunteer/",
    "/help/thanks/referral/",
    "/help/thanks/volunteer/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_public_page_opens_without_a_login_and_without_the_staff_menu(client, url):
    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB">' in html and 'id="main"' in html
    assert "Log out" not in html and "/cases/" not in html
    assert 'href="/accounts/login/"' in html  # staff can still find their way in


def test_the_home_page_explains_mediation_in_plain_words(client):
    html = client.get("/help/").content.decode()

    for promise in ("voluntary", "confidential", "impartial", "always work in pairs"):
        assert promise in html
    assert "home" in html and "video" in html


def test_the_root_still_sends_visitors_to_login_which_links_to_the_help_pages(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    html = client.get("/accounts/login/").content.decode()
    assert "Looking for help" in html and 'href="/help/"' in html


def test_the_root_still_works_for_staff(login, coordinator):
    assert login(coordinator).get("/").status_code == 200


def test_the_status_page_says_home_visits_are_running(client):
    html = client.get("/help/status/").content.decode()

    assert "Home visits are running as normal." in html and "The office is open." in html


def test_the_status_page_says_home_visits_are_suspended_and_why(client):
    ServiceSettings.objects.create(
        pk=1,
        home_visits_suspended=True,
        home_visits_reason="A winter virus is going round.",
        home_visits_suspended_until=timezone.localdate() + datetime.timedelta(days=30),
    )

    html = client.get("/help/status/").content.decode()

    assert "Home visits are suspended at the moment" in html
    assert "A winter virus is going round." in html and "The office is open." in html
    # Every public page says so too.
    assert "Home visits are suspended at the moment" in client.get("/help/").content.decode()


def test_the_status_page_warns_of_a_suspension_to_come(client):
    ServiceSettings.objects.create(
        pk=1,
        home_visits_suspended=True,
        home_visits_reason="Office move.",
        home_visits_suspended_from=timezone.localdate() + datetime.timedelta(days=7),
    )

    html = client.get("/help/status/").content.decode()

    assert "Home visits are running" in html and "will be suspended from" in html
