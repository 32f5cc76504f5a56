"""Writing messages into the outbox (OutboxMessage rows), always inside the caller's transaction.

Nothing here talks to Redis or to a provider: notifications.dispatch sends what is due. So a booking
that rolls back leaves no reminder, and a booking made while Redis is down loses none.

Who gets what: each attending party by their preferred channel, within their contact
restrictions, and texts only to mobiles (notifications.channels); a party who asked for letters,
or for calls on a landline, gets a task for a coordinator instead (notifications.manual: written,
and cancelled, here, beside the messages); nothing at all to a party who withdrew consent
(parties.consent.contact_stopped); both mediators by email (or text to a mobile if they have no
email), while they work as mediators. Texts never go out in quiet hours.
A message to a party carries the date, time, place and the service's number, and nothing about
any other party (rule 10).
"""

import datetime
import enum

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from cases.models import CaseAssignment
from cases.models import Status as CaseStatus
from cases.querysets import WORKING_STATUSES
from parties.consent import contact_stopped_q
from parties.models import Party
from sessions.models import MediationSession

from . import manual
from .channels import party_route, volunteer_route
from .models import OutboxMessage


def _party_channel(party: Party) -> tuple[str, str] | None:
    """(channel, address) for a party's messages, or None when the service sends them none:
    their contact has stopped, or a coordinator phones or writes instead (notifications.channels,
    notifications.manual)."""
    route = party_route(party)
    if route is None or route.by_hand:
        return None
    return route.channel, route.address


def _volunteer_channel(volunteer) -> tuple[str, str] | None:
    if volunteer.status not in WORKING_STATUSES:
        return None
    route = volunteer_route(volunteer)
    return (route.channel, route.address) if route else None


def recipients(session: MediationSession, *, told_only: bool = False):
    """[(field, person, channel, address)] for everyone attending ``session`` who may be
    contacted: not a party who withdrew consent, not a volunteer who no longer works. With
    ``told_only``, only the parties a reminder of it has already reached (and the mediators,
    who have it on their home page and calendar)."""
    parties = session.parties.prefetch_related("consents")
    if told_only:
        parties = parties.filter(
            pk__in=session.reminders.filter(
                kind=OutboxMessage.Kind.SESSION_REMINDER, status=OutboxMessage.Status.SENT
            ).values("party_id")
        )
    found = []
    for party in parties:
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
    if channel != OutboxMessage.Channel.SMS:
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


def schedule_session_reminders(session: MediationSession) -> list[OutboxMessage]:
    reminders = []
    for field, person, channel, address in recipients(session):
        for lead, due in _reminder_times(session, channel):
            reminders.append(
                OutboxMessage(
                    kind=OutboxMessage.Kind.SESSION_REMINDER,
                    channel=channel,
                    session=session,
                    address=address,
                    lead_minutes=lead,
                    due_at=due,
                    **{field: person},
                )
            )
    manual.write_reminder_tasks(session)
    return OutboxMessage.objects.bulk_create(reminders)


def reschedule_session_reminders(session: MediationSession) -> list[OutboxMessage]:
    """Reminders follow the session: unsent ones are replaced by ones for the new time."""
    session.reminders.filter(
        kind=OutboxMessage.Kind.SESSION_REMINDER,
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Session rescheduled")
    # Calls and letters too: one for the old time is cancelled, and one for the new time
    # written (the same one kept, when only the pair changed).
    manual.cancel_reminder_tasks(session=session)
    return schedule_session_reminders(session)


class Notify(enum.Enum):
    """Who hears that a session is off."""

    EVERYONE = "everyone"  # a coordinator cancelled it: everyone attending who may be contacted
    TOLD = "told"  # its case ended: only those who had been told of it
    NOBODY = "nobody"  # it is over (held, or the time has passed)


def cancel_session_reminders(session: MediationSession, *, notify: Notify) -> int:
    """Cancel the session's unsent reminders and tell those ``notify`` names that it is off;
    return how many reminders were cancelled."""
    cancelled = session.reminders.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
        kind=OutboxMessage.Kind.SESSION_REMINDER,
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Session cancelled")
    manual.cancel_reminder_tasks(session=session)
    if notify is not Notify.NOBODY:
        manual.write_cancelled_tasks(session, told_only=notify is Notify.TOLD)
        now = timezone.now()
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                kind=OutboxMessage.Kind.SESSION_CANCELLED,
                channel=channel,
                session=session,
                address=address,
                # A case that ended: the session will not be rearranged.
                context={"final": True} if notify is Notify.TOLD else {},
                due_at=outside_quiet_hours(now, channel, session.starts_at),
                **{field: person},
            )
            for field, person, channel, address in recipients(
                session, told_only=notify is Notify.TOLD
            )
        )
    return cancelled


def cancel_messages_to(*, party=None, volunteer=None, reason: str) -> int:
    """Cancel every unsent message to one person (a party who withdrew consent, a volunteer who
    no longer works), and a party's open calls and letters; return how many messages."""
    if party is not None:
        manual.cancel_tasks_for(party)
    recipient = {"party": party} if party is not None else {"volunteer": volunteer}
    return OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING], **recipient
    ).update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:300])


def may_still_go_q() -> Q:
    """A message (an OutboxMessage row) may still be sent: its recipient may be contacted (a
    mediator, only while on the session's case), and a session reminder's session is still
    scheduled on an open case. The dispatcher asks this of each row just before sending it, so
    a change made by any means (a service, the admin, a raw update) stops what it should."""
    still_on_the_case = CaseAssignment.objects.current().filter(
        volunteer=OuterRef("volunteer_id"), case=OuterRef("session__case_id")
    )
    return (
        (Q(party__isnull=True) | ~contact_stopped_q(OuterRef("party_id")))
        & (Q(volunteer__isnull=True) | Q(volunteer__status__in=WORKING_STATUSES))
        # A mediator hears of a case's sessions only while they are on the case.
        & (Q(volunteer__isnull=True) | Q(session__isnull=True) | Q(Exists(still_on_the_case)))
        & (Q(user__isnull=True) | Q(user__is_active=True))
        & (
            ~Q(kind=OutboxMessage.Kind.SESSION_REMINDER)
            | (
                Q(session__status=MediationSession.Status.SCHEDULED)
                & ~Q(session__case__status=CaseStatus.CLOSED)
            )
        )
    )


def notify_staff(*, kind: str, user, context: dict, dedupe_key: str, due_at=None) -> bool:
    """Queue an email to a staff user once per ``dedupe_key``; False if it was already queued."""
    if not user.email:
        return False
    _reminder, created = OutboxMessage.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "channel": OutboxMessage.Channel.EMAIL,
            "user": user,
            "address": user.email,
            "context": context,
            "due_at": due_at or timezone.now(),
        },
    )
    return created
