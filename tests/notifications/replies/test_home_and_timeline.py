"""Answers where the coordinator sees them: the audit, the coordinator's home summary and its
query count, the case page and the timeline."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import ContactLogEntry
from notifications.models import ManualContact
from parties.models import Consent
from tests.factories import ConsentFactory, ready_case
from tests.notifications.replies.helpers import get, post, reply, url_for
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


# --- Audit and the coordinator's home --------------------------------------------------------


def test_viewing_and_answering_are_audited_as_nobody_without_an_address(client, session, alice):
    url = url_for(alice, session)
    get(client, url)
    post(client, url, answer="confirm")

    viewed = AuditEvent.objects.get(
        action="view", object_type="mediation_sessions.mediationsession"
    )
    created = AuditEvent.objects.get(action="create", object_type="notifications.partyreply")
    for event in (viewed, created):
        assert event.actor is None and event.ip is None
        assert event.case_reference == session.case.reference
        assert "Alice" not in event.object_repr
    assert created.detail["answer"] == "confirm" and created.detail["channel"] == "web"


def test_the_coordinators_home_counts_each_partys_latest_answer(
    login, coordinator, session, alice, bob, book
):
    reply(alice, session, "cancel", "Changed my mind", minutes_ago=10)
    reply(alice, session, "confirm")
    reply(bob, session, "rearrange", "Not on a Thursday")

    body = login(coordinator).get("/").content.decode()

    assert "Replies from parties" in body
    assert "1 party confirmed, 1 asked to rearrange" in body
    assert "Bob Dunn asked to rearrange the joint meeting" in body
    assert "Not on a Thursday" in body and f"/cases/{session.case.reference}/" in body
    assert "Changed my mind" not in body  # Alice's earlier answer, since replaced


def test_the_home_summary_leaves_out_sessions_past_or_far_ahead_or_off(
    login, coordinator, session, alice, book
):
    far = book(kind="separate", starts_at=at(20, 10), ends_at=at(20, 11), parties=[alice])
    reply(alice, far, "cancel")
    off = book(kind="separate", starts_at=at(2, 10), ends_at=at(2, 11), parties=[alice])
    reply(alice, off, "cancel")
    type(off).objects.filter(pk=off.pk).update(status="cancelled")
    reply(alice, session, "confirm")

    body = login(coordinator).get("/").content.decode()

    assert "1 party confirmed." in body and "asked to cancel" not in body


def read_panel(found):
    return [(r.who, r.case, r.session_kind_label, r.note) for r in found.requests]


def replies_ahead(*, days, rows):
    from notifications.home import office_panels

    return office_panels(rows=rows, replies_days=days)["party_replies"]


def test_the_home_summary_is_one_query_however_many_replies(session, alice):
    from sessions.models import MediationSession

    reply(alice, session, "confirm")
    with CaptureQueriesContext(connection) as few:
        read_panel(replies_ahead(days=7, rows=20))
    for n in range(5):
        extra = ready_case(status="active")
        other = MediationSession.objects.create(
            case=extra, kind="separate", mode="office", starts_at=at(2, 9 + n),
            ends_at=at(2, 10 + n),
        )  # fmt: skip
        reply(extra.parties.first(), other, "rearrange", f"Reason {n}")
    with CaptureQueriesContext(connection) as many:
        found = replies_ahead(days=7, rows=20)
        assert len(read_panel(found)) == 5

    assert len(few) == len(many) == 1
    assert found.summary == "1 party confirmed, 5 asked to rearrange"


def test_the_coordinators_home_with_replies_runs_a_fixed_number_of_queries(
    login, coordinator, session, alice, bob
):
    client = login(coordinator)
    client.get("/")
    reply(alice, session, "confirm")
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    reply(bob, session, "rearrange", "Later please")
    with CaptureQueriesContext(connection) as two:
        body = client.get("/").content.decode()
    assert "Later please" in body
    assert len(two) == len(one)


def test_a_consent_given_again_reopens_the_link(client, session, alice):
    Consent.objects.filter(party=alice, kind="mediate").update(withdrawn_at=timezone.now())
    assert "Please phone us" in get(client, url_for(alice, session)).content.decode()

    ConsentFactory(party=alice, kind="mediate")  # given again

    assert "I will come" in get(client, url_for(alice, session)).content.decode()


def test_the_case_page_shows_each_partys_latest_answer_by_session(
    login, coordinator, session, alice, bob
):
    reply(alice, session, "cancel", minutes_ago=5)
    reply(alice, session, "confirm")
    reply(bob, session, "rearrange", "Later please")

    body = login(coordinator).get(session.case.get_absolute_url()).content.decode()

    assert "Alice Carter: will come" in body
    assert "Bob Dunn: asked to rearrange" in body
    assert "Alice Carter: asked to cancel" not in body


# --- 5 and 6. The case page and the home ------------------------------------------------------


def test_the_done_button_keeps_the_dates_capitals_and_the_home_names_the_party_in_full(
    login, coordinator, session, alice
):
    task = ManualContact.objects.create(
        case=session.case, session=session, party=alice, kind="session_reminder",
        method="phone", due_at=timezone.now() + datetime.timedelta(hours=1),
    )  # fmt: skip
    start = timezone.localtime(session.starts_at)
    day = f"{start:%a} {start.day} {start:%b}"

    case_page = login(coordinator).get(session.case.get_absolute_url()).content.decode()
    assert f"phone call to Alice, remind them of the joint meeting on {day}" in case_page
    assert day.lower() not in case_page
    home = login(coordinator).get("/").content.decode()
    assert f"{task.get_method_display()}: Alice Carter ·" in home


def test_a_partys_answer_on_the_timeline_names_them(client, login, coordinator, session, alice):
    post(client, url_for(alice, session), answer="confirm")
    entry = ContactLogEntry.objects.get(party=alice, author=None, text__contains="confirmed")

    body = login(coordinator).get(session.case.get_absolute_url()).content.decode()

    assert "Party's answer · from Alice Carter" in body
    assert entry.private_to is None and entry.party == alice  # about her only (rule 10)
