"""Parties answer a reminder from its personal link: the link in the messages, the page, the
answers, what it refuses and reveals, the throttle, the timeline, the audit and the
coordinator's home."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from cases.disclosure import log_entries_for
from cases.models import ContactLogEntry
from notifications.forms import ReplyForm
from notifications.messages import render_message, sms_parts
from notifications.models import ManualContact, OutboxMessage, PartyReply, ReplyLinkMiss
from notifications.replies import MAX_REPLIES, latest_by_session, latest_reply, reply_record
from notifications.reply_links import read_token, reply_token, reply_url
from parties.models import Consent
from tests.factories import ConsentFactory, PartyFactory, ready_case
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def alice(active_case):
    """Alice Carter, as the root ``active_case`` has her."""
    return active_case.parties.get(full_name="Alice Carter")


@pytest.fixture
def bob(active_case):
    """The other party, with details planted to look for where they must not be."""
    bob = active_case.parties.get(full_name="Bob Dunn")
    bob.address_line1 = "17 Secret Gardens"
    bob.email = "bob.dunn@example.org"
    bob.phone = "+447700900123"
    bob.save()
    return bob


@pytest.fixture
def session(book, alice, bob):
    """A joint meeting of both, with confidential notes."""
    session = book(kind="joint", mode="neutral_venue", venue="Tonbridge Library, Avebury Avenue")
    session.notes = "Bob says he is worried about money"
    session.save()
    return session


def url_for(party, session):
    return f"/r/{reply_token(party_id=party.pk, session_id=session.pk)}/"


def get(client, url, address=ADDRESS):
    return client.get(url, REMOTE_ADDR=address)


def post(client, url, address=ADDRESS, **data):
    return client.post(url, data, REMOTE_ADDR=address)


def reminder(session, party, channel):
    return OutboxMessage(
        kind="session_reminder", channel=channel, session=session, party=party,
        address="x", due_at=timezone.now(), context={},
    )  # fmt: skip


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


# --- The page -------------------------------------------------------------------------------


def test_a_party_sees_their_appointment_and_confirms(client, session, alice):
    url = url_for(alice, session)

    page = get(client, url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "joint meeting" in body and "10:00" in body and "Tonbridge Library" in body
    assert "I will come" in body and "I need to rearrange" in body and "Please cancel" in body

    answered = post(client, url, answer="confirm")
    assert answered.status_code == 302 and answered["Location"] == f"{url}?sent=1"
    reply = PartyReply.objects.get()
    assert (reply.party, reply.session, reply.answer, reply.channel) == (
        alice, session, "confirm", "web"
    )  # fmt: skip
    assert reply.ip_hash and ADDRESS not in reply.ip_hash

    after = get(client, f"{url}?sent=1").content.decode()
    assert "Thank you: we have your answer" in after and "<strong>I will come</strong>" in after


def test_a_request_to_rearrange_needs_a_reason(client, session, alice):
    url = url_for(alice, session)

    refused = post(client, url, answer="rearrange", reason="  ")
    assert refused.status_code == 200
    assert "Tell us what would suit you better" in refused.content.decode()
    assert not PartyReply.objects.exists()

    post(client, url, answer="rearrange", reason="I work Tuesdays; any Thursday is fine")
    reply = PartyReply.objects.get()
    assert reply.answer == "rearrange" and reply.reason.startswith("I work Tuesdays")


def test_the_service_refuses_a_rearrangement_without_reason_too(session, alice):
    from django.core.exceptions import ValidationError

    from notifications.replies import reply_record

    with pytest.raises(ValidationError):
        reply_record(party=alice, session=session, answer="rearrange", channel="web")


def test_a_reason_is_length_limited(client, session, alice):
    refused = post(client, url_for(alice, session), answer="cancel", reason="x" * 501)

    assert refused.status_code == 200 and not PartyReply.objects.exists()


def test_a_request_to_cancel_does_not_cancel_the_session(client, session, alice):
    post(client, url_for(alice, session), answer="cancel")

    session.refresh_from_db()
    assert session.status == "scheduled"
    assert PartyReply.objects.get().answer == "cancel"
    assert session.reminders.filter(status="pending").exists()


def test_an_answer_lands_on_the_timeline_about_that_party_only(client, session, alice, bob):
    post(client, url_for(alice, session), answer="rearrange", reason="Thursday evenings suit me")

    entry = ContactLogEntry.objects.get(kind="event", text__contains="asked")
    assert entry.party == alice and entry.author is None
    assert "Alice Carter asked from their reminder to rearrange the joint meeting" in entry.text
    assert "Thursday evenings suit me" in entry.text and "still booked" in entry.text
    # Staff see it; Alice's own copy may hold it; nothing addressed to Bob does (rule 10).
    case = session.case
    assert entry in log_entries_for(case, audience=None)
    assert entry in log_entries_for(case, audience=alice)
    assert entry not in log_entries_for(case, audience=bob)


def test_the_same_answer_again_is_one_reply_and_a_new_one_wins(client, session, alice):
    url = url_for(alice, session)
    post(client, url, answer="confirm")
    post(client, url, answer="confirm")
    assert PartyReply.objects.count() == 1
    assert ContactLogEntry.objects.filter(party=alice, kind="event").count() == 1

    post(client, url, answer="cancel", reason="My mother is ill")

    assert PartyReply.objects.count() == 2
    body = get(client, url).content.decode()
    assert "<strong>Please cancel</strong>" in body and "A coordinator will contact you" in body


def test_a_party_who_keeps_changing_their_mind_is_asked_to_phone(client, session, alice):
    url = url_for(alice, session)
    for n in range(MAX_REPLIES):
        post(client, url, answer="rearrange", reason=f"Reason {n}")
    assert PartyReply.objects.count() == MAX_REPLIES

    refused = post(client, url, answer="confirm")

    assert refused.status_code == 200 and "please phone us" in refused.content.decode()
    assert PartyReply.objects.count() == MAX_REPLIES


def test_the_page_shows_nothing_of_the_other_party(client, session, alice, bob):
    body = get(client, url_for(alice, session)).content.decode()

    for planted in ("Bob", "Dunn", "17 Secret Gardens", "TN9 1AB", "bob.dunn@example.org",
                    "7700900123", "worried about money", session.case.reference):  # fmt: skip
        assert planted not in body, planted
    # Nor of the party themselves beyond the appointment: a link forwarded shows no name.
    assert "Alice" not in body and "Carter" not in body


def test_a_home_visit_is_worded_for_the_party_not_as_an_address(client, book, alice, bob):
    session = book(mode="home_visit", venue="", parties=[alice])

    body = get(client, url_for(alice, session)).content.decode()

    assert "at your home" in body
    assert "Quarry Hill Road" not in body and "TN9 1AB" not in body


def test_the_page_runs_a_fixed_number_of_queries(
    client, session, alice, django_assert_max_num_queries
):
    url = url_for(alice, session)
    post(client, url, answer="confirm")
    # The throttle, the session, the party and their consents, the latest answer, the audit event.
    with django_assert_max_num_queries(7):
        assert get(client, url).status_code == 200


# --- What a link refuses, and what it reveals -------------------------------------------------


def test_wrong_links_answer_the_same_404_and_reveal_nothing(client, session, alice, bob, book):
    token = reply_token(party_id=alice.pk, session_id=session.pk)
    value, signature = token.rsplit(".", 1)
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    alone = book(kind="separate", starts_at=at(4, 10), ends_at=at(4, 11), parties=[alice])
    stranger = PartyFactory(case=ready_case(), full_name="Carol Stranger")
    swapped = reply_token(party_id=bob.pk, session_id=session.pk).split(".")[:2]
    wrong = {
        "tampered signature": f"{value}.{flipped}",
        "another party's signature": f"{'.'.join(swapped)}.{signature}",
        "another session's signature": f"{alone.pk:x}.{alice.pk:x}.{signature}",
        "a party not at that session": reply_token(party_id=bob.pk, session_id=alone.pk),
        "a party of another case": reply_token(party_id=stranger.pk, session_id=session.pk),
        "no such session": reply_token(party_id=alice.pk, session_id=999_999),
        "rubbish": "hello",
    }
    bodies = set()
    for why, bad in wrong.items():
        response = get(client, f"/r/{bad}/")
        assert response.status_code == 404, why
        bodies.add(response.content)
    assert len(bodies) == 1
    body = bodies.pop().decode()
    for secret in ("Alice", "Bob", "Library", "joint", session.case.reference):
        assert secret not in body
    assert not PartyReply.objects.exists()
    assert ReplyLinkMiss.objects.count() == len(wrong)
    # Nor does sending an answer through one of them record anything.
    assert post(client, f"/r/{wrong['tampered signature']}/", answer="cancel").status_code == 404
    assert not PartyReply.objects.exists()


def test_a_party_of_another_case_put_on_a_session_by_hand_gets_no_page(client, session):
    stranger = PartyFactory(case=ready_case(), full_name="Carol Stranger")
    session.parties.add(stranger)  # as the admin could, past the booking service's checks

    assert get(client, url_for(stranger, session)).status_code == 404


def test_a_link_expires_when_its_session_starts(client, session, alice):
    url = url_for(alice, session)
    assert get(client, url).status_code == 200

    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )

    assert get(client, url).status_code == 404
    assert post(client, url, answer="confirm").status_code == 404
    assert not PartyReply.objects.exists()


def test_a_session_moved_later_keeps_its_link(client, session, alice, coordinator):
    from sessions.services import session_reschedule

    url = url_for(alice, session)
    session_reschedule(session=session, by=coordinator, starts_at=at(5, 14), ends_at=at(5, 15))

    body = get(client, url).content.decode()
    assert "14:00" in body


@pytest.mark.parametrize("change", ["cancelled", "held", "case closed", "consent withdrawn"])
def test_a_session_that_is_off_or_a_party_we_may_not_contact_get_a_page_to_phone(
    client, session, alice, change
):
    url = url_for(alice, session)
    if change in ("cancelled", "held"):
        type(session).objects.filter(pk=session.pk).update(status=change)
    elif change == "case closed":
        type(session.case).objects.filter(pk=session.case_id).update(
            status="closed", closed_on=timezone.localdate(), outcome="withdrawn"
        )
    else:
        Consent.objects.filter(party=alice, kind="data_processing").update(
            withdrawn_at=timezone.now()
        )

    page = get(client, url)
    answered = post(client, url, answer="confirm")

    assert page.status_code == answered.status_code == 200
    body = page.content.decode()
    assert "Please phone us" in body and "01732 000000" in body
    assert "Library" not in body and "10:00" not in body and "joint" not in body
    assert not PartyReply.objects.exists()


def test_a_hundred_wrong_links_from_one_address_are_throttled(client, session, alice):
    good = url_for(alice, session)
    for n in range(100):
        assert get(client, f"/r/guess{n}/").status_code == 404

    assert get(client, "/r/guess-once-more/").status_code == 429
    # Throttled means everything from that address, for the hour; others are not.
    assert get(client, good).status_code == 429
    assert post(client, good, answer="cancel").status_code == 429
    assert not PartyReply.objects.exists()
    assert get(client, good, address="198.51.100.9").status_code == 200
    # Only a hash of the address is kept.
    assert not ReplyLinkMiss.objects.filter(ip_hash__contains="203.0.113").exists()


def test_the_throttle_forgets_after_an_hour(client, session, alice):
    from public.spam import ip_hash

    earlier = timezone.now() - datetime.timedelta(minutes=61)
    ReplyLinkMiss.objects.bulk_create(
        ReplyLinkMiss(ip_hash=ip_hash(ADDRESS), at=earlier) for _ in range(100)
    )

    assert get(client, url_for(alice, session)).status_code == 200


def test_an_expired_link_is_not_counted_as_a_wrong_one(client, session, alice):
    type(session).objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    get(client, url_for(alice, session))

    assert not ReplyLinkMiss.objects.exists()


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


def reply(party, session, answer, reason="", minutes_ago=0, for_starts_at=None):
    return PartyReply.objects.create(
        party=party, session=session, answer=answer, reason=reason, channel="web",
        received_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        for_starts_at=for_starts_at or session.starts_at,
    )  # fmt: skip


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


# === Review findings: an answer is about the time it was given for, the form's errors, the
# branded 404 of a dead link, the throttle's Retry-After, tasks and answers on the pages. ===


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


# --- 2. The form's errors ---------------------------------------------------------------------


def test_line_breaks_count_as_one_character_as_the_browser_counts_them():
    typed = ("x" * 60 + "\r\n") * 8 + "x" * 12  # 8 * 61 + 12 = 500 as typed, 508 as sent
    form = ReplyForm({"answer": "rearrange", "reason": typed})

    assert form.is_valid(), form.errors
    assert len(form.cleaned_data["reason"]) == 500 and "\r" not in form.cleaned_data["reason"]


def test_a_reason_too_long_is_not_also_called_missing(client, session, alice):
    too_long = "y" * 501
    page = post(client, url_for(alice, session), answer="rearrange", reason=too_long)

    body = page.content.decode()
    assert page.status_code == 200 and not PartyReply.objects.exists()
    assert "Ensure this value has at most 500 characters" in body or "500 characters" in body
    assert "Tell us what would suit you better" not in body
    assert too_long in body  # what was typed is kept


def test_errors_are_summarised_at_the_top_and_the_script_moves_the_focus(client, session, alice):
    body = post(client, url_for(alice, session), answer="rearrange", reason="").content.decode()

    assert "<title>Error: " in body
    summary = body.index("data-error-summary")
    assert summary < body.index('<form method="post"')
    assert "Tell us what would suit you better" in body[summary : body.index("<form method")]
    assert 'href="#id_reason"' in body
    assert "js/error-summary.js" in body
    # No answer chosen: the summary links to the first of the choices.
    none = post(client, url_for(alice, session)).content.decode()
    assert 'href="#id_answer_0"' in none and 'id="id_answer_0"' in none


def test_a_page_without_errors_has_no_summary(client, session, alice):
    body = get(client, url_for(alice, session)).content.decode()
    assert "data-error-summary" not in body and "<title>Your appointment" in body


# --- 3. A dead link's page --------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_a_wrong_or_expired_link_gets_the_branded_404_and_nothing_of_the_case(
    client, session, alice, settings
):
    for url in (
        "/r/not-a-link/",
        f"/r/{reply_token(party_id=alice.pk, session_id=session.pk + 999)}/",
    ):
        page = get(client, url)
        body = page.content.decode()
        assert page.status_code == 404
        assert "This page is not here" in body and "no longer works" in body
        assert settings.SERVICE_PHONE in body and settings.SERVICE_NAME in body
        assert session.case.reference not in body and "Alice" not in body
        assert "Library" not in body and "<script>" not in body and "style=" not in body


@override_settings(DEBUG=False)
def test_the_404_of_a_logged_in_user_leads_home(login, coordinator):
    page = login(coordinator).get("/cases/WKM-0000-0000/no-such-page/")
    assert page.status_code == 404
    assert "This page is not here" in page.content.decode()


def test_the_500_and_400_pages_need_no_context():
    from django.template import loader

    for name in ("500.html", "400.html"):
        body = loader.get_template(name).render()  # as Django renders them: no request at all
        assert "phone the office" in body and "<script>" not in body and "style=" not in body
    assert loader.get_template("403.html")


# --- 4. The throttle's Retry-After --------------------------------------------------------------


def test_the_throttle_says_when_to_try_again(client, session, alice):
    from public.spam import ip_hash

    now = timezone.now()
    ReplyLinkMiss.objects.bulk_create(
        ReplyLinkMiss(ip_hash=ip_hash(ADDRESS), at=now - datetime.timedelta(minutes=m))
        for m in [50] + [10] * 99
    )

    page = get(client, url_for(alice, session))

    assert page.status_code == 429
    # The oldest of the hundred leaves the hour in ten minutes: then the address may try again.
    assert 590 <= int(page["Retry-After"]) <= 600


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
