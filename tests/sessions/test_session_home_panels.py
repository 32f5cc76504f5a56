"""Sessions on the home pages: the coordinator's week ahead and failed reminders, a mediator's
next sessions and calendar."""

import pytest
from django.urls import reverse

from notifications.models import OutboxMessage
from tests.sessions.conftest import at
from tests.sessions.pages import book_now, page, url

pytestmark = pytest.mark.django_db


# Home panels ------------------------------------------------------------------------------------


def test_the_coordinator_sees_the_week_ahead_and_failed_reminders(login, coordinator, paired_case):
    soon = book_now(paired_case, coordinator)
    book_now(paired_case, coordinator, starts_at=at(10, 10), ends_at=at(10, 11))
    failed = soon.reminders.filter(party__isnull=False).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(
        status="failed", last_error="Number unreachable"
    )

    response = login(coordinator).get("/")

    html = page(response)
    assert response.context["upcoming_sessions_count"] == 1
    assert url("session_detail", soon) in html
    assert "Failed messages" in html
    assert "Number unreachable" in html
    assert failed.party.full_name in html  # whom to reach another way
    assert failed.address not in html


def test_the_mediator_sees_their_next_sessions_and_their_calendar(
    login, mediator, coordinator, paired_case
):
    session = book_now(paired_case, coordinator)

    html = page(login(mediator).get("/"))

    assert "My next sessions" in html
    assert url("session_detail", session) in html
    assert reverse("calendar_settings") in html
