"""Who is asked the feedback survey when a case closes, how, and what stops it."""

import datetime

import pytest
from django.utils import timezone

from cases.services import case_reopen
from notifications.dispatch import claim, send_claim
from notifications.models import ManualContact, OutboxMessage
from notifications.outbox import may_still_go_q
from parties.services import consent_withdraw
from surveys.models import SurveyInvitation
from surveys.services import invite, queue_follow_up_surveys, why_not_recordable
from tests.factories import held_session

pytestmark = pytest.mark.django_db


def survey_messages(**which):
    return OutboxMessage.objects.filter(kind__startswith="survey_", **which)


def test_closing_asks_each_party_by_their_channel(case, close):
    alice = case.parties.get(full_name="Alice Carter")
    bob = case.parties.get(full_name="Bob Dunn")
    bob.preferred_contact, bob.email = "email", "bob@example.org"
    bob.save()

    close(case)

    rows = {m.party_id: m for m in survey_messages()}
    assert set(rows) == {alice.pk, bob.pk}
    assert (rows[alice.pk].channel, rows[alice.pk].address) == ("sms", alice.phone)
    assert (rows[bob.pk].channel, rows[bob.pk].address) == ("email", "bob@example.org")
    assert {m.kind for m in rows.values()} == {"survey_feedback"}
    invitations = SurveyInvitation.objects.filter(case=case, kind="feedback")
    assert {(i.party_id, i.via) for i in invitations} == {(alice.pk, "sms"), (bob.pk, "email")}
    for invitation in invitations:
        days = (invitation.expires_at - timezone.now()).days
        assert 27 <= days <= 28
        assert rows[invitation.party_id].dedupe_key == f"survey:{invitation.pk}"


def test_a_party_who_prefers_letters_is_a_letter_for_the_coordinator(case, close):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()

    close(case)

    task = ManualContact.objects.get(party=alice)
    assert (task.kind, task.method, task.status) == ("survey_feedback", "letter", "open")
    assert not survey_messages(party=alice).exists()
    assert SurveyInvitation.objects.get(party=alice).via == "letter"


def test_a_landline_is_a_call(case, close):
    alice = case.parties.get(full_name="Alice Carter")
    alice.phone = "+441732123456"
    alice.email = ""
    alice.save()

    close(case)

    task = ManualContact.objects.get(party=alice)
    assert (task.kind, task.method) == ("survey_feedback", "phone")


def test_no_invitation_without_data_processing_consent(case, close):
    alice = case.parties.get(full_name="Alice Carter")
    alice.consents.filter(kind="data_processing").delete()

    close(case)

    assert not SurveyInvitation.objects.filter(party=alice).exists()
    assert not survey_messages(party=alice).exists()
    assert SurveyInvitation.objects.filter(case=case).count() == 1


def test_no_invitation_after_withdrawal(case, close, coordinator):
    alice = case.parties.get(full_name="Alice Carter")
    consent_withdraw(consent=alice.consents.get(kind="mediate"), by=coordinator)

    close(case)

    assert not SurveyInvitation.objects.filter(party=alice).exists()


def test_no_invitation_for_someone_unreachable(case, close):
    """Letters preferred, and no address to write to."""
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact, alice.address_line1, alice.postcode = "letter", "", ""
    alice.save()

    close(case)

    assert not SurveyInvitation.objects.filter(party=alice).exists()
    assert not ManualContact.objects.filter(party=alice).exists()


def test_never_to_a_party_of_a_case_not_closed(case):
    alice = case.parties.get(full_name="Alice Carter")

    assert invite(case=case, party=alice, kind="feedback") is None
    assert not SurveyInvitation.objects.exists()


def test_never_twice(case, close):
    close(case)
    alice = case.parties.get(full_name="Alice Carter")
    case.refresh_from_db()

    again = invite(case=case, party=alice, kind="feedback")

    assert again.asked_now is False
    assert survey_messages(party=alice).count() == 1


def test_withdrawing_consent_cancels_the_survey_message(case, close, coordinator):
    close(case)
    alice = case.parties.get(full_name="Alice Carter")

    consent_withdraw(consent=alice.consents.get(kind="data_processing"), by=coordinator)

    assert survey_messages(party=alice).get().status == "cancelled"
    assert survey_messages(party__full_name="Bob Dunn").get().status == "pending"


def test_reopening_cancels_what_is_unsent_and_closing_again_sends_it_once(case, close, coordinator):
    close(case)
    alice = case.parties.get(full_name="Alice Carter")
    bob = case.parties.get(full_name="Bob Dunn")
    survey_messages(party=bob).update(status="sent", sent_at=timezone.now())

    case_reopen(case=case, by=coordinator, reason="The noise started again")

    assert survey_messages(party=alice).get().status == "cancelled"
    assert survey_messages(party=bob).get().status == "sent"

    close(case)

    # Alice is asked after all, once; Bob, already told, is not told twice.
    assert survey_messages(party=alice).get().status == "pending"
    assert survey_messages(party=bob).count() == 1
    assert survey_messages(party=bob).get().status == "sent"


def test_the_dispatcher_holds_back_a_survey_whose_case_was_reopened_however(case, close):
    close(case)
    message = survey_messages().first()
    assert OutboxMessage.objects.filter(may_still_go_q(), pk=message.pk).exists()

    # Reopened by a data fix, not by the service: the message is still pending...
    type(case).objects.filter(pk=case.pk).update(status="active")

    # ...but the dispatcher will not send it.
    assert not OutboxMessage.objects.filter(may_still_go_q(), pk=message.pk).exists()


def test_an_answered_or_expired_survey_message_does_not_go(case, close):
    close(case)
    first, second = survey_messages().order_by("pk")
    SurveyInvitation.objects.filter(pk=first.context["invitation"]).update(
        answered_at=timezone.now()
    )
    SurveyInvitation.objects.filter(pk=second.context["invitation"]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert not OutboxMessage.objects.filter(may_still_go_q(), pk__in=[first.pk, second.pk])


def test_the_survey_email_is_sent_with_the_personal_link(case, close, settings, mailoutbox):
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    settings.QUIET_HOURS_START = settings.QUIET_HOURS_END = 0
    bob = case.parties.get(full_name="Bob Dunn")
    bob.preferred_contact, bob.email = "email", "bob@example.org"
    bob.save()
    close(case)

    send_claim(claim(now=timezone.now() + datetime.timedelta(minutes=1)))

    assert survey_messages(status="sent").count() == 2
    (email,) = mailoutbox
    assert email.subject == "West Kent Mediation: how did mediation go for you?"
    invitation = SurveyInvitation.objects.get(party=bob)
    from surveys.links import survey_url

    assert survey_url(invitation.pk) in email.body
    assert "Alice" not in email.body and "Carter" not in email.body


def test_the_follow_up_job_asks_at_the_date_once(case, close):
    close(case, follow_up_days=0)
    today = timezone.localdate()

    assert queue_follow_up_surveys(today - datetime.timedelta(days=1)) == 0
    assert queue_follow_up_surveys(today) == 2
    assert queue_follow_up_surveys(today) == 0

    assert survey_messages(kind="survey_follow_up").count() == 2
    assert SurveyInvitation.objects.filter(kind="follow_up").count() == 2


def test_the_follow_up_job_leaves_long_overdue_and_done_follow_ups(case, close):
    from cases.services import follow_up_done

    close(case, follow_up_days=0)
    today = timezone.localdate()

    assert queue_follow_up_surveys(today + datetime.timedelta(days=29)) == 0
    follow_up_done(case=case, by=None)
    assert queue_follow_up_surveys(today) == 0


def test_closing_from_the_page_says_who_will_be_asked(case, login, coordinator):
    alice = case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "letter"
    alice.save()
    today = timezone.localdate()
    held_session(case)

    response = login(coordinator).post(
        f"/cases/{case.reference}/close/",
        {"outcome": "no_agreement", "closed_on": today.isoformat(), "follow_up_on": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert (
        "The parties will be asked for their feedback: 1 by text or email and 1 by a call or "
        "letter for you to make (see To phone or write)." in response.content.decode()
    )


@pytest.mark.parametrize("outcome", ["withdrawn", "unsuitable", "not_contactable"])
def test_nobody_is_asked_when_the_case_closed_without_mediation(case, login, coordinator, outcome):
    """Review finding 6: parties who never met a mediator cannot say whether the mediators took
    sides, would skew the figures, and a "not contactable" party is not to be contacted. The
    closing message says why nobody is asked; nor is the follow-up sent, nor can either be
    recorded by phone."""
    today = timezone.localdate()
    session = held_session(case, kind="intake")  # an intake visit is not mediation

    response = login(coordinator).post(
        f"/cases/{case.reference}/close/",
        {"outcome": outcome, "closed_on": today.isoformat(), "follow_up_on": today.isoformat()},
        follow=True,
    )

    page = response.content.decode()
    assert "No feedback survey: mediation did not take place." in page
    assert "will be asked for their feedback" not in page
    assert not SurveyInvitation.objects.filter(case=case).exists()
    assert not OutboxMessage.objects.filter(kind__startswith="survey").exists()
    assert queue_follow_up_surveys(today) == 0
    assert not SurveyInvitation.objects.exists()
    alice = case.parties.prefetch_related("consents").get(full_name="Alice Carter")
    case.refresh_from_db()
    for kind in ("feedback", "follow_up"):
        assert "mediation did not take place" in why_not_recordable(case, alice, kind)
    assert session.kind == "intake"


def test_a_case_closed_as_withdrawn_after_a_meeting_is_asked(case, close, coordinator):
    """The rule is whether mediation took place, not the outcome: a party who withdrew after a
    joint meeting has something to say about it."""
    from cases.services import case_close

    held_session(case)
    case_close(case=case, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate())

    assert SurveyInvitation.objects.filter(case=case, kind="feedback").count() == 2
