"""Calls and letters a coordinator makes in place of a message (ManualContact), beside the outbox.

notifications.outbox writes them where it writes messages, for the parties whose route
(notifications.channels.party_route) is a call or a letter, and cancels them wherever it cancels
messages, so the invariants of messages hold for tasks too: an open task is cancelled when its
session is cancelled, moved (replaced by one for the new time), held or ended with its case,
and when its party withdraws consent; nothing is written for a party whose contact has stopped.

One task per party and session, not one per reminder: a message goes 48 hours and again 2 hours
before (REMINDER_LEAD_MINUTES), but one call or one letter, made by the first of those times,
tells them; a coordinator asked to phone twice for every session would soon stop reading the
list. A coordinator marks a task done from the case page (``complete``): audited, and told on the
case timeline.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event
from cases import timeline
from parties.consent import contact_stopped

from .channels import Route, party_route
from .models import ManualContact, OutboxMessage

OPEN = ManualContact.Status.OPEN
# How far ahead the coordinator's home counts tasks as due soon.
DUE_SOON = datetime.timedelta(days=2)
# How long before a session a reminder letter is due (see _letter_due).
LETTER_DAYS = datetime.timedelta(days=5)


def _first_reminder_time(session) -> datetime.datetime | None:
    """The first time a reminder would go that is still ahead (48 real hours before, else 2),
    or None when even the last has passed (booked at short notice: whoever booked it told them)."""
    start = session.starts_at.astimezone(datetime.UTC)
    now = timezone.now()
    for lead in sorted(settings.REMINDER_LEAD_MINUTES, reverse=True):
        due = start - datetime.timedelta(minutes=lead)
        if now <= due < start:
            return due
    return None


def _reminder_key(session, party) -> str:
    start = session.starts_at.astimezone(datetime.UTC)
    return f"session_reminder:{session.pk}:{party.pk}:{start:%Y%m%dT%H%M}"


def _cancelled_key(session, party) -> str:
    return f"session_cancelled:{session.pk}:{party.pk}"


def _write(*, session, party, kind, route, due_at, key) -> ManualContact:
    """The task ``key`` names, open: written if new, reopened if it had been cancelled (a
    session moved away and back), left alone if open or done (a new pair took the session over:
    the party has been told of this time already)."""
    task, created = ManualContact.objects.get_or_create(
        dedupe_key=key,
        defaults={
            "case_id": session.case_id,
            "party": party,
            "session": session,
            "kind": kind,
            "method": route.method,
            "reason": route.reason,
            "due_at": due_at,
        },
    )
    if not created and task.status == ManualContact.Status.CANCELLED:
        task.status, task.due_at = OPEN, due_at
        task.method, task.reason = route.method, route.reason
        task.save(update_fields=["status", "method", "reason", "due_at"])
    return task


def _by_hand(parties):
    for party in parties:
        route = party_route(party)
        if route is not None and route.by_hand:
            yield party, route


def _letter_due(session, call_due: datetime.datetime) -> datetime.datetime:
    """A letter must be posted LETTER_DAYS before the session to arrive (second-class post
    takes up to three working days), or at once if that has passed; never later than a call."""
    return min(call_due, max(timezone.now(), session.starts_at - LETTER_DAYS))


def write_reminder_tasks(session) -> list[ManualContact]:
    """A call or a letter for each attending party who hears of sessions by hand (the
    outbox writes the messages to the others): a call due when their first reminder would go,
    a letter early enough to arrive."""
    due_at = _first_reminder_time(session)
    if due_at is None:
        return []
    return [
        _write(
            session=session,
            party=party,
            kind=ManualContact.Kind.SESSION_REMINDER,
            route=route,
            due_at=_letter_due(session, due_at)
            if route.method == ManualContact.Method.LETTER
            else due_at,
            key=_reminder_key(session, party),
        )
        for party, route in _by_hand(session.parties.prefetch_related("consents"))
    ]


def write_reminder_task(session, party, route) -> ManualContact | None:
    """The reminder call or letter for one party of ``session`` (their contact details changed
    to a route by hand): the same key as write_reminder_tasks', so one cancelled before is
    reopened, and one done stays done; None when even the last reminder time has passed."""
    due_at = _first_reminder_time(session)
    if due_at is None:
        return None
    return _write(
        session=session,
        party=party,
        kind=ManualContact.Kind.SESSION_REMINDER,
        route=route,
        due_at=due_at,
        key=_reminder_key(session, party),
    )


def write_cancelled_task(session, party, route) -> ManualContact:
    """The call or letter telling one party that ``session`` is off, in place of a notice they
    can no longer be sent (their contact details changed): the same key as
    write_cancelled_tasks', so never twice."""
    return _write(
        session=session,
        party=party,
        kind=ManualContact.Kind.SESSION_CANCELLED,
        route=route,
        due_at=max(session.starts_at, timezone.now()),
        key=_cancelled_key(session, party),
    )


def write_cancelled_tasks(session, *, told_only: bool) -> list[ManualContact]:
    """Tell each party who hears by hand that ``session`` is off, at once. With
    ``told_only`` (its case ended), only those who had been told of it: a reminder message sent
    or a reminder task done."""
    parties = session.parties.prefetch_related("consents")
    if told_only:
        sent = session.reminders.filter(
            kind=OutboxMessage.Kind.SESSION_REMINDER, status=OutboxMessage.Status.SENT
        ).values("party_id")
        done = session.manual_contacts.filter(
            kind=ManualContact.Kind.SESSION_REMINDER, status=ManualContact.Status.DONE
        ).values("party_id")
        parties = parties.filter(Q(pk__in=sent) | Q(pk__in=done))
    return [
        _write(
            session=session,
            party=party,
            kind=ManualContact.Kind.SESSION_CANCELLED,
            route=route,
            due_at=timezone.now(),
            key=_cancelled_key(session, party),
        )
        for party, route in _by_hand(parties)
    ]


def write_late_call(session, party, *, why: str) -> ManualContact:
    """A call to tell ``party`` that ``session`` is off, due at once: the text that would have
    told them could not go in time (notifications.outbox.tell_coordinator_too_late)."""
    return _write(
        session=session,
        party=party,
        kind=ManualContact.Kind.SESSION_CANCELLED,
        route=Route(method=ManualContact.Method.PHONE, reason=why[:200]),
        due_at=timezone.now(),
        key=_cancelled_key(session, party),
    )


def cancel_tasks(tasks) -> int:
    """Cancel the open ones of ``tasks`` (a queryset); return how many."""
    return tasks.filter(status=OPEN).update(status=ManualContact.Status.CANCELLED)


def cancel_reminder_tasks(*, session=None, case=None) -> int:
    """Cancel the open reminder tasks of one session, or of every session of a case."""
    which = {"session": session} if session is not None else {"case": case}
    return cancel_tasks(
        ManualContact.objects.filter(kind=ManualContact.Kind.SESSION_REMINDER, **which)
    )


def cancel_tasks_for(party) -> int:
    """Cancel every open task of a party who may no longer be contacted."""
    return cancel_tasks(ManualContact.objects.filter(party=party))


@transaction.atomic
def complete(*, task: ManualContact, by) -> ManualContact:
    """A coordinator phoned or wrote: the task is done, audited and told on the timeline.
    Refused for a task that is no longer open, or whose party may no longer be contacted."""
    task = (
        ManualContact.objects.select_for_update(of=("self",))
        .select_related("case", "party", "session")
        .get(pk=task.pk)
    )
    if task.status != OPEN:
        raise ValidationError(f"This was already {task.get_status_display().lower()}.")
    if contact_stopped(task.party):
        raise ValidationError(
            f"{task.party.full_name} withdrew consent: they may no longer be contacted."
        )
    if not ManualContact.objects.to_do().filter(pk=task.pk).exists():
        # However it changed (a page, the admin, a data fix): nothing left to remind them of.
        raise ValidationError("This is no longer needed: the session is off or the case closed.")
    task.status, task.done_at, task.done_by = ManualContact.Status.DONE, timezone.now(), by
    task.save(update_fields=["status", "done_at", "done_by"])
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=task,
        detail={"done": task.method, "kind": task.kind},
    )
    done = "Phoned" if task.method == ManualContact.Method.PHONE else "Wrote to"
    about = (
        f"to say {task.session_words} is cancelled"
        if task.kind == ManualContact.Kind.SESSION_CANCELLED
        else f"about the {task.get_kind_display().lower()}"
        if task.session_id is None
        else f"to remind them of {task.session_words}"
    )
    timeline.log(task.case, f"{done} {task.party.full_name} {about}.", by=by, party=task.party)
    return task


def to_do_for_case(case):
    """The case's tasks still to do, soonest first, with what the case page shows: one query."""
    return list(
        ManualContact.objects.to_do()
        .filter(case=case)
        .select_related("party", "session")
        .order_by("due_at", "id")
    )
