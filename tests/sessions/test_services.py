"""Booking rules and the reminders each booking writes into the outbox."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Status
from notifications import outbox
from notifications.dispatch import dispatch_due
from notifications.models import OutboxMessage
from parties.models import Consent
from sessions import services
from sessions.models import MediationSession
from tests.factories import ready_case
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db


def messages(error) -> str:
    return " ".join(error.value.messages)


def test_it_books_a_session_with_the_pair_and_reminders_for_everyone(book, active_case):
    session = book()

    assert session.status == MediationSession.Status.SCHEDULED
    assert set(session.mediators.all()) == {a.volunteer for a in active_case.assignments.all()}
    reminders = session.reminders.all()
    # 2 parties + 2 mediators, 48 hours and 2 hours before.
    assert reminders.count() == 8
    assert {r.lead_minutes for r in reminders} == {2880, 120}
    assert {r.due_at for r in reminders if r.lead_minutes == 120} == {
        session.starts_at - datetime.timedelta(hours=2)
    }


def test_it_refuses_an_end_before_the_start(book):
    with pytest.raises(ValidationError) as error:
        book(starts_at=at(3, 11), ends_at=at(3, 10))

    assert "must end after it starts" in messages(error)
    assert not MediationSession.objects.exists()


def test_it_refuses_a_past_session_unless_recording_one_held(book):
    with pytest.raises(ValidationError) as error:
        book(starts_at=at(-1, 10), ends_at=at(-1, 11))
    assert "This time has passed" in messages(error)

    held = book(starts_at=at(-1, 10), ends_at=at(-1, 11), held=True)

    assert held.status == MediationSession.Status.HELD
    assert not held.reminders.exists()


def test_rule_1_it_refuses_a_session_without_a_current_pair(book, coordinator):
    case = ready_case()
    case.status = Status.ACTIVE
    case.save()

    with pytest.raises(ValidationError) as error:
        book(case=case)

    assert "needs its pair of mediators" in messages(error)


def test_rule_7_it_refuses_a_joint_meeting_until_everyone_consents(book, active_case):
    bob = active_case.parties.get(full_name="Bob Dunn")
    Consent.objects.filter(party=bob, kind="mediate").update(withdrawn_at=timezone.now())

    with pytest.raises(ValidationError) as error:
        book(kind="joint")

    assert "No joint meeting until every party has consented" in messages(
        error
    ) and "Bob Dunn" in messages(error)
    book(kind="separate", parties=[active_case.parties.get(full_name="Alice Carter")])


def test_rule_9_it_refuses_a_home_visit_while_they_are_suspended(book, coordinator):
    services.home_visits_suspend(by=coordinator, reason="Staff shortage")

    with pytest.raises(ValidationError) as error:
        book(mode="home_visit", venue="")

    assert "Home visits are suspended (Staff shortage)" in messages(error)
    book(mode="phone")


def test_rule_9_a_suspension_with_dates_only_blocks_those_dates(book, coordinator):
    today = timezone.localdate()
    services.home_visits_suspend(
        by=coordinator,
        reason="Office move",
        suspended_from=today + datetime.timedelta(days=10),
        suspended_until=today + datetime.timedelta(days=14),
    )

    assert book(mode="home_visit", venue="").mode == "home_visit"  # in 3 days: allowed
    with pytest.raises(ValidationError) as error:  # in 12 days: within the dates
        book(mode="home_visit", venue="", starts_at=at(12), ends_at=at(12, 11))
    assert "Home visits are suspended (Office move)" in messages(error)
    after = book(mode="home_visit", venue="", starts_at=at(15), ends_at=at(15, 11))
    assert after.mode == "home_visit"  # the day after the suspension ends


def test_rule_9_future_home_visits_are_flagged_for_rescheduling(book, coordinator):
    visit = book(mode="home_visit", venue="")
    book(mode="office", starts_at=at(4), ends_at=at(4, 11))

    services.home_visits_suspend(by=coordinator, reason="Covid rules")

    assert list(services.home_visits_to_reschedule()) == [visit]
    services.home_visits_resume(by=coordinator)
    assert not services.home_visits_to_reschedule().exists()


def test_it_names_a_mediator_booked_twice(book, coordinator, active_case):
    first = book()
    other = ready_case()
    from tests.factories import eligible_volunteer
    from volunteers.services import assign_pair

    martin = active_case.assignments.get(role="lead").volunteer
    assign_pair(case=other, lead=martin, co_mediator=eligible_volunteer(), by=coordinator)

    with pytest.raises(ValidationError) as error:
        book(case=other, starts_at=at(3, 11), ends_at=at(3, 12))

    assert f"{martin.full_name} is already booked" in messages(error)
    assert first.case.reference in messages(error)


def test_it_names_a_party_booked_twice(book, active_case):
    book()

    with pytest.raises(ValidationError) as error:
        book(starts_at=at(3, 11), ends_at=at(3, 12))

    assert "Alice Carter is already booked" in messages(error)
    assert book(starts_at=at(3, 11, 30), ends_at=at(3, 12, 30))  # back to back is fine


def test_a_rollback_after_booking_leaves_nothing_to_send(book):
    before = set(OutboxMessage.objects.values_list("pk", flat=True))  # the pair's notices
    with pytest.raises(RuntimeError), transaction.atomic():
        book()
        raise RuntimeError("the request failed after booking")

    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == before
    assert dispatch_due(max_seconds=5) == 0


def test_rescheduling_moves_the_reminders_and_keeps_the_history(book, coordinator):
    session = book()
    old_due = set(session.reminders.values_list("due_at", flat=True))

    services.session_reschedule(
        session=session, by=coordinator, starts_at=at(5, 14), ends_at=at(5, 15)
    )

    pending = session.reminders.filter(status="pending")
    assert pending.count() == 8
    assert {r.due_at for r in pending if r.lead_minutes == 120} == {at(5, 12)}
    assert (
        set(session.reminders.filter(status="cancelled").values_list("due_at", flat=True))
        == old_due
    )
    assert session.case.log_entries.filter(text__contains="moved from").exists()
    assert session.events.count() >= 2  # field-level history of the old time


def test_cancelling_cancels_reminders_and_notifies_everyone(book, coordinator):
    session = book()

    services.session_cancel(session=session, by=coordinator, reason="Party unwell")

    assert not session.reminders.filter(kind="session_reminder", status="pending").exists()
    notices = session.reminders.filter(kind="session_cancelled")
    assert notices.count() == 4
    assert all(n.due_at <= timezone.now() + datetime.timedelta(hours=12) for n in notices)


def test_it_records_an_outcome_once_the_session_has_started(book, coordinator):
    session = book()
    with pytest.raises(ValidationError, match="once the session has started"):
        services.session_record_outcome(session=session, by=coordinator, status="held")

    MediationSession.objects.filter(pk=session.pk).update(starts_at=at(-1, 10), ends_at=at(-1, 11))
    services.session_record_outcome(
        session=session, by=coordinator, status="did_not_attend", notes="Bob did not come"
    )

    session.refresh_from_db()
    assert (session.status, session.notes) == ("did_not_attend", "Bob did not come")


def test_party_reminders_respect_contact_restrictions(book, active_case):
    alice = active_case.parties.get(full_name="Alice Carter")
    alice.preferred_contact = "sms"
    alice.no_text_messages = True
    alice.save()
    bob = active_case.parties.get(full_name="Bob Dunn")
    bob.preferred_contact = "letter"
    bob.save()

    session = book()

    assert {r.channel for r in session.reminders.filter(party=alice)} == {"email"}
    assert not session.reminders.filter(party=bob).exists()


@pytest.mark.parametrize(
    ("due", "deadline", "expected"),
    [
        ((10, 0), (12, 0), (10, 0)),  # daytime: unchanged
        ((22, 30), (1, 12, 0), (1, 8, 0)),  # late evening: next morning at 08:00
        ((6, 0), (9, 0), (8, 0)),  # early morning: 08:00 if still before the session
        ((6, 0), (7, 30), (-1, 20, 45)),  # too late by then: the evening before
    ],
)
def test_texts_are_moved_out_of_quiet_hours(due, deadline, expected):
    def when(spec):
        days, hour, minute = (0, *spec) if len(spec) == 2 else spec
        return at(10 + days, hour, minute)

    moved = outbox.outside_quiet_hours(when(due), OutboxMessage.Channel.SMS, when(deadline))

    assert moved == when(expected)
    assert outbox.outside_quiet_hours(
        when(due), OutboxMessage.Channel.EMAIL, when(deadline)
    ) == when(due)


def test_rule_4_a_session_after_a_mediators_dbs_lapses_is_flagged(book, active_case):
    from rules.checker import find_breaches

    book()  # in 3 days: everyone's DBS is current
    later = book(starts_at=at(40), ends_at=at(40, 11))
    grace = active_case.assignments.get(role="co_mediator").volunteer
    grace.dbs_checks.update(current_until=timezone.localdate() + datetime.timedelta(days=20))

    (breach,) = find_breaches()
    assert (breach.topic, breach.volunteer_id) == ("DBS", grace.pk)
    assert f"before the session booked on {timezone.localtime(later.starts_at):%a}" in breach.reason


def test_a_new_pair_takes_over_scheduled_sessions_and_their_reminders(
    book, active_case, coordinator
):
    from tests.factories import eligible_volunteer
    from volunteers.services import assign_pair

    session = book()
    lead = active_case.assignments.get(role="lead").volunteer
    newcomer = eligible_volunteer(email="newcomer@example.org", postcode="ME16 0DF")

    assign_pair(case=active_case, lead=lead, co_mediator=newcomer, by=coordinator)

    assert set(session.mediators.all()) == {lead, newcomer}
    pending = session.reminders.filter(status="pending")
    assert {r.volunteer for r in pending if r.volunteer} == {lead, newcomer}
    services.session_reschedule(
        session=session, by=coordinator, starts_at=at(6, 10), ends_at=at(6, 11)
    )

    moved = session.reminders.filter(status="pending")
    assert {r.volunteer for r in moved if r.volunteer} == {lead, newcomer}
    assert {r.due_at for r in moved if r.volunteer and r.lead_minutes == 120} == {at(6, 8)}
