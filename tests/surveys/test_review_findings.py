"""Review of issue 19, findings 8 and 11 (the surveys' side): the follow-up recorded by phone
before its date, the follow-up's wording, the question about a referrer nobody had, and an
answer clicked by mistake that could not be taken back."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from notifications.messages import render_message, sms_parts
from notifications.models import OutboxMessage
from surveys.models import FeedbackAnswer, FollowUpAnswer, SurveyInvitation
from surveys.services import queue_follow_up_surveys
from tests.surveys.test_pages import FEEDBACK, record_url, url_of

pytestmark = pytest.mark.django_db


def test_the_follow_up_by_phone_is_refused_before_its_date_with_the_date(
    case, close, login, coordinator
):
    close(case, follow_up_days=90)
    alice = case.parties.get(full_name="Alice Carter")
    due = date_format(timezone.localdate() + datetime.timedelta(days=90), "j F Y")

    page = login(coordinator).get(case.get_absolute_url())
    response = login(coordinator).post(
        record_url(case, alice, "follow_up"), {"agreement_holding": "yes"}, follow=True
    )

    assert record_url(case, alice, "follow_up") not in page.content.decode()
    assert f"to be asked from {timezone.localdate() + datetime.timedelta(days=90):%-d %b %Y}" in (
        page.content.decode()
    )
    assert f"The follow-up is due on {due}" in response.content.decode()
    assert not FollowUpAnswer.objects.exists()
    case.refresh_from_db()
    assert case.follow_up_done_on is None


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_follow_up_says_when_the_case_closed(case, close, channel):
    alice = case.parties.get(full_name="Alice Carter")
    if channel == "email":
        alice.preferred_contact, alice.email = "email", "alice@example.org"
        alice.save()
    close(case, follow_up_days=0)
    queue_follow_up_surveys()
    message = OutboxMessage.objects.get(party=alice, kind="survey_follow_up")

    rendered = render_message(message)

    words = rendered.text
    assert "few months ago" not in words
    assert date_format(timezone.localdate(), "F Y") in words
    if channel == "sms":
        assert sms_parts(words) <= 2


def follow_up_page(case, close, client, **case_fields):
    for name, value in case_fields.items():
        setattr(case, name, value)
    case.save()
    close(case, follow_up_days=0)
    queue_follow_up_surveys()
    invitation = SurveyInvitation.objects.get(party__full_name="Alice Carter", kind="follow_up")
    return invitation, client.get(url_of(invitation)).content.decode()


def test_a_self_referral_is_not_asked_about_the_organisation_that_referred_them(
    case, close, client
):
    invitation, page = follow_up_page(case, close, client, referral_source="self", referrer=None)

    assert "organisation that referred you" not in page
    assert "four short questions" in page
    client.post(url_of(invitation), {"agreement_holding": "yes", "contacted_referrer": "yes"})
    assert FollowUpAnswer.objects.get().contacted_referrer is None


def test_a_referred_case_is_asked_about_its_referrer(case, close, client):
    _invitation, page = follow_up_page(case, close, client, referral_source="housing")

    assert "Contacted the organisation that referred you" in page
    assert "five short questions" in page


def test_a_question_can_be_left_out_after_a_choice_was_clicked(invitation_of_alice, client):
    page = client.get(url_of(invitation_of_alice)).content.decode()
    assert page.count("Prefer not to say") >= 5

    response = client.post(
        url_of(invitation_of_alice), FEEDBACK | {"mediators_impartial": "", "felt_heard": ""}
    )

    assert response.status_code == 302
    answer = FeedbackAnswer.objects.get()
    assert (answer.felt_heard, answer.mediators_impartial, answer.process_clear) == (None, None, 3)


@pytest.fixture
def invitation_of_alice(case, close):
    close(case)
    return SurveyInvitation.objects.get(party__full_name="Alice Carter", kind="feedback")


# --- Finding 12: the trail of views, and a browser that blocks cookies --------------------------


def test_opening_the_survey_page_again_and_again_is_audited_once_an_hour(
    invitation_of_alice, client
):
    from audit.models import AuditEvent
    from surveys.services import record_page_view

    views = AuditEvent.objects.filter(action="view", object_type="surveys.surveyinvitation")
    for _ in range(5):
        assert client.get(url_of(invitation_of_alice)).status_code == 200
    assert views.count() == 1

    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    assert record_page_view(invitation_of_alice, now=later)
    assert views.count() == 2
    # Another party's page is another line; the answer is always audited.
    bob = SurveyInvitation.objects.get(party__full_name="Bob Dunn", kind="feedback")
    client.get(url_of(bob))
    assert views.count() == 3
    client.post(url_of(invitation_of_alice), FEEDBACK)
    assert AuditEvent.objects.filter(action="create", object_type="surveys.feedbackanswer").exists()


def test_a_survey_sent_without_its_cookie_gets_a_plain_words_page(invitation_of_alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(url_of(invitation_of_alice), FEEDBACK)

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your answer could not be sent" in page
    assert "allow cookies" in page
    assert "CSRF" not in page
    assert not FeedbackAnswer.objects.exists()
