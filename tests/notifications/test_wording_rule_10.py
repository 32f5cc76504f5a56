"""What a message to a party says about where (notifications.messages), and rule 10: nothing in
it names or locates another party — for every kind of message a party can get, by email (subject,
text and HTML) and by text, a joint home visit among the sessions."""

import pytest

from notifications.messages import home_visited, render_message
from notifications.models import OutboxMessage
from parties.validators import display_phone
from sessions.services import session_cancel

pytestmark = pytest.mark.django_db

PHONES = {"Alice Carter": "+447911123451", "Bob Dunn": "+447911123452"}
# Every kind of message that can go to a party.
PARTY_KINDS = {OutboxMessage.Kind.SESSION_REMINDER, OutboxMessage.Kind.SESSION_CANCELLED}


def details_of(party) -> list[str]:
    """What another party must never read about ``party``."""
    return [
        party.full_name,
        party.full_name.split()[-1],  # the surname
        party.phone,
        display_phone(party.phone),
        party.email,
        party.address_line1,
        party.postcode,
        party.postcode.replace(" ", ""),
    ]


def text_of(reminder) -> str:
    message = render_message(reminder)
    return "\n".join((message.subject, message.text, message.html))


@pytest.mark.parametrize("channel", ["sms", "email"])
@pytest.mark.parametrize("mode", ["home_visit", "office", "video"])
def test_no_message_to_a_party_names_or_locates_another_party(
    active_case, book, coordinator, channel, mode
):
    parties = list(active_case.parties.order_by("pk"))
    for party in parties:
        party.preferred_contact, party.phone = channel, PHONES[party.full_name]
        party.save()
    session = book(kind="joint", mode=mode, venue="" if mode == "home_visit" else "WKM office")
    session_cancel(session=session, by=coordinator)

    sent = OutboxMessage.objects.filter(session=session, party__isnull=False)
    assert set(sent.values_list("kind", flat=True)) == PARTY_KINDS
    assert set(sent.values_list("channel", flat=True)) == {channel}
    for reminder in sent.select_related("party"):
        words = text_of(reminder)
        for other in parties:
            if other.pk == reminder.party_id:
                continue
            leaked = [detail for detail in details_of(other) if detail and detail in words]
            assert leaked == [], (reminder.kind, reminder.party.full_name, leaked)
            if mode != "home_visit":
                assert other.full_name.split()[0] not in words


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_joint_home_visit_is_at_your_home_only_to_the_party_whose_home_it_is(
    active_case, book, channel
):
    alice, bob = active_case.parties.order_by("pk")
    active_case.parties.update(preferred_contact=channel, phone=PHONES["Alice Carter"])
    session = book(kind="joint", mode="home_visit", venue="")
    assert home_visited(session) == alice  # the first attending party with an address

    reminders = OutboxMessage.objects.filter(session=session, kind="session_reminder")
    to_alice = text_of(reminders.filter(party=alice).first())
    to_bob = text_of(reminders.filter(party=bob).first())
    assert "at your home" in to_alice
    assert "at your home" not in to_bob
    assert "at Alice's home" in to_bob or "at Alice&#x27;s home" in to_bob
    # The mediators are told where: the postcode.
    to_mediator = text_of(reminders.filter(volunteer__isnull=False).first())
    assert f"home visit, {alice.postcode}" in to_mediator


def test_a_home_visit_to_one_party_is_theirs(active_case, book):
    alice, bob = active_case.parties.order_by("pk")
    active_case.parties.update(preferred_contact="email")
    session = book(mode="home_visit", venue="", parties=[bob])

    assert home_visited(session) == bob
    reminder = OutboxMessage.objects.filter(session=session, party=bob).first()
    assert "at your home" in text_of(reminder)


def test_with_no_address_on_record_it_names_no_home(active_case, book):
    active_case.parties.update(preferred_contact="email", address_line1="", postcode="")
    session = book(kind="joint", mode="home_visit", venue="")

    assert home_visited(session) is None
    for reminder in OutboxMessage.objects.filter(session=session, party__isnull=False):
        words = text_of(reminder)
        assert "a home visit" in words and "your home" not in words
