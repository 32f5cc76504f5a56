"""Texts sent back to the service: the inbound SMS webhook (notifications.views.sms_inbound)."""

import datetime
import json
import logging

import pytest
from django.utils import timezone

from cases.models import ContactLogEntry
from notifications.models import OutboxMessage, PartyReply
from notifications.replies import answer_for_text
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db

SECRET = "inbound-secret-for-tests"  # noqa: S105
MOBILE = "+447911123456"
URL = "/sms/inbound/"


@pytest.fixture(autouse=True)
def _inbound_on(settings):
    settings.SMS_INBOUND_TOKEN = SECRET


@pytest.fixture
def alice(active_case):
    """Alice Carter, reached by text on a mobile (the root ``active_case`` leaves her on a
    landline): replies by text are this module's subject."""
    alice = active_case.parties.get(full_name="Alice Carter")
    alice.phone = MOBILE
    alice.preferred_contact = "sms"
    alice.save()
    return alice


def sent_text(session, party, *, minutes_ago=60, status="sent", address=MOBILE):
    return OutboxMessage.objects.create(
        kind="session_reminder", channel="sms", session=session, party=party, address=address,
        lead_minutes=2880, due_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        status=status, sent_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )  # fmt: skip


@pytest.fixture
def session(book, alice):
    session = book(parties=[alice])
    sent_text(session, alice)
    return session


def inbound(client, *, body="YES", sender="07911 123456", message_id="msg-1", token=SECRET):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return client.post(
        URL,
        json.dumps({"from": sender, "body": body, "id": message_id}),
        content_type="application/json",
        **headers,
    )


def test_it_is_off_without_a_configured_secret(client, settings, session):
    settings.SMS_INBOUND_TOKEN = ""

    assert inbound(client).status_code == 404
    assert inbound(client, token="").status_code == 404
    assert not PartyReply.objects.exists()


@pytest.mark.parametrize("token", [None, "", "wrong", SECRET + "x", SECRET[:-1]])
def test_it_refuses_a_missing_or_wrong_secret(client, session, token):
    assert inbound(client, token=token).status_code == 403
    assert not PartyReply.objects.exists()


def test_it_takes_only_posts_of_json_with_a_sender_and_an_id(client, session):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}
    assert client.get(URL, **auth).status_code == 405
    for bad in ("not json", "[]", '{"from": "07911 123456"}', '{"from": 1, "id": "x"}'):
        response = client.post(URL, bad, content_type="application/json", **auth)
        assert response.status_code == 400, bad
    assert not PartyReply.objects.exists()


def test_yes_confirms_for_the_party_the_reminder_went_to(client, session, alice):
    response = inbound(client, body="Yes!")

    assert response.status_code == 200
    reply = PartyReply.objects.get()
    assert (reply.party, reply.session, reply.answer, reply.channel) == (
        alice, session, "confirm", "sms"
    )  # fmt: skip
    assert reply.provider_message_id == "msg-1" and reply.ip_hash == ""
    entry = ContactLogEntry.objects.get(kind="event", party=alice, text__contains="by text")
    assert "Alice Carter confirmed by text message that they will come" in entry.text


def test_no_asks_to_cancel_and_anything_else_is_a_request_to_rearrange(client, session, alice):
    inbound(client, body="no", message_id="a")
    inbound(client, body="Can we make it the week after? I am away", message_id="b")

    first, second = PartyReply.objects.order_by("id")
    assert first.answer == "cancel" and first.reason == ""
    assert second.answer == "rearrange"
    assert second.reason == "Can we make it the week after? I am away"
    session.refresh_from_db()
    assert session.status == "scheduled"


@pytest.mark.parametrize(
    "text,answer",
    [("YES", "confirm"), ("y", "confirm"), (" Confirm. ", "confirm"), ("NO", "cancel"),
     ("cancel", "cancel"), ("n", "cancel"), ("yes but late", "rearrange")],
)  # fmt: skip
def test_it_reads_the_usual_words(text, answer):
    assert answer_for_text(text)[0] == answer


def test_the_same_text_delivered_twice_is_one_reply(client, session):
    assert inbound(client, body="NO").status_code == 200
    assert inbound(client, body="NO").status_code == 200

    assert PartyReply.objects.count() == 1
    assert ContactLogEntry.objects.filter(kind="event", text__contains="by text").count() == 1


def test_a_repeated_id_is_not_a_second_reply_even_with_other_words(client, session):
    inbound(client, body="YES", message_id="same")
    inbound(client, body="Actually please cancel", message_id="same")

    assert list(PartyReply.objects.values_list("answer", flat=True)) == ["confirm"]


def test_an_unknown_number_gets_the_same_answer_and_nothing_is_recorded(client, session, caplog):
    with caplog.at_level(logging.INFO, logger="notifications"):
        response = inbound(client, sender="07700 900999", message_id="u-1")
        rubbish = inbound(client, sender="not a number", message_id="u-2")

    assert response.status_code == rubbish.status_code == 200
    assert response.content == inbound(client, message_id="known").content
    assert PartyReply.objects.count() == 1  # only the known number's
    assert "unknown number" in caplog.text
    assert "900999" not in caplog.text and "07700" not in caplog.text


def test_it_matches_the_latest_text_reminder_of_a_session_still_ahead(client, book, alice):
    later = book(starts_at=at(6, 10), ends_at=at(6, 11), parties=[alice])
    earlier = book(starts_at=at(2, 10), ends_at=at(2, 11), parties=[alice])
    past = book(starts_at=at(1, 10), ends_at=at(1, 11), parties=[alice])
    sent_text(earlier, alice, minutes_ago=300)
    sent_text(later, alice, minutes_ago=120)
    sent_text(past, alice, minutes_ago=5)
    # The most recent reminder is of a session that has since started, and another is unsent.
    type(past).objects.filter(pk=past.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    sent_text(earlier, alice, minutes_ago=1, status="pending")

    inbound(client)

    assert PartyReply.objects.get().session == later


def test_a_text_about_a_cancelled_session_or_from_a_party_who_withdrew_records_nothing(
    client, session, alice
):
    from parties.models import Consent

    Consent.objects.filter(party=alice, kind="mediate").update(withdrawn_at=timezone.now())
    assert inbound(client, message_id="w").status_code == 200
    assert not PartyReply.objects.exists()


def test_it_matches_the_number_the_reminder_went_to_in_any_format(client, session):
    assert inbound(client, sender="+44 7911 123456").status_code == 200
    assert PartyReply.objects.count() == 1


def test_an_answer_by_text_is_audited_as_nobody(client, session):
    from audit.models import AuditEvent

    inbound(client)

    event = AuditEvent.objects.get(action="create", object_type="notifications.partyreply")
    assert event.actor is None and event.ip is None
    assert event.case_reference == session.case.reference
    assert event.detail["channel"] == "sms"


def test_a_text_from_a_party_no_longer_at_the_session_records_nothing(client, session, alice):
    session.parties.remove(alice)

    assert inbound(client).status_code == 200
    assert not PartyReply.objects.exists()


def test_the_service_records_a_text_once_by_its_provider_id(session, alice):
    from notifications.replies import reply_record

    first, created = reply_record(
        party=alice, session=session, answer="confirm", channel="sms", provider_message_id="p-1"
    )
    again, created_again = reply_record(
        party=alice, session=session, answer="cancel", channel="sms", provider_message_id="p-1"
    )

    assert created and not created_again and again == first
    assert PartyReply.objects.count() == 1


def test_a_text_answering_a_reminder_of_the_old_time_is_about_that_time(
    client, active_case, alice, book, coordinator
):
    """ "YES" to a reminder of Tuesday 10:00 is not a yes to the session moved to Thursday."""
    from notifications.models import PartyReply
    from sessions.services import session_reschedule
    from tests.sessions.conftest import at

    session = book(parties=[alice])
    reminder = session.reminders.filter(party=alice, channel="sms").first()
    assert reminder.context["starts_at"] == session.starts_at.isoformat()  # what it named
    OutboxMessage.objects.filter(pk=reminder.pk).update(status="sent", sent_at=timezone.now())
    named = session.starts_at
    session_reschedule(session=session, by=coordinator, starts_at=at(5, 16), ends_at=at(5, 17))

    assert inbound(client).status_code == 200

    (reply,) = PartyReply.objects.all()
    assert reply.for_starts_at == named and reply.for_starts_at != at(5, 16)
