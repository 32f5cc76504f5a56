"""Booking, rescheduling, cancelling and recording sessions, with the rules that protect them.

Refused, each with a message naming the problem: a case without a current pair (rule 1), or with
a pair that may not work on it on the session's day (rules 2-6 and 8, asked again: a DBS check
that lapses first, an accreditation revoked, a conflict found since); joint work (a joint
meeting, shuttle mediation, a restorative conference) before every party has consented
(rule 7); a home visit while home visits are suspended
(rule 9); a mediator or party booked twice at overlapping times; an end before the start; a
session in the past unless it is being recorded as held. Reminders are written in the same
transaction (notifications.outbox), so a rolled-back booking sends nothing.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from audit.models import AuditEvent
from audit.services import record_event
from cases import timeline
from cases.models import Case, Status
from notifications import manual, outbox
from notifications.models import OutboxMessage
from parties.consent import consent_state
from volunteers.eligibility import pair_standing
from wkm.consequences import tell

from .models import MediationSession, ServiceSettings

# Sessions longer than this are almost certainly a typing mistake.
MAX_SESSION_HOURS = 8
# So are sessions further ahead than this (and 31/12/9999 has no next morning to move a text
# reminder out of quiet hours to: booking one was a 500).
MAX_DAYS_AHEAD = 2 * 365


def _when(session_start, session_end) -> str:
    start, end = timezone.localtime(session_start), timezone.localtime(session_end)
    return f"{date_format(start, 'j M Y')}, {start:%H:%M}–{end:%H:%M}"


def _check_times(starts_at, ends_at, *, recording_held: bool) -> None:
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = ["The session must end after it starts."]
    elif ends_at - starts_at > datetime.timedelta(hours=MAX_SESSION_HOURS):
        errors["ends_at"] = [f"A session cannot last more than {MAX_SESSION_HOURS} hours."]
    now = timezone.now()
    if recording_held and starts_at > now:
        errors["starts_at"] = ["A session recorded as held must have started already."]
    if not recording_held and starts_at < now:
        errors["starts_at"] = [
            "This time has passed. To record a session that took place, tick “record a "
            "session that was held”."
        ]
    elif not recording_held and starts_at - now > datetime.timedelta(days=MAX_DAYS_AHEAD):
        errors["starts_at"] = ["A session can be booked up to two years ahead."]
    if errors:
        raise ValidationError(errors)


def clashes(*, starts_at, ends_at, mediators, parties, exclude=None) -> list[str]:
    """Messages naming every mediator or party already booked at an overlapping time."""
    overlapping = MediationSession.objects.filter(
        status=MediationSession.Status.SCHEDULED, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("case")
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    messages = []
    people = [("mediators", m) for m in mediators] + [("parties", p) for p in parties]
    overlapping = (
        overlapping.filter(
            Q(mediators__in=[m.pk for m in mediators]) | Q(parties__in=[p.pk for p in parties])
        )
        .distinct()
        .prefetch_related("mediators", "parties")
    )
    for other in overlapping:
        for relation, person in people:
            if any(p.pk == person.pk for p in getattr(other, relation).all()):
                messages.append(
                    f"{person.full_name} is already booked for a session on "
                    f"{_when(other.starts_at, other.ends_at)} ({other.case.reference})."
                )
    return messages


def _check_booking(
    *, case, kind, mode, starts_at, ends_at, mediators, parties, exclude=None, held=False
):
    errors = []
    current = {a.volunteer_id for a in case.assignments.current()}
    if len(current) != 2:
        errors.append(
            "This case needs its pair of mediators: assign a pair before booking a session."
        )
    elif {m.pk for m in mediators} != current:
        errors.append("The mediators attending must be the case's current pair.")
    elif not held:
        # The pair as it stands on the session's day: a DBS check that lapses before it, an
        # accreditation revoked or a conflict of interest found since assigning stops booking.
        standing = pair_standing(case, on=timezone.localtime(starts_at).date())
        if standing:
            errors.append(
                "The pair must be changed before a session is booked: "
                + " ".join(problem.message for problem in standing)
            )
    if not parties:
        errors.append("Choose at least one party who will attend.")
    if any(p.case_id != case.pk for p in parties):
        errors.append("Choose parties of this case.")
    if kind in MediationSession.JOINT_KINDS:
        state = consent_state(case)
        if not state.all_consented:
            waiting = ", ".join(p.full_name for p in state.waiting_for)
            label = MediationSession.Kind(kind).label.lower()
            errors.append(
                f"No {label} until every party has consented: waiting for {waiting}."
                if kind != MediationSession.Kind.JOINT
                else f"No joint meeting until every party has consented: waiting for {waiting}."
            )
    if mode == MediationSession.Mode.HOME_VISIT and not held:
        service = ServiceSettings.current()
        if service.home_visits_suspended_on(timezone.localtime(starts_at).date()):
            errors.append(
                "Home visits are suspended"
                + (f" ({service.home_visits_reason})" if service.home_visits_reason else "")
                + ": book the office, a neutral venue, a phone or a video call instead."
            )
    errors.extend(
        clashes(
            starts_at=starts_at,
            ends_at=ends_at,
            mediators=mediators,
            parties=parties,
            exclude=exclude,
        )
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def session_book(
    *,
    case: Case,
    by,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    parties,
    venue: str = "",
    notes: str = "",
    held: bool = False,
) -> MediationSession:
    """Book a session (or record one that was held) for the case's current pair."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status == Status.CLOSED:
        raise ValidationError("This case is closed; reopen it to book a session.")
    _check_times(starts_at, ends_at, recording_held=held)
    mediators = [a.volunteer for a in case.assignments.current().select_related("volunteer")]
    parties = list(parties)
    _check_booking(
        case=case,
        kind=kind,
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        mediators=mediators,
        parties=parties,
        held=held,
    )
    session = MediationSession(
        case=case,
        kind=kind,
        mode=mode,
        venue=venue,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
        created_by=by,
        status=MediationSession.Status.HELD if held else MediationSession.Status.SCHEDULED,
    )
    session.full_clean()
    session.save()
    session.mediators.set(mediators)
    session.parties.set(parties)
    if not held:
        outbox.schedule_session_reminders(session)
    record_event(action=AuditEvent.Action.CREATE, actor=by, obj=session)
    who = ", ".join(p.full_name for p in parties) or "no party"
    timeline.log(
        case,
        f"{session.get_kind_display()} {'held on' if held else 'booked for'} "
        f"{_when(starts_at, ends_at)} ({session.get_mode_display().lower()}), with {who}.",
        by=by,
    )
    return session


def _lock(session: MediationSession) -> MediationSession:
    return MediationSession.objects.select_for_update().select_related("case").get(pk=session.pk)


@transaction.atomic
def session_reschedule(
    *,
    session: MediationSession,
    by,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    mode: str | None = None,
    venue: str | None = None,
) -> MediationSession:
    """Move a scheduled session; its reminders move with it, and the old time is kept in the
    session's history and on the case timeline."""
    session = _lock(session)
    if session.status != MediationSession.Status.SCHEDULED:
        raise ValidationError("Only a scheduled session can be rescheduled.")
    if session.case.status == Status.CLOSED:
        raise ValidationError("This case is closed; reopen it to move a session.")
    _check_times(starts_at, ends_at, recording_held=False)
    mode = mode or session.mode
    _check_booking(
        case=session.case,
        kind=session.kind,
        mode=mode,
        starts_at=starts_at,
        ends_at=ends_at,
        mediators=list(session.mediators.all()),
        parties=list(session.parties.all()),
        exclude=session,
    )
    before = _when(session.starts_at, session.ends_at)
    session.starts_at, session.ends_at, session.mode = starts_at, ends_at, mode
    if venue is not None:
        session.venue = venue
    session.full_clean()
    session.save()
    outbox.reschedule_session_reminders(session)
    timeline.log(
        session.case,
        f"{session.get_kind_display()} moved from {before} to {_when(starts_at, ends_at)}.",
        by=by,
    )
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=session, detail={"rescheduled": True}
    )
    return session


@dataclass
class Cancelled:
    """The sessions one change cancelled, and their reminders, to say so in plain words."""

    sessions: list[MediationSession] = field(default_factory=list)
    reminders: int = 0

    def __bool__(self) -> bool:
        return bool(self.sessions)

    def describe(self) -> str:
        """For example "Cancelled the joint meeting on Tue 15 Dec and its 8 reminders."."""
        if not self.sessions:
            return ""
        what = [
            f"the {s.get_kind_display().lower()} on "
            f"{date_format(timezone.localtime(s.starts_at), 'D j M')}"
            for s in self.sessions
        ]
        reminders = f"{self.reminders} reminder{pluralize(self.reminders)}"
        if len(what) == 1:
            tail = f" and its {reminders}" if self.reminders else ""
            return f"Cancelled {what[0]}{tail}."
        tail = f" and their {reminders}" if self.reminders else ""
        return f"Cancelled {len(what)} sessions ({', '.join(what)}){tail}."


def _cancel(session, *, by, notify, **why) -> int:
    session.status = MediationSession.Status.CANCELLED
    session.save(update_fields=["status"])
    reminders = outbox.cancel_session_reminders(session, notify=notify)
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=session, detail={"cancelled": True, **why}
    )
    return reminders


@transaction.atomic
def session_cancel(*, session: MediationSession, by, reason: str = "") -> MediationSession:
    """Cancel a scheduled session: pending reminders are cancelled and everyone who was to
    attend (and may be contacted) gets a cancellation notice."""
    session = _lock(session)
    if session.status != MediationSession.Status.SCHEDULED:
        raise ValidationError("Only a scheduled session can be cancelled.")
    upcoming = session.ends_at > timezone.now()
    _cancel(
        session,
        by=by,
        notify=outbox.Notify.EVERYONE if upcoming else outbox.Notify.NOBODY,
    )
    timeline.log(
        session.case,
        f"{session.get_kind_display()} on {_when(session.starts_at, session.ends_at)} "
        f"cancelled{': ' + reason.strip() if reason.strip() else ''}.",
        by=by,
    )
    return session


def cancel_sessions(sessions, *, by, because: str, notify: outbox.Notify) -> Cancelled:
    """Cancel ``sessions`` (scheduled ones of one case, as a change to the case requires) with
    their reminders, and say so once on the case's timeline. Runs inside the caller's
    transaction, which holds the case's lock."""
    sessions = list(
        sessions.filter(status=MediationSession.Status.SCHEDULED)
        .select_for_update(of=("self",))
        .select_related("case")
        .order_by("starts_at", "id")
    )
    cancelled = Cancelled(sessions=sessions)
    for session in sessions:
        cancelled.reminders += _cancel(session, by=by, notify=notify, because=because)
    if sessions:
        listed = "; ".join(
            f"{s.get_kind_display().lower()} on {_when(s.starts_at, s.ends_at)}" for s in sessions
        )
        timeline.log(sessions[0].case, f"Cancelled because {because}: {listed}.", by=by)
    return cancelled


def follow_the_new_pair(case, pair) -> None:
    """A new pair takes over the case's scheduled sessions, and their reminders follow
    (sessions.receivers, on volunteers.signals.pair_assigned)."""
    for session in future_sessions(case):
        session.mediators.set(pair)
        outbox.reschedule_session_reminders(session)


def stop_with_the_case(case, *, by) -> None:
    """A closed case's future sessions are cancelled with their reminders (a notice goes only
    to those who had been told of them), and every reminder still waiting about its sessions
    stops (sessions.receivers, on cases.signals.case_closed)."""
    cancelled = cancel_sessions(
        future_sessions(case), by=by, because="the case closed", notify=outbox.Notify.TOLD
    )
    tell(cancelled.describe())
    stop_reminders_of(case)


def stop_reminders_of(case) -> int:
    """Cancel every reminder still waiting about any of the case's sessions (a closed case's:
    one whose time has passed without its outcome being recorded may still have some, if the
    dispatcher has not run since), and the calls and letters to make in their place; return how
    many reminders."""
    manual.cancel_reminder_tasks(case=case)
    return OutboxMessage.objects.filter(
        session__case=case,
        kind=OutboxMessage.Kind.SESSION_REMINDER,
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
    ).update(status=OutboxMessage.Status.CANCELLED, last_error="Case closed")


def future_sessions(case):
    """The case's sessions still to come."""
    return case.sessions.filter(
        status=MediationSession.Status.SCHEDULED, starts_at__gte=timezone.now()
    )


def stopped_by_withdrawal(party):
    """The sessions still to come that ``party``'s withdrawal from mediation stops: all joint
    work on their case, and meetings they were to attend alone. Meetings with other parties
    stay (without reminders to them: outbox.recipients)."""
    attending = MediationSession.parties.through.objects.filter(mediationsession_id=OuterRef("pk"))
    return future_sessions(party.case).filter(
        Q(kind__in=MediationSession.JOINT_KINDS)
        | (
            Exists(attending.filter(party_id=party.pk))
            & ~Exists(attending.exclude(party_id=party.pk))
        )
    )


@transaction.atomic
def session_record_outcome(
    *, session: MediationSession, by, status: str, notes: str = ""
) -> MediationSession:
    """Mark a session held or did-not-attend (once it has started), with confidential notes."""
    session = _lock(session)
    if status not in (MediationSession.Status.HELD, MediationSession.Status.DID_NOT_ATTEND):
        raise ValidationError({"status": "Choose held or did not attend."})
    if session.status == MediationSession.Status.CANCELLED:
        raise ValidationError("This session was cancelled.")
    if session.starts_at > timezone.now():
        raise ValidationError("Record the outcome once the session has started.")
    session.status = status
    if notes.strip():
        session.notes = notes.strip()
    session.save(update_fields=["status", "notes"])
    outbox.cancel_session_reminders(session, notify=outbox.Notify.NOBODY)
    record_event(action=AuditEvent.Action.CHANGE, actor=by, obj=session, detail={"outcome": status})
    timeline.log(
        session.case,
        f"{session.get_kind_display()} on {_when(session.starts_at, session.ends_at)}: "
        f"{session.get_status_display().lower()}.",
        by=by,
    )
    return session


@transaction.atomic
def home_visits_suspend(
    *, by, reason: str, suspended_from=None, suspended_until=None
) -> ServiceSettings:
    if not reason.strip():
        raise ValidationError({"home_visits_reason": "Say why home visits are suspended."})
    if suspended_from and suspended_until and suspended_until < suspended_from:
        raise ValidationError({"home_visits_suspended_until": "The end is before the start."})
    if suspended_until and suspended_until < timezone.localdate():
        raise ValidationError({"home_visits_suspended_until": "This date has already passed."})
    service = ServiceSettings.objects.select_for_update().get_or_create(pk=1)[0]
    service.home_visits_suspended = True
    service.home_visits_reason = reason.strip()
    service.home_visits_suspended_from = suspended_from
    service.home_visits_suspended_until = suspended_until
    service.save()
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=service,
        object_repr="Service settings",
        detail={"home_visits": "suspended"},
    )
    return service


@transaction.atomic
def home_visits_resume(*, by) -> ServiceSettings:
    service = ServiceSettings.objects.select_for_update().get_or_create(pk=1)[0]
    service.home_visits_suspended = False
    service.save()
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=service,
        object_repr="Service settings",
        detail={"home_visits": "resumed"},
    )
    return service


def home_visits_to_reschedule():
    """Scheduled home visits that fall while home visits are suspended (rule 9)."""
    service = ServiceSettings.current()
    if not service.home_visits_suspended:
        return MediationSession.objects.none()
    queryset = MediationSession.objects.filter(
        mode=MediationSession.Mode.HOME_VISIT,
        status=MediationSession.Status.SCHEDULED,
        starts_at__gte=timezone.now(),
    )
    if service.home_visits_suspended_until:
        end = datetime.datetime.combine(
            service.home_visits_suspended_until + datetime.timedelta(days=1),
            datetime.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        queryset = queryset.filter(starts_at__lt=end)
    if service.home_visits_suspended_from:
        start = datetime.datetime.combine(
            service.home_visits_suspended_from,
            datetime.time.min,
            tzinfo=timezone.get_current_timezone(),
        )
        queryset = queryset.filter(starts_at__gte=start)
    return queryset.select_related("case")
