"""An answer is about the time it was given for: a session moved later asks again, and the home
counts the latest answer about the time now."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import PartyReply
from notifications.replies import latest_by_session, latest_reply, reply_record
from tests.notifications.replies.helpers import get, post, reply, url_for
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def move(session, coordinator, days=4, hour=16):
    from sessions.services import session_reschedule

    session_reschedule(
        session=session, by=coordinator, starts_at=at(days, hour), ends_at=at(days, hour + 1)
    )
    session.refresh_from_db()
    return session


# --- 1. An answer is about the time it was given for -------------------------------------------


def test_the_service_records_the_time_answered(session, alice):
    answer, _ = reply_record(party=alice, session=session, answer="confirm", channel="web")
    assert answer.for_starts_at == session.starts_at


def test_an_answer_does_not_carry_over_to_a_moved_session(
    client, login, coordinator, session, alice, bob
):
    url = url_for(alice, session)
    post(client, url, answer="confirm")
    old = timezone.localtime(session.starts_at)
    move(session, coordinator)

    # The reply page: no answer about the new time, and the new time shown.
    page = get(client, url).content.decode()
    assert "16:00" in page and "Your answer, received" not in page
    assert latest_reply(alice, session) is None
    # The coordinator's home counts no one as confirmed.
    home = login(coordinator).get("/").content.decode()
    assert "party confirmed" not in home
    # The case page says the answer was about the old time, not that she will come.
    case_page = login(coordinator).get(session.case.get_absolute_url()).content.decode()
    assert "Alice Carter: will come (for the old time," in case_page
    assert f"{old:%H:%M}" in case_page
    assert 'fw-semibold">Alice Carter' not in case_page

    # The same answer again is a new answer, about the new time, and counts.
    post(client, url, answer="confirm")
    assert PartyReply.objects.count() == 2
    assert latest_reply(alice, session).for_starts_at == session.starts_at
    assert "1 party confirmed" in login(coordinator).get("/").content.decode()
    found = latest_by_session(session.case)[session.pk]
    assert [r.old_time for r in found] == [""]


def test_a_page_opened_before_the_session_moved_asks_again_rather_than_answer_for_the_new_time(
    client, coordinator, session, alice
):
    url = url_for(alice, session)
    shown = session.starts_at.isoformat()
    move(session, coordinator)

    response = post(client, url, answer="confirm", shown_start=shown)

    assert response.status_code == 200 and not PartyReply.objects.exists()
    page = response.content.decode()
    assert "changed while this page was open" in page and "16:00" in page
    # The page now carries the new time: answering again is about it.
    post(client, url, answer="confirm", shown_start=session.starts_at.isoformat())
    assert latest_reply(alice, session).for_starts_at == session.starts_at


def test_the_home_counts_the_latest_answer_about_the_time_now(
    login, coordinator, session, alice, bob
):
    then = session.starts_at - datetime.timedelta(days=1)
    reply(alice, session, "confirm", minutes_ago=1, for_starts_at=then)  # about another time
    reply(alice, session, "cancel", minutes_ago=5)  # earlier, but about the time now
    reply(bob, session, "confirm", for_starts_at=then)

    home = login(coordinator).get("/").content.decode()

    assert "1 asked to cancel" in home and "confirmed" not in home
