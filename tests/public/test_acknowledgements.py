"""The public forms tell the person their request or application arrived, through the outbox,
and only in the way they asked to be contacted."""

import pytest
from django.core import mail

from cases.models import Case
from notifications.dispatch import dispatch_due
from notifications.models import OutboxMessage
from parties.services import consent_withdraw
from tests.public.helpers import application_data, referral_data
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

REFER = "/help/refer/"
APPLY = "/help/volunteer/"


def by_email(**overrides):
    return referral_data(
        **{
            "person-preferred_contact": "email",
            "person-email": "alice@example.org",
            **overrides,
        }
    )


def test_a_self_referrer_who_asked_for_email_is_emailed_that_it_arrived(client, settings):
    settings.PUBLIC_REPLY_WORKING_DAYS = 4

    assert client.post(REFER, by_email()).status_code == 302

    party = Case.objects.get().parties.get()
    message = OutboxMessage.objects.get()
    assert (message.kind, message.channel, message.party, message.address) == (
        "referral_received",
        "email",
        party,
        "alice@example.org",
    )
    assert dispatch_due(max_seconds=5) == 1
    (email,) = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "we have your request" in email.subject
    assert "Hello Alice," in email.body and "within 4 working days" in email.body
    message.refresh_from_db()
    assert message.status == "sent"


def test_the_acknowledgement_carries_nothing_of_the_dispute_or_anyone_else(client):
    client.post(REFER, by_email())
    case = Case.objects.get()

    dispatch_due(max_seconds=5)

    (email,) = mail.outbox
    everything = email.subject + email.body + email.alternatives[0][0]
    for detail in ("Music", "2am", "Mr Lee", "number 14", "neighbour", case.reference, "TN9"):
        assert detail not in everything


def test_a_self_referrer_who_asked_for_texts_gets_a_text(client, settings):
    settings.SMS_BACKEND = "tests.sinks.SMSBackend"
    client.post(
        REFER,
        referral_data(**{"person-preferred_contact": "sms", "person-phone": "07911 123456"}),
    )

    message = OutboxMessage.objects.get()
    assert (message.kind, message.channel, message.address) == (
        "referral_received",
        "sms",
        "+447911123456",
    )


@pytest.mark.parametrize(
    "overrides",
    [
        # Asked for a call (the form's default here), with an email address given too: a
        # message could be read by someone else at home; the coordinator calls, as asked.
        {"person-email": "alice@example.org"},
        {"person-preferred_contact": "letter"},
    ],
)
def test_a_self_referrer_who_asked_for_a_call_or_a_letter_gets_no_message(client, overrides):
    client.post(REFER, referral_data(**overrides))

    assert Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_agency_referral_is_not_acknowledged_by_message(client):
    client.post(
        REFER,
        by_email(
            who="agency",
            referrer_name="Pat Jones",
            referrer_organisation="Tonbridge Housing",
            referrer_contact="pat@housing.example.org",
        ),
    )

    assert Case.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_referrer_who_withdraws_consent_before_it_goes_is_not_sent_it(client, coordinator):
    client.post(REFER, by_email())
    consent = Case.objects.get().parties.get().consents.get()
    consent_withdraw(consent=consent, by=coordinator)

    dispatch_due(max_seconds=5)

    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == "cancelled"


def test_a_refused_form_queues_nothing(client):
    client.post(REFER, by_email(**{"person-postcode": "nonsense"}))

    assert not Case.objects.exists() and not OutboxMessage.objects.exists()


def test_an_applicant_is_emailed_that_their_application_arrived(client, settings):
    settings.PUBLIC_REPLY_WORKING_DAYS = 5

    assert client.post(APPLY, application_data()).status_code == 302

    volunteer = Volunteer.objects.get()
    message = OutboxMessage.objects.get()
    assert (message.kind, message.channel, message.volunteer, message.address) == (
        "application_received",
        "email",
        volunteer,
        "priya@example.org",
    )
    # An applicant does not work yet, and is still told.
    assert dispatch_due(max_seconds=5) == 1
    (email,) = mail.outbox
    assert email.to == ["priya@example.org"] and "application" in email.subject
    assert "Hello Priya," in email.body and "within 5 working days" in email.body
    assert "residents' group" not in email.body  # not what they wrote


def test_an_application_turned_down_before_the_message_went_is_not_acknowledged(client):
    client.post(APPLY, application_data())
    Volunteer.objects.update(status=Volunteer.Status.INACTIVE)

    assert dispatch_due(max_seconds=5) == 0

    assert mail.outbox == []
    assert OutboxMessage.objects.get().status == "cancelled"
