"""The daily jobs write each message once, through the outbox, and the dispatcher sends them."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import jobs
from notifications.dispatch import dispatch_due
from notifications.models import OutboxMessage
from tests.factories import CaseFactory, DBSCheckFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def test_it_warns_coordinators_of_expiring_dbs_checks_once_a_day(coordinator):
    soon = VolunteerFactory(first_name="Soon", status="mediator")
    DBSCheckFactory(volunteer=soon, issued_on=timezone.localdate() - datetime.timedelta(days=1080))
    fine = VolunteerFactory(first_name="Fine", status="mediator")
    DBSCheckFactory(volunteer=fine)

    assert jobs.queue_dbs_warnings() == 1
    assert jobs.queue_dbs_warnings() == 0  # the same day again: nothing new
    dispatch_due(max_seconds=5)

    (message,) = mail.outbox
    assert message.to == [coordinator.email]
    assert soon.full_name in message.body and fine.full_name not in message.body
    assert OutboxMessage.objects.get().status == "sent"


def test_it_reminds_the_coordinator_of_a_follow_up_due(coordinator):
    today = timezone.localdate()
    due = CaseFactory(
        status="closed", outcome="full_agreement", closed_on=today - datetime.timedelta(days=90),
        follow_up_on=today, coordinator=coordinator,
    )  # fmt: skip
    CaseFactory(
        status="closed", outcome="withdrawn", closed_on=today,
        follow_up_on=today + datetime.timedelta(days=90), coordinator=coordinator,
    )  # fmt: skip

    assert jobs.queue_follow_ups() == 1
    assert jobs.queue_follow_ups() == 0
    dispatch_due(max_seconds=5)

    assert [m.subject for m in mail.outbox] == [f"Follow-up due: {due.reference}"]


def test_it_sends_a_digest_of_referrals_without_mediators(coordinator, my_case):
    waiting = CaseFactory(status="awaiting_consent")

    assert jobs.queue_unassigned_digest() == 1
    dispatch_due(max_seconds=5)

    body = mail.outbox[0].body
    assert waiting.reference in body and my_case.reference not in body


def test_no_follow_up_reminder_goes_to_a_disabled_or_former_coordinator(coordinator, mediator):
    today = timezone.localdate()
    for who in (coordinator, mediator):  # the mediator never held the coordinator's role
        CaseFactory(
            status="closed", outcome="withdrawn", closed_on=today - datetime.timedelta(days=90),
            follow_up_on=today, coordinator=who,
        )  # fmt: skip
    coordinator.is_active = False
    coordinator.save()

    assert jobs.queue_follow_ups() == 0
    coordinator.is_active = True
    coordinator.save()
    assert jobs.queue_follow_ups() == 1
