"""The dispatcher, in-process: claiming, sending, retrying, failing, and what each message says."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from notifications import dispatch
from notifications.models import OutboxMessage
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def make_due(session):
    session.reminders.update(due_at=timezone.now() - datetime.timedelta(minutes=1))


def test_it_sends_due_reminders_once_and_records_the_provider_id(book, settings):
    settings.SMS_BACKEND = "notifications.sms.LoggingBackend"
    session = book()
    make_due(session)

    assert dispatch.dispatch_due(max_seconds=10) == 8
    assert dispatch.dispatch_due(max_seconds=10) == 0

    sent = session.reminders.all()
    assert {r.status for r in sent} == {"sent"}
    assert all(r.provider_message_id and r.sent_at and r.attempts == 1 for r in sent)
    assert len(mail.outbox) == 4 + 0  # parties and mediators by email; the rest by text
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == len(mail.outbox)


def test_it_leaves_reminders_that_are_not_due(book):
    book()

    assert dispatch.dispatch_due(max_seconds=5) == 0
    assert not OutboxMessage.objects.exclude(status="pending").exists()


def test_a_party_message_says_when_where_and_whom_to_call_and_nothing_else(book, active_case):
    alice = active_case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "email"
    alice.save()
    session = book(mode="home_visit", venue="")
    make_due(session)
    alice_reminders = session.reminders.filter(party=alice, channel="email")
    session.reminders.exclude(pk__in=alice_reminders).update(status="cancelled")

    dispatch.dispatch_due(max_seconds=5)

    body = mail.outbox[0].body
    assert "at your home" in body and "10:00" in body and "01732 000000" in body
    assert "Bob" not in body and "Dunn" not in body and active_case.reference not in body


def test_a_failed_send_is_retried_with_backoff_then_marked_failed(book, settings):
    settings.SMS_BACKEND = "tests.notifications.test_dispatch.BrokenSMS"
    settings.REMINDER_MAX_ATTEMPTS = 2
    session = book()
    make_due(session)
    session.reminders.filter(channel="email").update(status="cancelled")
    texts = session.reminders.filter(channel="sms")

    dispatch.dispatch_due(max_seconds=5)
    first = list(texts)
    assert {r.status for r in first} == {"pending"}
    assert all(r.due_at > timezone.now() and "provider down" in r.last_error for r in first)

    texts.update(due_at=timezone.now())
    dispatch.dispatch_due(max_seconds=5)
    assert {r.status for r in texts} == {"failed"}
    assert {r.attempts for r in texts} == {2}


class BrokenSMS:
    def send(self, **kwargs):
        from notifications.sms import SMSError

        raise SMSError("provider down")


def test_a_reminder_claimed_by_a_dead_worker_is_claimed_again_after_its_lease(book):
    session = book()
    make_due(session)
    claimed = dispatch.claim(batch=3)
    assert len(claimed.ids) == 3

    # The worker died: nothing else claims these until the lease runs out.
    assert set(dispatch.claim(batch=100).ids).isdisjoint(claimed.ids)
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert set(dispatch.claim(batch=100, now=later).ids) >= set(claimed.ids)


def test_a_run_whose_claim_was_taken_over_sends_nothing(book):
    session = book()
    make_due(session)
    slow = dispatch.claim(batch=100)
    # The slow run's lease ran out and another run took the rows over.
    later = timezone.now() + datetime.timedelta(minutes=10)
    OutboxMessage.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    fast = dispatch.claim(batch=100, now=later)

    assert dispatch.send_claim(slow) == 0
    assert dispatch.send_claim(fast) == len(fast.ids) == 8


def test_a_run_whose_lease_ran_out_sends_nothing_even_before_a_takeover(book):
    session = book()
    make_due(session)
    claimed = dispatch.claim(batch=100)
    OutboxMessage.objects.update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))

    assert dispatch.send_claim(claimed) == 0
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).exists()


def test_a_session_cancelled_while_its_batch_is_going_out_sends_no_more(
    book, coordinator, settings, monkeypatch
):
    """The batch is read once; each reminder's row is asked again just before it goes."""
    from sessions.services import session_cancel

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session = book()
    make_due(session)
    claimed = dispatch.claim(batch=100)
    assert len(claimed.ids) > 1
    send = dispatch._send
    sent = []

    def send_then_cancel(reminder):
        sent.append(reminder.pk)
        if len(sent) == 1:  # the coordinator cancels the session while the first goes out
            session_cancel(session=session, by=coordinator)
        return send(reminder)

    monkeypatch.setattr(dispatch, "_send", send_then_cancel)

    assert dispatch.send_claim(claimed) == 1
    assert sent == sent[:1]
    assert (
        OutboxMessage.objects.filter(
            kind=OutboxMessage.Kind.SESSION_REMINDER, status=OutboxMessage.Status.SENT
        ).count()
        == 1
    )


def test_a_cancelled_session_sends_no_reminder_even_if_already_claimed(book, coordinator):
    from sessions.services import session_cancel

    session = book()
    make_due(session)
    claimed = dispatch.claim(batch=100)
    session_cancel(session=session, by=coordinator)

    assert dispatch.send_claim(claimed) == 0


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_nothing_twice(book, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for day in range(1, 6):
        session = book(starts_at=at(day, 10), ends_at=at(day, 11))
        make_due(session)
    total = OutboxMessage.objects.count()
    sent = []

    def dispatcher():
        try:
            sent.append(dispatch.dispatch_due(batch=3, max_seconds=20))
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(sent) == total
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    ids = [m.extra_headers["Message-ID"] for m in mail.outbox if "Message-ID" in m.extra_headers]
    assert len(ids) == len(set(ids)) == OutboxMessage.objects.filter(channel="email").count()
