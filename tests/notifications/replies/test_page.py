"""The page a link opens: the appointment, confirming, asking to rearrange or cancel, what lands on
the timeline, nothing of the other party, its query count, and the form's errors."""

import pytest

from cases.disclosure import log_entries_for
from cases.models import ContactLogEntry
from notifications.forms import ReplyForm
from notifications.models import PartyReply
from notifications.replies import MAX_REPLIES, reply_record
from tests.notifications.replies.helpers import ADDRESS, get, post, url_for

pytestmark = pytest.mark.django_db


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
