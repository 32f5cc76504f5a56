"""Writing messages into the outbox (OutboxMessage rows), always inside the caller's transaction.

Nothing here talks to Redis or to a provider: notifications.dispatch sends what is due. So a booking
that rolls back leaves no reminder, and a booking made while Redis is down loses none.

Who gets what: each attending party by their preferred channel, within their contact
restrictions, and texts only to mobiles (notifications.channels); a party who asked for letters,
or for calls on a landline, gets a task for a coordinator instead (notifications.manual: written,
and cancelled, here, beside the messages); nothing at all to a party who withdrew consent
(parties.consent.contact_stopped); both mediators by email (or text to a mobile if they have no
email), while they work as mediators. Texts never go out in quiet hours (notifications.quiet_hours,
asked here and again at send time); reminder times are counted in real hours (reminder_due); a
cancellation that cannot be texted in time is a call for the coordinator to make instead
(tell_coordinator_too_late).
Besides reminders: a volunteer newly assigned to a case is told (queue_assignment_notices), and
someone who referred themselves or applied to volunteer on the public forms is told it arrived
(queue_referral_acknowledgement, queue_application_acknowledgement). Nothing else in the
project sends mail or texts (tests/notifications/test_architecture.py).
A message to a party carries the date, time, place and the service's number, and nothing about
any other party (rule 10).
"""

import datetime
import enum

from django.conf import settings
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format

from accounts.roles import COORDINATOR, users_with_role
from cases import timeline
from cases.models import CaseAssignment
from cases.models import Status as CaseStatus
from cases.querysets import WORKING_STATUSES
from parties.consent import contact_stopped, contact_stopped_q
from parties.models import Party
from referrers import updates as referrer_updates
from sessions.models import MediationSession
from surveys.conditions import message_may_go_q as survey_message_may_go_q
from volunteers.models import Volunteer

from . import manual
from .channels import is_mobile, party_route, volunteer_route
from .models import ManualContact, OutboxMessage
from .quiet_hours import in_quiet_hours, last_moment_before, quiet_hours_end


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
    time): to the morning if that is still before ``deadline``, otherwise to the evening before
    (which may have passed: the caller decides what a notice too late for its session becomes).
    The arithmetic is notifications.quiet_hours', the same the dispatcher asks at send time."""
    if channel != OutboxMessage.Channel.SMS or not in_quiet_hours(due):
        return due
    morning = quiet_hours_end(due)
    if morning < deadline:
        return morning
    return last_moment_before(due)


def reminder_due(starts_at: datetime.datetime, lead_minutes: int, channel: str):
    """When the reminder ``lead_minutes`` before a session starting at ``starts_at`` is due.

    "48 hours before" is 48 real hours: counted back in UTC from the aware start, then moved
    out of quiet hours in London time. Counted on a London value it was wall-clock time, so a
    Monday 10:00 session after the clocks went forward got its reminder at Saturday 10:00 GMT
    (47 hours) when booked, and Saturday 09:00 GMT once recomputed from the database's UTC."""
    due = starts_at.astimezone(datetime.UTC) - datetime.timedelta(minutes=lead_minutes)
    return outside_quiet_hours(due, channel, starts_at)


def _reminder_times(session: MediationSession, channel: str):
    now = timezone.now()
    for lead in settings.REMINDER_LEAD_MINUTES:
        due = reminder_due(session.starts_at, lead, channel)
        if now <= due < session.starts_at:
            yield lead, due


def named_start(session: MediationSession) -> dict:
    """What a reminder remembers of the time it names: a text sent back to it answers about
    that time, even if the session has moved since (notifications.replies.text_received)."""
    return {"starts_at": session.starts_at.isoformat()}


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
                    context=named_start(session),
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
    return how many reminders were cancelled.

    A text that could only go in quiet hours is due when they end; one that cannot arrive
    before the session starts without breaking them (cancelled at 23:00 for 07:30) is not
    written: the coordinator is asked to phone instead (tell_coordinator_too_late)."""
    cancelled = session.reminders.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
        kind=OutboxMessage.Kind.SESSION_REMINDER,
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Session cancelled")
    manual.cancel_reminder_tasks(session=session)
    if notify is Notify.NOBODY:
        return cancelled
    manual.write_cancelled_tasks(session, told_only=notify is Notify.TOLD)
    now = timezone.now()
    notices = []
    for field, person, channel, address in recipients(session, told_only=notify is Notify.TOLD):
        due = outside_quiet_hours(now, channel, session.starts_at)
        if channel == OutboxMessage.Channel.SMS and not now <= due < session.starts_at:
            tell_coordinator_too_late(session, started=now >= session.starts_at, **{field: person})
            continue
        notices.append(
            OutboxMessage(
                kind=OutboxMessage.Kind.SESSION_CANCELLED,
                channel=channel,
                session=session,
                address=address,
                # A case that ended: the session will not be rearranged.
                context={"final": True} if notify is Notify.TOLD else {},
                due_at=due,
                **{field: person},
            )
        )
    OutboxMessage.objects.bulk_create(notices)
    return cancelled


def _party_role(party: Party) -> str:
    return party.get_role_display().split(" (")[0].lower()


def tell_coordinator_too_late(
    session: MediationSession, *, party=None, volunteer=None, started: bool = False
) -> int:
    """Someone cannot be told by text, before ``session`` starts and outside quiet hours, that
    it is cancelled: rather than a text at night, or none at all, the case's coordinator (or,
    if the case has no active coordinator with an email address, every coordinator) gets an
    email asking them to phone, once per person and session, and the case timeline says so.
    ``started``: it could not go before the session started, whatever the hour. Return how
    many emails were queued. Called when the notice is written (outbox) and when
    the dispatcher finds it can no longer go in time (a backlog after an outage). A party's call
    is also put on the case page's To phone or write, due at once, for a coordinator who reads
    the case before their email."""
    case = session.case
    if party is not None:
        who, key = f"{party.first_name} ({_party_role(party)})", f"party:{party.pk}"
    else:
        who, key = f"{volunteer.first_name} (mediator)", f"volunteer:{volunteer.pk}"
    start = timezone.localtime(session.starts_at)
    when = f"{date_format(start, 'l j F Y')} at {start:%H:%M}"
    quiet = f"{settings.QUIET_HOURS_START:02}:00 to {settings.QUIET_HOURS_END:02}:00"
    context = {
        "who": who,
        "reference": case.reference,
        "session_kind": session.get_kind_display().lower(),
        "when": when,
        "quiet_hours": quiet,
        "started": started,
    }
    coordinators = list(users_with_role(COORDINATOR).exclude(email="").order_by("pk"))
    staff = [user for user in coordinators if user.pk == case.coordinator_id] or coordinators
    queued = sum(
        notify_staff(
            kind=OutboxMessage.Kind.LATE_NOTICE,
            user=user,
            context=context,
            dedupe_key=f"late_notice:{session.pk}:{key}:{user.pk}",
        )
        for user in staff
    )
    if staff and not queued:
        return 0  # already told: the same notice again writes nothing twice
    why = "it had started" if started else f"no texts from {quiet}"
    asked = (
        "the coordinator has been asked by email to phone them"
        if queued
        else "no coordinator could be emailed: please phone them"
    )
    if party is not None:
        manual.write_late_call(session, party, why=f"Could not be texted in time ({why}).")
    timeline.log(
        case,
        f"{who} could not be told by text in time that the {context['session_kind']} on {when} "
        f"is cancelled ({why}); {asked}.",
        by=None,
    )
    return queued


def cancel_messages_to(*, party=None, volunteer=None, reason: str) -> int:
    """Cancel every unsent message to one person (a party who withdrew consent, a volunteer who
    no longer works), and a party's open calls and letters; return how many messages."""
    if party is not None:
        manual.cancel_tasks_for(party)
    recipient = {"party": party} if party is not None else {"volunteer": volunteer}
    return OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING], **recipient
    ).update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:300])


def _soon(channel: str) -> datetime.datetime:
    """Now, or for a text in quiet hours when they end: nothing written here is urgent."""
    now = timezone.now()
    return outside_quiet_hours(now, channel, now + datetime.timedelta(days=1))


def queue_assignment_notices(assignments: list[CaseAssignment]) -> None:
    """Tell each volunteer newly assigned to a case: by email, or by text if they have no email
    address (_volunteer_channel). Sets each assignment's ``notice``: its message, or None when
    they have neither (or no longer work), and the coordinator must tell them. Written in the
    assignments' transaction, so a rolled-back assignment tells nobody and one that was saved is
    told whatever SMTP is doing; in one INSERT, as the assignments are new (once per assignment:
    its dedupe key is unique). It says which case (its reference and a link), in which role,
    from when: nothing about the parties or the dispute, which the volunteer reads after logging
    in. The dispatcher sends it only while that assignment is current (may_still_go_q)."""
    notices = []
    for assignment in assignments:
        assignment.notice = None
        route = _volunteer_channel(assignment.volunteer)
        if route is None:
            continue
        channel, address = route
        assignment.notice = OutboxMessage(
            dedupe_key=f"assigned:{assignment.pk}",
            kind=OutboxMessage.Kind.ASSIGNED,
            channel=channel,
            volunteer=assignment.volunteer,
            address=address,
            context={
                "assignment": assignment.pk,
                "reference": assignment.case.reference,
                "role": assignment.get_role_display().lower(),
                "started_on": date_format(assignment.started_on, "j F Y"),
            },
            due_at=_soon(channel),
        )
        notices.append(assignment.notice)
    OutboxMessage.objects.bulk_create(notices)


def cancel_assignment_notices(assignments, *, reason: str) -> int:
    """Cancel the unsent notices of these (ended) assignments; return how many."""
    return OutboxMessage.objects.filter(
        dedupe_key__in=[f"assigned:{a.pk}" for a in assignments],
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
    ).update(status=OutboxMessage.Status.CANCELLED, last_error=reason[:300])


def queue_referral_acknowledgement(party: Party, *, reply_days: int) -> OutboxMessage | None:
    """Tell someone who referred themselves on the public form that their request arrived and
    when to expect a coordinator; None when they get no message.

    The recipient is the party record made for them: the outbox's one recipient (a party, a
    volunteer or a user), so the dispatcher checks their consent again before sending and a
    privacy export lists the message with the rest of theirs. It goes only by the way they
    asked to be contacted first, email or text, and not if their restrictions forbid it:
    someone who asked for a call or a letter — perhaps because a message could be read by the
    person they are in dispute with — hears from a coordinator as they asked, and nothing else.
    The message says that a request arrived and what happens next: nothing of what they wrote,
    of the dispute or of anyone else in it (rule 10).

    An agency's referral gets no message: the referrer is not a party, volunteer or user
    (loosening the one-recipient constraint for them would make the only outbox row whose
    consent nobody can check), their contact detail is free text that may be a phone number,
    and the thank-you page already told them what happens next; the person referred hears
    from a coordinator first, as the referrer agreed with them."""
    if contact_stopped(party):
        return None
    method = Party.ContactMethod
    if party.preferred_contact == method.EMAIL and party.email and not party.no_email:
        channel, address = OutboxMessage.Channel.EMAIL, party.email
    elif (
        party.preferred_contact == method.SMS
        and is_mobile(party.phone)
        and not party.no_text_messages
    ):
        channel, address = OutboxMessage.Channel.SMS, party.phone
    else:
        return None
    message, _created = OutboxMessage.objects.get_or_create(
        dedupe_key=f"referral_received:{party.pk}",
        defaults={
            "kind": OutboxMessage.Kind.REFERRAL_RECEIVED,
            "channel": channel,
            "party": party,
            "address": address,
            # The reference is for the audit trail of its sending (not in the wording).
            "context": {"reply_days": reply_days, "reference": party.case.reference},
            "due_at": _soon(channel),
        },
    )
    return message


def queue_application_acknowledgement(volunteer, *, reply_days: int) -> OutboxMessage | None:
    """Tell someone who applied to volunteer on the public form that their application arrived
    and when to expect a coordinator. The recipient is the applicant's volunteer record; the
    form asks every applicant for an email address, so it is an email (None without one). The
    dispatcher sends it unless the application was turned down first (may_still_go_q)."""
    if not volunteer.email:
        return None
    message, _created = OutboxMessage.objects.get_or_create(
        dedupe_key=f"application_received:{volunteer.pk}",
        defaults={
            "kind": OutboxMessage.Kind.APPLICATION_RECEIVED,
            "channel": OutboxMessage.Channel.EMAIL,
            "volunteer": volunteer,
            "address": volunteer.email,
            "context": {"reply_days": reply_days},
            "due_at": timezone.now(),
        },
    )
    return message


def still_on_route_q() -> Q:
    """A message still goes the way its recipient may be reached now: to the phone number or
    email address they have now, by a channel their restrictions allow. A row keeps the channel
    and address it was written with, so without this a party who ticked "do not send text
    messages", asked for letters or gave a new email address after a session was booked still
    got the texts, or the emails at the old address, queued before.

    Asked in SQL, so it cannot ask whether a number is a mobile (notifications.channels): the
    services that change contact details write the messages again by the new route
    (replan_messages_to); this is the guard for every other way a change is made."""
    channel = OutboxMessage.Channel
    letter = Party.ContactMethod.LETTER
    by_sms = Q(channel=channel.SMS)
    by_email = Q(channel=channel.EMAIL)
    party = Q(party__isnull=True) | (
        ~Q(party__preferred_contact=letter)
        & (
            (by_sms & Q(address=F("party__phone"), party__no_text_messages=False))
            | (by_email & Q(address=F("party__email"), party__no_email=False))
        )
    )
    volunteer = Q(volunteer__isnull=True) | (
        (by_sms & Q(address=F("volunteer__phone"))) | (by_email & Q(address=F("volunteer__email")))
    )
    user = Q(user__isnull=True) | (by_email & Q(address=F("user__email")))
    return party & volunteer & user & referrer_updates.still_on_route_q()


def may_still_go_q() -> Q:
    """A message (an OutboxMessage row) may still be sent: its recipient may be contacted (a
    mediator, only while on the session's case; an applicant, while their application stands)
    and still by this channel at this address (still_on_route_q), a session reminder's session
    is still scheduled on an open case, and an assignment notice's assignment is still current,
    on a case still open. The dispatcher asks this of each row just before sending it, so a
    change made by any means (a service, the admin, a raw update) stops what it should."""
    kind = OutboxMessage.Kind
    still_on_the_case = CaseAssignment.objects.current().filter(
        volunteer=OuterRef("volunteer_id"), case=OuterRef("session__case_id")
    )
    still_assigned = (
        CaseAssignment.objects.current()
        .filter(
            volunteer=OuterRef("volunteer_id"),
            pk=Cast(KeyTextTransform("assignment", OuterRef("context")), IntegerField()),
        )
        # Closing keeps who mediated: a notice to start work on a closed case is moot.
        .exclude(case__status=CaseStatus.CLOSED)
    )
    return (
        (Q(party__isnull=True) | ~contact_stopped_q(OuterRef("party_id")))
        & (
            Q(volunteer__isnull=True)
            | Q(volunteer__status__in=WORKING_STATUSES)
            # Applicants do not work yet: they hear that their application arrived, unless
            # it was turned down (or withdrawn) first.
            | (Q(kind=kind.APPLICATION_RECEIVED) & ~Q(volunteer__status=Volunteer.Status.INACTIVE))
        )
        # A mediator hears of a case's sessions only while they are on the case.
        & (Q(volunteer__isnull=True) | Q(session__isnull=True) | Q(Exists(still_on_the_case)))
        # "You have been assigned" goes only while that assignment is current.
        & (~Q(kind=kind.ASSIGNED) | Q(Exists(still_assigned)))
        & (Q(user__isnull=True) | Q(user__is_active=True))
        & (
            ~Q(kind=OutboxMessage.Kind.SESSION_REMINDER)
            | (
                Q(session__status=MediationSession.Status.SCHEDULED)
                & ~Q(session__case__status=CaseStatus.CLOSED)
            )
        )
        # A referrer hears only with the parties' consent, while they may (referrers.updates).
        & referrer_updates.may_go_q()
        & still_on_route_q()
        # A survey goes while its invitation is open: case closed, not answered, not expired.
        & survey_message_may_go_q()
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


UNSENT = (OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING)
# What re-plans a party's messages and tasks (replan_messages_to), and a volunteer's.
PARTY_CONTACT_FIELDS = ("phone", "email", "preferred_contact", "no_text_messages", "no_email")
VOLUNTEER_CONTACT_FIELDS = ("phone", "email")


def _acknowledgement_route(party: Party) -> tuple[str, str] | None:
    """How a self-referral is acknowledged: only by the way they asked to be contacted first,
    email or text, within their restrictions (queue_referral_acknowledgement)."""
    method = Party.ContactMethod
    if party.preferred_contact == method.EMAIL and party.email and not party.no_email:
        return OutboxMessage.Channel.EMAIL, party.email
    if (
        party.preferred_contact == method.SMS
        and is_mobile(party.phone)
        and not party.no_text_messages
    ):
        return OutboxMessage.Channel.SMS, party.phone
    return None


def _readdress(message: OutboxMessage, route: tuple[str, str] | None, reason: str) -> bool:
    """Send ``message`` by ``route`` instead (a text kept out of quiet hours), or cancel it when
    there is none; True if it was re-addressed."""
    if route is None:
        message.status, message.last_error = OutboxMessage.Status.CANCELLED, reason[:300]
        message.save(update_fields=["status", "last_error"])
        return False
    message.channel, message.address = route
    if message.kind == OutboxMessage.Kind.SESSION_REMINDER and message.lead_minutes:
        message.due_at = reminder_due(message.session.starts_at, message.lead_minutes, route[0])
    else:
        deadline = message.session.starts_at if message.session_id else message.due_at
        deadline = max(deadline, timezone.now() + datetime.timedelta(days=1))
        message.due_at = outside_quiet_hours(message.due_at, route[0], deadline)
    # A row a dispatcher holds goes back to waiting: it is asked again, at the new address.
    message.status, message.claimed_until = OutboxMessage.Status.PENDING, None
    message.save(update_fields=["channel", "address", "due_at", "status", "claimed_until"])
    return True


def _replan_party(party: Party) -> list[str]:
    """A party's contact details changed: their session reminders still to go, and their open
    reminder calls and letters, for sessions still to come are replaced by ones by their route
    now; reminders already sent and tasks already done stay as they are (they were told), and
    nothing is written for a session where nothing was replaced. Their other messages still to
    go (an acknowledgement, a cancellation notice) are re-addressed, or cancelled when no
    message may reach them now."""
    reason = "Contact details changed"
    route = party_route(party)
    if route is None:
        cancel_messages_to(party=party, reason=reason)
        return []
    wanted = None if route.by_hand else (route.channel, route.address)
    unsent = OutboxMessage.objects.filter(party=party, status__in=UNSENT)
    sessions = party.sessions.filter(
        status=MediationSession.Status.SCHEDULED, starts_at__gt=timezone.now()
    ).exclude(case__status=CaseStatus.CLOSED)
    told = []
    for session in sessions:
        reminders = unsent.filter(session=session, kind=OutboxMessage.Kind.SESSION_REMINDER)
        stale = reminders.exclude(channel=wanted[0], address=wanted[1]) if wanted else reminders
        replaced = stale.update(status=OutboxMessage.Status.CANCELLED, last_error=reason)
        tasks = party.manual_contacts.filter(
            session=session, kind=ManualContact.Kind.SESSION_REMINDER
        )
        # Open tasks of another kind than the route now (any, when it is a message) go too.
        replaced += manual.cancel_tasks(
            tasks.exclude(method=route.method) if route.by_hand else tasks
        )
        if not replaced:
            continue
        if route.by_hand:
            task = manual.write_reminder_task(session, party, route)
            if task is not None and task.status == ManualContact.Status.OPEN:
                told.append(route.method)
            continue
        written = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                kind=OutboxMessage.Kind.SESSION_REMINDER,
                channel=route.channel,
                session=session,
                address=route.address,
                lead_minutes=lead,
                due_at=due,
                context=named_start(session),
                party=party,
            )
            for lead, due in _reminder_times(session, route.channel)
        )
        told.extend(route.channel for _ in written)
    others = unsent.exclude(kind=OutboxMessage.Kind.SESSION_REMINDER).select_related("session")
    for message in others:
        now = (
            _acknowledgement_route(party)
            if message.kind == OutboxMessage.Kind.REFERRAL_RECEIVED
            else wanted
        )
        if now != (message.channel, message.address):
            _readdress(message, now, reason)
            if now is None and message.kind == OutboxMessage.Kind.SESSION_CANCELLED:
                manual.write_cancelled_task(message.session, party, route)
    return told


def _replan_volunteer(volunteer) -> list[str]:
    """A volunteer's email or phone changed: what is still to go to them goes to the new
    address (by text to a mobile when they no longer have an email address), or is cancelled
    when they can no longer be reached. An applicant's acknowledgement is an email only
    (queue_application_acknowledgement), and goes although they do not work yet."""
    route = _volunteer_channel(volunteer)
    email = (OutboxMessage.Channel.EMAIL, volunteer.email) if volunteer.email else None
    told = []
    unsent = OutboxMessage.objects.filter(volunteer=volunteer, status__in=UNSENT)
    for message in unsent.select_related("session"):
        now = email if message.kind == OutboxMessage.Kind.APPLICATION_RECEIVED else route
        moved = now != (message.channel, message.address)
        if moved and _readdress(message, now, "Contact details changed"):
            told.append(now[0])
    return told


def replan_messages_to(*, party=None, volunteer=None) -> str:
    """Make what is still to go to one person follow their contact details and restrictions as
    they are now (called by the services that change them: parties.services.party_update,
    volunteers.services.volunteer_update); return a sentence saying what changed, or ""."""
    told = _replan_party(party) if party is not None else _replan_volunteer(volunteer)
    if party is not None:
        # A survey whose message could no longer go is asked by their route now (a letter).
        from surveys.services import reroute

        reroute(party)
    if not told:
        return ""
    name = party.full_name if party is not None else volunteer.full_name
    tasks = [way for way in told if way in ManualContact.Method.values]
    if tasks:
        how = "phoning" if tasks[0] == ManualContact.Method.PHONE else "writing to"
        return f"Reminders to {name} are now yours to give by {how} them: see calls and letters."
    count = len(told)
    how = " and ".join(
        sorted({"text" if way == OutboxMessage.Channel.SMS else way for way in told})
    )
    return f"{count} message{'s' if count != 1 else ''} to {name} will now go by {how}."
