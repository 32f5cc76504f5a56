"""Calls and letters in place of messages (notifications.manual): written where messages are,
cancelled wherever messages are, done once by a coordinator."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import ContactLogEntry
from notifications import manual, outbox
from notifications.models import ManualContact
from tests.sessions.conftest import at

pytestmark = pytest.mark.django_db

LANDLINE = "+441732123456"
OPEN, DONE, CANCELLED = "open", "done", "cancelled"


@pytest.fixture
def by_hand(active_case):
    """Both parties prefer calls, on a landline: each reminder is a call task."""
    active_case.parties.update(preferred_contact="phone", phone=LANDLINE)
    return active_case


def tasks(**filters):
    return sorted(
        ManualContact.objects.filter(**filters).values_list("party__full_name", "kind", "status")
    )


def test_booking_writes_one_task_per_party_and_session(by_hand, book):
    session = book()

    assert tasks(session=session) == [
        ("Alice Carter", "session_reminder", OPEN),
        ("Bob Dunn", "session_reminder", OPEN),
    ]


def test_a_session_too_soon_for_any_reminder_gets_no_task(by_hand, book):
    soon = timezone.now() + datetime.timedelta(minutes=90)
    book(starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))

    assert not ManualContact.objects.exists()


def test_rescheduling_replaces_the_task_with_one_for_the_new_time(by_hand, book, coordinator):
    from sessions.services import session_reschedule

    session = book()
    session_reschedule(session=session, by=coordinator, starts_at=at(5, 14), ends_at=at(5, 15))

    assert ManualContact.objects.filter(session=session, status=CANCELLED).count() == 2
    current = ManualContact.objects.filter(session=session, status=OPEN)
    assert current.count() == 2
    assert {t.due_at for t in current} == {at(5, 14) - datetime.timedelta(hours=48)}


def test_moving_back_to_the_first_time_reopens_its_task_rather_than_adding_one(
    by_hand, book, coordinator
):
    from sessions.services import session_reschedule

    session = book()
    first = set(ManualContact.objects.values_list("pk", flat=True))
    session_reschedule(session=session, by=coordinator, starts_at=at(5, 14), ends_at=at(5, 15))
    session_reschedule(session=session, by=coordinator, starts_at=at(3, 10), ends_at=at(3, 11))

    assert set(ManualContact.objects.filter(status=OPEN).values_list("pk", flat=True)) == first
    assert ManualContact.objects.count() == 4


def test_a_new_pair_keeps_the_task_and_does_not_ask_twice(by_hand, book, coordinator):
    """A pair change moves the reminders (outbox.reschedule_session_reminders) at the same
    time: the open task stays one, and a call already made is not asked for again."""
    session = book()
    alice_task = ManualContact.objects.get(party__full_name="Alice Carter")
    manual.complete(task=alice_task, by=coordinator)

    outbox.reschedule_session_reminders(session)

    assert tasks(session=session) == [
        ("Alice Carter", "session_reminder", DONE),
        ("Bob Dunn", "session_reminder", OPEN),
    ]


def test_cancelling_a_session_cancels_its_tasks_and_asks_to_tell_them(by_hand, book, coordinator):
    from sessions.services import session_cancel

    session = book()
    session_cancel(session=session, by=coordinator)

    assert tasks(session=session) == [
        ("Alice Carter", "session_cancelled", OPEN),
        ("Alice Carter", "session_reminder", CANCELLED),
        ("Bob Dunn", "session_cancelled", OPEN),
        ("Bob Dunn", "session_reminder", CANCELLED),
    ]


def test_a_cancellation_is_to_tell_them_at_once_not_by_the_session(by_hand, book, coordinator):
    from sessions.services import session_cancel

    session = book(starts_at=at(9, 10), ends_at=at(9, 11))
    before = timezone.now()
    session_cancel(session=session, by=coordinator)

    due = ManualContact.objects.filter(kind="session_cancelled").values_list("due_at", flat=True)
    assert len(due) == 2 and all(before <= when <= timezone.now() for when in due)


def test_a_reminder_letter_is_due_early_enough_to_arrive(active_case, book):
    active_case.parties.update(preferred_contact="letter")

    book(starts_at=at(9, 10), ends_at=at(9, 11))
    soon = timezone.now() + datetime.timedelta(days=3)
    book(starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))

    later, sooner = ManualContact.objects.order_by("-session__starts_at", "party")[::2]
    assert later.method == "letter" and later.due_at == at(9, 10) - manual.LETTER_DAYS
    # Too late for the full five days: at once, rather than after the session.
    assert sooner.due_at <= timezone.now()


def test_recording_the_outcome_cancels_what_is_left(by_hand, book, coordinator):
    from sessions.services import session_record_outcome

    session = book()
    session.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    session.save(update_fields=["starts_at"])
    session_record_outcome(session=session, by=coordinator, status="held")

    assert {t[2] for t in tasks(session=session)} == {CANCELLED}


def test_a_withdrawal_cancels_the_partys_tasks_and_writes_none(by_hand, book, coordinator):
    from parties.services import consent_withdraw

    session = book()
    alice = by_hand.parties.get(full_name="Alice Carter")
    consent_withdraw(consent=alice.consents.get(kind="data_processing"), by=coordinator)

    assert tasks(party=alice) == [("Alice Carter", "session_reminder", CANCELLED)]
    # Later changes write her nothing either.
    outbox.reschedule_session_reminders(session)
    outbox.cancel_session_reminders(session, notify=outbox.Notify.EVERYONE)
    assert tasks(party=alice) == [("Alice Carter", "session_reminder", CANCELLED)]


def test_closing_the_case_cancels_its_tasks_and_tells_only_those_told(by_hand, book, coordinator):
    from cases.services import case_close

    session = book()
    manual.complete(task=ManualContact.objects.get(party__full_name="Alice Carter"), by=coordinator)

    case_close(case=by_hand, by=coordinator, outcome="withdrawn", closed_on=timezone.localdate())

    assert tasks(session=session) == [
        ("Alice Carter", "session_cancelled", OPEN),  # she had been phoned about it
        ("Alice Carter", "session_reminder", DONE),
        ("Bob Dunn", "session_reminder", CANCELLED),
    ]


def test_stopping_a_closed_cases_reminders_cancels_its_tasks(by_hand, book):
    from sessions.services import stop_reminders_of

    book()
    stop_reminders_of(by_hand)

    assert not ManualContact.objects.filter(status=OPEN).exists()


def test_a_task_whose_session_is_off_is_no_longer_to_do_whatever_changed_it(by_hand, book):
    """Like outbox.may_still_go_q: a change that skipped the services (the admin, a data fix)
    still hides the task from the to do list."""
    session = book()
    session.status = "cancelled"
    session.save(update_fields=["status"])

    assert not ManualContact.objects.to_do().exists()
    assert ManualContact.objects.filter(status=OPEN).count() == 2


def test_completing_a_task_is_audited_and_told_on_the_timeline(by_hand, book, coordinator):
    book()
    task = ManualContact.objects.get(party__full_name="Alice Carter")

    manual.complete(task=task, by=coordinator)

    task.refresh_from_db()
    assert (task.status, task.done_by) == (DONE, coordinator)
    assert task.done_at is not None
    event = AuditEvent.objects.get(object_type="notifications.manualcontact")
    assert (event.actor, event.case_reference) == (coordinator, by_hand.reference)
    entry = ContactLogEntry.objects.filter(case=by_hand, text__startswith="Phoned").get()
    assert entry.text.startswith("Phoned Alice Carter to remind them of the separate meeting on")


def test_a_task_is_done_once(by_hand, book, coordinator):
    book()
    task = ManualContact.objects.get(party__full_name="Alice Carter")
    manual.complete(task=task, by=coordinator)

    with pytest.raises(ValidationError, match="already done"):
        manual.complete(task=task, by=coordinator)


def test_a_reminder_call_is_not_done_once_its_session_is_off_however_that_happened(
    by_hand, book, coordinator
):
    from sessions.models import MediationSession

    session = book()
    task = ManualContact.objects.filter(session=session).first()
    MediationSession.objects.filter(pk=session.pk).update(status="cancelled")  # a data fix

    with pytest.raises(ValidationError, match="no longer needed"):
        manual.complete(task=task, by=coordinator)
    task.refresh_from_db()
    audited = AuditEvent.objects.filter(
        object_type="notifications.manualcontact", object_id=str(task.pk)
    )
    assert task.status == OPEN and not audited.exists()


def test_a_cancelled_task_cannot_be_done(by_hand, book, coordinator):
    from sessions.services import session_cancel

    session = book()
    session_cancel(session=session, by=coordinator)
    task = ManualContact.objects.filter(kind="session_reminder").first()

    with pytest.raises(ValidationError, match="already cancelled"):
        manual.complete(task=task, by=coordinator)


def test_the_coordinators_home_counts_tasks_due_soon_with_failed_messages_in_one_query(
    by_hand, book, django_assert_num_queries
):
    from notifications.models import OutboxMessage

    book(starts_at=at(3, 10), ends_at=at(3, 11))  # due in a day
    later = book(starts_at=at(9, 10), ends_at=at(9, 11))  # due in a week: not yet
    failed = OutboxMessage.objects.filter(session=later).first()
    OutboxMessage.objects.filter(pk=failed.pk).update(status="failed", last_error="Bounced")

    from notifications.home import office_panels

    with django_assert_num_queries(1):
        panels = office_panels(rows=1)

    due = panels["manual_contacts_due"]
    assert due["count"] == 2 and len(due["rows"]) == 1  # the first, and how many
    (task,) = due["rows"]
    assert task.case == by_hand.reference and task.via_label == "Phone call"
    assert task.about.startswith("Remind them of the separate meeting on")
    assert task.due == at(3, 10) - datetime.timedelta(hours=48)
    (message,) = panels["failed_reminders"]
    whom = failed.party.full_name if failed.party else failed.volunteer.full_name
    assert (message.id, message.note, message.who) == (failed.pk, "Bounced", whom)
