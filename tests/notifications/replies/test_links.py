"""The personal link in a party's reminders: by text and email, not in a mediator's reminder or a
cancellation, a short token for one party and one session, and texts that stay within two parts."""

import pytest
from django.utils import timezone

from notifications.messages import render_message, sms_parts
from notifications.models import OutboxMessage
from notifications.reply_links import read_token, reply_token, reply_url
from tests.notifications.replies.helpers import reminder

pytestmark = pytest.mark.django_db


# --- The link in the messages -----------------------------------------------------------------


def test_a_party_reminder_carries_their_own_link_by_text_and_email(session, alice, settings):
    settings.SITE_URL = "https://cases.example.org"
    link = reply_url(party_id=alice.pk, session_id=session.pk)
    assert link.startswith("https://cases.example.org/r/")

    text = render_message(reminder(session, alice, "sms")).text
    email = render_message(reminder(session, alice, "email"))

    assert f"Confirm, rearrange or cancel: {link}" in text
    assert link in email.text and f'href="{link}"' in email.html


def test_a_mediators_reminder_and_a_cancellation_carry_no_reply_link(session, alice):
    volunteer = session.mediators.first()
    to_mediator = OutboxMessage(
        kind="session_reminder", channel="email", session=session, volunteer=volunteer,
        address="x", due_at=timezone.now(), context={},
    )  # fmt: skip
    cancelled = reminder(session, alice, "sms")
    cancelled.kind = "session_cancelled"

    assert "/r/" not in render_message(to_mediator).text
    assert "/r/" not in render_message(cancelled).text


def test_a_token_names_one_party_and_one_session_and_is_short(session, alice, bob):
    token = reply_token(party_id=alice.pk, session_id=session.pk)

    assert read_token(token) == (session.pk, alice.pk)
    assert token != reply_token(party_id=bob.pk, session_id=session.pk)
    assert len(token) <= 30


def test_a_token_signed_for_something_else_is_not_one(session, alice):
    from django.core import signing

    other = signing.Signer(salt="something.else", sep=".").sign(f"{session.pk:x}.{alice.pk:x}")
    assert read_token(other) is None
    assert read_token(signing.dumps([session.pk, alice.pk])) is None


@pytest.mark.parametrize("inbound", ["", "a-secret"])
def test_a_text_reminder_with_a_long_venue_stays_within_two_parts(book, alice, settings, inbound):
    settings.SITE_URL = "https://casework.westkentmediation.org.uk"
    settings.SMS_INBOUND_TOKEN = inbound
    venue = "The Angel Centre, Angel Lane, Tonbridge TN9 1SF: " + "use the side door, " * 14
    session = book(mode="neutral_venue", venue=venue[:300], parties=[alice])
    link = reply_url(party_id=alice.pk, session_id=session.pk)

    text = render_message(reminder(session, alice, "sms")).text

    assert sms_parts(text) <= 2 and len(text) <= 306, (len(text), text)
    assert link in text and "Call 01732 000000" in text
    assert text.endswith("(or reply YES or NO)") if inbound else text.endswith(link)
    assert "The Angel Centre, Angel Lane" in text and "..." in text


def test_a_text_with_a_short_venue_keeps_it_whole(session, alice):
    text = render_message(reminder(session, alice, "sms")).text

    assert "Tonbridge Library, Avebury Avenue." in text and sms_parts(text) <= 2


def test_it_counts_text_message_parts_as_phones_do():
    assert sms_parts("a" * 160) == 1
    assert sms_parts("a" * 161) == 2
    assert sms_parts("a" * 306) == 2
    assert sms_parts("a" * 307) == 3
    assert sms_parts("€" * 80) == 1  # two characters each in the GSM alphabet
    assert sms_parts("ą" * 70) == 1 and sms_parts("ą" * 71) == 2  # outside it: 70 a part
