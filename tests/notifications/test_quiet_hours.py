"""Quiet hours (21:00 to 08:00, London time) at send time, on every path a text can take to the
dispatcher: a first try, a retry after a failure, a backlog after an outage, a lease taken over
from a dead worker, a cancellation notice — and what happens to a notice that can no longer
arrive in time. The clock is frozen (time-machine); emails are never held."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cases.models import ContactLogEntry
from notifications import dispatch
from notifications.models import ManualContact, OutboxMessage
from notifications.quiet_hours import in_quiet_hours, last_moment_before, quiet_hours_end
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MOBILE = "+447911123456"  # a mobile to phonenumbers (07700 900xxx drama numbers are not)


def london(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


# A Tuesday in January (GMT); the session is on Friday morning.
TUESDAY = (2027, 1, 12)


@pytest.fixture
def clock(time_machine):
    """The clock, frozen at noon on TUESDAY before anything is made; clock(hour, minute, day=)
    moves it."""
    time_machine.move_to(london(*TUESDAY, 12), tick=False)

    def move(hour, minute=0, *, day=TUESDAY[2]):
        time_machine.move_to(london(*TUESDAY[:2], day, hour, minute), tick=False)

    return move


@pytest.fixture
def alice(active_case, coordinator):
    """A party who prefers texts, on a mobile number; the other party prefers email, and the
    case is ``coordinator``'s."""
    party = active_case.parties.get(full_name="Alice Carter")
    party.preferred_contact = "sms"
    party.phone = MOBILE
    party.save()
    active_case.parties.filter(full_name="Bob Dunn").update(preferred_contact="email")
    active_case.coordinator = coordinator
    active_case.save()
    return party


@pytest.fixture
def session(clock, book, alice):
    """Friday 15 January 2027 at 10:00, with no reminders of its own: each test writes the
    rows it is about."""
    booked = book(starts_at=london(2027, 1, 15, 10), ends_at=london(2027, 1, 15, 11))
    booked.reminders.all().delete()
    return booked


def text(session, party, due_at, *, kind=OutboxMessage.Kind.SESSION_REMINDER, **fields):
    return OutboxMessage.objects.create(
        kind=kind,
        channel=OutboxMessage.Channel.SMS,
        session=session,
        party=party,
        address=MOBILE,
        lead_minutes=120 if kind == OutboxMessage.Kind.SESSION_REMINDER else None,
        due_at=due_at,
        **fields,
    )


class Texts:
    """An SMS backend that records what it was handed, and when."""

    sent: list = []

    def send(self, *, to, body, idempotency_key):
        Texts.sent.append((timezone.localtime(), to, body))
        return f"sms-{len(Texts.sent)}"


class BrokenSMS:
    def send(self, **kwargs):
        from notifications.sms import SMSError

        raise SMSError("provider down")


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "tests.notifications.test_quiet_hours.Texts"
    Texts.sent = []
    return Texts.sent


def held_until_morning(row, *, attempts=0):
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.PENDING
    assert row.due_at == london(*TUESDAY[:2], 13, 8)  # Wednesday 08:00
    assert row.attempts == attempts  # the wait is not an attempt
    assert row.claimed_until is None


# --- The arithmetic ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "quiet", "end"),
    [
        ((12, 20, 59), False, (12, 20, 59)),
        ((12, 21, 0), True, (13, 8, 0)),
        ((12, 23, 59), True, (13, 8, 0)),
        ((13, 0, 0), True, (13, 8, 0)),
        ((13, 7, 59), True, (13, 8, 0)),
        ((13, 8, 0), False, (13, 8, 0)),
    ],
)
def test_quiet_hours_run_from_21_00_to_08_00_london_time(moment, quiet, end):
    day, hour, minute = moment
    at_moment = london(2027, 1, day, hour, minute)

    assert in_quiet_hours(at_moment) is quiet
    # The same moment in UTC reads the same (the hour is London's, however it is given).
    assert in_quiet_hours(at_moment.astimezone(datetime.UTC)) is quiet
    assert quiet_hours_end(at_moment) == london(2027, 1, *end)


@pytest.mark.parametrize(
    ("moment", "end", "evening_before"),
    [
        # The clocks go forward at 01:00 GMT on Sunday 28 March 2027.
        (london(2027, 3, 27, 22), london(2027, 3, 28, 8), london(2027, 3, 27, 20, 45)),
        (london(2027, 3, 28, 3), london(2027, 3, 28, 8), london(2027, 3, 27, 20, 45)),
        # They go back at 02:00 BST on Sunday 31 October 2027.
        (london(2027, 10, 30, 22), london(2027, 10, 31, 8), london(2027, 10, 30, 20, 45)),
        (london(2027, 10, 31, 5), london(2027, 10, 31, 8), london(2027, 10, 30, 20, 45)),
    ],
)
def test_quiet_hours_end_at_08_00_and_begin_at_21_00_whichever_side_of_a_clock_change(
    moment, end, evening_before
):
    assert quiet_hours_end(moment) == end
    assert timezone.localtime(quiet_hours_end(moment)).hour == 8
    assert last_moment_before(moment) == evening_before
    assert timezone.localtime(last_moment_before(moment)).strftime("%H:%M") == "20:45"


def test_the_hour_is_londons_in_summer_too():
    """21:30 BST is 20:30 UTC: quiet; 07:30 UTC is 08:30 BST: not."""
    assert in_quiet_hours(datetime.datetime(2027, 7, 20, 20, 30, tzinfo=datetime.UTC))
    assert not in_quiet_hours(datetime.datetime(2027, 7, 21, 7, 30, tzinfo=datetime.UTC))


def test_quiet_hours_end_on_the_right_day_across_a_clock_change():
    """The night the clocks go forward is an hour short: 08:00 BST is 07:00 UTC, and the
    night they go back an hour long: 08:00 GMT is 08:00 UTC."""
    assert quiet_hours_end(london(2027, 3, 27, 23)).astimezone(datetime.UTC) == datetime.datetime(
        2027, 3, 28, 7, tzinfo=datetime.UTC
    )
    assert quiet_hours_end(london(2027, 10, 30, 23)).astimezone(datetime.UTC) == datetime.datetime(
        2027, 10, 31, 8, tzinfo=datetime.UTC
    )


# --- At send time, on every path -------------------------------------------------------------


def test_first_try_a_text_that_falls_due_in_quiet_hours_waits_until_they_end(
    session, alice, clock, texts
):
    """Due at 20:55, but the dispatcher only got to it at 21:05."""
    row = text(session, alice, london(*TUESDAY, 20, 55))
    clock(21, 5)

    assert dispatch.dispatch_due(max_seconds=5) == 0

    assert texts == []
    held_until_morning(row)
    # It is claimed again when quiet hours end, not every minute meanwhile.
    clock(21, 6)
    assert not dispatch.claim()
    clock(7, 59, day=13)
    assert not dispatch.claim()
    clock(8, 0, day=13)
    assert dispatch.dispatch_due(max_seconds=5) == 1
    assert [(when.strftime("%d %H:%M"), to) for when, to, _body in texts] == [("13 08:00", MOBILE)]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 1)


def test_retry_a_text_that_failed_before_quiet_hours_is_not_retried_during_them(
    session, alice, clock, texts, settings
):
    """Reproduced: a retry after a failure at 20:59 went out at 22:28."""
    settings.SMS_BACKEND = "tests.notifications.test_quiet_hours.BrokenSMS"
    settings.REMINDER_MAX_ATTEMPTS = 2
    row = text(session, alice, london(*TUESDAY, 20, 59))
    clock(20, 59)
    dispatch.dispatch_due(max_seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert row.due_at == london(*TUESDAY, 21, 0)  # the backoff: a minute, into quiet hours

    settings.SMS_BACKEND = "tests.notifications.test_quiet_hours.Texts"
    clock(22, 28)
    assert dispatch.dispatch_due(max_seconds=5) == 0

    assert texts == []
    # The wait does not use up attempts: with two allowed, it is still tried in the morning.
    held_until_morning(row, attempts=1)
    row.refresh_from_db()
    assert "provider down" in row.last_error
    clock(8, 0, day=13)
    assert dispatch.dispatch_due(max_seconds=5) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxMessage.Status.SENT, 2)


def test_backlog_after_an_outage_texts_long_overdue_wait_for_the_morning_emails_go(
    session, alice, active_case, clock, texts
):
    """The dispatcher was down from 18:00 to 23:30: a text due at 19:00 is not sent at
    23:30, an email due then is."""
    row = text(session, alice, london(*TUESDAY, 19))
    grace = active_case.assignments.get(role="co_mediator").volunteer
    email = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.SESSION_REMINDER,
        channel=OutboxMessage.Channel.EMAIL,
        session=session,
        volunteer=grace,
        address=grace.email,
        lead_minutes=120,
        due_at=london(*TUESDAY, 19),
    )
    clock(23, 30)
    mail.outbox.clear()

    assert dispatch.dispatch_due(max_seconds=5) == 1

    assert texts == []
    held_until_morning(row)
    email.refresh_from_db()
    assert email.status == OutboxMessage.Status.SENT
    assert [m.to for m in mail.outbox] == [[grace.email]]


def test_lease_takeover_a_text_taken_over_from_a_dead_worker_in_quiet_hours_waits(
    session, alice, clock, texts
):
    row = text(session, alice, london(*TUESDAY, 20, 50))
    clock(20, 54)
    assert dispatch.claim().ids == [row.pk]  # ... and the worker died before sending it
    clock(20, 58)
    assert not dispatch.claim()  # its lease (five minutes) has not run out

    clock(21, 1)
    taken_over = dispatch.claim()
    assert taken_over.ids == [row.pk]
    assert dispatch.send_claim(taken_over) == 0

    assert texts == []
    # The dead worker's claim was an attempt (it may have gone); the takeover's wait is not.
    held_until_morning(row, attempts=1)


def test_an_email_is_not_held_in_quiet_hours(session, active_case, clock):
    grace = active_case.assignments.get(role="co_mediator").volunteer
    row = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.SESSION_REMINDER,
        channel=OutboxMessage.Channel.EMAIL,
        session=session,
        volunteer=grace,
        address=grace.email,
        lead_minutes=120,
        due_at=london(*TUESDAY, 23),
    )
    clock(23, 0)
    mail.outbox.clear()

    assert dispatch.dispatch_due(max_seconds=5) == 1
    row.refresh_from_db()
    assert row.status == OutboxMessage.Status.SENT and len(mail.outbox) == 1


# --- Cancellation notices --------------------------------------------------------------------


def cancel(session, coordinator):
    from sessions.services import session_cancel

    session_cancel(session=session, by=coordinator)
    return OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SESSION_CANCELLED)


def test_a_cancellation_at_night_is_texted_when_quiet_hours_end_if_still_in_time(
    clock, book, alice, coordinator, texts
):
    session = book(starts_at=london(*TUESDAY[:2], 13, 10), ends_at=london(*TUESDAY[:2], 13, 11))
    clock(23, 0)

    notices = cancel(session, coordinator)

    notice = notices.get(party=alice)
    assert notice.channel == OutboxMessage.Channel.SMS
    assert notice.due_at == london(*TUESDAY[:2], 13, 8)
    # Emails (the other party and the mediators) go now.
    assert {n.due_at for n in notices.exclude(party=alice)} == {timezone.now()}
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.LATE_NOTICE).exists()
    dispatch.dispatch_due(max_seconds=5)
    assert texts == []


def test_a_cancellation_too_late_for_a_text_asks_the_coordinator_to_phone(
    clock, book, alice, active_case, coordinator, texts
):
    """Reproduced: cancelling at 23:00 a session at 07:30 next morning queued a text due at
    20:45 that evening — already past — so it went out at once, at night."""
    session = book(
        starts_at=london(*TUESDAY[:2], 13, 7, 30), ends_at=london(*TUESDAY[:2], 13, 8, 30)
    )
    clock(23, 0)
    mail.outbox.clear()
    UserFactory(roles=["Coordinator"])  # another coordinator: not theirs to phone

    notices = cancel(session, coordinator)

    assert not notices.filter(party=alice).exists()  # no text at night, nor one too late
    assert notices.filter(channel=OutboxMessage.Channel.EMAIL).exists()  # emails still go
    late = OutboxMessage.objects.get(kind=OutboxMessage.Kind.LATE_NOTICE)
    assert (late.user, late.channel) == (coordinator, OutboxMessage.Channel.EMAIL)
    assert late.due_at == timezone.now()
    assert late.dedupe_key == f"late_notice:{session.pk}:party:{alice.pk}:{coordinator.pk}"
    entry = ContactLogEntry.objects.get(case=active_case, text__contains="could not be told")
    assert "Alice (first party)" in entry.text and "07:30" in entry.text
    assert entry.kind == ContactLogEntry.Kind.EVENT
    # And on the case page's To phone or write, due now, for whoever reads the case first.
    (call,) = ManualContact.objects.filter(party=alice, kind="session_cancelled", status="open")
    assert (call.method, call.due_at) == ("phone", timezone.now())

    dispatch.dispatch_due(max_seconds=5)
    assert texts == []
    (email,) = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert "Alice (first party)" in email.subject and active_case.reference in email.subject
    assert "Wednesday 13 January 2027 at 07:30" in email.body and "phone" in email.body
    assert "Carter" not in email.body  # a first name and a role are enough


def test_a_cancellation_notice_in_a_backlog_that_can_no_longer_arrive_in_time(
    session, alice, active_case, coordinator, clock, texts
):
    """Written in time (due 20:30 for a 07:30 session), but the dispatcher was down until
    23:30: the coordinator is asked to phone, once, and a reminder in the same state is
    simply cancelled."""
    session.starts_at = london(*TUESDAY[:2], 13, 7, 30)
    session.ends_at = london(*TUESDAY[:2], 13, 8, 30)
    session.save()
    notice = text(
        session, alice, london(*TUESDAY, 20, 30), kind=OutboxMessage.Kind.SESSION_CANCELLED
    )
    reminder = text(session, alice, london(*TUESDAY, 20, 30))
    clock(23, 30)

    dispatch.dispatch_due(max_seconds=5)

    assert texts == []
    notice.refresh_from_db()
    reminder.refresh_from_db()
    assert notice.status == reminder.status == OutboxMessage.Status.CANCELLED
    assert "quiet hours" in notice.last_error and "coordinator" in notice.last_error
    assert "quiet hours last until after it starts" in reminder.last_error
    late = OutboxMessage.objects.get(kind=OutboxMessage.Kind.LATE_NOTICE)
    assert late.user == coordinator and late.status == OutboxMessage.Status.SENT
    assert (
        ContactLogEntry.objects.filter(case=active_case, text__contains="could not be told").count()
        == 1
    )


def test_a_late_notice_goes_to_every_coordinator_when_the_case_has_none(
    session, alice, active_case, coordinator, clock
):
    other = UserFactory(roles=["Coordinator"], email="second@example.org")
    active_case.coordinator = None
    active_case.save()
    session.starts_at = london(*TUESDAY[:2], 13, 7, 30)
    session.ends_at = london(*TUESDAY[:2], 13, 8, 30)
    session.save()
    text(session, alice, london(*TUESDAY, 20, 30), kind=OutboxMessage.Kind.SESSION_CANCELLED)
    clock(23, 30)

    dispatch.dispatch_due(max_seconds=5)

    late = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.LATE_NOTICE)
    assert {m.user for m in late} == {coordinator, other}


def test_a_text_that_could_only_go_after_its_session_started_is_not_sent(
    session, alice, active_case, coordinator, clock, texts
):
    """In the daytime too: the dispatcher was down all morning, and the session began at
    10:00. The reminder is cancelled; the cancellation notice becomes a call to make."""
    notice = text(session, alice, london(2027, 1, 15, 9), kind=OutboxMessage.Kind.SESSION_CANCELLED)
    reminder = text(session, alice, london(2027, 1, 15, 8))
    clock(10, 5, day=15)

    dispatch.dispatch_due(max_seconds=5)

    assert texts == []
    notice.refresh_from_db()
    reminder.refresh_from_db()
    assert notice.status == reminder.status == OutboxMessage.Status.CANCELLED
    assert reminder.last_error == "Not sent: the session had started"
    late = OutboxMessage.objects.get(kind=OutboxMessage.Kind.LATE_NOTICE)
    assert late.user == coordinator and late.context["started"] is True
    entry = ContactLogEntry.objects.get(case=active_case, text__contains="could not be told")
    assert "it had started" in entry.text
