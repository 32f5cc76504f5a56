"""Writing reminders into the outbox (the Reminder table), always inside the caller's transaction.

Nothing here talks to Redis or to a provider: sessions.dispatch sends what is due. So a booking
that rolls back leaves no reminder, and a booking made while Redis is down loses none.

Who gets what: each attending party by their preferred channel, unless their contact
restrictions forbid it (a party who prefers letters gets no electronic reminder); both
mediators by email (or text if they have no email). Texts never go out in quiet hours.
A message to a party carries the date, time, place and the service's number, and nothing about
any other party (rule 10).
"""

import datetime

from django.conf import settings
from django.utils import timezone

from parties.models import Party

from .models import MediationSession, Reminder


def _party_channel(party: Party) -> tuple[str, str] | None:
    """(channel, address) for a party's reminders, or None when they should get none."""
    can_text = bool(party.phone) and not party.no_text_messages
    can_email = bool(party.email) and not party.no_email
    preferred = party.preferred_contact
    if preferred in (Party.ContactMethod.SMS, Party.ContactMethod.PHONE):
        order = ("sms", "email")
    elif preferred == Party.ContactMethod.EMAIL:
        order = ("email", "sms")
    else:
        return None
    for channel in order:
        if channel == "sms" and can_text:
            return Reminder.Channel.SMS, party.phone
        if channel == "email" and can_email:
            return Reminder.Channel.EMAIL, party.email
    return None


def _volunteer_channel(volunteer) -> tuple[str, str] | None:
    if volunteer.email:
        return Reminder.Channel.EMAIL, volunteer.email
    if volunteer.phone:
        return Reminder.Channel.SMS, volunteer.phone
    return None


def recipients(session: MediationSession):
    """[(field, person, channel, address)] for everyone attending ``session``."""
    found = []
    for party in session.parties.all():
        route = _party_channel(party)
        if route:
            found.append(("party", party, *route))
    for volunteer in session.mediators.all():
        route = _volunteer_channel(volunteer)
        if route:
            found.append(("volunteer", volunteer, *route))
    return found


def outside_quiet_hours(due: datetime.datetime, channel: str, deadline) -> datetime.datetime:
    """Move a text message out of quiet hours (QUIET_HOURS_START to QUIET_HOURS_END, London
    time): to the morning if that is still before ``deadline``, otherwise to the evening before."""
    if channel != Reminder.Channel.SMS:
        return due
    local = timezone.localtime(due)
    start, end = settings.QUIET_HOURS_START, settings.QUIET_HOURS_END
    if end <= local.hour < start:
        return due
    morning = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if local.hour >= start:
        morning += datetime.timedelta(days=1)
    if morning < deadline:
        return morning
    evening = morning - datetime.timedelta(days=1)
    return evening.replace(hour=start - 1, minute=45)


def _reminder_times(session: MediationSession, channel: str):
    now = timezone.now()
    for lead in settings.REMINDER_LEAD_MINUTES:
        due = outside_quiet_hours(
            session.starts_at - datetime.timedelta(minutes=lead), channel, session.starts_at
        )
        if now <= due < session.starts_at:
            yield lead, due


def schedule_session_reminders(session: MediationSession) -> list[Reminder]:
    reminders = []
    for field, person, channel, address in recipients(session):
        for lead, due in _reminder_times(session, channel):
            reminders.append(
                Reminder(
                    kind=Reminder.Kind.SESSION_REMINDER,
                    channel=channel,
                    session=session,
                    address=address,
                    lead_minutes=lead,
                    due_at=due,
                    **{field: person},
                )
            )
    return Reminder.objects.bulk_create(reminders)


def reschedule_session_reminders(session: MediationSession) -> list[Reminder]:
    """Reminders follow the session: unsent ones are replaced by ones for the new time."""
    session.reminders.filter(
        kind=Reminder.Kind.SESSION_REMINDER, status=Reminder.Status.PENDING
    ).update(status=Reminder.Status.CANCELLED, last_error="Session rescheduled")
    return schedule_session_reminders(session)


def cancel_session_reminders(session: MediationSession, *, notify: bool) -> list[Reminder]:
    """Cancel unsent reminders; with ``notify``, tell everyone attending that it is off."""
    session.reminders.filter(
        status__in=[Reminder.Status.PENDING, Reminder.Status.SENDING],
        kind=Reminder.Kind.SESSION_REMINDER,
    ).update(status=Reminder.Status.CANCELLED, last_error="Session cancelled")
    if not notify:
        return []
    now = timezone.now()
    notices = [
        Reminder(
            kind=Reminder.Kind.SESSION_CANCELLED,
            channel=channel,
            session=session,
            address=address,
            due_at=outside_quiet_hours(now, channel, session.starts_at),
            **{field: person},
        )
        for field, person, channel, address in recipients(session)
    ]
    return Reminder.objects.bulk_create(notices)


def notify_staff(*, kind: str, user, context: dict, dedupe_key: str, due_at=None) -> bool:
    """Queue an email to a staff user once per ``dedupe_key``; False if it was already queued."""
    if not user.email:
        return False
    _reminder, created = Reminder.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "channel": Reminder.Channel.EMAIL,
            "user": user,
            "address": user.email,
            "context": context,
            "due_at": due_at or timezone.now(),
        },
    )
    return created
