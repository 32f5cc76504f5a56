"""The surveys' other rules: rule 10 in their words, a change of contact details, erasure and
retention, subject access, the calls and letters on the case page, and hostile input."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications.manual import complete
from notifications.messages import render_message, sms_parts
from notifications.models import ManualContact, OutboxMessage
from parties.services import party_update
from parties.validators import display_phone
from surveys.export import survey_answers_of
from surveys.links import survey_token
from surveys.models import FeedbackAnswer, SurveyInvitation
from surveys.services import queue_follow_up_surveys, record_answers

pytestmark = pytest.mark.django_db


def details_of(party) -> list[str]:
    return [
        party.full_name,
        party.full_name.split()[-1],
        party.phone,
        display_phone(party.phone),
        party.email,
        party.address_line1,
        party.postcode,
    ]


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_no_survey_message_names_another_party_or_the_dispute(case, close, channel):
    for party in case.parties.all():
        party.preferred_contact = channel
        party.save()
    close(case, follow_up_days=0)
    queue_follow_up_surveys()

    messages = OutboxMessage.objects.filter(kind__startswith="survey_").select_related("party")
    assert {m.kind for m in messages} == {"survey_feedback", "survey_follow_up"}
    assert {m.channel for m in messages} == {channel}
    parties = list(case.parties.all())
    for message in messages:
        rendered = render_message(message)
        words = "\n".join((rendered.subject, rendered.text, rendered.html))
        assert survey_token(message.context["invitation"]) in words
        if channel == "email":
            assert f"Hello {message.party.first_name}," in words
        for other in parties:
            if other.pk != message.party_id:
                leaked = [d for d in details_of(other) if d and d in words]
                assert leaked == [], (message.kind, leaked)
        # Nothing of the dispute, the case or its outcome.
        for secret in (
            case.summary,
            case.reference,
            "no_agreement",
            "No agreement",
            "unsuitable",
            "noise",
        ):
            assert secret not in words
        if channel == "sms":
            assert sms_parts(rendered.text) <= 2, rendered.text


def test_a_party_who_asks_for_letters_after_closing_gets_a_letter_instead(case, close, coordinator):
    close(case)
    alice = case.parties.get(full_name="Alice Carter")

    party_update(party=alice, by=coordinator, fields={"preferred_contact": "letter"})

    message = OutboxMessage.objects.get(party=alice, kind="survey_feedback")
    assert message.status == "cancelled"
    task = ManualContact.objects.get(party=alice, kind="survey_feedback")
    assert (task.method, task.status) == ("letter", "open")
    assert SurveyInvitation.objects.get(party=alice).via == "letter"


def test_the_letter_on_the_case_page_has_the_link_and_a_qr_code(case, close, login, coordinator):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    close(case)
    invitation = SurveyInvitation.objects.get(party=alice)

    page = login(coordinator).get(case.get_absolute_url()).content.decode()

    assert "Post them the feedback survey" in page
    assert f"/s/{survey_token(invitation.pk)}/" in page
    assert '<svg class="qr-code" role="img" aria-label="QR code of Alice' in page
    assert "style=" not in page.split('class="qr-code"')[1].split("</svg>")[0]


def test_marking_the_letter_done_says_what_it_was(case, close, coordinator):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    close(case)

    task = complete(task=ManualContact.objects.get(party=alice), by=coordinator)

    assert task.status == "done"
    assert case.log_entries.filter(text="Wrote to Alice Carter about the feedback survey.").exists()


def test_a_survey_letter_is_no_longer_to_do_once_the_case_is_open_however(case, close):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    close(case)
    assert ManualContact.objects.to_do().filter(party=alice).exists()

    type(case).objects.filter(pk=case.pk).update(status="active")  # a data fix

    assert not ManualContact.objects.to_do().filter(party=alice).exists()


def test_a_follow_up_done_another_way_stops_the_follow_up_survey_still_to_go(case, close):
    """The coordinator phoned (or pressed the button) before the survey went: its text is not
    sent and its letter is no longer to do, so nobody is asked twice; the feedback survey is
    not touched."""
    from cases.services import follow_up_done
    from notifications.outbox import may_still_go_q

    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    close(case, follow_up_days=0)
    assert queue_follow_up_surveys(timezone.localdate()) == 2
    follow_ups = OutboxMessage.objects.filter(kind="survey_follow_up")
    assert follow_ups.filter(may_still_go_q()).count() == 1  # Bob's text
    assert ManualContact.objects.to_do().filter(party=alice, kind="survey_follow_up").exists()

    follow_up_done(case=case, by=None)

    assert not follow_ups.filter(may_still_go_q()).exists()
    assert not ManualContact.objects.to_do().filter(party=alice, kind="survey_follow_up").exists()
    assert OutboxMessage.objects.filter(kind="survey_feedback").filter(may_still_go_q()).exists()
    assert ManualContact.objects.to_do().filter(party=alice, kind="survey_feedback").exists()


def test_erasure_cancels_the_survey_and_clears_the_comments(case, close, coordinator, client):
    from privacy.services import erase_party

    close(case)
    alice, bob = (
        SurveyInvitation.objects.get(party__full_name=n) for n in ("Alice Carter", "Bob Dunn")
    )
    record_answers(invitation=bob, answers={"felt_heard": 4, "comments": "Alice shouted at me."})

    erase_party(party=alice.party, by=coordinator)

    assert OutboxMessage.objects.get(party=alice.party).status == "cancelled"
    assert client.get(f"/s/{survey_token(alice.pk)}/").status_code == 200
    assert "This survey is not open" in client.get(f"/s/{survey_token(alice.pk)}/").content.decode()
    # The case's free text goes, whoever wrote it; the scores stay for the statistics.
    answer = FeedbackAnswer.objects.get()
    assert (answer.comments, answer.felt_heard) == ("", 4)


def test_retention_clears_the_comments_and_keeps_the_scores(case, close):
    from privacy.services import anonymise_case

    close(case)
    bob = SurveyInvitation.objects.get(party__full_name="Bob Dunn")
    record_answers(invitation=bob, answers={"would_recommend": 5, "comments": "Thanks to Sam."})
    later = timezone.localdate() + datetime.timedelta(
        days=366 * settings.RETENTION_CLOSED_CASE_YEARS + 1
    )

    assert anonymise_case(case=case, today=later)["survey_answers"] == 1

    answer = FeedbackAnswer.objects.get()
    assert (answer.comments, answer.would_recommend) == ("", 5)


def test_subject_access_holds_the_partys_answers_and_not_the_others(case, close):
    close(case)
    alice, bob = (
        SurveyInvitation.objects.get(party__full_name=n) for n in ("Alice Carter", "Bob Dunn")
    )
    record_answers(invitation=alice, answers={"felt_heard": 2, "comments": "Mine."})
    record_answers(invitation=bob, answers={"felt_heard": 5, "comments": "Bob's."})

    (mine,) = survey_answers_of(alice.party)

    assert mine["survey"] == "Feedback after closing" and mine["given_by_phone"] is False
    assert {"question": "I felt listened to", "answer": "Disagree"} in mine["answers"]
    assert {"question": "Anything else you would like to tell us", "answer": "Mine."} in mine[
        "answers"
    ]
    assert "Bob's." not in str(mine)


def test_the_follow_up_job_runs_daily_from_beat():
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "surveys.tasks.queue_follow_up_surveys"
    )
    assert entry["schedule"].hour == {10}


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.dictionaries(
        st.sampled_from(
            ["felt_heard", "would_recommend", "comments", "agreement_holding", "contacted_police"]
        ),
        st.text(max_size=3000),
    )
)
def test_hostile_answers_never_break_the_page(invitation_url, data):
    response = Client().post(invitation_url, data)
    assert response.status_code in (200, 302), response.status_code
    FeedbackAnswer.objects.all().delete()
    SurveyInvitation.objects.update(answered_at=None)


@pytest.fixture
def invitation_url(case, close):
    close(case)
    return f"/s/{survey_token(SurveyInvitation.objects.first().pk)}/"
