"""The right clock: "48 hours before" is 48 real hours, counted in UTC from the session's start,
and a text is then moved out of quiet hours in London time — the same due times whichever path
computed them: booking (a London time from the form), rescheduling, or a pair change (which
recomputes them from the database's UTC value). Both sides of the clock changes of 28 March
and 31 October 2027."""

import datetime

import pytest
from django.utils import timezone

from notifications.models import OutboxMessage
from tests.factories import eligible_volunteer

pytestmark = pytest.mark.django_db

MOBILE = "+447911123456"  # a mobile to phonenumbers (07700 900xxx drama numbers are not)
HOUR = datetime.timedelta(hours=1)


def london(year, month, day, hour, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=timezone.get_default_timezone())


# (session start, London time; the text 48 hours before; the text 2 hours before). The email
# reminders are exactly 48 hours and 120 minutes before; texts too, unless that is in quiet hours
# (21:00-08:00): then 08:00 if still before the session, otherwise 20:45 the evening before.
SESSIONS = [
    # Before the clocks go forward (GMT throughout).
    (london(2027, 3, 27, 10), london(2027, 3, 25, 10), london(2027, 3, 27, 8)),
    # The morning they go forward: 06:30 GMT Friday, moved to 08:00; 05:30 BST, too late by
    # 08:00, so 20:45 GMT the evening before.
    (london(2027, 3, 28, 7, 30), london(2027, 3, 26, 8), london(2027, 3, 27, 20, 45)),
    # Reproduced: booked on the page, Saturday 10:00 GMT (47 real hours); 09:00 GMT is 48.
    (london(2027, 3, 29, 10), london(2027, 3, 27, 9), london(2027, 3, 29, 8)),
    # 07:30 GMT Saturday is in quiet hours: 08:00 GMT (wall-clock arithmetic said 08:30).
    (london(2027, 3, 29, 8, 30), london(2027, 3, 27, 8), london(2027, 3, 29, 8)),
    # Before the clocks go back (BST throughout).
    (london(2027, 10, 30, 10), london(2027, 10, 28, 10), london(2027, 10, 30, 8)),
    # The morning they go back: 07:30 GMT is 08:30 BST on Friday; 05:30 GMT is too late by
    # 08:00, so 20:45 BST the evening before.
    (london(2027, 10, 31, 7, 30), london(2027, 10, 29, 8, 30), london(2027, 10, 30, 20, 45)),
    # After: Monday 10:00 GMT is Saturday 11:00 BST (wall-clock arithmetic said 10:00, 49 hours).
    (london(2027, 11, 1, 10), london(2027, 10, 30, 11), london(2027, 11, 1, 8)),
]


def due_times(session) -> list[tuple]:
    """(who, channel, lead, due) for each pending reminder, mediators by role not name (a pair
    change replaces them)."""
    rows = session.reminders.filter(
        kind=OutboxMessage.Kind.SESSION_REMINDER, status=OutboxMessage.Status.PENDING
    ).select_related("party")
    return sorted(
        (r.party.full_name if r.party else "mediator", r.channel, r.lead_minutes, r.due_at)
        for r in rows
    )


@pytest.mark.parametrize(("starts_at", "text_48h", "text_2h"), SESSIONS)
def test_booking_rescheduling_and_a_pair_change_give_the_same_real_hours(
    starts_at, text_48h, text_2h, request, time_machine
):
    from sessions.services import session_reschedule
    from volunteers.services import assign_pair

    time_machine.move_to(starts_at.replace(hour=12, minute=0) - 9 * 24 * HOUR, tick=False)
    active_case = request.getfixturevalue("active_case")
    coordinator = request.getfixturevalue("coordinator")
    book = request.getfixturevalue("book")
    alice = active_case.parties.get(full_name="Alice Carter")
    alice.preferred_contact, alice.phone = "sms", MOBILE
    alice.save()
    active_case.parties.filter(full_name="Bob Dunn").update(preferred_contact="email")

    # Booked on the page: a London time.
    session = book(starts_at=starts_at, ends_at=starts_at + HOUR)
    booked = due_times(session)

    # Counted back in UTC: on the London value, timedelta arithmetic is wall-clock time.
    in_utc = starts_at.astimezone(datetime.UTC)
    expected = sorted(
        [
            *(("Alice Carter", "sms", 2880, text_48h), ("Alice Carter", "sms", 120, text_2h)),
            *(
                (who, "email", lead, in_utc - datetime.timedelta(minutes=lead))
                for who in ("Bob Dunn", "mediator", "mediator")
                for lead in (2880, 120)
            ),
        ]
    )
    assert booked == expected
    for _who, channel, lead, due in booked:
        if channel == "email":  # exactly 48 real hours, or 120 minutes, before
            assert (starts_at.timestamp() - due.timestamp()) / 60 == lead

    # A new pair: the reminders are recomputed from the database's UTC start.
    assign_pair(
        case=active_case,
        lead=eligible_volunteer(first_name="Nadia", email="nadia@example.org"),
        co_mediator=eligible_volunteer(first_name="Owen", email="owen@example.org"),
        by=coordinator,
    )
    assert due_times(session) == expected

    # Moved a week later and back again, as the reschedule form gives it.
    week = datetime.timedelta(days=7)
    session_reschedule(
        session=session, by=coordinator, starts_at=starts_at + week, ends_at=starts_at + week + HOUR
    )
    session_reschedule(
        session=session, by=coordinator, starts_at=starts_at, ends_at=starts_at + HOUR
    )
    assert due_times(session) == expected

    # The same, given the start in UTC.
    session.refresh_from_db()
    assert session.starts_at.utcoffset() == datetime.timedelta(0)
    session_reschedule(
        session=session, by=coordinator, starts_at=session.starts_at, ends_at=session.ends_at
    )
    assert due_times(session) == expected
