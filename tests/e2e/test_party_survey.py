"""A party's journey through the feedback survey, in a browser on a phone: the email the
dispatcher sends when the case closes, the link in it, the answers, thank you; the same link
again says it was answered; a tampered link is the ordinary 404. axe-core at 375 px, and no
Content-Security-Policy violation."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cases.services import case_close
from notifications.dispatch import claim, send_claim
from surveys.models import FeedbackAnswer
from tests.e2e.conftest import no_horizontal_scroll, scan
from tests.factories import held_session, ready_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_party_answers_the_feedback_survey_from_their_email(open_page, coordinator, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    case = ready_case()
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact, alice.email = "email", "alice@example.org"
    alice.save()
    held_session(case)  # the survey is asked where mediation took place
    case_close(case=case, by=coordinator, outcome="no_agreement", closed_on=timezone.localdate())
    send_claim(claim(now=timezone.now() + datetime.timedelta(minutes=1)))

    (email,) = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    assert email.subject.endswith("how did mediation go for you?")
    link = re.search(r"https?://\S+/s/[a-z0-9.]+/", email.body).group(0)
    path = urlsplit(link).path

    page = open_page(width=375, height=700)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(path)
    expect(page.get_by_role("heading", name="How did mediation go for you?")).to_be_visible()
    assert no_horizontal_scroll(page) <= 375
    scan(page, "survey page (375 px)")

    # Nothing answered: the problem is summed up at the top, and nothing is recorded.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Answer at least one question")
    scan(page, "survey page with an error (375 px)")
    assert not FeedbackAnswer.objects.exists()

    heard = page.get_by_role("group", name="I felt listened to")
    heard.get_by_label("Strongly agree").check()
    page.get_by_role("group", name="I would recommend mediation to someone else").get_by_label(
        "Agree", exact=True
    ).check()
    # A choice clicked by mistake can be taken back (review finding 11).
    sides = page.get_by_role("group", name="The mediators did not take sides")
    sides.get_by_label("Disagree", exact=True).check()
    sides.get_by_label("Prefer not to say").check()
    page.get_by_label("Anything else you would like to tell us").fill("Thank you both.")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("status")).to_contain_text("Thank you: we have your answers")
    scan(page, "survey thank-you page (375 px)")
    answer = FeedbackAnswer.objects.get()
    assert (answer.felt_heard, answer.would_recommend, answer.comments) == (
        5,
        4,
        "Thank you both.",
    )
    assert answer.mediators_impartial is None

    # The same link again: answered already.
    page.goto(path)
    expect(page.get_by_role("heading", name="You have already answered")).to_be_visible()
    scan(page, "survey already answered (375 px)")

    # A tampered link: the service's own 404, nothing about the case.
    tampered = path[:-2] + ("a" if path[-2] != "a" else "b") + "/"
    response = page.goto(tampered)
    assert response.status == 404
    expect(page.get_by_role("heading", name="This page is not here")).to_be_visible()
    assert "Alice" not in page.content()
    assert not violations


def test_a_coordinator_prints_a_survey_letter_and_records_answers_given_by_phone(
    open_page, coordinator
):
    case = ready_case()
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    bob = case.parties.get(full_name="Bob Dunn")
    bob.preferred_contact, bob.phone, bob.email = "phone", "+441732123456", ""
    bob.save()
    held_session(case)
    case_close(
        case=case,
        by=coordinator,
        outcome="no_agreement",
        closed_on=timezone.localdate(),
        follow_up_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    page = open_page(coordinator, width=375, height=800)

    page.goto(case.get_absolute_url())
    expect(page.get_by_text("Post them the feedback survey").first).to_be_visible()
    expect(page.get_by_role("img", name="QR code of Alice's survey link")).to_be_visible()
    # The letter itself, to print and post (review finding 7a).
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter to Alice (PDF)").click()
    assert download.value.suggested_filename == f"{case.reference}-feedback-survey-letter.pdf"
    expect(page.get_by_role("heading", name="Surveys")).to_be_visible()
    scan(page, "case page with surveys (375 px)")

    page.get_by_role(
        "link", name=re.compile("Record answers given by phone.*feedback after closing, Bob Dunn")
    ).click()
    expect(
        page.get_by_role("heading", name="Feedback after closing: answers given by phone")
    ).to_be_visible()
    scan(page, "answers given by phone (375 px)")
    page.get_by_role("group", name="I felt listened to").get_by_label("Agree", exact=True).check()
    page.get_by_label("Anything else you would like to tell us").fill("Said it was helpful.")
    page.get_by_role("button", name="Record the answers").click()

    expect(page.get_by_text("Bob Dunn's answers are recorded")).to_be_visible()
    expect(page.get_by_text("by phone, recorded by")).to_be_visible()
    answer = FeedbackAnswer.objects.get()
    assert (answer.felt_heard, answer.recorded_by) == (4, coordinator)
