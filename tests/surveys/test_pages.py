"""The party's survey page (their personal link) and the coordinator's answers by phone."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.services import case_reopen
from notifications.models import ManualContact, OutboxMessage
from surveys.links import read_token, survey_token
from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation
from tests.factories import assign

pytestmark = pytest.mark.django_db

FEEDBACK = {
    "felt_heard": "5",
    "mediators_impartial": "4",
    "process_clear": "3",
    "outcome_satisfaction": "2",
    "would_recommend": "5",
    "comments": "Thank you, it helped.",
}


@pytest.fixture
def invitation(case, close):
    close(case)
    return SurveyInvitation.objects.get(party__full_name="Alice Carter", kind="feedback")


def url_of(invitation):
    return f"/s/{survey_token(invitation.pk)}/"


def test_the_token_is_short_typeable_and_read_in_any_case():
    token = survey_token(123456)
    assert len(token) <= 21
    assert token == token.lower() and set(token) <= set("abcdefghijklmnopqrstuvwxyz234567890.")
    assert read_token(token) == 123456
    assert read_token(token.upper()) == 123456
    assert read_token(f" {token} ") == 123456
    assert read_token(token[:-1] + ("a" if token[-1] != "a" else "b")) is None
    assert read_token("not-a-token") is None


def test_the_token_of_a_reply_link_is_not_a_survey_link():
    from notifications.reply_links import reply_token

    assert read_token(reply_token(party_id=1, session_id=1)) is None


def test_a_party_answers_once_and_sees_thank_you_then_already_answered(invitation, client):
    page = client.get(url_of(invitation))
    assert page.status_code == 200
    text = page.content.decode()
    assert "How did mediation go for you?" in text
    assert "<fieldset" in text and "I felt listened to" in text
    assert "Bob" not in text  # nothing about anyone else

    response = client.post(url_of(invitation), FEEDBACK)

    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Thank you: we have your answers" in thanks.content.decode()
    answer = FeedbackAnswer.objects.get(invitation=invitation)
    assert (answer.felt_heard, answer.outcome_satisfaction, answer.recorded_by) == (5, 2, None)
    assert answer.comments == "Thank you, it helped."
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    again = client.get(url_of(invitation))
    assert "You have already answered" in again.content.decode()
    # A second answer posted to the same link changes nothing.
    client.post(url_of(invitation), {**FEEDBACK, "felt_heard": "1"})
    assert FeedbackAnswer.objects.get().felt_heard == 5


def test_an_empty_answer_is_refused_with_a_message(invitation, client):
    response = client.post(url_of(invitation), {"comments": "  "})

    assert response.status_code == 200
    assert "Answer at least one question" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_a_wrong_value_is_refused_and_what_was_typed_is_kept(invitation, client):
    response = client.post(url_of(invitation), {**FEEDBACK, "felt_heard": "9"})

    assert response.status_code == 200
    assert "Thank you, it helped." in response.content.decode()
    assert "data-error-summary" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_an_expired_link_says_so(invitation, client):
    SurveyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    page = client.get(url_of(invitation))
    assert "This survey has closed" in page.content.decode()
    client.post(url_of(invitation), FEEDBACK)
    assert not FeedbackAnswer.objects.exists()


def test_a_tampered_or_unknown_token_is_the_ordinary_404(invitation, client):
    token = survey_token(invitation.pk)
    tampered = token[:-1] + ("a" if token[-1] != "a" else "b")
    unknown = survey_token(invitation.pk + 1000)

    for url in (f"/s/{tampered}/", f"/s/{unknown}/", "/s/nothing/", "/no-such-page/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "This page is not here" in response.content.decode()
        assert "Alice" not in response.content.decode()


def test_wrong_links_are_throttled(invitation, client, settings):
    settings.REPLY_LINK_MISSES_PER_HOUR = 3
    for _ in range(3):
        assert client.get("/s/aa.bbbbbbbbbbbbbbbb/").status_code == 404

    refused = client.get(url_of(invitation))

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_another_partys_link_opens_their_survey_only(case, invitation, client):
    bob = SurveyInvitation.objects.get(party__full_name="Bob Dunn")
    client.post(url_of(bob), FEEDBACK)

    assert FeedbackAnswer.objects.get().invitation == bob
    assert "How did mediation go" in client.get(url_of(invitation)).content.decode()


def test_the_link_stops_while_the_case_is_reopened(case, invitation, client, coordinator, close):
    case_reopen(case=case, by=coordinator, reason="The noise started again")

    assert "This survey is not open" in client.get(url_of(invitation)).content.decode()
    client.post(url_of(invitation), FEEDBACK)
    assert not FeedbackAnswer.objects.exists()

    close(case)
    assert client.get(url_of(invitation)).status_code == 200
    client.post(url_of(invitation), FEEDBACK)
    assert FeedbackAnswer.objects.count() == 1


def test_the_link_stops_once_consent_is_withdrawn(invitation, client, coordinator):
    from parties.services import consent_withdraw

    consent = invitation.party.consents.get(kind="data_processing")
    consent_withdraw(consent=consent, by=coordinator)

    assert "This survey is not open" in client.get(url_of(invitation)).content.decode()


def test_answering_cancels_the_message_not_sent_yet(invitation, client):
    client.post(url_of(invitation), FEEDBACK)

    assert OutboxMessage.objects.get(dedupe_key=f"survey:{invitation.pk}").status == "cancelled"


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_make_one(case, close):
    close(case)
    invitation = SurveyInvitation.objects.get(party__full_name="Alice Carter")
    url = url_of(invitation)
    barrier = threading.Barrier(2)
    codes = []

    def post(value):
        try:
            barrier.wait()
            codes.append(Client().post(url, {**FEEDBACK, "felt_heard": value}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(v,)) for v in ("1", "5")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert FeedbackAnswer.objects.count() == 1
    assert sorted(codes) == [200, 302]  # the second is told it was answered


def test_the_survey_page_takes_a_fixed_number_of_queries(
    invitation, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as page:
        assert client.get(url_of(invitation)).status_code == 200
    with django_assert_max_num_queries(20) as answer:
        assert client.post(url_of(invitation), FEEDBACK).status_code == 302
    print(f"\nsurvey page: {len(page)} queries; answering: {len(answer)}")


# --- The coordinator: answers given by phone --------------------------------------------------


def record_url(case, party, kind="feedback"):
    return f"/cases/{case.reference}/parties/{party.pk}/survey/{kind}/"


def test_a_coordinator_records_answers_given_by_phone(case, close, login, coordinator):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact, alice.phone, alice.email = "phone", "+441732123456", ""
    alice.save()
    close(case)
    task = ManualContact.objects.get(party=alice)
    client = login(coordinator)
    page = client.get(case.get_absolute_url())
    assert "Ask them the feedback survey questions" in page.content.decode()

    response = client.post(record_url(case, alice), {"felt_heard": "4", "comments": "Fine."})

    assert response.status_code == 302
    answer = FeedbackAnswer.objects.get()
    assert (answer.felt_heard, answer.recorded_by) == (4, coordinator)
    task.refresh_from_db()
    assert (task.status, task.done_by) == ("done", coordinator)
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(object_type="surveys.feedbackanswer")
    assert event.actor == coordinator and event.detail["by_phone"] is True
    shown = client.get(case.get_absolute_url()).content.decode()
    assert "by phone, recorded by" in shown and "Fine." in shown


def test_recording_is_refused_to_mediators_and_anonymous_users(
    case, close, login, mediator, other_mediator
):
    assign(case, mediator)
    close(case)
    alice = case.parties.get(full_name="Alice Carter")
    url = record_url(case, alice)

    assert Client().get(url).status_code == 302  # to the login page
    assert login(mediator).post(url, {"felt_heard": "5"}).status_code == 403
    assert login(other_mediator).post(url, {"felt_heard": "5"}).status_code == 404
    assert not FeedbackAnswer.objects.exists()


def test_mediators_do_not_see_the_answers(case, close, login, mediator, client):
    assign(case, mediator)
    close(case)
    alice = SurveyInvitation.objects.get(party__full_name="Alice Carter")
    Client().post(url_of(alice), FEEDBACK)

    page = login(mediator).get(case.get_absolute_url()).content.decode()

    assert "surveys-heading" not in page and "Thank you, it helped." not in page


def test_recording_on_an_open_case_is_refused_with_the_reason(case, login, coordinator):
    alice = case.parties.get(full_name="Alice Carter")

    response = login(coordinator).post(record_url(case, alice), {"felt_heard": "5"}, follow=True)

    assert "once the case has closed" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_a_follow_up_answered_by_phone_is_the_follow_up_done(case, close, login, coordinator):
    close(case, follow_up_days=0)
    alice = case.parties.get(full_name="Alice Carter")

    response = login(coordinator).post(
        record_url(case, alice, "follow_up"),
        {"agreement_holding": "partly", "problem_back": "sometimes", "contacted_police": "no"},
    )

    assert response.status_code == 302
    answer = FollowUpAnswer.objects.get()
    assert (answer.agreement_holding, answer.contacted_police, answer.contacted_council) == (
        "partly",
        False,
        None,
    )
    case.refresh_from_db()
    assert case.follow_up_done_on == timezone.localdate()


def test_a_follow_up_answered_online_is_the_follow_up_done(case, close, client):
    from surveys.services import queue_follow_up_surveys

    close(case, follow_up_days=0)
    queue_follow_up_surveys()
    invitation = SurveyInvitation.objects.get(party__full_name="Bob Dunn", kind="follow_up")

    client.post(url_of(invitation), {"agreement_holding": "yes", "problem_back": "no"})

    case.refresh_from_db()
    assert case.follow_up_done_on == timezone.localdate()
    assert "How are things now?" not in client.get(url_of(invitation)).content.decode()


def test_the_case_page_shows_coordinators_who_answered_in_fixed_queries(
    case, close, login, coordinator, django_assert_max_num_queries
):
    from tests.factories import PartyFactory, consent_all

    close(case)
    client = login(coordinator)
    client.get(case.get_absolute_url())  # warm up
    with django_assert_max_num_queries(60) as few:
        client.get(case.get_absolute_url())
    baseline = len(few)
    print(f"\ncase page of a closed case with 2 parties: {baseline} queries")
    for n in range(4):
        consent_all(PartyFactory(case=case, full_name=f"Extra Person{n}", phone="+447911000111"))
    for invitation in SurveyInvitation.objects.all():
        Client().post(url_of(invitation), FEEDBACK)
    client.get(case.get_absolute_url())  # warm up again (the rules' cache was invalidated)
    # Four more parties: no more queries (the survey panel is two, however many parties).
    with django_assert_max_num_queries(baseline):
        page = client.get(case.get_absolute_url())
    assert page.content.decode().count("Answered</span>") == 2
