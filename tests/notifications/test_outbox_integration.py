"""The reminder outbox end to end: real PostgreSQL, real Redis, real Celery worker processes.

The workers send through tests.sinks, which records in Redis every message handed over, keyed
by its idempotency key, as a provider honouring those keys would.
"""

import datetime
import socket
import time
import uuid

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.tasks import dispatch_reminders
from sessions.models import MediationSession
from tests import sinks
from tests.factories import AssignmentFactory, eligible_volunteer, ready_case

pytestmark = pytest.mark.django_db(transaction=True)

COUNT = 1000


@pytest.fixture
def sink():
    prefix = f"sink-{uuid.uuid4().hex[:8]}"
    yield prefix
    sinks.clear(prefix)


def worker_env(sink_prefix: str, lease_seconds: int = 60) -> dict:
    return {
        "EMAIL_BACKEND": "tests.sinks.EmailBackend",
        "SMS_BACKEND": "tests.sinks.SMSBackend",
        "WKM_TEST_SINK": sink_prefix,
        "REMINDER_LEASE_SECONDS": lease_seconds,
        # No quiet hours: these tests are about exactly-once, at whatever hour they run.
        "QUIET_HOURS_START": 0,
        "QUIET_HOURS_END": 0,
    }


def due_reminders(count: int) -> set[str]:
    """``count`` reminders due now, half by email and half by text; returns their keys."""
    case = ready_case(status="active")
    start = timezone.now() + datetime.timedelta(days=2)
    session = MediationSession.objects.create(
        case=case, kind="separate", mode="office", venue="Office",
        starts_at=start, ends_at=start + datetime.timedelta(hours=1),
    )  # fmt: skip
    volunteer = eligible_volunteer(email="mediator@example.org", phone="+447911123456")
    AssignmentFactory(case=case, volunteer=volunteer)  # a mediator hears only of their cases
    OutboxMessage.objects.bulk_create(
        OutboxMessage(
            kind=OutboxMessage.Kind.SESSION_REMINDER,
            channel="email" if n % 2 else "sms",
            session=session,
            volunteer=volunteer,
            address="mediator@example.org" if n % 2 else "+447911123456",
            lead_minutes=120,
            due_at=timezone.now() - datetime.timedelta(seconds=1),
        )
        for n in range(count)
    )
    return {f"wkm-reminder-{pk}" for pk in OutboxMessage.objects.values_list("pk", flat=True)}


def wait_until_all_sent(queue: str, timeout: float = 120, rows=None) -> None:
    """Ask the worker(s) to dispatch until every reminder (of ``rows``, if given) is sent, as
    beat would each minute."""
    deadline = time.monotonic() + timeout
    rows = OutboxMessage.objects.all() if rows is None else rows
    while rows.exclude(status="sent").exists():
        assert time.monotonic() < deadline, "reminders were not all sent in time"
        dispatch_reminders.apply_async(queue=queue)
        time.sleep(1)


def test_it_sends_1000_due_reminders_exactly_once(worker_factory, sink):
    keys = due_reminders(COUNT)
    worker = worker_factory(**worker_env(sink))

    started = time.monotonic()
    wait_until_all_sent(worker.queue)
    elapsed = time.monotonic() - started

    attempts, delivered = sinks.read(sink)
    assert delivered == keys
    assert set(attempts.values()) == {1}
    assert OutboxMessage.objects.filter(status="sent", attempts=1).count() == COUNT
    assert OutboxMessage.objects.exclude(provider_message_id="").count() == COUNT
    print(f"\n1000 reminders dispatched by one worker in {elapsed:.1f} s")


def test_killing_the_worker_mid_batch_loses_none_and_duplicates_none(worker_factory, sink):
    keys = due_reminders(COUNT)
    # A short lease, so the rows the killed worker held are taken over within seconds.
    first = worker_factory(**worker_env(sink, lease_seconds=3))

    dispatch_reminders.apply_async(queue=first.queue)
    deadline = time.monotonic() + 60
    while len(sinks.read(sink)[1]) < 150:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    first.kill()
    sent_before_restart = OutboxMessage.objects.filter(status="sent").count()
    assert sent_before_restart < COUNT, "the worker finished before it could be killed"

    second = worker_factory(**worker_env(sink, lease_seconds=3))
    wait_until_all_sent(second.queue)

    attempts, delivered = sinks.read(sink)
    assert delivered == keys  # none lost
    # At most the one message in flight when the worker died was handed over again, with the
    # same idempotency key, so it was delivered once.
    assert sum(1 for n in attempts.values() if n > 1) <= 1
    assert max(attempts.values()) <= 2
    assert OutboxMessage.objects.filter(status="sent").count() == COUNT


def test_two_dispatchers_at_once_send_nothing_twice(worker_factory, sink):
    keys = due_reminders(COUNT)
    one = worker_factory(**worker_env(sink))
    worker_factory(queue=one.queue, **worker_env(sink))

    # One task each, at the same moment: both workers dispatch concurrently.
    dispatch_reminders.apply_async(queue=one.queue)
    dispatch_reminders.apply_async(queue=one.queue)
    wait_until_all_sent(one.queue)

    attempts, delivered = sinks.read(sink)
    assert delivered == keys
    assert set(attempts.values()) == {1}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def free_port() -> int:
    """A port nothing listens on: a Redis that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_booking_while_redis_is_down_loses_nothing_and_does_not_hang(
    worker_factory, login, coordinator, settings
):
    from volunteers.services import assign_pair
    from wkm.celery import app as celery_app

    case = ready_case()
    assign_pair(case=case, lead=eligible_volunteer(), co_mediator=eligible_volunteer(),
                by=coordinator)  # fmt: skip
    start = timezone.localtime() + datetime.timedelta(days=3)
    # Redis is down: the broker, the result backend and the cache all point at a dead port.
    down = f"redis://127.0.0.1:{free_port()}/0"
    settings.REDIS_URL = down
    celery_app.conf.broker_url = down
    try:
        started = time.monotonic()
        response = login(coordinator).post(
            f"/cases/{case.reference}/sessions/new/",
            {
                "kind": "separate",
                "mode": "office",
                "venue": "WKM office",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                "parties": [p.pk for p in case.parties.all()],
            },
        )
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.broker_url = settings.CELERY_BROKER_URL

    assert response.status_code == 302, response.content.decode()[:500]
    assert elapsed < 2.0
    session = case.sessions.get()
    waiting = session.reminders.filter(status="pending")
    assert waiting.count() == 8

    # Time passes and the reminders fall due; Redis is back, the worker dispatches the outbox.
    waiting.update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    worker = worker_factory(QUIET_HOURS_START=0, QUIET_HOURS_END=0)  # whatever the hour
    wait_until_all_sent(worker.queue, timeout=60)
    assert session.reminders.filter(status="sent").count() == 8


# Every kind the dispatcher has words for (templates/emails/<kind>-*, templates/sms/<kind>.txt).
KINDS_WITH_WORDS = set(OutboxMessage.Kind.values)


def test_every_kind_of_message_goes_through_the_worker_once_and_is_audited(
    worker_factory, sink, client, coordinator
):
    """One or more messages of each kind, each written by the service that writes it in real
    use, sent by a real worker: each handed to the sink once, marked sent, and an audit event
    for each send."""
    from audit.models import AuditEvent
    from cases.models import Case
    from notifications import jobs
    from notifications.outbox import tell_coordinator_too_late
    from rules.jobs import queue_rule_digest
    from sessions.services import session_book, session_cancel
    from tests.factories import CaseFactory, DBSCheckFactory, VolunteerFactory
    from tests.public.helpers import application_data, referral_data
    from volunteers.services import assign_pair

    today = timezone.localdate()
    # ASSIGNED: a pair assigned to a case.
    case = ready_case()
    lead = eligible_volunteer(email="lead@example.org", postcode="ME15 6RT")
    co = eligible_volunteer(email="", phone="+447911123456", postcode="TN4 9LH")  # by text
    assign_pair(case=case, lead=lead, co_mediator=co, by=coordinator)
    # SESSION_REMINDER: a session booked; SESSION_CANCELLED: another booked, then cancelled.
    start = timezone.localtime() + datetime.timedelta(days=3)

    def book(hours):
        return session_book(
            case=case, by=coordinator, kind="separate", mode="office", venue="WKM office",
            starts_at=start + datetime.timedelta(hours=hours),
            ends_at=start + datetime.timedelta(hours=hours + 1),
            parties=list(case.parties.all()),
        )  # fmt: skip

    booked = book(0)
    session_cancel(session=book(3), by=coordinator, reason="The venue is closed")
    # LATE_NOTICE: a party who could not be told of a change in time.
    tell_coordinator_too_late(booked, party=case.parties.first())
    # DBS_EXPIRY: a mediator whose check runs out soon.
    soon = VolunteerFactory(status="mediator", postcode="TN2 3AA")
    DBSCheckFactory(volunteer=soon, issued_on=today - datetime.timedelta(days=1080))
    assert jobs.queue_dbs_warnings() == 1
    # FOLLOW_UP: a closed case whose follow-up is due today.
    CaseFactory(
        status="closed", outcome="full_agreement", closed_on=today - datetime.timedelta(days=90),
        follow_up_on=today, coordinator=coordinator,
    )  # fmt: skip
    assert jobs.queue_follow_ups() == 1
    # UNASSIGNED_DIGEST: a referral with no mediators.
    CaseFactory(status="awaiting_consent")
    assert jobs.queue_unassigned_digest() == 1
    # RULE_DIGEST: something breaks a rule (a "mediator" never accredited).
    VolunteerFactory(status="mediator", postcode="TN3 4AA")
    assert queue_rule_digest() == 1
    # REFERRAL_RECEIVED and APPLICATION_RECEIVED: the public forms.
    referral = referral_data(
        **{"person-preferred_contact": "email", "person-email": "alice.r@example.org"}
    )
    assert client.post("/help/refer/", referral).status_code == 302
    assert client.post("/help/volunteer/", application_data()).status_code == 302
    # SURVEY_FEEDBACK: a case closed; SURVEY_FOLLOW_UP: its follow-up date has come (today).
    from cases.services import case_close
    from surveys.services import queue_follow_up_surveys
    from tests.factories import held_session

    surveyed = ready_case()
    held_session(surveyed)  # asked only where mediation took place
    case_close(case=surveyed, by=coordinator, outcome="no_agreement", closed_on=today,
               follow_up_on=today)  # fmt: skip
    assert queue_follow_up_surveys() == 2

    # REFERRER_UPDATE: a referral taken on, its parties consenting to the referrer being told.
    from cases.services import case_transition
    from tests.factories import ConsentFactory, ReferrerContactFactory

    told = ready_case(status="referred")
    told.referrer_person = ReferrerContactFactory(email="pat@tch.example.org")
    told.referrer = told.referrer_person.referrer
    told.save()
    for party in told.parties.all():
        ConsentFactory(party=party, kind="update_referrer")
    case_transition(case=told, to="contacting", by=coordinator)

    # Everything waiting (the cancelled session's reminders are not).
    rows = OutboxMessage.objects.filter(
        pk__in=list(OutboxMessage.objects.filter(status="pending").values_list("pk", flat=True))
    )
    assert set(rows.values_list("kind", flat=True)) == KINDS_WITH_WORDS
    assert set(rows.values_list("channel", flat=True)) == {"email", "sms"}
    # Time passes: everything falls due (reminders, and texts held for the morning).
    rows.update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    keys = {f"wkm-reminder-{pk}" for pk in rows.values_list("pk", flat=True)}
    assert Case.objects.filter(referral_source="self").exists()

    worker = worker_factory(**worker_env(sink))
    wait_until_all_sent(worker.queue, timeout=90, rows=rows)

    attempts, delivered = sinks.read(sink)
    assert delivered == keys
    assert set(attempts.values()) == {1}
    assert not rows.exclude(status="sent").exists()
    audited = AuditEvent.objects.filter(object_type="notifications.outboxmessage")
    assert sorted(int(pk) for pk in audited.values_list("object_id", flat=True)) == sorted(
        rows.values_list("pk", flat=True)
    )
    assert {e.detail["sent"] for e in audited} == KINDS_WITH_WORDS
