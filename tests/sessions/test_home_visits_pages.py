"""Home visits suspended: only administrators switch them, the banner, future home visits flagged,
and the admin through the services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from sessions import services
from sessions.models import ServiceSettings
from tests.factories import UserFactory
from tests.sessions.conftest import at
from tests.sessions.pages import book_now, page, url

pytestmark = pytest.mark.django_db


# Home visits suspended ---------------------------------------------------------------------------


def test_only_administrators_switch_home_visits(login, coordinator, client):
    assert login(coordinator).get(reverse("home_visits")).status_code == 403
    client.logout()
    assert client.get(reverse("home_visits")).status_code == 302


def test_suspending_home_visits_shows_a_banner_until_they_resume(login, administrator, coordinator):
    client = login(administrator)
    until = timezone.localdate() + datetime.timedelta(days=30)

    response = client.post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "Covid-19 restrictions",
            "home_visits_suspended_from": "",
            "home_visits_suspended_until": until.isoformat(),
        },
        follow=True,
    )

    banner = f"Home visits are suspended: Covid-19 restrictions (until {until:%-d %b %Y})"
    assert banner in " ".join(page(response).split())
    coordinator_home = " ".join(page(login(coordinator).get("/")).split())
    assert banner in coordinator_home
    assert ServiceSettings.current().home_visits_suspended

    client = login(administrator)
    response = client.post(reverse("home_visits"), {"action": "resume"}, follow=True)

    assert "Home visits are suspended" not in page(response)
    assert "Home visits are suspended" not in page(login(coordinator).get("/"))
    events = AuditEvent.objects.filter(object_type="mediation_sessions.servicesettings")
    assert [e.detail for e in events.order_by("id")] == [
        {"home_visits": "suspended"},
        {"home_visits": "resumed"},
    ]
    assert {e.actor_username for e in events} == {administrator.username}


def test_it_shows_why_home_visits_cannot_be_suspended(login, administrator):
    today = timezone.localdate()

    response = login(administrator).post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "",
            "home_visits_suspended_from": today.isoformat(),
            "home_visits_suspended_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    html = page(response)
    assert "Say why home visits are suspended." in html
    assert not ServiceSettings.current().home_visits_suspended

    response = login(administrator).post(
        reverse("home_visits"),
        {
            "action": "suspend",
            "home_visits_reason": "Office move",
            "home_visits_suspended_from": today.isoformat(),
            "home_visits_suspended_until": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "The end is before the start." in page(response)
    assert 'value="Office move"' in page(response)
    assert not ServiceSettings.current().home_visits_suspended


def test_the_banner_announces_a_suspension_that_starts_later(login, administrator, coordinator):
    start = timezone.localdate() + datetime.timedelta(days=10)
    services.home_visits_suspend(by=administrator, reason="Office move", suspended_from=start)

    html = " ".join(page(login(coordinator).get("/")).split())

    assert f"Home visits will be suspended from {start:%-d %b %Y}: Office move" in html


def test_future_home_visits_are_flagged_on_the_case_page_and_the_dashboard(
    login, coordinator, administrator, paired_case
):
    visit = book_now(paired_case, coordinator, mode="home_visit", venue="")
    book_now(paired_case, coordinator, starts_at=at(4, 10), ends_at=at(4, 11))
    services.home_visits_suspend(by=administrator, reason="Covid-19 restrictions")
    client = login(coordinator)

    case_page = page(client.get(paired_case.get_absolute_url()))
    home = page(client.get("/"))
    session_page = page(client.get(visit.get_absolute_url()))

    assert case_page.count("Flagged: home visits suspended — reschedule") == 1
    attention = home[home.index('id="attention-heading"') :]
    assert "falls while home visits are suspended" in attention
    assert url("session_reschedule", visit) in attention
    assert "this home visit needs to be rescheduled" in session_page


def test_the_admin_switches_home_visits_through_the_services(login, coordinator):
    admin_user = UserFactory(
        username="root", roles=["Administrator"], is_staff=True, is_superuser=True
    )
    client = login(admin_user)
    ServiceSettings.objects.get_or_create(pk=1)

    assert client.get("/admin/mediation_sessions/servicesettings/").status_code == 302
    refused = client.post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {"home_visits_suspended": "on", "home_visits_reason": ""},
    )
    assert refused.status_code == 200
    assert "Say why home visits are suspended." in page(refused)

    response = client.post(
        "/admin/mediation_sessions/servicesettings/1/change/",
        {"home_visits_suspended": "on", "home_visits_reason": "Flu outbreak"},
    )

    assert response.status_code == 302
    assert ServiceSettings.current().home_visits_reason == "Flu outbreak"
    assert AuditEvent.objects.filter(detail={"home_visits": "suspended"}).count() == 1
