"""A session's page and its actions: reminders and the audit of the view, rescheduling, cancelling,
the outcome the assigned mediator records, and 404 to a mediator of another case."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import ContactLogEntry
from sessions.models import MediationSession
from tests.factories import eligible_volunteer, ready_case
from tests.sessions.conftest import at
from tests.sessions.pages import book_now, local, page, url
from volunteers.services import assign_pair

pytestmark = pytest.mark.django_db


SESSION_URLS = [
    "session_detail",
    "session_reschedule",
    "session_cancel",
    "session_outcome",
    "session_ics",
]

# The session page and its actions ---------------------------------------------------------------


def test_it_shows_a_session_with_its_reminders_and_audits_the_view(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).get(session.get_absolute_url())

    html = page(response)
    assert response.status_code == 200
    assert "Martin Lewis" in html and "Alice Carter" in html
    assert "Session reminder: pending" in html
    assert "Text message" in html or "Email" in html
    assert url("session_ics", session) in html
    assert "Booked" in html  # the history of changes
    assert AuditEvent.objects.filter(
        action="view", object_type="mediation_sessions.mediationsession", object_id=session.pk
    ).exists()


def test_it_reschedules_a_session_and_keeps_the_history(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(coordinator)
    assert client.get(url("session_reschedule", session)).status_code == 200

    response = client.post(
        url("session_reschedule", session),
        {
            "starts_at": local(at(5, 14)),
            "ends_at": local(at(5, 15)),
            "mode": "video",
            "venue": "Video link sent by email",
        },
        follow=True,
    )

    session.refresh_from_db()
    assert timezone.localtime(session.starts_at) == at(5, 14)
    assert session.mode == "video"
    note = ContactLogEntry.objects.get(case=paired_case, text__contains="moved from")
    assert f"{at(3, 10):%-d %b %Y}, 10:00" in note.text
    html = page(response)
    assert "Session moved" in html
    assert "Start moved from" in html and "mode changed from At the office to Video call" in html


def test_it_shows_why_a_session_cannot_be_moved(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).post(
        url("session_reschedule", session),
        {"starts_at": local(at(5, 14)), "ends_at": local(at(5, 13)), "mode": "office"},
    )

    html = page(response)
    assert "The session cannot be moved" in html
    assert "The session must end after it starts." in html
    session.refresh_from_db()
    assert timezone.localtime(session.starts_at) == at(3, 10)


def test_it_cancels_a_session(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator)

    response = login(coordinator).post(
        url("session_cancel", session), {"reason": "Alice is unwell"}, follow=True
    )

    session.refresh_from_db()
    assert session.status == "cancelled"
    assert "Session cancelled" in page(response)
    assert ContactLogEntry.objects.filter(text__contains="cancelled: Alice is unwell").exists()
    assert session.reminders.filter(kind="session_cancelled").exists()

    again = login(coordinator).post(url("session_cancel", session), {}, follow=True)
    assert "Only a scheduled session can be cancelled." in page(again)


def test_the_assigned_mediator_records_the_outcome(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    MediationSession.objects.filter(pk=session.pk).update(
        starts_at=at(-1, 10), ends_at=at(-1, 11, 30)
    )
    client = login(mediator)
    assert client.get(session.get_absolute_url()).status_code == 200

    response = client.post(
        url("session_outcome", session),
        {"status": "held", "notes": "Both agreed to a quiet hour after 10pm."},
        follow=True,
    )

    session.refresh_from_db()
    assert session.status == "held"
    assert session.notes == "Both agreed to a quiet hour after 10pm."
    assert "Outcome recorded: Held." in page(response)
    assert not session.reminders.filter(status="pending").exists()


def test_it_records_did_not_attend(login, coordinator, paired_case):
    session = book_now(paired_case, coordinator, held=True, starts_at=at(-1), ends_at=at(-1, 11))

    login(coordinator).post(url("session_outcome", session), {"status": "did_not_attend"})

    session.refresh_from_db()
    assert session.status == "did_not_attend"


def test_it_shows_why_an_outcome_cannot_be_recorded_yet(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(mediator)

    empty = page(client.post(url("session_outcome", session), {}))
    early = page(client.post(url("session_outcome", session), {"status": "held", "notes": "x"}))

    assert "Choose held or did not attend." in empty
    assert "Record the outcome once the session has started." in early
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_the_assigned_mediator_cannot_manage_sessions(login, mediator, coordinator, paired_case):
    session = book_now(paired_case, coordinator)
    client = login(mediator)

    assert client.get(reverse("cases:session_new", args=[paired_case.reference])).status_code == 403
    assert client.get(url("session_reschedule", session)).status_code == 403
    assert client.post(url("session_reschedule", session), {}).status_code == 403
    assert client.post(url("session_cancel", session), {}).status_code == 403
    html = page(client.get(session.get_absolute_url()))
    assert "Reschedule" not in html and "Cancel this session" not in html
    session.refresh_from_db()
    assert session.status == "scheduled"


def test_a_mediator_of_another_case_gets_404_on_every_session_url(
    login, coordinator, other_mediator, paired_case
):
    session = book_now(paired_case, coordinator)
    other = ready_case()
    assign_pair(
        case=other,
        lead=eligible_volunteer(other_mediator),
        co_mediator=eligible_volunteer(),
        by=coordinator,
    )
    client = login(other_mediator)

    assert client.get(reverse("cases:session_new", args=[paired_case.reference])).status_code == 404
    for name in SESSION_URLS:
        if name != "session_cancel":
            assert client.get(url(name, session)).status_code == 404, name
        assert client.post(url(name, session), {}).status_code in (404, 405), name
    assert client.post(url("session_cancel", session), {}).status_code == 404
    # A session of another case, through this mediator's own case: 404 too.
    own = reverse("cases:session_detail", args=[other.reference, session.pk])
    assert client.get(own).status_code == 404
