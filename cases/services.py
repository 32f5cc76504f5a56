"""Every write to a case that has a rule. Pages, admin, commands and tasks all call these.

Each function takes keyword arguments, runs in a transaction, validates with full_clean(), raises
ValidationError with a message a coordinator understands, and leaves an audit record.
"""

import datetime
from itertools import pairwise

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record_event, record_events
from parties.areas import district_of_parties
from parties.consent import consent_state
from parties.models import Party
from volunteers.eligibility import pair_problems, pair_standing
from wkm.consequences import tell

from . import lifecycle, lists, signals, timeline
from .models import CONTACT_KINDS, Case, ContactLogEntry, Outcome, Status
from .references import allocate_reference

CASE_EDITABLE_FIELDS = (
    "dispute_type",
    "referral_source",
    "referrer_name",
    "referrer_organisation",
    "referrer_contact",
    # The records (referrers): set from the three fields above by referrers.intake on the
    # pages, or chosen in the admin.
    "referrer",
    "referrer_person",
    "received_on",
    "summary",
    "risk_violence",
    "risk_safeguarding",
    "risk_lone_working",
    "risk_notes",
    "coordinator",
)


# A referral dated before this is a typing mistake (and year 1 would make "WKM-1-0001", which no
# page could link to).
EARLIEST_RECEIVED_ON = datetime.date(2000, 1, 1)


# What case_create leaves to the database rather than asking it a query each (an import logs
# thousands of referrals): the people and records referred to are the objects the caller chose
# (a form's choice, intake's records), which the foreign keys hold to existing rows; a new
# referral is not closed (the closed-has-a-date constraint); a blank external id is unique
# by definition (the constraint's condition).
_NOT_CHECKED_ON_CREATE = [
    "reference",
    "coordinator",
    "created_by",
    "referrer",
    "referrer_person",
    "status",
    "closed_on",
]


@transaction.atomic
def case_create(*, by, fields: dict, parties: list[dict], referrer=None) -> Case:
    """Log a referral: the case and its parties at once, or nothing at all. ``referrer``: a
    referrers.intake.ReferrerPick, the organisation and person as the intake form gave them."""
    from referrers import intake

    if not parties:
        raise ValidationError("Add at least one party.")
    if referrer is not None:
        fields = {**fields, **intake.resolve(referrer, by=by)}
    case = Case(created_by=by, **fields)
    intake.check_case(case)
    if case.coordinator_id is None:
        case.coordinator = by
    case.reference = "pending"  # replaced below, once the fields are known to be valid
    # Its fields, and (validate_constraints) none of its constraints: a new referral is not
    # closed, and the old-system id's is asked in one query.
    case.full_clean(exclude=_NOT_CHECKED_ON_CREATE, validate_constraints=False)
    _check_external_id_free(case.external_id)
    lists.check_current(lists.REFERRAL_SOURCE, case.referral_source, field="referral_source")
    _check_received_on(case.received_on)
    party_objects = []
    for party_fields in parties:
        party = Party(**party_fields)
        party.full_clean(exclude=["case"])
        party_objects.append(party)
    case.reference = allocate_reference(case.received_on.year)
    case.postcode_district = district_of_parties(party_objects)  # the area reports group by
    case.save()
    for party in party_objects:
        party.case = case
    Party.objects.bulk_create(party_objects)
    record_event(
        action=AuditEvent.Action.CREATE, actor=by, obj=case, detail={"parties": len(parties)}
    )
    names = ", ".join(party.full_name for party in party_objects)
    timeline.log(
        case,
        f"Referral logged ({case.get_referral_source_display().lower()}), with {names}.",
        by=by,
    )
    return case


def _check_external_id_free(external_id: str) -> None:
    """A case's id in an old system is taken once (case_external_id_unique), so a sheet imported
    twice makes no second case: asked in one query, as Django's own check of a constraint with a
    condition asks the condition of the database in a savepoint first (four statements)."""
    if external_id and Case.objects.filter(external_id=external_id).exists():
        raise ValidationError(
            {"external_id": f"A case with the id “{external_id}” has already been imported."}
        )


def _check_received_on(received_on: datetime.date) -> None:
    """A referral cannot arrive tomorrow (typed, or imported from a sheet), nor before 2000
    (the reference needs a four-digit year)."""
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "The date received cannot be in the future."})
    if received_on < EARLIEST_RECEIVED_ON:
        raise ValidationError({"received_on": "Enter a date from 1 January 2000 onwards."})


@transaction.atomic
def case_update(*, case: Case, by, fields: dict, referrer=None) -> Case:
    """Edit a case's details; ``referrer`` as for case_create."""
    from referrers import intake

    if referrer is not None:
        fields = {**fields, **intake.resolve(referrer, by=by, case=case)}
    unknown = set(fields) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(case, name) != value)
    if "dispute_type" in changed:
        _check_pair_for_type(case, fields["dispute_type"])
    if "received_on" in changed:
        _check_received_on(fields["received_on"])
    if "referral_source" in changed:  # a retired source stays on the cases that have it
        lists.check_current(
            lists.REFERRAL_SOURCE, fields["referral_source"], field="referral_source"
        )
    for name, value in fields.items():
        setattr(case, name, value)
    intake.check_case(case)
    case.full_clean()
    case.save()
    if changed:
        record_event(
            action=AuditEvent.Action.CHANGE, actor=by, obj=case, detail={"fields": changed}
        )
    return case


def _check_pair_for_type(case: Case, dispute_type: str) -> None:
    """Rules 2 and 3 hold for the kind of dispute: a case's pair must still be allowed on it
    when the case is re-classified (a trainee on a case that is no longer community work, an
    extra accreditation the new kind needs). Only what the new kind adds is refused, not what
    was already so (a DBS check that lapsed since is the pairing page's business)."""

    current = [a.volunteer for a in case.assignments.current().select_related("volunteer")]
    if len(current) != 2:
        return
    lead, co = current
    before = {problem.message for problem in pair_problems(case, lead, co)}
    retyped = Case(pk=case.pk, reference=case.reference, dispute_type=dispute_type)
    added = [p.message for p in pair_problems(retyped, lead, co) if p.message not in before]
    if added:
        raise ValidationError({"dispute_type": added})


def _lock(case: Case) -> Case:
    """Re-read the case under a row lock, so two coordinators cannot move it at once."""
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("referrer_person__referrer")  # who the referrer's updates go to
        .get(pk=case.pk)
    )


@transaction.atomic
def case_transition(*, case: Case, to: str, by) -> Case:
    """Move a case along its lifecycle (cases.lifecycle), refusing moves that break a rule."""
    return _move(case, _lock(case), [to], by=by)


@transaction.atomic
def case_advance(*, case: Case, to: str, by) -> Case:
    """Move an open case forward to ``to`` through every stage between, as a coordinator
    pressing each button in turn would, each step refused as case_transition refuses it: for a
    case brought in from another system already part-way along (imports.cases_sheet). One lock
    and one write for the whole way, each step on the audit trail and the timeline, and the
    referrer told once, of the furthest stage the steps reach."""
    locked = _lock(case)
    order = lifecycle.ORDER
    if (
        to not in order
        or locked.status not in order
        or order.index(to) < order.index(locked.status)
    ):
        raise ValidationError(
            f"A case that is “{locked.get_status_display()}” cannot be moved forward to "
            f"“{Status(to).label if to in Status.values else to}”."
        )
    steps = list(order[order.index(locked.status) + 1 : order.index(to) + 1])
    if not steps:
        _copy(locked, case)
        return case
    return _move(case, locked, steps, by=by)


def mediation_start(*, case: Case, by) -> Case:
    """Start mediation on ``case``, which the caller holds locked: volunteers.services.
    assign_pair, which has just assigned the pair under that lock and checked it with
    eligibility.pair_problems, its conflicts accepted with a reason, which is what this step
    asks (pair_standing) today — so the pair's records are not read again. Anyone else moves
    a case to active with case_transition, which asks."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("mediation_start needs the caller's transaction and row lock")
    return _move(case, case, [Status.ACTIVE], by=by, pair_checked=True)


def _move(case: Case, locked: Case, steps: list[str], *, by, pair_checked=False) -> Case:
    """Take ``locked`` (``case`` under its row lock) through ``steps``; ``case`` ends as it."""
    path = list(pairwise([locked.status, *steps]))
    for frm, to in path:
        _check_step(locked, frm, to, pair_checked=pair_checked)
    locked.status = steps[-1]
    locked.status_changed_at = timezone.now()
    locked.save(update_fields=["status", "status_changed_at"])
    record_events(
        [
            {
                "action": AuditEvent.Action.TRANSITION,
                "actor": by,
                "obj": locked,
                "detail": {"from": frm, "to": to},
            }
            for frm, to in path
        ]
    )
    timeline.log_many(
        locked,
        [(f"Status: {Status(frm).label} → {Status(to).label}.", None, None) for frm, to in path],
        by=by,
    )
    signals.case_moved.send(Case, case=locked, steps=path, by=by)
    _copy(locked, case)
    return case


def _copy(locked: Case, case: Case) -> None:
    """What was read under the lock, and written: the caller's object as refresh_from_db would
    leave it, without reading it again."""
    for field in Case._meta.concrete_fields:
        setattr(case, field.attname, getattr(locked, field.attname))


def _check_step(case: Case, frm: str, to: str, *, pair_checked: bool) -> None:
    """Refuse the step ``frm`` → ``to`` of ``case`` if the lifecycle or a rule forbids it."""
    if not lifecycle.can_move(frm, to):
        raise ValidationError(
            f"A case that is “{Status(frm).label}” cannot move to “{Status(to).label}”."
        )
    if to == Status.READY:
        waiting = consent_state(case).waiting_for
        if waiting:
            names = ", ".join(p.full_name for p in waiting)
            raise ValidationError(
                f"Still waiting for consent from {names}: record their consent first."
            )
    if to == Status.ACTIVE and not pair_checked:
        if case.assignments.current().count() != 2:
            raise ValidationError(
                "Mediation starts only with exactly two current mediators: assign a pair first."
            )
        standing = pair_standing(case)
        if standing:
            raise ValidationError(
                "The pair must be changed before mediation starts: "
                + " ".join(problem.message for problem in standing)
            )


def next_steps_for(case: Case, consents) -> list[tuple[str, str]]:
    """The lifecycle's next steps for ``case`` that its consents and pair allow now (each
    refused with its reason anyway if tried): "ready to assign" needs every party's consent,
    "start mediation" a pair of two. Uses what the case page has prefetched."""
    steps = lifecycle.next_steps(case.status)
    if not consents.all_consented:
        steps = [(to, label) for to, label in steps if to != Status.READY]
    if len(case.current_assignments()) != 2:
        steps = [(to, label) for to, label in steps if to != Status.ACTIVE]
    return steps


def suggested_follow_up(closed_on: datetime.date) -> datetime.date:
    """When to check in with the parties after closing: FOLLOW_UP_DAYS later (3 months)."""
    return closed_on + datetime.timedelta(days=settings.FOLLOW_UP_DAYS)


def closing_outcomes(case: Case) -> list[str]:
    """The outcomes a case can close with (the mediated ones are checked when chosen), in the
    order the administrators gave them (cases.lists)."""
    if case.status == Status.CLOSED:
        return []
    return [code for code, _ in lists.choices(lists.OUTCOME)]


def mediation_took_place(case: Case) -> bool:
    """A mediation session was held (an intake visit is not mediation), or an agreement was
    agreed or signed: what a mediated outcome (lifecycle.MEDIATED_OUTCOMES) needs."""
    return (
        case.sessions.filter(status="held").exclude(kind="intake").exists()
        or case.agreements.filter(status__in=["agreed", "signed", "superseded"]).exists()
    )


@transaction.atomic
def case_close(
    *,
    case: Case,
    by,
    outcome: str,
    closed_on: datetime.date,
    follow_up_on: datetime.date | None = None,
) -> Case:
    """Close a case. Whatever was still to come stops with it (signals.case_closed): its future
    sessions are cancelled with their reminders (a notice goes only to those who had been told
    of them), a trainee case on a case that closed before mediation ends, never to count, the
    referrer is told and the parties are asked for their feedback."""
    locked = _lock(case)
    if locked.status == Status.CLOSED:
        raise ValidationError("This case is already closed.")
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose an outcome."})
    if outcome in lifecycle.MEDIATED_OUTCOMES and not mediation_took_place(locked):
        raise ValidationError(
            {
                "outcome": f"“{lists.label(lists.OUTCOME, outcome)}” needs mediation to have "
                "taken place: record a meeting as held (an intake visit does not count), or an "
                "agreement as agreed, first; or choose another outcome."
            }
        )
    if closed_on < locked.received_on:
        raise ValidationError({"closed_on": "A case cannot close before it was received."})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": "The closing date cannot be in the future."})
    if follow_up_on is not None and follow_up_on < closed_on:
        raise ValidationError({"follow_up_on": "The follow-up date must be after closing."})
    locked.status_before_close = locked.status
    locked.status = Status.CLOSED
    locked.status_changed_at = timezone.now()
    locked.outcome = outcome
    locked.closed_on = closed_on
    locked.follow_up_on = follow_up_on
    locked.follow_up_done_on = None
    locked.full_clean()
    locked.save()
    record_event(
        action=AuditEvent.Action.TRANSITION,
        actor=by,
        obj=locked,
        detail={"to": "closed", "outcome": outcome},
    )
    timeline.log(locked, f"Case closed: {locked.get_outcome_display().lower()}.", by=by)
    signals.case_closed.send(Case, case=locked, mediated=mediation_took_place(locked), by=by)
    case.refresh_from_db()
    return case


def furthest_stage(case: Case) -> tuple[str, str]:
    """(status, why not further): the furthest stage a case may be in now, by the same checks
    as moving it forward — every party's consent for "ready to assign", and a pair that may
    work on it (two current mediators, DBS, training, accreditation, no conflict) for
    "active". A case not yet consented to goes no further than the stage it had reached."""
    before = case.status_before_close or Status.CONTACTING
    state = consent_state(case)
    if not state.all_consented:
        names = ", ".join(p.full_name for p in state.waiting_for) or "every party"
        stage = min(before, Status.AWAITING_CONSENT, key=lifecycle.ORDER.index)
        return stage, f"waiting for consent from {names}"
    if case.assignments.current().count() != 2:
        return Status.READY, "it needs a pair of mediators"
    standing = pair_standing(case)
    if standing:
        return Status.READY, " ".join(p.message for p in standing)
    return Status.ACTIVE, ""


@transaction.atomic
def case_reopen(*, case: Case, by, reason: str) -> Case:
    """Reopen a closed case, with the reason on the timeline, to the furthest stage its
    consents and pair allow now (``furthest_stage``): not straight back to active with a pair
    whose DBS check has lapsed, or a party who has withdrawn. Another app may refuse
    (signals.case_reopening: an anonymised case); what its closing stopped comes back or stays
    stopped as each app says (signals.case_reopened)."""
    locked = _lock(case)
    if locked.status != Status.CLOSED:
        raise ValidationError("Only a closed case can be reopened.")
    signals.case_reopening.send(Case, case=locked, by=by)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case is being reopened."})
    back_to, held_back = furthest_stage(locked)
    locked.status = back_to
    locked.status_changed_at = timezone.now()
    locked.outcome = ""
    locked.closed_on = None
    locked.follow_up_on = None
    locked.follow_up_done_on = None
    locked.status_before_close = ""
    locked.save()
    timeline.log(locked, f"Case reopened: {reason.strip()}", by=by)
    record_event(
        action=AuditEvent.Action.TRANSITION,
        actor=by,
        obj=locked,
        detail={"to": back_to, "reopened": True},
    )
    if held_back and back_to != Status.ACTIVE:
        tell(f"It is “{Status(back_to).label}”, not further: {held_back.rstrip('.')}.")
    signals.case_reopened.send(Case, case=locked, by=by)
    case.refresh_from_db()
    return case


def _check_entry_parties(case: Case, entry: ContactLogEntry) -> None:
    for field in ("party", "private_to"):
        party = getattr(entry, field)
        if party is not None and party.case_id != case.pk:
            raise ValidationError({field: "Choose a party of this case."})


@transaction.atomic
def log_entry_add(
    *,
    case: Case,
    by,
    kind: str,
    text: str,
    occurred_at: datetime.datetime,
    party: Party | None = None,
    private_to: Party | None = None,
    is_draft: bool = False,
) -> ContactLogEntry:
    entry = ContactLogEntry(
        case=case,
        kind=kind,
        text=text,
        occurred_at=occurred_at,
        party=party,
        private_to=private_to,
        is_draft=is_draft,
        author=by,
    )
    _check_entry_parties(case, entry)
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "A contact cannot be recorded in the future."})
    entry.full_clean()
    entry.save()
    record_event(
        action=AuditEvent.Action.CREATE, actor=by, obj=entry, case_reference=case.reference
    )
    _follow_up_done_by_contact(entry, by=by)
    return entry


@transaction.atomic
def follow_up_done(*, case: Case, by) -> Case:
    """Mark a closed case's follow-up as done (it leaves the coordinator's list of follow-ups
    due and gets no more reminders). Logging a contact does this by itself
    (``_follow_up_done_by_contact``); the button is for a follow-up done another way, or given
    up on."""
    locked = _lock(case)
    if locked.status != Status.CLOSED or locked.follow_up_on is None:
        raise ValidationError("This case has no follow-up to mark as done.")
    if locked.follow_up_done_on is not None:
        raise ValidationError("The follow-up is already marked as done.")
    locked.follow_up_done_on = timezone.localdate()
    locked.save(update_fields=["follow_up_done_on"])
    record_event(
        action=AuditEvent.Action.CHANGE,
        actor=by,
        obj=locked,
        detail={"follow_up_done_on": locked.follow_up_done_on.isoformat()},
    )
    case.follow_up_done_on = locked.follow_up_done_on
    return case


def _follow_up_done_by_contact(entry: ContactLogEntry, *, by) -> None:
    """A published contact on or after a closed case's follow-up date is the follow-up. A
    conditional UPDATE, so that a coordinator marking it done (or reopening the case) at the
    same moment never makes the contact itself fail to save."""
    if entry.is_draft or entry.kind not in CONTACT_KINDS:
        return
    day = timezone.localdate(entry.occurred_at)
    done = Case.objects.filter(
        pk=entry.case_id,
        status=Status.CLOSED,
        follow_up_on__lte=day,
        follow_up_done_on__isnull=True,
    ).update(follow_up_done_on=day)
    if done:
        entry.case.follow_up_done_on = day
        record_event(
            action=AuditEvent.Action.CHANGE,
            actor=by,
            obj=entry.case,
            detail={"follow_up_done_on": day.isoformat(), "by_contact": entry.pk},
        )


@transaction.atomic
def log_entry_update(*, entry: ContactLogEntry, by, fields: dict) -> ContactLogEntry:
    """Edit a draft (only its author may); publishing is saving with is_draft False."""
    entry = ContactLogEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.is_draft:
        raise ValidationError("Only drafts can be edited; add a new entry instead.")
    if entry.author_id != by.pk:
        raise ValidationError("Only the author of a draft can edit it.")
    for name, value in fields.items():
        if name not in {"kind", "text", "occurred_at", "party", "private_to", "is_draft"}:
            raise ValueError(f"not editable: {name}")
        setattr(entry, name, value)
    _check_entry_parties(entry.case, entry)
    entry.full_clean()
    entry.save()
    record_event(
        action=AuditEvent.Action.CHANGE, actor=by, obj=entry, case_reference=entry.case.reference
    )
    _follow_up_done_by_contact(entry, by=by)
    return entry
